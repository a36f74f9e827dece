"""Whether the candidate that gets there first already leads on the training loss when the race decides.

Round 44 found most of the recommended switch's shortfalls behind on the very loss its race reads, mostly on tasks SGD
gets to first: the race's short legs seem to favour Adam's and RMSProp's quick early fall. This reads the fixed
candidates' own runs, with no switch in them, to see how early a short comparison could have seen the right one. For
each task that some fixed candidate reaches, the *best* candidate is the one with the fewest median steps to the
target, and ``S`` its median steps. At each evaluation the best candidate *leads* where its median training loss over
seeds is the lowest of the fixed candidates'. Two readings:

- at the race's end, ``E``: the first evaluation at or after the update at which the recommended switch's race, over
  two copies of each fixed candidate (3x and 1x), has run its two legs per copy
  (``2 x copies x default_window(budget, copies)``: 240 of 2,000 updates with three candidates and with five);
- at a fair trial's end, ``E / n`` over ``n`` candidates: the first evaluation at or after the update at which trials
  of each candidate from a common start, with the race's updates shared out evenly, would end;
- the *settled lead*: the first evaluation from which the best candidate leads at every evaluation up to ``S``, or
  none where it does not lead at ``S``.

A best candidate that leads only after ``E`` is one that a race judged on its own signal, over legs that end by ``E``,
would have had to see before it was ahead. ``--when-settled`` (round 66) also counts when the settled lead comes against
the recommended switch's last decision, at half the budget: by ``E``, after ``E`` and before half the budget (while its
duels still decide), or from half the budget on (after they have stopped). The counts are split by whether the switch
reaches the target within :data:`~benchmarks.suite.goals.TIME_OVER_BEST_FIXED` of ``S`` (as
:mod:`benchmarks.diagnostics.train_ahead` splits them), and the tasks SGD gets to first are counted apart from those
another candidate does.

Usage::

    python -m benchmarks.diagnostics.train_lead --switch "FILES:race-multiples-undo" --fixed "FILES:adam,sgd,rmsprop"

``--each-task`` also lists each task, ``--when-settled`` adds :func:`when_settled`'s counts. ``FILES`` as in
:mod:`benchmarks.suite.standing`.
"""

import collections
import dataclasses
import math
from collections.abc import Mapping, Sequence

from benchmarks.diagnostics.early_step_downs import budgets, family
from benchmarks.diagnostics.first_duels import read_switch_and_fixed, switch_and_fixed_parser
from benchmarks.diagnostics.train_ahead import loss_at
from benchmarks.suite import goals, paired, scoring
from optswitch.selectors._race import default_window


@dataclasses.dataclass(frozen=True)
class TaskLead:
    """One task's reading.

    Attributes:
        task: the task's name.
        best: the fixed candidate with the fewest median steps to the target.
        best_steps: its median steps to the target (``S``).
        switch_steps: the switch's median steps to the target (inf: missed in more than half the seeds).
        race_end: the update by which the race over the fixed candidates' copies has run its legs (``E``).
        leads_at_trial_end: whether the best candidate's median training loss is the lowest at the first evaluation at
            or after ``race_end / n`` over ``n`` fixed candidates.
        leads_at_race_end: whether the best candidate's median training loss is the lowest at the first evaluation at or
            after ``race_end``.
        settled: the first evaluation from which the best candidate leads at every evaluation up to ``S`` (None: it
            does not lead at ``S``).
    """

    task: str
    best: str
    best_steps: float
    switch_steps: float
    race_end: int
    leads_at_trial_end: bool
    leads_at_race_end: bool
    settled: int | None

    @property
    def short(self) -> bool:
        """Whether the switch is later than the goal's ratio of ``S``, or misses."""
        return not self.switch_steps <= goals.TIME_OVER_BEST_FIXED * self.best_steps

    @property
    def sgd_best(self) -> bool:
        """Whether the best candidate is SGD with momentum."""
        return family(self.best) == "sgd"


def race_end(budget: int, candidates: int) -> int:
    """The update at which the recommended switch's race over ``candidates`` fixed candidates, two copies each, has
    run its two legs per copy."""
    copies = 2 * candidates
    return 2 * copies * default_window(budget, copies)


def leader(fixed: Mapping[str, list], step: float) -> str | None:
    """The candidate whose median training loss over ``fixed[name]``'s runs is the lowest at ``step`` (None where no
    median is finite)."""
    losses = {name: loss_at(runs, step) for name, runs in fixed.items() if runs}
    finite = {name: loss for name, loss in losses.items() if math.isfinite(loss)}
    return min(finite, key=finite.__getitem__) if finite else None


