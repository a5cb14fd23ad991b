"""The precision contract each sheet states in free text above its sections.

A sheet names its precision in the cells right of `Precision` (and on the row below), sometimes
per suite ("GEMM, Conv: ...", "Sparse Ops, RNN: ..."). Each statement seen in the workbooks is
listed with the contract it states; a field it does not state is `not_stated`, never guessed.
"32 bit" addition or math takes the kind of the inputs (float inputs: fp32; int8 inputs:
int32), the one reading a "32 bit" of those inputs allows. An unknown statement stops the import.
"""

from __future__ import annotations

from schemas import DType, Precision

_F32, _NS = DType.FP32, DType.NOT_STATED
_ALL_FP32 = Precision(input=_F32, compute=_F32, output=_F32)
_FP16_IN = Precision(input=DType.FP16, compute=_F32, output=_NS)
_INT8_IN = Precision(input=DType.INT8, compute=DType.INT32, output=_NS)
STATEMENTS: dict[str, Precision] = {
    "float": _ALL_FP32,
    "single precision": _ALL_FP32,
    # Raspberry Pi: "Convolution results are still in float, since int8 isn't supported".
    "convolution results are still in float, since int8 isn't supported": _ALL_FP32,
    "16 bit inputs, 32 bit multiplication, 32 bit addition": _FP16_IN,
    "16 bit inputs, 16 bit multiplication, 32 bit addition": _FP16_IN,
    "int8 multiplication, 32 bit accumulation": _INT8_IN,
    "int8 inputs 32 bit math": _INT8_IN,
}
SCOPES: dict[str, tuple[str, ...]] = {
    "gemm": ("gemm",),
    "conv": ("conv",),
    "sparse ops": ("sparse_gemm",),
    "rnn": ("rnn",),
}
# A statement about convolution alone, with no "Conv:" prefix.
_CONV_ONLY = "convolution results are still in float, since int8 isn't supported"


def scoped(statement: str) -> tuple[tuple[str, ...] | None, str] | None:
    """(suites it applies to, None: all; the statement's body), or None if not recognised."""
    text = " ".join(statement.lower().split())
    if text == _CONV_ONLY:
        return ("conv",), text
    head, colon, body = text.partition(":")
    if colon:
        suites: list[str] = []
        for scope in (part.strip() for part in head.split(",")):
            if scope not in SCOPES:
                return None
            suites.extend(SCOPES[scope])
        text = body.strip()
        return (tuple(suites), text) if text in STATEMENTS else None
    return (None, text) if text in STATEMENTS else None
