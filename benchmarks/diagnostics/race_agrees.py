"""Whether the recommended switch's race ends on the family that leads the fixed candidates' own runs at that update.

Round 52's DeepONet: the race ended on RMSProp's copy at 3x on 9 runs of 10 while Adam led the fixed runs from the first
evaluation, and that copy run alone was the slowest of the six. A race that falls short can read too short a stretch
(the best family leads only after the race's end) or read its legs wrong (the best family leads the fixed runs at the
race's end, and the race ends elsewhere). For each run of the switch over the copies of the fixed candidates named, on
a task some fixed candidate reaches: the family of the copy active just after the race's end (the race's *leader*), the
fixed candidate whose training loss on the same seed is the lowest at the first evaluation at or after that update (the
*1x leader*, :func:`benchmarks.diagnostics.train_lead.leader`), and the task's best family
(:func:`benchmarks.diagnostics.first_duels.best_families`). The race compares copies at 3x and 1x their rates, the fixed
runs only 1x, so a race leader that differs from the 1x leader may be right about a copy at 3x: a disagreement is a
reading to check, not an error.

Usage::

    python -m benchmarks.diagnostics.race_agrees --switch "FILES:race-multiples-undo" --fixed "FILES:adam,sgd,rmsprop"

``FILES`` as in :mod:`benchmarks.suite.standing`.
"""

import collections
from collections.abc import Mapping, Sequence

from benchmarks.diagnostics.early_step_downs import budgets, family
from benchmarks.diagnostics.first_duels import best_families, read_switch_and_fixed, switch_and_fixed_parser
from benchmarks.diagnostics.train_lead import leader, race_end


def race_copy(switches: Sequence, end: int) -> str | None:
    """The copy active just after update ``end``: the target of the last switch at or before it (None: no switch yet).

    Examples:
        >>> race_copy([(20, "adam-x3", "sgd-x3"), (240, "sgd-x3", "rmsprop-x3"), (487, "rmsprop-x3", "adam")], 240)
        'rmsprop-x3'
        >>> print(race_copy([(1000, "adam-x3", "adam")], 240))
        None
    """
    return next((target for update, _, target in reversed(switches) if update <= end), None)


def race_leader(switches: Sequence, end: int) -> str | None:
    """The family of :func:`race_copy` (None where no switch came by ``end``).

    Examples:
        >>> race_leader([(20, "adam-x3", "sgd-x3"), (240, "sgd-x3", "rmsprop-x3"), (487, "rmsprop-x3", "adam")], 240)
        'rmsprop'
    """
    copy = race_copy(switches, end)
    return None if copy is None else family(copy)


def count(switch_runs: list, fixed: Mapping[str, list], best: Mapping[str, str], budget: Mapping[str, int]):
    """``(race leader is the 1x leader, the 1x leader is the best family, the race leader is the best family)`` of each
    run of ``switch_runs`` over the copies of ``fixed``'s candidates on a task in ``best``; ``"not ended"``: the runs
    left out because no switch came at or before the race's end (a race that reads nothing, where the loss is not
    above 0, never leaves its first leg)."""
    found: collections.Counter = collections.Counter()
    for run in switch_runs:
        if run.task not in best or {family(name) for name in run.steps_per_candidate} != set(fixed):
            continue
        end = race_end(budget[run.task], len(fixed))
        key = (run.task, run.seed)
        same_seed = {name: [other for other in runs if (other.task, other.seed) == key] for name, runs in fixed.items()}
        at_1x, ended = leader(same_seed, end), race_leader(run.switches, end)
        if ended is None:
            found["not ended"] += 1
            continue
        found[(ended == at_1x, at_1x == best[run.task], ended == best[run.task])] += 1
    return found


def report(found: collections.Counter) -> str:
    """What :func:`count` found, in words."""
    read = {key: value for key, value in found.items() if key != "not ended"}
    agree = sum(value for (same, _, _), value in read.items() if same)
    lines = [
        f"{sum(read.values())} runs ({found['not ended']} more left out, no switch by the race's end); the race ends "
        f"on the 1x leader's family on {agree}"
    ]
    for at_1x_best, label in ((True, "the 1x leader is the best family"), (False, "the 1x leader is not the best")):
        group = {key: value for key, value in read.items() if key[1] == at_1x_best}
        picked = sum(value for (_, _, ended_best), value in group.items() if ended_best)
        followed = sum(value for (same, _, _), value in group.items() if same)
        lines.append(
            f"  {label}: {sum(group.values())} runs; the race ends on the 1x leader's family on {followed}, on the "
            f"best family on {picked}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> collections.Counter:
    args = switch_and_fixed_parser("race_agrees", __doc__).parse_args(argv)
    switch_runs, fixed, targets = read_switch_and_fixed(args)
    found = count(switch_runs, fixed, best_families(fixed, targets), budgets(args.switch.rpartition(":")[0]))
    print(report(found))
    return found


if __name__ == "__main__":
    main()
