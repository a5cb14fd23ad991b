"""The torch.distributed backend: gloo on CPU with the host clock, NCCL on CUDA with events.

torch's all_reduce works in place only (its functional all-reduce clones the input first, which
would time a copy), so this backend offers no out-of-place results. On NCCL each rank is bound to
the GPU of its local rank, by `set_device` and by `init_process_group(device_id=...)` (without
it the first barrier guesses the device and warns); a missing local rank or more local ranks
than GPUs is refused, never wrapped onto a GPU already in use. Small NCCL messages are timed
nccl-tests style: one sample is NCCL_BATCH_CALLS back-to-back calls between two events, so
host dispatch between calls is not what is measured. Ranks meet through the launcher:
torchrun's MASTER_ADDR/MASTER_PORT as they are, under `mpiexec` rank 0 opens a TCP store and MPI
broadcasts its port, under `srun` the first node of the step serves.
"""

from __future__ import annotations

import functools
import os
import socket
from collections.abc import Iterator, Sequence
from datetime import timedelta

import numpy as np
import numpy.typing as npt
import torch
import torch.distributed as dist

# torch.distributed re-exports these without declaring them; mypy reads them here.
from torch._C._distributed_c10d import Store, TCPStore

from harness.allreduce._launch import Launch, first_slurm_host
from harness.allreduce._measure import (
    CollectiveBuffers,
    CollectiveFacts,
    PerCallLoop,
    SampleLoop,
    host_clock_calls,
)
from harness.allreduce._mpi import import_mpi, library_version, thread_level
from harness.inputs import TORCH_DTYPES
from harness.timing import Kernel
from schemas import DType, Timer, TimingLoop, UsageError

SLURM_BASE_PORT = 29500
# Messages up to this size are timed in batches (module docs); larger ones call by call.
BATCH_BELOW_BYTES = 1 << 20
NCCL_BATCH_CALLS = 20


def local_gpu(launch: Launch, device_count: int) -> int:
    """The GPU of this rank on its node: its local rank, refused when unknown or out of range.

    `local_rank % device_count` would put two ranks on one GPU without a word, and a default of
    0 would put every rank of a launcher that does not export a local rank on GPU 0.
    """
    if launch.local_rank is None:
        raise UsageError(
            f"the {launch.launcher} launcher gave rank {launch.rank} no local rank",
            where="LOCAL_RANK, MPI_LOCALRANKID, OMPI_COMM_WORLD_LOCAL_RANK or SLURM_LOCALID",
            fix="start the ranks with torchrun, srun, or an mpiexec that exports a local rank",
        )
    if launch.local_rank >= device_count:
        raise UsageError(
            f"local rank {launch.local_rank} has no GPU of its own: this node has "
            f"{device_count} visible GPU(s)",
            where=f"rank {launch.rank} on {socket.gethostname()}",
            fix="start at most one rank per GPU on each node (e.g. torchrun --nproc-per-node)",
        )
    return launch.local_rank


class _TorchBuffers:
    """One tensor, reduced in place."""

    in_place = True

    def __init__(self, count: int, dtype: DType, device: str) -> None:
        self._tensor = torch.empty(count, dtype=TORCH_DTYPES[dtype], device=device)

    def load(self, values: npt.NDArray[np.uint8]) -> None:
        """Small integers convert exactly to every float dtype, bfloat16 included."""
        self._tensor.copy_(torch.from_numpy(values.astype(np.float32)))

    def kernel(self) -> Kernel:
        """dist.all_reduce (sum) bound to the tensor."""
        return functools.partial(dist.all_reduce, self._tensor)

    def output_chunks(self, chunk: int) -> Iterator[npt.NDArray[np.floating]]:
        """Chunks copied to the host as float32 (numpy has no bfloat16)."""
        for start in range(0, self._tensor.numel(), chunk):
            yield self._tensor[start : start + chunk].to("cpu", torch.float32).numpy()


def batch_calls(timer: Timer, size_bytes: int) -> int:
    """Calls per sample: NCCL_BATCH_CALLS for small messages on GPU events, else 1."""
    if timer is Timer.DEVICE_EVENTS and size_bytes <= BATCH_BELOW_BYTES:
        return NCCL_BATCH_CALLS
    return 1


