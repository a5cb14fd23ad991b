"""RNN: DeepBench's single-layer recurrences, three directions (problems.csv; ../DEEPBENCH.md)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from schemas.enums import Direction, RnnCell
from schemas.suites.spec import SuiteParams, SuiteSpec

GATES = {RnnCell.VANILLA: 1, RnnCell.LSTM: 4, RnnCell.GRU: 3}
"""Gate blocks per cell: the recurrent weights are (gates·H) x H."""


class RnnParams(SuiteParams):
    """One recurrent layer over T timesteps; input size equals hidden, W·x is not timed."""

    kind: Literal["rnn"] = "rnn"
    cell: RnnCell = Field(description="Cell type.")
    hidden: int = Field(ge=1, description="Hidden units H.")
    batch: int = Field(ge=1, description="Batch size N.")
    timesteps: int = Field(ge=1, description="Timesteps T.")
    input_size: int = Field(ge=1, description="Input features; equals hidden in DeepBench.")

    def flops(self) -> int:
        """Vanilla 2·T·N·H² + T·N·H; LSTM 8·T·N·H²; GRU 6·T·N·H² (DeepBench's training sheets)."""
        t, n, h = self.timesteps, self.batch, self.hidden
        extra = t * n * h if self.cell is RnnCell.VANILLA else 0
        return 2 * GATES[self.cell] * t * n * h * h + extra

    def reduction_length(self, direction: Direction = Direction.FWD) -> int:
        """H products per step over T steps of recurrence; T·N for the weight gradient."""
        if direction is Direction.BWD_WEIGHTS:
            return self.timesteps * self.batch
        return self.hidden * self.timesteps

    def summary(self) -> str:
        """`lstm h=512 n=16 t=25`."""
        return f"{self.cell.value} h={self.hidden} n={self.batch} t={self.timesteps}"


SPEC = SuiteSpec(
    name="rnn",
    position=30,
    params=RnnParams,
    # Every cell in the training set (every direction), short and long sequences, every set;
    # about 25 s in fp32 on 2 cores. (The other training GRUs do 85 GFLOP and more per direction.)
    quick_ids=(
        "rnn/train/000",  # DeepSpeech vanilla, H=1760
        "rnn/train/012",  # machine-translation LSTM, H=512
        "rnn/train/031",  # character LSTM over 150 steps
        "rnn/train/050",  # DeepSpeech GRU, one step
        "rnn/inference_server/000",  # machine-translation LSTM, batch 1
        "rnn/inference_server/042",  # DeepSpeech GRU, batch 1, 187 steps
        "rnn/inference_server/065",  # GRU step, batch 4
        "rnn/inference_device/000",  # KWS vanilla over 672 steps
        "rnn/inference_device/002",  # character LSTM, batch 1
    ),
    smoke_ids=("rnn/inference_server/063", "rnn/inference_device/001"),
)
