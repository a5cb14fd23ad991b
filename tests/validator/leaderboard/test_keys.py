"""System keys: unique per (submitter, system id), and a collision is reported, never merged."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from validator._system_keys import system_keys

NAMES = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,8}", fullmatch=True)


def test_a_lone_system_id_is_its_own_key() -> None:
    keys = system_keys([("acme", "cpu-2c"), ("beta", "gpu-1")])
    assert keys.keys == {("acme", "cpu-2c"): "cpu-2c", ("beta", "gpu-1"): "gpu-1"}
    assert keys.collisions == {}


def test_a_shared_system_id_keys_by_submitter_too() -> None:
    keys = system_keys([("acme", "cpu-2c"), ("beta", "cpu-2c")])
    assert keys.keys == {("acme", "cpu-2c"): "acme--cpu-2c", ("beta", "cpu-2c"): "beta--cpu-2c"}


def test_names_that_differ_only_in_punctuation_collide_and_neither_keeps_the_key() -> None:
    victim, attacker = ("kernelperf-ref", "cpu-2c"), ("kernelperf_ref", "cpu-2c")
    keys = system_keys([victim, attacker])
    assert keys.collisions == {victim: (attacker,), attacker: (victim,)}
    assert "kernelperf-ref--cpu-2c" not in keys.keys.values()


@given(st.lists(st.tuples(NAMES, NAMES), max_size=12))
def test_keys_are_always_unique(pairs: list[tuple[str, str]]) -> None:
    keys = system_keys(pairs).keys
    assert len(set(keys.values())) == len(keys) == len(set(pairs))