class TorchBackend:
    """The default process group over all ranks."""

    out_of_place = False
    dtypes: tuple[DType, ...] = (DType.FP32, DType.FP16, DType.BF16)
    # gloo and NCCL failures (torch.distributed.DistError included) are RuntimeErrors.
    errors: tuple[type[BaseException], ...] = (RuntimeError,)

    def __init__(self, launch: Launch, device: str, timeout_s: float) -> None:
        self.rank = launch.rank
        self.size = launch.size
        self._mpi_library: str | None = None
        self._mpi_thread_level: str | None = None
        if device.startswith("cuda"):
            if not torch.cuda.is_available():
                raise UsageError(
                    f"--device {device} was asked for, but torch sees no CUDA device",
                    where=f"torch {torch.__version__} on {socket.gethostname()}",
                    fix="run on a GPU node with a CUDA build of torch, or use --device cpu",
                )
            # One GPU per rank, by local rank, as torchrun and NCCL expect.
            index = local_gpu(launch, torch.cuda.device_count())
            torch.cuda.set_device(index)
            self.device = f"cuda:{index}"
            self.timer = Timer.DEVICE_EVENTS
            self._process_group = "nccl"
        elif device == "cpu":
            self.device = "cpu"
            self.timer = Timer.HOST_CLOCK
            self._process_group = "gloo"
        else:
            raise UsageError(f"unknown device {device!r}", where="--device", fix="use cpu or cuda")
        self.calls_per_sample = 1
        timeout = timedelta(seconds=timeout_s)
        join = functools.partial(
            dist.init_process_group,
            self._process_group,
            rank=self.rank,
            world_size=self.size,
            timeout=timeout,
            device_id=torch.device(self.device) if self.device != "cpu" else None,
        )
        if "MASTER_ADDR" in os.environ and "MASTER_PORT" in os.environ:
            join(init_method="env://")  # torchrun's agent serves a store there already
        else:
            join(store=self._store(launch, timeout))

    def _store(self, launch: Launch, timeout: timedelta) -> Store:
        """The TCP store where ranks meet when no MASTER_ADDR/MASTER_PORT says where."""
        if launch.launcher == "mpiexec":
            return self._store_over_mpi(timeout)
        if launch.launcher == "srun":
            nodelist = os.environ.get("SLURM_STEP_NODELIST") or os.environ["SLURM_JOB_NODELIST"]
            port = SLURM_BASE_PORT + int(os.environ.get("SLURM_JOB_ID", "0")) % 20_000
            return TCPStore(
                first_slurm_host(nodelist), port, self.size, self.rank == 0, timeout=timeout
            )
        return TCPStore("127.0.0.1", 0, 1, True, timeout=timeout)

    def _store_over_mpi(self, timeout: timedelta) -> Store:
        """Rank 0 serves on a free port and MPI tells the others where."""
        mpi = import_mpi()
        comm = mpi.COMM_WORLD
        self._mpi_library = library_version(mpi)
        self._mpi_thread_level = thread_level(mpi)
        hosts = comm.allgather(socket.gethostname())
        host = "127.0.0.1" if len(set(hosts)) == 1 else hosts[0]
        if self.rank == 0:
            store = TCPStore(host, 0, self.size, True, timeout=timeout, wait_for_workers=False)
            comm.bcast(store.port, root=0)
            return store
        port = comm.bcast(0, root=0)
        return TCPStore(host, port, self.size, False, timeout=timeout)

    def buffers(self, count: int, dtype: DType, in_place: bool) -> CollectiveBuffers:
        """A tensor of `count` elements on this rank's device."""
        if not in_place:
            raise ValueError("torch.distributed.all_reduce has no separate output buffer")
        self.calls_per_sample = batch_calls(self.timer, count * TORCH_DTYPES[dtype].itemsize)
        try:
            return _TorchBuffers(count, dtype, self.device)
        except torch.OutOfMemoryError as exc:
            raise MemoryError(str(exc)) from exc

    def sample_loop(self, buffers: CollectiveBuffers, wanted: TimingLoop) -> SampleLoop:
        """One call per sample, timed by `time_calls`: torch has no native loop here."""
        fallback = "torch.distributed has no native loop" if wanted is TimingLoop.NATIVE else None
        return PerCallLoop(self.time_calls, buffers.kernel(), fallback)

    def time_calls(self, kernel: Kernel, count: int) -> list[int]:
        """Host clock around each (synchronous) gloo call; CUDA events around each NCCL batch."""
        if self.timer is Timer.HOST_CLOCK:
            return host_clock_calls(kernel, count)
        batch = self.calls_per_sample
        starts = [torch.cuda.Event(enable_timing=True) for _ in range(count)]  # type: ignore[no-untyped-call]
        ends = [torch.cuda.Event(enable_timing=True) for _ in range(count)]  # type: ignore[no-untyped-call]
        for start, end in zip(starts, ends, strict=True):
            start.record()
            for _ in range(batch):
                kernel()
            end.record()
        torch.cuda.synchronize()
        return [
            round(start.elapsed_time(end) * 1e6 / batch)
            for start, end in zip(starts, ends, strict=True)
        ]

    def _tensor(self, values: Sequence[float]) -> torch.Tensor:
        """Control values as a float64 tensor where this process group can reduce them."""
        return torch.tensor(list(values), dtype=torch.float64, device=self.device)

    def barrier(self) -> None:
        """dist.barrier on the default group."""
        dist.barrier()

    def max_across_ranks(self, values: Sequence[float]) -> tuple[float, ...]:
        """all_reduce(MAX) of a float64 tensor."""
        tensor = self._tensor(values)
        dist.all_reduce(tensor, op=dist.ReduceOp.MAX)
        return tuple(float(v) for v in tensor.tolist())

    def broadcast(self, values: Sequence[float]) -> tuple[float, ...]:
        """dist.broadcast of a float64 tensor from rank 0."""
        tensor = self._tensor(values)
        dist.broadcast(tensor, src=0)
        return tuple(float(v) for v in tensor.tolist())

    def gather_text(self, text: str) -> tuple[str, ...]:
        """all_gather_object: pickled, small, outside any timed loop."""
        gathered: list[object] = [None] * self.size
        dist.all_gather_object(gathered, text)
        return tuple(str(t) for t in gathered)

    def facts(self) -> CollectiveFacts:
        """torch, its process group, and MPI when MPI brought the ranks together."""
        versions = {"torch": torch.__version__, "process_group": self._process_group}
        transport = "gloo over TCP"
        if self._process_group == "nccl":
            nccl = ".".join(str(part) for part in torch.cuda.nccl.version())  # type: ignore[no-untyped-call]
            versions["nccl"] = nccl
            transport = f"NCCL {nccl}"
        if self._mpi_library is not None:
            versions["mpi"] = self._mpi_library
        return CollectiveFacts(
            name="torch.distributed",
            threads=torch.get_num_threads(),
            library_versions=versions,
            mpi_library=self._mpi_library,
            mpi_thread_level=self._mpi_thread_level,
            transport=transport,
        )

    def close(self) -> None:
        """Destroys the process group so no gloo or NCCL thread outlives the run."""
        dist.destroy_process_group()
