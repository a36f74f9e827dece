"""Which family a switch runs most, against the family that gets there first, over many tasks, from stored run files.

For each run of the switch over the copies of the fixed candidates named (``adam-x3`` counts as Adam's), the candidate
whose copies made most of its updates (its *pick*), set against the task's *best family*: the fixed candidate with the
fewest median steps to the target in the run files (tasks no fixed candidate reaches are left out). It prints a table,
best family by pick, so that a change to the race shows where it moves the picks::

    python -m benchmarks.diagnostics.family_picks --switch "FILES:race-multiples-undo" --fixed "FILES:adam,sgd,rmsprop"

``FILES`` as in :mod:`benchmarks.suite.standing`: run files joined by ``+``, each a path or a glob pattern.
"""

import collections
from collections.abc import Sequence

from benchmarks.diagnostics.early_step_downs import family
from benchmarks.diagnostics.first_duels import switch_and_fixed, switch_and_fixed_parser


def pick(steps_per_candidate: dict[str, int]) -> str:
    """The candidate whose copies made most of a run's updates (the first listed, on a tie).

    Examples:
        >>> pick({"adam-x3": 300, "sgd-x3": 40, "adam": 100, "sgd": 500})
        'sgd'
    """
    updates: collections.Counter = collections.Counter()
    for name, count in steps_per_candidate.items():
        updates[family(name)] += count
    return updates.most_common(1)[0][0]


def count(switch_runs: list, best: dict[str, str], families: Sequence[str]) -> collections.Counter:
    """``(best family, pick)`` of each run of ``switch_runs`` over the copies of ``families`` on a task in ``best``."""
    found: collections.Counter = collections.Counter()
    for run in switch_runs:
        if run.task in best and {family(name) for name in run.steps_per_candidate} == set(families):
            found[(best[run.task], pick(run.steps_per_candidate))] += 1
    return found


def report(found: collections.Counter, families: Sequence[str]) -> str:
    """The table of :func:`count`: a row per best family, a column per pick, and the runs whose pick is the best."""
    lines = [f"| best family \\ runs most | {' | '.join(families)} | the best's share |"]
    lines.append("|---" * (len(families) + 2) + "|")
    for best in families:
        row = [found[(best, picked)] for picked in families]
        share = f"{row[families.index(best)]} of {sum(row)}" if sum(row) else "-"
        lines.append(f"| {best} | {' | '.join(map(str, row))} | {share} |")
    right = sum(found[(name, name)] for name in families)
    lines.append(f"runs whose pick is the best family: {right} of {sum(found.values())}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> collections.Counter:
    args = switch_and_fixed_parser("family_picks", __doc__).parse_args(argv)
    switch_runs, best, families = switch_and_fixed(args)
    found = count(switch_runs, best, families)
    print(report(found, families))
    return found


if __name__ == "__main__":
    main()
