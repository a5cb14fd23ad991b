"""Multi-node runs: the declared nodes and ranks must be the ones the rank placement shows.

Each collective's own rank count is held to the placement in `validator.checks.collective`.
"""

from __future__ import annotations

from collections.abc import Iterator

from schemas import SYSTEM_NAME
from validator._context import BundleContext
from validator._findings import Code, Finding, finding


def check_nodes(ctx: BundleContext) -> Iterator[Finding]:
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
