"""The system of a workbook, from its `Specs` sheet: declared facts as the sheet states them.

Nothing is probed and nothing is filled in: counts the sheet does not state (sockets, cores,
memory) are None, software it does not name is "not stated". Where the accelerator is in the
validator's device table (exactly one row), its published peaks are declared with that row as
the source; otherwise none are (the validator notes that no ceiling is known).
"""

from __future__ import annotations

from dataclasses import dataclass

from schemas import Accelerator, Host, Software, SystemDescription, SystemStatus
from validator._deepbench._workbook import Sheet
from validator.peaks import match_device

NOT_STATED = "not stated"
SUBMITTER = "deepbench"
PEAK_SOURCE = "validator/peaks/devices.csv"


@dataclass(frozen=True)
class Specs:
    """The Specs sheet as label -> text, labels lower-cased."""

    facts: dict[str, str]

    def get(self, *labels: str) -> str | None:
        """The first of `labels` the sheet states."""
        return next((self.facts[label] for label in labels if self.facts.get(label)), None)


def read_specs(sheet: Sheet | None) -> Specs:
    """Column A labels and column B values; a value-less label states nothing."""
    facts: dict[str, str] = {}
    for row in sheet.rows if sheet else ():
        label = str(row[0]).strip().lower() if row and row[0] not in ("", None) else ""
        value = row[1] if len(row) > 1 else ""
        text = "" if value in ("", None, "-") else str(value).strip()
        if label and text:
            facts[label] = text
        elif label and len(row) > 0 and not text and label.startswith("nvidia dgx"):
            facts["system"] = str(row[0]).strip()
    return Specs(facts)


def _accelerator(model: str) -> Accelerator:
    rows = match_device(model)
    peaks = dict(rows[0].peak_tflops) if len(rows) == 1 else {}
    return Accelerator(
        model=model,
        count=1,
        memory_bytes=None,
        peak_tflops=peaks,
        memory_bandwidth_gbps=rows[0].memory_bw_gbps if len(rows) == 1 else None,
        peak_source=f"{PEAK_SOURCE}: {rows[0].model}" if len(rows) == 1 and peaks else None,
    )


def gpu_model(specs: Specs) -> str | None:
    """The accelerator the sheet names, if any."""
    return specs.get("gpu model")


def cpu_model(specs: Specs) -> str:
    """The host CPU the sheet names."""
    return specs.get("cpu model", "cpu") or NOT_STATED


def describe(specs: Specs, system_id: str, nodes: int) -> SystemDescription:
    """The declared system: host, accelerator, software, as the Specs sheet states them."""
    gpu = gpu_model(specs)
    framework = ", ".join(
        f"{name} {value}"
        for name, value in (
            ("cuDNN", specs.get("cudnn version")),
            ("MIOpen", specs.get("miopen version")),
            ("MKL", specs.get("intel mkl version")),
            ("LIBXSMM", specs.get("libxsmm version")),
            ("Eigen", specs.get("eigen version")),
            ("gemmlowp", specs.get("gemmlowp version")),
            ("ARM Compute Library", specs.get("arm compute lib version")),
        )
        if value
    )
    mpi = specs.get("openmpi version", "intel mpi version")
    return SystemDescription(
        system_id=system_id,
        submitter=SUBMITTER,
        status=SystemStatus.AVAILABLE,
        host=Host(
            cpu_model=cpu_model(specs),
            sockets=None,
            cores=None,
            logical_cpus=None,
            memory_bytes=None,
        ),
        accelerators=(_accelerator(gpu),) if gpu else (),
        interconnect=specs.get("hca version", "opa version"),
        nodes=nodes,
        software=Software(
            os=specs.get("os", "os 64 bit", "os 32 bit") or NOT_STATED,
            kernel=specs.get("linux kernel version") or NOT_STATED,
            python=NOT_STATED,
            framework=framework or NOT_STATED,
            driver=specs.get("nvidia driver"),
            cuda=specs.get("cuda version"),
            rocm=specs.get("rocm version"),
            mpi_library=f"{'Open MPI' if 'openmpi version' in specs.facts else 'Intel MPI'} {mpi}"
            if mpi
            else None,
        ),
    )
