"""The KERNELPERF_CONTAINER_* protocol: what a runner sets is what the probe reads back."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from schemas import ContainerImage, container_env

TEXT = st.text(st.characters(blacklist_categories=["Cs"]), max_size=20)


@given(
    labels=st.dictionaries(TEXT, TEXT, max_size=4),
    settings=st.dictionaries(TEXT, TEXT, max_size=4),
    runtime=st.sampled_from(container_env.RUNTIMES),
)
def test_an_image_survives_the_environment(
    labels: dict[str, str], settings: dict[str, str], runtime: str
) -> None:
    image = ContainerImage.model_validate(
        {
            "image": "kernelperf/cpu:1.0",
            "image_id": "sha256:" + "c" * 64,
            "labels": labels,
            "runtime": runtime,
            "settings": settings,
        }
    )
    environ = container_env.to_env(image)
    assert all(name.startswith(container_env.PREFIX) for name in environ)
    assert container_env.from_env(environ) == image


def test_no_image_id_means_not_containerised() -> None:
    assert container_env.from_env({}) is None
    assert container_env.from_env({container_env.IMAGE: "kernelperf/cpu:1.0"}) is None
