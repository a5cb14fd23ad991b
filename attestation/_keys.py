"""Ed25519 key pairs for signing bundles: made here, kept private, never printed.

The private key is PKCS#8 PEM (openssl reads it too), written with mode 0600 from its first byte:
the file is created 0600 and renamed into place, so no reader ever sees it with wider rights.
The public key is SubjectPublicKeyInfo PEM: the file a submitter registers in
`submissions/<round>/keys/<submitter>.pub`.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from schemas import UsageError
from schemas.attestation import key_id

PRIVATE_SUFFIX = ".key"
PUBLIC_SUFFIX = ".pub"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class KeyPair:
    """Where a new key pair was written, and the keyid that signatures made with it carry."""

    private_path: Path
    public_path: Path
    keyid: str


def public_key_id(public_key: Ed25519PublicKey) -> str:
    """The keyid of a public key (hex sha256 of its DER SubjectPublicKeyInfo)."""
    der = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return key_id(der)


def write_atomically(path: Path, data: bytes, mode: int) -> None:
    """Writes `data` to a temporary sibling created with `mode`, then renames it to `path`."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def generate_key_pair(out_dir: Path, name: str) -> KeyPair:
    """Makes a new Ed25519 key pair as `out_dir/<name>.key` (0600) and `out_dir/<name>.pub`."""
    if not _NAME.fullmatch(name):
        raise UsageError(
            f"invalid key name {name!r}",
            fix="use letters, digits, '.', '_' or '-' (the submitter's name is a good choice)",
        )
    private_path = out_dir / f"{name}{PRIVATE_SUFFIX}"
    public_path = out_dir / f"{name}{PUBLIC_SUFFIX}"
    for path in (private_path, public_path):
        if path.exists():
            raise UsageError(
                "a key with this name already exists; it is never overwritten",
                where=str(path),
                fix="choose another --name or --out, or remove the old key pair yourself",
            )
    private_key = Ed25519PrivateKey.generate()
    private_pem = private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public_pem = private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    try:
        out_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_atomically(private_path, private_pem, 0o600)
        write_atomically(public_path, public_pem, 0o644)
    except OSError as exc:
        raise UsageError(
            f"cannot write the key pair: {exc.strerror}",
            where=str(out_dir),
            fix="choose an --out directory you can write to",
        ) from exc
    return KeyPair(private_path, public_path, public_key_id(private_key.public_key()))


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """Reads an unencrypted PKCS#8 PEM Ed25519 private key; errors never quote the file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(
            f"cannot read the private key: {exc.strerror}",
            where=str(path),
            fix="pass the .key file that `kernelperf keys generate` wrote",
        ) from exc
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        # `from None`: the library's error stays out of any report; nothing about key bytes leaks.
        raise UsageError(
            "not an unencrypted PEM private key",
            where=str(path),
            fix="pass the .key file that `kernelperf keys generate` wrote (not the .pub)",
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise UsageError(
            f"the private key is {type(key).__name__}, not Ed25519",
            where=str(path),
            fix="make an Ed25519 key with `kernelperf keys generate`",
        )
    return key


def readable_by_others(path: Path) -> bool:
    """True when group or others may read the file: a private key should be 0600."""
    return bool(path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO))
