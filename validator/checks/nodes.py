"""Multi-node runs: the declared nodes and ranks must be the ones the rank placement shows, and
both must agree with the job the launcher describes (`system.json`'s `job`).

Each collective's own rank count is held to the placement in `validator.checks.collective`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from schemas import SYSTEM_NAME
from validator._context import BundleContext
from validator._findings import Code, Finding, finding


def check_nodes(ctx: BundleContext) -> Iterator[Finding]:
    """Declared nodes vs distinct hosts, declared ranks vs placement, all vs the job."""
    yield from _check_placement(ctx)
    yield from _check_job(ctx)


def _check_placement(ctx: BundleContext) -> Iterator[Finding]:
    """Declared nodes vs distinct hosts, and declared ranks vs placement."""
    system = ctx.system
    declared_ranks = system.nodes * system.ranks_per_node
    placement = system.placement
    if placement:
        hosts = sorted({p.host for p in placement})
        if len(hosts) != system.nodes:
            yield finding(
                Code.SYSTEM_NODES,
                file=SYSTEM_NAME,
                json_path="nodes",
                message=f"{system.nodes} nodes declared, ranks ran on {len(hosts)} hosts",
                expected=system.nodes,
                found=hosts,
            )
        if len(placement) != declared_ranks:
            yield finding(
                Code.SYSTEM_NODES,
                file=SYSTEM_NAME,
                json_path="placement",
                message="placement lists a different number of ranks than declared",
                expected=declared_ranks,
                found=len(placement),
            )


def _check_job(ctx: BundleContext) -> Iterator[Finding]:
    """The launcher's job against the system: nodes, tasks per node and where each rank ran.

    A Slurm job names its nodes and tasks per node; the placement is what the ranks saw. They
    disagree when a bundle was edited, or made by another job than the one it names.
    """
    system = ctx.system
    job = system.job
    if job is None or not job.node_list:
        return
    if len(job.tasks_per_node) != len(job.node_list):
        yield _job_finding(
            "job.tasks_per_node", "one task count per node", len(job.node_list), job.tasks_per_node
        )
        return
    if len(job.node_list) != system.nodes:
        yield _job_finding("nodes", "the job's node list", len(job.node_list), system.nodes)
    if max(job.tasks_per_node) != system.ranks_per_node:
        yield _job_finding(
            "ranks_per_node",
            "the job's tasks per node",
            max(job.tasks_per_node),
            system.ranks_per_node,
        )
    if not system.placement:
        return
    placed = Counter(p.host for p in system.placement)
    planned = dict(zip(job.node_list, job.tasks_per_node, strict=True))
    if placed != Counter(planned):
        yield _job_finding(
            "placement", "ranks per node as the job placed them", planned, dict(placed)
        )


def _job_finding(json_path: str, what: str, expected: object, found: object) -> Finding:
    """A system.json fact that differs from the launcher's job."""
    return finding(
        Code.SYSTEM_NODES,
        file=SYSTEM_NAME,
        json_path=json_path,
        message=f"differs from {what}",
        expected=expected,
        found=found,
    )