def read(switch_runs: list, fixed: Mapping[str, list], targets: Mapping, budget: Mapping[str, int]) -> list[TaskLead]:
    """Each task that some fixed candidate reaches, read as the module's docstring says, on the seeds the switch ran."""
    found = []
    switch_by_task = collections.defaultdict(list)
    for run in switch_runs:
        switch_by_task[run.task].append(run)
    switch_steps = paired.steps_to_target(switch_runs, targets)
    for task, runs in sorted(switch_by_task.items()):
        seeds = {run.seed for run in runs}
        on_task = {
            name: [run for run in every if run.task == task and run.seed in seeds] for name, every in fixed.items()
        }
        medians = {}
        for name, candidate_runs in on_task.items():
            by_seed = paired.steps_to_target(candidate_runs, targets).get(task, {})
            if by_seed:
                medians[name] = scoring.median_time(list(by_seed.values()))
        if not medians or not any(math.isfinite(value) for value in medians.values()):
            continue
        best = min(medians, key=medians.__getitem__)
        end = race_end(budget[task], len(fixed))
        evaluations = sorted({step for run in on_task[best] for step in run.steps if step <= medians[best]})
        leads = [leader(on_task, step) == best for step in evaluations]
        settled = None
        if leads and leads[-1]:
            first = len(leads) - next((index for index, lead in enumerate(reversed(leads)) if not lead), len(leads))
            settled = int(evaluations[first])
        found.append(
            TaskLead(
                task=task,
                best=best,
                best_steps=medians[best],
                switch_steps=scoring.median_time(list(switch_steps[task].values())),
                race_end=end,
                leads_at_trial_end=leader(on_task, end / len(fixed)) == best,
                leads_at_race_end=leader(on_task, end) == best,
                settled=settled,
            )
        )
    return found


def groups(found: Sequence[TaskLead]) -> list[tuple[str, list[TaskLead]]]:
    """``found`` in four groups, each with its label: short of the goal or not, SGD best or another candidate."""
    return [
        (f"{label}, {who} best", [entry for entry in found if entry.short == short and entry.sgd_best == sgd])
        for short, label in ((True, "short of the goal"), (False, f"within {goals.TIME_OVER_BEST_FIXED}x"))
        for sgd, who in ((True, "SGD"), (False, "another candidate"))
    ]


def report(found: Sequence[TaskLead], listed: bool = False) -> str:
    """What :func:`read` found, counted (and, with ``listed``, task by task)."""
    lines = []
    for label, group in groups(found):
        at_trial = sum(entry.leads_at_trial_end for entry in group)
        at_end = sum(entry.leads_at_race_end for entry in group)
        later = sum(entry.settled is not None and entry.settled > entry.race_end for entry in group)
        never = sum(entry.settled is None for entry in group)
        lines.append(
            f"{len(group)} tasks {label}: the best candidate leads on the training loss at a fair trial's end on "
            f"{at_trial}, at the race's end on {at_end}; its lead settles after the race's end on {later}; it does not "
            f"lead at its target step on {never}"
        )
    if listed:
        for entry in found:
            steps = "missed" if math.isinf(entry.switch_steps) else f"{entry.switch_steps:.0f}"
            settled = "not leading there" if entry.settled is None else f"leading from {entry.settled}"
            lines.append(
                f"  {entry.task}: {entry.best} {entry.best_steps:.0f} steps, switch {steps}"
                f"{' (short)' if entry.short else ''}; at a trial's end "
                f"{'leading' if entry.leads_at_trial_end else 'not leading'}, at the race's end ({entry.race_end}) "
                f"{'leading' if entry.leads_at_race_end else 'not leading'}; by its target step {settled}"
            )
    return "\n".join(lines)


def when_settled(found: Sequence[TaskLead], budget: Mapping[str, int]) -> str:
    """:func:`report`'s four groups counted by when the best candidate's lead settles against the recommended
    switch's decisions: by the race's end, after it and before half of the task's ``budget`` (while the switch's duels
    still decide), from half the budget on (after its last decision), or never (it does not lead at its target step)."""
    lines = []
    for label, group in groups(found):
        settled = [(entry.settled, entry.race_end, budget[entry.task]) for entry in group if entry.settled is not None]
        by_end = sum(step <= end for step, end, _ in settled)
        from_half = sum(step >= whole // 2 for step, _, whole in settled)
        lines.append(
            f"{len(group)} tasks {label}: the lead settles by the race's end on {by_end}, after it and before half the "
            f"budget on {len(settled) - by_end - from_half}, from half the budget on {from_half}, never on "
            f"{len(group) - len(settled)}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> list[TaskLead]:
    parser = switch_and_fixed_parser("train_lead", __doc__)
    parser.add_argument("--each-task", action="store_true", help="also list each task")
    parser.add_argument(
        "--when-settled", action="store_true", help="also count when the lead settles against half the budget"
    )
    args = parser.parse_args(argv)
    switch_runs, fixed, targets = read_switch_and_fixed(args)
    budget = budgets(args.switch.rpartition(":")[0])
    found = read(switch_runs, fixed, targets, budget)
    print(report(found, args.each_task))
    if args.when_settled:
        print(when_settled(found, budget))
    return found


if __name__ == "__main__":
    main()
