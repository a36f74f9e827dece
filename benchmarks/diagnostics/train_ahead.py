"""Whether the recommended switch falls short because it reads the training loss while the target is on validation.

Round 43's miss on held-out-26's Hopfield retrieval was of that kind: the switch ran the copies that fit the training
set fastest while the validation loss climbed back. From the stored run files, this counts how often a shortfall looks
like it. For each task that some fixed candidate reaches, the *best* fixed candidate is the one with the fewest median
steps to the target, and ``S`` its median steps. At the evaluation at ``S``, the switch's median training loss over
seeds is set against the best candidate's: the switch is *ahead on the training loss* where its loss is lower. Tasks
are counted apart by whether the switch reaches the target within :data:`~benchmarks.suite.goals.TIME_OVER_BEST_FIXED`
of ``S`` (a shortfall is later, or missed in more than half the seeds, as the goals count it).

Being ahead on the training loss and short on the validation metric is what a selector that reads a validation
metric could mend; behind on both, it is the training loss itself that the switch's choice got wrong. Neither count
says that a validation-reading selector would reach the target; it bounds where one could help. Each reading also
counts the tasks on which the switch ran the best candidate's family most (:func:`family_picks.pick`) on more than half
its seeds: behind on the training loss with another family is a choice that its own signal, read over the whole run,
would have undone.

Usage::

    python -m benchmarks.diagnostics.train_ahead --switch "FILES:race-multiples-undo" --fixed "FILES:adam,sgd,rmsprop"

``--each-task`` also lists each task. ``FILES`` as in :mod:`benchmarks.suite.standing`.
"""

import collections
import dataclasses
import math
from collections.abc import Mapping, Sequence

import numpy as np

from benchmarks.diagnostics.family_picks import pick
from benchmarks.diagnostics.first_duels import read_switch_and_fixed, switch_and_fixed_parser
from benchmarks.suite import goals, paired, scoring


@dataclasses.dataclass(frozen=True)
class TaskRead:
    """One task's reading.

    Attributes:
        task: the task's name.
        best: the fixed candidate with the fewest median steps to the target.
        best_steps: its median steps to the target (``S``).
        switch_steps: the switch's median steps to the target (inf: missed in more than half the seeds).
        switch_loss: the switch's median training loss at the evaluation at ``S``.
        best_loss: the best candidate's median training loss there.
        best_picked: the switch's runs whose most-run family (:func:`family_picks.pick`) is the best candidate's.
        runs: the switch's runs of the task.
    """

    task: str
    best: str
    best_steps: float
    switch_steps: float
    switch_loss: float
    best_loss: float
    best_picked: int
    runs: int

    @property
    def short(self) -> bool:
        """Whether the switch is later than the goal's ratio of ``S``, or misses."""
        return not self.switch_steps <= goals.TIME_OVER_BEST_FIXED * self.best_steps

    @property
    def reading(self) -> str:
        """``"ahead"`` where the switch's training loss at ``S`` is below the best candidate's, ``"behind"`` where it
        is not, ``"not finite"`` where either median is not finite (a run diverged or stopped before ``S``)."""
        if not (math.isfinite(self.switch_loss) and math.isfinite(self.best_loss)):
            return "not finite"
        return "ahead" if self.switch_loss < self.best_loss else "behind"


def loss_at(runs: Sequence, step: float) -> float:
    """The median over ``runs`` of the training loss at the first evaluation made at ``step`` updates or later (NaN
    for a run that stopped before)."""
    found = []
    for run in runs:
        later = [index for index, made in enumerate(run.steps) if made >= step]
        found.append(float(run.train_loss[later[0]]) if later else math.nan)
    return float(np.median(found))


def read(switch_runs: list, fixed: Mapping[str, list], targets: Mapping) -> list[TaskRead]:
    """Each task that some fixed candidate reaches, read as the module's docstring says, on the seeds the switch and
    the best candidate both ran."""
    found = []
    switch_by_task = collections.defaultdict(list)
    for run in switch_runs:
        switch_by_task[run.task].append(run)
    switch_steps = paired.steps_to_target(switch_runs, targets)
    for task, runs in sorted(switch_by_task.items()):
        medians = {}
        for name, candidate_runs in fixed.items():
            by_seed = paired.steps_to_target([run for run in candidate_runs if run.task == task], targets)
            shared = [by_seed[task][run.seed] for run in runs if run.seed in by_seed.get(task, {})]
            if shared:
                medians[name] = scoring.median_time(shared)
        if not medians or not any(math.isfinite(value) for value in medians.values()):
            continue
        best = min(medians, key=medians.__getitem__)
        seeds = {run.seed for run in runs}
        best_runs = [run for run in fixed[best] if run.task == task and run.seed in seeds]
        found.append(
            TaskRead(
                task=task,
                best=best,
                best_steps=medians[best],
                switch_steps=scoring.median_time(list(switch_steps[task].values())),
                switch_loss=loss_at(runs, medians[best]),
                best_loss=loss_at(best_runs, medians[best]),
                best_picked=sum(
                    bool(run.steps_per_candidate) and pick(run.steps_per_candidate) == best for run in runs
                ),
                runs=len(runs),
            )
        )
    return found


def report(found: Sequence[TaskRead], listed: bool = False) -> str:
    """What :func:`read` found, counted (and, with ``listed``, task by task)."""
    lines = []
    for short, label in ((True, "short of the goal"), (False, f"within {goals.TIME_OVER_BEST_FIXED}x")):
        group = [entry for entry in found if entry.short == short]
        counted = {
            reading: (
                sum(entry.reading == reading for entry in group),
                sum(entry.reading == reading and 2 * entry.best_picked > entry.runs for entry in group),
            )
            for reading in ("ahead", "behind", "not finite")
        }
        lines.append(
            f"{len(group)} tasks {label}: the switch ahead on the training loss at the best fixed candidate's target "
            "step on {} (the best family run most on {}), behind on {} ({}), not finite on {} ({})".format(
                *counted["ahead"], *counted["behind"], *counted["not finite"]
            )
        )
    if listed:
        for entry in found:
            steps = "missed" if math.isinf(entry.switch_steps) else f"{entry.switch_steps:.0f}"
            lines.append(
                f"  {entry.task}: {entry.best} {entry.best_steps:.0f} steps, switch {steps}; training loss there "
                f"{entry.switch_loss:.4g} against {entry.best_loss:.4g}"
                f" ({'short, ' if entry.short else ''}{entry.reading}); the best family run most on "
                f"{entry.best_picked} of {entry.runs}"
            )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> list[TaskRead]:
    parser = switch_and_fixed_parser("train_ahead", __doc__)
    parser.add_argument("--each-task", action="store_true", help="also list each task")
    args = parser.parse_args(argv)
    switch_runs, fixed, targets = read_switch_and_fixed(args)
    found = read(switch_runs, fixed, targets)
    print(report(found, args.each_task))
    return found


if __name__ == "__main__":
    main()
