"""The KERNELPERF_CONTAINER_* environment: how a container runner tells the harness what it started.

The runner (`containers`, or a cluster's own wrapper for Apptainer or pyxis) sets these in the
container; the probe inside turns them back into system.json's `container` section:

    KERNELPERF_CONTAINER_IMAGE      image name and tag (defaults to the image id)
    KERNELPERF_CONTAINER_IMAGE_ID   image id; unset or empty means "not containerised"
    KERNELPERF_CONTAINER_LABELS     JSON object of the image's OCI labels
    KERNELPERF_CONTAINER_RUNTIME    docker (default), apptainer or pyxis
    KERNELPERF_CONTAINER_SETTINGS   JSON object of the run's hardening and limits
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import get_args

from schemas.errors import UsageError
from schemas.system import ContainerImage, ContainerRuntime

PREFIX = "KERNELPERF_CONTAINER_"
IMAGE = f"{PREFIX}IMAGE"
IMAGE_ID = f"{PREFIX}IMAGE_ID"
LABELS = f"{PREFIX}LABELS"
RUNTIME = f"{PREFIX}RUNTIME"
SETTINGS = f"{PREFIX}SETTINGS"
RUNTIMES: tuple[ContainerRuntime, ...] = get_args(ContainerRuntime)


def to_env(image: ContainerImage) -> dict[str, str]:
    """The variables that make `from_env` give back `image` (its repo digest aside)."""
    return {
        IMAGE: image.image,
        IMAGE_ID: image.image_id,
        LABELS: json.dumps(image.labels, sort_keys=True),
        RUNTIME: image.runtime,
        SETTINGS: json.dumps(image.settings, sort_keys=True),
    }


def from_env(environ: Mapping[str, str]) -> ContainerImage | None:
    """The image the runner started us in, or None when not containerised.

    A malformed variable is a UsageError naming it: the runner (or the user) set it wrong.
    """
    image_id = environ.get(IMAGE_ID, "")
    if not image_id:
        return None
    wanted = environ.get(RUNTIME, "docker")
    runtime = next((known for known in RUNTIMES if known == wanted), None)
    if runtime is None:
        raise UsageError(
            f"unknown container runtime {wanted!r}",
            where=f"environment variable {RUNTIME}",
            fix=f"set it to one of: {', '.join(RUNTIMES)}",
        )
    return ContainerImage(
        image=environ.get(IMAGE, "") or image_id,
        image_id=image_id,
        labels=_json_object(environ, LABELS),
        runtime=runtime,
        settings=_json_object(environ, SETTINGS),
    )


def _json_object(environ: Mapping[str, str], name: str) -> dict[str, str]:
    """A JSON object from an environment variable, its values as strings."""
    text = environ.get(name, "")
    if not text:
        return {}
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"{name} is not valid JSON: {exc.msg}",
            where=f"environment variable {name}",
            fix="set it to a JSON object, or unset it",
        ) from exc
    if not isinstance(parsed, dict):
        raise UsageError(
            f"{name} must hold a JSON object",
            where=f"environment variable {name}",
            fix='set it to a JSON object such as {"key": "value"}',
        )
    return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in parsed.items()}
