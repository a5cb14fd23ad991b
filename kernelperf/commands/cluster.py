"""`kernelperf cluster up|run|exec|down`: containers standing in for cluster nodes.

How the nodes are made and reached is `containers`' business (`cluster_up`, `cluster_run`,
`cluster_exec`, `cluster_down`); this module only parses the arguments.
"""

from __future__ import annotations

import argparse
from typing import Any

from kernelperf import console


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Adds `cluster` with its `up`, `run` and `down` actions."""
    parser = subparsers.add_parser(
        "cluster",
        help="containers as the nodes of a local cluster, for multi-node all-reduce",
        description="Start containers of the CPU image as nodes, run the harness across them "
        "through mpiexec or Slurm (--engine slurm), remove them.",
    )
    parser.add_argument("--name", default="kp", help="cluster name, prefix of node names")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    up = actions.add_parser("up", help="start N nodes")
    up.add_argument("--nodes", type=int, required=True, metavar="N", help="how many nodes")
    up.add_argument("--kind", default="cpu", help="image kind (default cpu)")
    up.add_argument(
        "--engine",
        choices=["mpiexec", "slurm"],
        default="mpiexec",
        help="what starts the ranks: the host's mpiexec (default), or a Slurm controller and "
        "slurmd on every node (the slurm-node image)",
    )
    up.set_defaults(handler=handle_up)
    run = actions.add_parser(
        "run",
        help="run `kernelperf ARGS` on every node under mpiexec, or srun on a Slurm cluster",
        description="Example: kernelperf cluster run -- run --suite allreduce --out out/ar",
    )
    run.add_argument("--ppn", type=int, default=1, metavar="N", help="ranks per node")
    run.add_argument("harness_args", nargs=argparse.REMAINDER, metavar="-- ARGS")
    run.set_defaults(handler=handle_run)
    run_exec = actions.add_parser(
        "exec",
        help="run a command (sbatch, squeue, scancel) on a Slurm cluster's login node",
        description="Runs as nobody in the folder every node shares; the job scripts are in "
        "/opt/kernelperf/slurm. Example: kernelperf cluster exec -- sh -c "
        "'mkdir -p logs && sbatch --wait /opt/kernelperf/slurm/allreduce.sbatch --profile smoke'",
    )
    run_exec.add_argument("command", nargs=argparse.REMAINDER, metavar="-- COMMAND")
    run_exec.set_defaults(handler=handle_exec)
    down = actions.add_parser("down", help="remove the nodes and their shared directory")
    down.set_defaults(handler=handle_down)


def handle_up(args: argparse.Namespace) -> int:
    """Starts the nodes, each with its own hostname, all sharing one directory."""
    import containers

    image = containers.cluster_up(args.name, args.nodes, args.kind, args.engine)
    console.stdout.print(f"cluster {args.name}: {args.nodes} nodes up ({image})")
    return 0


def handle_run(args: argparse.Namespace) -> int:
    """Runs `kernelperf ARGS` across the nodes; the bundle lands in the caller's --out."""
    import containers

    return containers.cluster_run(args.name, _after_dashes(args.harness_args), args.ppn)


def handle_exec(args: argparse.Namespace) -> int:
    """Runs a Slurm command on the login node; its exit code is ours."""
    import containers

    return containers.cluster_exec(args.name, _after_dashes(args.command))


def _after_dashes(argv: list[str]) -> list[str]:
    """The words after a leading `--`."""
    return argv[1:] if argv[:1] == ["--"] else argv


def handle_down(args: argparse.Namespace) -> int:
    """Removes every container of the cluster and the directories they shared."""
    import containers

    removed = containers.cluster_down(args.name)
    console.stdout.print(f"cluster {args.name}: {removed} nodes removed")
    return 0
