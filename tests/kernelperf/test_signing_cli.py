"""`kernelperf keys generate`, `sign` and `verify` end to end, and the private key never leaks."""

from __future__ import annotations

import base64
import json
import tarfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from attestation import load_private_key
from kernelperf.cli import main
from schemas import ATTESTATION_NAME
from tests.attestation.fixtures import write_signable_bundle


def kp(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Runs the CLI in-process; returns exit code, stdout and stderr."""
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def secret_forms(private_path: Path) -> list[bytes]:
    """Every way the private key could show up: PEM body lines, raw bytes, base64, hex."""
    raw = load_private_key(private_path).private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    pem_body = [line for line in private_path.read_bytes().splitlines() if b"-----" not in line]
    return [*pem_body, raw, base64.b64encode(raw), raw.hex().encode()]


@pytest.fixture
def keys(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, Path, str]:
    """acme's key pair made by the CLI: private path, public path, and what the CLI printed."""
    code, out, err = kp(
        capsys, "keys", "generate", "--out", str(tmp_path / "keys"), "--name", "acme"
    )
    assert code == 0, err
    return tmp_path / "keys" / "acme.key", tmp_path / "keys" / "acme.pub", out + err


def test_generate_sign_verify_and_the_private_key_never_appears(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], keys: tuple[Path, Path, str]
) -> None:
    private_path, public_path, printed = keys
    bundle = write_signable_bundle(tmp_path / "bundle")
    outputs = [printed]
    for argv in (
        ("sign", str(bundle), "--key", str(private_path)),
        ("sign", str(bundle), "--key", str(private_path), "--json"),
        ("verify", str(bundle), "--pubkey", str(public_path)),
        ("verify", str(bundle), "--pubkey", str(public_path), "--json"),
    ):
        code, out, err = kp(capsys, *argv)
        assert code == 0, out + err
        outputs.append(out + err)
    assert outputs[3].startswith("SIGNED")
    assert json.loads(outputs[4])["status"] == "signed"
    files = [p.read_bytes() for p in bundle.rglob("*") if p.is_file()]
    for secret in secret_forms(private_path):
        assert all(secret not in text.encode() for text in outputs)
        assert all(secret not in data for data in files)


def test_json_output_is_exactly_one_document(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], keys: tuple[Path, Path, str]
) -> None:
    bundle = write_signable_bundle(tmp_path / "bundle")
    code, out, _ = kp(capsys, "sign", str(bundle), "--key", str(keys[0]), "--json")
    assert code == 0
    document = json.loads(out)
    assert document["attestation"] == str(bundle / ATTESTATION_NAME)
    assert document["subjects"] == 4


def test_verify_with_another_key_fails_with_its_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], keys: tuple[Path, Path, str]
) -> None:
    bundle = write_signable_bundle(tmp_path / "bundle")
    assert kp(capsys, "sign", str(bundle), "--key", str(keys[0]))[0] == 0
    other = tmp_path / "other"
    assert kp(capsys, "keys", "generate", "--out", str(other), "--name", "globex")[0] == 0
    code, out, _ = kp(capsys, "verify", str(bundle), "--pubkey", str(other / "globex.pub"))
    assert code == 1
    assert out.startswith("BAD")
    assert "KP-SIG-WRONG-KEY" in out


def test_verify_reads_a_tar_gz_bundle(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], keys: tuple[Path, Path, str]
) -> None:
    bundle = write_signable_bundle(tmp_path / "bundle")
    assert kp(capsys, "sign", str(bundle), "--key", str(keys[0]))[0] == 0
    archive = tmp_path / "bundle.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(bundle, arcname="bundle")
    code, out, err = kp(capsys, "verify", str(archive), "--pubkey", str(keys[1]), "--json")
    assert code == 0, out + err
    assert json.loads(out)["status"] == "signed"


def test_an_unsigned_bundle_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], keys: tuple[Path, Path, str]
) -> None:
    bundle = write_signable_bundle(tmp_path / "bundle")
    code, out, _ = kp(capsys, "verify", str(bundle), "--pubkey", str(keys[1]))
    assert code == 1
    assert "KP-SIG-UNSIGNED" in out


def test_a_private_key_given_as_pubkey_is_a_usage_error_that_quotes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], keys: tuple[Path, Path, str]
) -> None:
    bundle = write_signable_bundle(tmp_path / "bundle")
    code, out, err = kp(capsys, "verify", str(bundle), "--pubkey", str(keys[0]))
    assert code == 2
    assert "not a PEM public key" in err
    for secret in secret_forms(keys[0]):
        assert secret not in (out + err).encode()


def test_generating_over_an_existing_key_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], keys: tuple[Path, Path, str]
) -> None:
    code, _, err = kp(capsys, "keys", "generate", "--out", str(keys[0].parent), "--name", "acme")
    assert code == 2
    assert "already exists" in err


def test_signing_with_a_world_readable_key_warns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], keys: tuple[Path, Path, str]
) -> None:
    keys[0].chmod(0o644)
    bundle = write_signable_bundle(tmp_path / "bundle")
    code, _, err = kp(capsys, "sign", str(bundle), "--key", str(keys[0]))
    assert code == 0
    assert "readable by others" in err
