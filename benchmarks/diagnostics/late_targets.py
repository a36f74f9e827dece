"""Whether the recommended switch falls short most where the best fixed candidate gets there late in the budget.

Round 52's DeepONet: Adam alone reaches the target at 1,950 of 2,000 updates, so a switch that spends a quarter of the
run finding Adam cannot get there in time, whatever it picks. A task's target is the best fixed candidate's median best
validation metric relaxed by two deviations over seeds, so that candidate often gets there near the end of the run.
This counts, over the tasks some fixed candidate reaches, the switch's outcome (within
:data:`~benchmarks.suite.goals.TIME_OVER_BEST_FIXED` of the best fixed candidate's median steps ``S``, later, or missed:
the standing's three counts) by where ``S`` falls in the task's budget: in its first half, up to three quarters, up to
nine tenths, or after. The best candidate and the outcomes are :mod:`benchmarks.diagnostics.train_lead`'s.

Usage::

    python -m benchmarks.diagnostics.late_targets --switch "FILES:race-multiples-undo" --fixed "FILES:adam,sgd,rmsprop"

``--each-task`` also lists each task. ``FILES`` as in :mod:`benchmarks.suite.standing`.
"""

import math
from collections.abc import Mapping, Sequence

from benchmarks.diagnostics.early_step_downs import budgets
from benchmarks.diagnostics.first_duels import read_switch_and_fixed, switch_and_fixed_parser
from benchmarks.diagnostics.train_lead import TaskLead, read
from benchmarks.suite import goals

#: The upper ends of the shares of the budget counted apart (the last: any share).
SHARES = (0.5, 0.75, 0.9, math.inf)


def share_bin(share: float) -> float:
    """The upper end of the bin of :data:`SHARES` that ``share`` (``S`` over the budget) falls in.

    Examples:
        >>> share_bin(0.5), share_bin(0.51), share_bin(0.9), share_bin(0.975)
        (0.5, 0.75, 0.9, inf)
    """
    return next(upper for upper in SHARES if share <= upper)


def outcome(entry: TaskLead) -> str:
    """``"within"``, ``"later"`` or ``"missed"``, as the standing counts the switch on the task."""
    if math.isinf(entry.switch_steps):
        return "missed"
    return "later" if entry.short else "within"


def report(found: Sequence[TaskLead], budget: Mapping[str, int], listed: bool = False) -> str:
    """The switch's outcomes counted by where the best fixed candidate's median steps fall in the budget."""
    lines, lower = [], 0.0
    for upper in SHARES:
        group = [entry for entry in found if share_bin(entry.best_steps / budget[entry.task]) == upper]
        counts = {name: sum(outcome(entry) == name for entry in group) for name in ("within", "later", "missed")}
        span = f"over {lower:.0%} of the budget" if math.isinf(upper) else f"over {lower:.0%} up to {upper:.0%}"
        lines.append(
            f"best fixed candidate there {span}: {len(group)} tasks; the switch within "
            f"{goals.TIME_OVER_BEST_FIXED}x on {counts['within']}, later on {counts['later']}, missed on "
            f"{counts['missed']}"
        )
        lower = upper
    if listed:
        for entry in sorted(found, key=lambda entry: entry.best_steps / budget[entry.task]):
            share = entry.best_steps / budget[entry.task]
            lines.append(f"  {entry.task}: {entry.best} at {share:.0%} of {budget[entry.task]}; {outcome(entry)}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> list[TaskLead]:
    parser = switch_and_fixed_parser("late_targets", __doc__)
    parser.add_argument("--each-task", action="store_true", help="also list each task")
    args = parser.parse_args(argv)
    switch_runs, fixed, targets = read_switch_and_fixed(args)
    budget = budgets(args.switch.rpartition(":")[0])
    found = read(switch_runs, fixed, targets, budget)
    print(report(found, budget, args.each_task))
    return found


if __name__ == "__main__":
    main()
