"""The names of the files in a result bundle: every reader and writer takes them from here.

    result.json            RunResult
    system.json            SystemDescription
    logs/harness.jsonl     what the harness printed, one JSON line per event
    MANIFEST.json          Manifest: size and sha256 of every file above
    attestation.dsse.json  the DSSE envelope of a signed bundle

The attestation is not listed in MANIFEST.json: it signs the manifest, so it cannot be one of
the files the manifest vouches for. Names are '/'-separated and relative to the bundle root.
"""

from __future__ import annotations

from typing import Final

RESULT_NAME: Final = "result.json"
SYSTEM_NAME: Final = "system.json"
LOGS_DIR: Final = "logs"
LOG_NAME: Final = f"{LOGS_DIR}/harness.jsonl"
MANIFEST_NAME: Final = "MANIFEST.json"
ATTESTATION_NAME: Final = "attestation.dsse.json"
# An audit bundle (issue 13) holds audit.json instead of result.json, beside the auditor's
# system.json, its MANIFEST.json and the auditor's attestation.
AUDIT_NAME: Final = "audit.json"
