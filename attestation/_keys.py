"""Ed25519 key pairs for signing bundles: made here, kept private, never printed; and key ids.

The private key is PKCS#8 PEM (openssl reads it too), written with mode 0600 from its first byte
(`schemas.atomic.write_file_atomically` creates the file with that mode before any byte of it).
The public key is SubjectPublicKeyInfo PEM: the file a submitter registers in
`submissions/<round>/keys/<submitter>.pub`.
"""

from __future__ import annotations

import hashlib
import stat
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from schemas import SubmissionError, UsageError
from schemas.atomic import write_file_atomically
from schemas.names import NAME_RULE, is_valid_name

PRIVATE_SUFFIX = ".key"
PUBLIC_SUFFIX = ".pub"


@dataclass(frozen=True)
class KeyPair:
    """Where a new key pair was written, and the keyid that signatures made with it carry."""

    private_path: Path
    public_path: Path
    keyid: str


def public_key_id(public_key: Ed25519PublicKey) -> str:
    """The keyid of a public key: hex sha256 of its DER SubjectPublicKeyInfo.

    By hand: `openssl pkey -pubin -in KEY.pub -outform DER | sha256sum`.
    """
    der = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()


def generate_key_pair(out_dir: Path, name: str) -> KeyPair:
    """Makes a new Ed25519 key pair as `out_dir/<name>.key` (0600) and `out_dir/<name>.pub`."""
    if not is_valid_name(name):
        raise UsageError(
            f"invalid key name {name!r}",
            fix=f"{NAME_RULE} (the submitter's name is a good choice)",
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
        write_file_atomically(private_path, private_pem, mode=0o600)
        write_file_atomically(public_path, public_pem, mode=0o644)
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


def read_public_key(path: Path) -> Ed25519PublicKey:
    """Reads a PEM Ed25519 public key (SubjectPublicKeyInfo), as `kernelperf keys` writes it.

    A file that is no such key is a SubmissionError: the key a submitter registered is unusable.
    """
    fix = "register the .pub file that `kernelperf keys generate` wrote"
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SubmissionError(
            f"cannot read the public key: {exc.strerror}", where=str(path), fix=fix
        ) from exc
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise SubmissionError("not a PEM public key", where=str(path), fix=fix) from exc
    if not isinstance(key, Ed25519PublicKey):
        raise SubmissionError(
            f"the public key is {type(key).__name__}, not Ed25519", where=str(path), fix=fix
        )
    return key


def readable_by_others(path: Path) -> bool:
    """True when group or others may read the file: a private key should be 0600."""
    return bool(path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO))
