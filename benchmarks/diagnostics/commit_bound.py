"""How far a selector that commits once could get, at best: the fixed candidate leading on the training loss at update
``t``, run alone from the start.

Round 62's hand-off probe found that the recommended switch's race rarely does the damage on the targets it misses:
handed at the race's end to the best fixed candidate, it gets there within 1.15x of that candidate alone on 23 of 28.
The best candidate was known there in hindsight. A rule that must find it at ``t`` reads what the runs show by ``t``;
this reading bounds every such rule from the stored runs alone. On each seed, the *commit* at ``t`` is the fixed
candidate whose training loss on that seed is the lowest at the first evaluation at or after ``t`` (the reading a fair
trial from a common start would make with no noise of its own), and its steps are that candidate's own steps to the
target on that seed, as if it had run from the start: no update is spent on trials or legs before ``t``, so the bound
is generous. Each task's median over seeds is then within
:data:`~benchmarks.suite.goals.TIME_OVER_BEST_FIXED` of the best fixed candidate's median steps, later, or missed, as
the suite's goals count them, beside the switch's own count. ``t`` runs over a fair trial's end and the race's end
(:mod:`benchmarks.diagnostics.train_lead`), a quarter and half of the budget.

Usage::

    python -m benchmarks.diagnostics.commit_bound --switch "FILES:race-multiples-undo" --fixed "FILES:adam,sgd,rmsprop"

``FILES`` as in :mod:`benchmarks.suite.standing`.
"""

import collections
import math
from collections.abc import Mapping, Sequence

from benchmarks.diagnostics.early_step_downs import budgets
from benchmarks.diagnostics.first_duels import read_switch_and_fixed, switch_and_fixed_parser
from benchmarks.diagnostics.train_lead import leader, race_end
from benchmarks.suite import goals, paired, scoring

#: The moments of commitment read, by label: each maps a task's budget and candidate count to an update.
MOMENTS = {
    "a fair trial's end": lambda budget, n: race_end(budget, n) / n,
    "the race's end": race_end,
    "a quarter of the budget": lambda budget, n: budget / 4,
    "half of the budget": lambda budget, n: budget / 2,
}


def verdict(steps: float, best: float) -> str:
    """``within`` :data:`~benchmarks.suite.goals.TIME_OVER_BEST_FIXED` of ``best``, ``later`` or ``missed``.

    Examples:
        >>> verdict(1100.0, 1000.0), verdict(1200.0, 1000.0), verdict(math.inf, 1000.0)
        ('within', 'later', 'missed')
    """
    if math.isinf(steps):
        return "missed"
    return "within" if steps <= goals.TIME_OVER_BEST_FIXED * best else "later"


def read(
    switch_runs: list, fixed: Mapping[str, list], targets: Mapping, budget: Mapping[str, int]
) -> dict[str, collections.Counter]:
    """The count of tasks (some fixed candidate reaching) by :func:`verdict`, for the switch and each moment of
    :data:`MOMENTS`, on the seeds the switch ran."""
    found: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    switch_steps = paired.steps_to_target(switch_runs, targets)
    for task, by_seed in sorted(switch_steps.items()):
        seeds = sorted(by_seed)
        on_task = {
            name: [run for run in every if run.task == task and run.seed in seeds] for name, every in fixed.items()
        }
        steps = {name: paired.steps_to_target(runs, targets).get(task, {}) for name, runs in on_task.items()}
        medians = {name: scoring.median_time(list(own.values())) for name, own in steps.items() if own}
        if not medians or not any(math.isfinite(value) for value in medians.values()):
            continue
        best = min(medians.values())
        found["the switch"][verdict(scoring.median_time(list(by_seed.values())), best)] += 1
        for label, moment in MOMENTS.items():
            update = moment(budget[task], len(fixed))
            committed = []
            for seed in seeds:
                same_seed = {name: [run for run in runs if run.seed == seed] for name, runs in on_task.items()}
                chosen = leader(same_seed, update)
                committed.append(math.inf if chosen is None else steps[chosen].get(seed, math.inf))
            found[label][verdict(scoring.median_time(committed), best)] += 1
    return found


def report(found: Mapping[str, collections.Counter]) -> str:
    """What :func:`read` found, one line for the switch and one per moment."""
    lines = []
    for label, counts in found.items():
        who = label if label == "the switch" else f"committed at {label}"
        lines.append(
            f"{who}: within {goals.TIME_OVER_BEST_FIXED}x of the best fixed candidate on {counts['within']} of "
            f"{sum(counts.values())} tasks, later on {counts['later']}, missed on {counts['missed']}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> dict[str, collections.Counter]:
    args = switch_and_fixed_parser("commit_bound", __doc__).parse_args(argv)
    switch_runs, fixed, targets = read_switch_and_fixed(args)
    found = read(switch_runs, fixed, targets, budgets(args.switch.rpartition(":")[0]))
    print(report(found))
    return found


if __name__ == "__main__":
    main()
