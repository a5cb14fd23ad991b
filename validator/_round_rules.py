"""Round-level rules: duplicates across bundles, complete closed sets, declared open changes,
custom problems in open, and system keys that would merge two systems.

These need every bundle of a round at once. A finding is attached to each bundle it concerns.
An incomplete closed set is a warning, not an error: its bundles stay valid and their results are
shown, and the leaderboard, which scores over the rules' official lists, shows the set partial
and does not rank it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from schemas import RESULT_NAME, Direction, Division, KernelResult, Precision, ProblemSet, Suite
from schemas.strict_json import DEFAULT_MAX_JSON_BYTES
from validator._finding_place import results_with
from validator._findings import Code, Finding, Severity, finding
from validator._layout import CODE_DIR
from validator._round_layout import Placed, shown_path
from validator._system_keys import identity, system_keys
from validator.checks.run import result_key
from validator.rules import Rules, RulesNotFoundError, load_rules

MISSING_SHOWN = 5
SetKey = tuple[Suite, ProblemSet, Precision]  # a set is complete per precision contract shown


def _duplicates(placed: list[Placed]) -> Iterator[tuple[int, Finding]]:
    """The same result.json or run twice; the same kernel in two bundles of one system."""
    first_sha: dict[str, Placed] = {}
    first_run: dict[str, Placed] = {}
    first_kernel: dict[tuple[object, ...], Placed] = {}
    for item in placed:
        report, run = item.report, item.report.run
        if report.result_sha256 is not None:
            earlier = first_sha.setdefault(report.result_sha256, item)
            if earlier is not item:
                yield (
                    item.index,
                    finding(
                        Code.DUPLICATE_BUNDLE,
                        file=report.path,
                        found=f"same result.json as {earlier.report.path}",
                    ),
                )
                continue
        if run is None:
            continue
        earlier = first_run.setdefault(run.run_id, item)
        if earlier is not item:
            yield (
                item.index,
                finding(
                    Code.DUPLICATE_RUN,
                    file=f"{report.path}/{RESULT_NAME}",
                    json_path="run_id",
                    found=f"{run.run_id} (also {earlier.report.path})",
                ),
            )
        if item.location is None:
            continue  # loose bundles may repeat a kernel (repeated runs); a submission may not
        owner = (report.round, report.division, report.submitter, report.system_id)
        clashes: set[str] = set()
        for result in run.results:
            holder = first_kernel.setdefault((*owner, *result_key(result)), item)
            if holder is not item:
                clashes.add(holder.report.path)
        for other in sorted(clashes):
            yield (
                item.index,
                finding(
                    Code.DUPLICATE_RESULT,
                    file=report.path,
                    found=f"kernels also measured in {other}",
                ),
            )


def _counts(rules: Rules, result: KernelResult) -> tuple[Precision, str, Direction] | None:
    """The (precision, problem, direction) a closed result covers toward completeness, if any."""
    problem_set = rules.official_set(result)
    if problem_set is None or result.correctness is None or not result.correctness.passed:
        return None
    precision = result.precision
    if not rules.allows(problem_set.floor, precision.input, precision.compute):
        return None
    return precision, result.problem.id, result.direction


def _covered(rules: Rules, item: Placed) -> Iterator[tuple[Precision, str, Direction]]:
    """The official kernels one accepted bundle covers: results no unscoring finding concerns."""
    run = item.report.run
    if run is None:
        return
    unscored = results_with(item.report, rules.divisions[Division.CLOSED].unscored_codes)
    for index, result in enumerate(run.results):
        counted = None if index in unscored else _counts(rules, result)
        if counted is not None:
            yield counted


def _incomplete(placed: list[Placed], rejected: set[int]) -> Iterator[tuple[int, Finding]]:
    """Closed: every (suite, set, precision) a submission shows is covered in full by accepted
    bundles.

    Per precision: a complete fp32 set must not carry a three-kernel int8 subset onto the int8
    board. A bundle that any check rejects covers nothing: otherwise the slowest kernels could
    sit in a second bundle broken on purpose while the first one's set still counted complete.
    """
    groups: dict[tuple[object, ...], list[Placed]] = defaultdict(list)
    for item in placed:
        run = item.report.run
        if item.location is not None and item.location.division == Division.CLOSED and run:
            groups[
                (item.location.submitter_root, item.location.system_id, run.rules_version)
            ].append(item)
    for (_, _, version), members in groups.items():
        try:
            rules = load_rules(str(version))
        except RulesNotFoundError:
            continue  # reported per bundle as KP-RULES-VERSION
        if not rules.divisions[Division.CLOSED].complete_sets:
            continue
        covered: set[tuple[Precision, str, Direction]] = set()
        touched: dict[SetKey, set[int]] = defaultdict(set)
        for item in members:
            for result in item.report.run.results if item.report.run else ():
                entry = rules.official(result.problem.id)
                if entry is not None:
                    touched[(entry[0].suite, entry[0].set, result.precision)].add(item.index)
            if item.report.valid and item.index not in rejected:
                covered.update(_covered(rules, item))
        for (suite, problem_set, precision), indexes in sorted(touched.items(), key=_set_order):
            rule = rules.problem_set(suite, problem_set)
            required = [(p.id, d) for p in rule.problems for d in p.directions] if rule else []
            missing = [
                f"{pid} {d.value}" for pid, d in required if (precision, pid, d) not in covered
            ]
            if not missing:
                continue
            shown = ", ".join(missing[:MISSING_SHOWN]) + (
                " ..." if len(missing) > MISSING_SHOWN else ""
            )
            for index in sorted(indexes):
                yield (
                    index,
                    finding(
                        Code.RULES_INCOMPLETE_SET,
                        file=placed_path(placed, index),
                        message=f"{suite.value}/{problem_set.value} in {_label(precision)}: "
                        f"{len(missing)} of "
                        f"{len(required)} kernels missing, rejected, unscored, below the "
                        "precision floor, or failing",
                        expected=f"{len(required)} kernels",
                        found=f"missing {shown}",
                    ),
                )


def _label(precision: Precision) -> str:
    return "/".join(t.value for t in (precision.input, precision.compute, precision.output))


def _set_order(item: tuple[SetKey, set[int]]) -> tuple[str, str, str]:
    suite, problem_set, precision = item[0]
    return suite.value, problem_set.value, _label(precision)


def placed_path(placed: list[Placed], index: int) -> str:
    """The report path of the bundle with this index."""
    return next(p.report.path for p in placed if p.index == index)


def _declaration(submitter_root: Path, rules: Rules) -> str | None:
    """Why an open submission's declaration is insufficient, or None when it is fine."""
    open_rules = rules.divisions[Division.OPEN]
    if open_rules.code_readme is None:
        return None
    path = submitter_root / CODE_DIR / open_rules.code_readme
    if not path.is_file() or path.is_symlink():
        return f"{CODE_DIR}/{open_rules.code_readme} is missing"
    if path.stat().st_size > DEFAULT_MAX_JSON_BYTES:
        return f"{CODE_DIR}/{open_rules.code_readme} is too large"
    text = path.read_bytes().decode("utf-8", errors="replace")
    absent = [s for s in open_rules.code_readme_sections if s not in text.splitlines()]
    return f"missing sections: {', '.join(absent)}" if absent else None


