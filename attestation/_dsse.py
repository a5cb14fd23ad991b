"""The exact bytes a signature covers: DSSE's pre-authentication encoding of a canonical payload.

Signing and verifying both go through here, so they can never disagree on a byte.
DSSE v1.0: https://github.com/secure-systems-lab/dsse/blob/master/protocol.md
"""

from __future__ import annotations

import json


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE's pre-authentication encoding: the exact bytes a signature covers.

    `DSSEv1 SP LEN(type) SP type SP LEN(body) SP body`, lengths as ASCII decimal byte counts, so a
    signature can never be moved to a payload of another type.
    """
    type_bytes = payload_type.encode("utf-8")
    return b"DSSEv1 %d %b %d %b" % (len(type_bytes), type_bytes, len(payload), payload)


def canonical_json(value: object) -> bytes:
    """Sorted keys, no whitespace, UTF-8: the same value always gives the same bytes."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")