def _open_declarations(placed: list[Placed], root: Path) -> Iterator[tuple[int, Finding]]:
    verdicts: dict[tuple[Path, str], str | None] = {}
    for item in placed:
        run = item.report.run
        if item.location is None or item.location.division != Division.OPEN or run is None:
            continue
        key = (item.location.submitter_root, run.rules_version)
        if key not in verdicts:
            try:
                verdicts[key] = _declaration(key[0], load_rules(run.rules_version))
            except RulesNotFoundError:
                verdicts[key] = None
        problem = verdicts[key]
        if problem is not None:
            file = shown_path(item.location.submitter_root / CODE_DIR, root)
            yield item.index, finding(Code.RULES_OPEN_DECLARATION, file=file, found=problem)


def _custom_problems(placed: list[Placed]) -> Iterator[tuple[int, Finding]]:
    """Where any problem may run (open): each result that is not an official problem, unchanged,
    in an official direction, noted; the leaderboard ranks it only against the same params."""
    for item in placed:
        report, run = item.report, item.report.run
        if run is None:
            continue
        try:
            rules = load_rules(run.rules_version)
        except RulesNotFoundError:
            continue  # reported per bundle as KP-RULES-VERSION
        division = Division(item.location.division) if item.location else run.division
        if rules.divisions[division].official_problems_only:
            continue  # closed: KP-RULES-UNKNOWN-PROBLEM, -PARAMS or -DIRECTION already
        for index, result in enumerate(run.results):
            if rules.official_set(result) is None:
                yield (
                    item.index,
                    finding(
                        Code.RULES_CUSTOM_PROBLEM,
                        file=f"{report.path}/{RESULT_NAME}",
                        json_path=f"results[{index}].problem",
                        found=f"{result.problem.id} {result.direction.value}: "
                        f"{result.problem.params.summary()}",
                    ),
                )


def _key_collisions(placed: list[Placed]) -> Iterator[tuple[int, Finding]]:
    """Two (submitter, system id) pairs that one leaderboard key would merge."""
    pairs = {item.index: identity(item.report) for item in placed}
    collisions = system_keys(p for p in pairs.values() if p is not None).collisions
    for item in placed:
        pair = pairs[item.index]
        if pair is None or pair not in collisions:
            continue
        others = ", ".join(f"{s}/{i}" for s, i in collisions[pair])
        yield (
            item.index,
            finding(
                Code.SYSTEM_KEY_COLLISION,
                file=item.report.path,
                found=f"{pair[0]}/{pair[1]} and {others}",
            ),
        )


def rules_findings(root: Path, placed: list[Placed]) -> dict[int, list[Finding]]:
    """Findings per bundle index from every round-level rule.

    Completeness runs last: it counts only the bundles that no check, this one's included,
    rejected (the engine hands in reports that already hold the layout's findings).
    """
    per_bundle: dict[int, list[Finding]] = defaultdict(list)
    checks = (
        _duplicates(placed),
        _open_declarations(placed, root),
        _key_collisions(placed),
        _custom_problems(placed),
    )
    for check in checks:
        for index, item in check:
            per_bundle[index].append(item)
    rejected = {
        index
        for index, items in per_bundle.items()
        if any(f.severity is Severity.ERROR for f in items)
    }
    for index, item in _incomplete(placed, rejected):
        per_bundle[index].append(item)
    return per_bundle
