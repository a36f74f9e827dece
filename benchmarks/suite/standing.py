"""Where a switch stands against the goals of issue 11 over many splits, task by task, from stored run files.

The suite's report checks the goals (:mod:`benchmarks.suite.goals`) on one run file, one split. The splits kept
aside were run one or two a round, so what a user wants to know, on how many tasks nobody tuned it on does the
recommended switch get there within 1.15x of the best fixed candidate, is a count over some twenty run files. This
module reads the runs of a switch, of the fixed candidates and of the baselines from any number of files, scores
each split on its own, as its run file's report does (:func:`benchmarks.suite.goals.check`: one performance profile
of the switch and the fixed candidates; one with the baselines added for the baseline goal), and counts, by steps
(the default) or by seconds with compile (``--clock seconds``):

- the splits on which the switch's score is above every fixed candidate's, and at least every baseline's;
- over the tasks on which some fixed candidate reaches the target: those the switch reaches within
  :data:`~benchmarks.suite.goals.TIME_OVER_BEST_FIXED` of the best one's median time, later, or not at all (by
  seconds, only the tasks where compiling takes under :data:`~benchmarks.suite.goals.COMPILE_SHARE` of the best fixed
  candidate's time count; the others are counted apart);
- the tasks on which its median final metric is within the best fixed candidate's spread over seeds;

and lists every task that falls short, by how much. Each task is scored on the seeds every contender ran. Seconds
compare only between runs made side by side: give ``--clock seconds`` only files in which each split's contenders
ran in one session (as every split's own run file holds them), never runs of one contender from one session and of
another from a later one.

Usage::

    python -m benchmarks.suite.standing \\
        --switch "results/round19/seen/*/time_to_target.json:race-multiples-undo" \\
        --fixed "results/round19/seen/*/time_to_target.json:adam,sgd,rmsprop" \\
        --baseline "results/round19/seen/*/time_to_target.json:adamw-cosine"

Each option is ``FILE[+FILE...]:CONTENDER[,CONTENDER...]``, the files read as :func:`benchmarks.suite.paired.read_runs`
reads them (globs; the first file holding a run gives it).
"""

import argparse
import dataclasses
import math
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

if __package__ in (None, ""):  # Run as a script: make the repository importable.
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.suite import goals, paired, scoring
from benchmarks.suite import tasks as tasks_lib


@dataclasses.dataclass(frozen=True)
class SplitStanding:
    """One split's goal checks, on one clock.

    Attributes:
        split: the split's name (:data:`benchmarks.suite.tasks.SPLITS`).
        tasks: its tasks scored (those every contender ran).
        score: the switch's score in the profile of the switch and the fixed candidates.
        best_fixed: the fixed candidate that scores highest there, and its score.
        above_every_fixed: whether the switch's score is above every fixed candidate's.
        baseline_scores: switch's and each baseline's score in the profile with the baselines added (empty
            without baselines).
        per_task: task -> :func:`benchmarks.suite.goals.check`'s ``per_task`` entry for the switch.
    """

    split: str
    tasks: tuple[str, ...]
    score: float
    best_fixed: tuple[str, float]
    above_every_fixed: bool
    baseline_scores: Mapping[str, float]
    per_task: Mapping[str, Mapping]

    @property
    def at_least_baselines(self) -> bool | None:
        """Whether the switch scores at least every baseline (None without one)."""
        if not self.baseline_scores:
            return None
        own = self.baseline_scores[_SWITCH]
        return all(own >= value for name, value in self.baseline_scores.items() if name != _SWITCH)


_CLOCK_WORDS = {"steps": "steps", "seconds": "seconds, compile included"}
#: The key of the switch's own score in :attr:`SplitStanding.baseline_scores`.
_SWITCH = "switch"


def _spec(spec: str) -> tuple[str, list[str]]:
    files, separator, names = spec.rpartition(":")
    if not separator or not files or not names:
        raise SystemExit(f"{spec!r}: give FILE[+FILE...]:CONTENDER[,CONTENDER...], e.g. results/t.json:adam,sgd")
    return files, names.split(",")


def standings(
    switch: tuple[str, Sequence],
    fixed: Mapping[str, Sequence],
    baselines: Mapping[str, Sequence],
    targets: Mapping[str, scoring.Target],
    splits: Mapping[str, str] | None = None,
    clock: str = "steps",
) -> list[SplitStanding]:
    """Each split's goal checks for ``switch``, on the tasks every contender ran, in the order of ``splits``.

    Args:
        switch: ``(name, runs)``: the switch's name and its :class:`benchmarks.suite.harness.Run` records.
        fixed: fixed candidate -> its runs.
        baselines: tuned baseline -> its runs (none: no baseline goal).
        targets: task -> its target.
        splits: task -> split; default :data:`benchmarks.suite.tasks.SPLITS`.
        clock: ``"steps"`` or ``"seconds"`` (compile included).
    """
    splits = tasks_lib.SPLITS if splits is None else splits
    name, switch_runs = switch
    by_contender = {name: switch_runs, **fixed, **baselines}
    seeds: dict[str, set] | None = None  # task -> the seeds every contender so far ran
    for contender_runs in by_contender.values():
        ran: dict[str, set] = {}
        for run in contender_runs:
            ran.setdefault(run.task, set()).add(run.seed)
        seeds = ran if seeds is None else {task: seeds[task] & ran[task] for task in seeds.keys() & ran.keys()}
    kept_by_task: dict[str, list] = {}
    for runs in by_contender.values():
        for run in runs:
            if run.seed in seeds.get(run.task, ()):
                kept_by_task.setdefault(run.task, []).append(run)
    found = []
    for split in dict.fromkeys(splits.values()):
        split_tasks = [task for task in splits if splits[task] == split and seeds.get(task)]
        if not split_tasks:
            continue
        split_targets = {task: targets[task] for task in split_tasks}
        runs = [run for task in split_tasks for run in kept_by_task[task]]
        results = scoring.summarize(split_targets, [name, *fixed, *baselines], runs)
        check = goals.check(results, split_targets, list(fixed), [name], clock, list(baselines))[name]
        best = max(check["fixed_scores"], key=check["fixed_scores"].get)
        baseline_scores = dict(check["baseline_scores"])
        if baseline_scores:
            baseline_scores[_SWITCH] = baseline_scores.pop(name)
        found.append(
            SplitStanding(
                split,
                tuple(split_tasks),
                check["score"],
                (best, check["fixed_scores"][best]),
                check["score_above_every_fixed"],
                baseline_scores,
                check["per_task"],
            )
        )
    return found


@dataclasses.dataclass(frozen=True)
class Counts:
    """The goals counted over splits and tasks (what :func:`report` says in words).

    Attributes:
        splits: splits scored.
        above_every_fixed: splits where the switch scores above every fixed candidate.
        with_baselines: splits scored with baselines.
        at_least_baselines: of those, splits where it scores at least every baseline.
        within: tasks it reaches within :data:`~benchmarks.suite.goals.TIME_OVER_BEST_FIXED` of the best fixed
            candidate's median time.
        later: task -> its time over the best fixed candidate's, where that is over the limit but finite.
        missed: tasks some fixed candidate reaches and it does not (on at least half the seeds).
        left_out: tasks left out of the time goal because compiling takes too much of the time (by seconds).
        tasks: task -> its :func:`benchmarks.suite.goals.check` entry, every task scored.
        spread: task -> its entry, where its median final metric is worse than the best fixed candidate's beyond
            that candidate's spread.
    """

    splits: int
    above_every_fixed: int
    with_baselines: int
    at_least_baselines: int
    within: tuple[str, ...]
    later: Mapping[str, float]
    missed: tuple[str, ...]
    left_out: tuple[str, ...]
    tasks: Mapping[str, Mapping]
    spread: Mapping[str, Mapping]

    @property
    def counted(self) -> int:
        """Tasks that some fixed candidate reaches (and, by seconds, that are not left out)."""
        return len(self.within) + len(self.later) + len(self.missed)


def counts(found: Sequence[SplitStanding]) -> Counts:
    """The goals of ``found`` counted over its splits and tasks."""
    per_task = {task: entry for standing in found for task, entry in standing.per_task.items()}
    counted = {task: e["time_over_best_fixed"] for task, e in per_task.items() if e["time_over_best_fixed"] is not None}
    with_baselines = [s for s in found if s.baseline_scores]
    return Counts(
        splits=len(found),
        above_every_fixed=sum(s.above_every_fixed for s in found),
        with_baselines=len(with_baselines),
        at_least_baselines=sum(bool(s.at_least_baselines) for s in with_baselines),
        within=tuple(t for t, ratio in counted.items() if ratio <= goals.TIME_OVER_BEST_FIXED),
        later={t: ratio for t, ratio in counted.items() if goals.TIME_OVER_BEST_FIXED < ratio < math.inf},
        missed=tuple(t for t, ratio in counted.items() if ratio == math.inf),
        left_out=tuple(t for t, e in per_task.items() if e["time_over_best_fixed"] is None and e.get("compile_share")),
        tasks=per_task,
        spread={
            t: e
            for t, e in per_task.items()
            if e["final_metric_shortfall"] > goals.FINAL_METRIC_SPREADS * e["final_metric_spread"]
        },
    )


def report(found: Sequence[SplitStanding], switch: str, clock: str = "steps") -> str:
    """Lines that say, in words, where ``switch`` stands: the counts over splits and tasks, then what falls short."""
    c = counts(found)
    limit = goals.TIME_OVER_BEST_FIXED
    compiling = ""
    if clock == "seconds":  # the time goal counts only the tasks where compiling is a small share of the time
        compiling = (
            f" whose compile takes under {goals.COMPILE_SHARE:.0%} of its time ({len(c.left_out)} more, left out)"
        )
    lines = [
        f"{switch}, by {_CLOCK_WORDS[clock]}, over {c.splits} splits and {len(c.tasks)} tasks:",
        f"  score above every fixed candidate's on {c.above_every_fixed} of {c.splits} splits",
    ]
    if c.with_baselines:
        lines.append(f"  score at least every baseline's on {c.at_least_baselines} of {c.with_baselines} splits")
    lines += [
        f"  tasks a fixed candidate reaches{compiling}: {c.counted}; the switch reaches {len(c.within)} within "
        f"{limit}x the best one's median {clock}, {len(c.later)} later, misses {len(c.missed)}",
        f"  final metric within the best fixed candidate's spread: {len(c.tasks) - len(c.spread)} tasks of "
        f"{len(c.tasks)}",
        "  by split (the switch's score; the best fixed candidate's):",
    ]
    for s in found:
        baseline = ""
        if s.baseline_scores:
            others = ", ".join(f"{b} {v:.3f}" for b, v in s.baseline_scores.items() if b != _SWITCH)
            baseline = f"; with baselines {s.baseline_scores[_SWITCH]:.3f} against {others}"
        mark = "above" if s.above_every_fixed else "NOT above"
        lines.append(f"    {s.split}: {s.score:.3f} against {s.best_fixed[0]} {s.best_fixed[1]:.3f} ({mark}){baseline}")
    if c.later or c.missed:
        lines.append(f"  tasks over {limit}x the best fixed candidate's median {clock}:")
        lines += [f"    {t}: {ratio:.2f}x" for t, ratio in sorted(c.later.items(), key=lambda item: -item[1])]
        lines += [f"    {t}: missed (reached on fewer than half the seeds)" for t in c.missed]
    if c.spread:
        lines.append("  tasks whose median final metric is worse than the best fixed candidate's beyond its spread:")
        lines += [
            f"    {t}: by {e['final_metric_shortfall']:.4g} (spread {e['final_metric_spread']:.4g})"
            for t, e in c.spread.items()
        ]
    return "\n".join(lines)


def read(specs: Sequence[str], targets: dict) -> dict[str, list]:
    """Each contender's runs, from ``specs`` (``FILE[+FILE...]:CONTENDER[,CONTENDER...]`` each); the tasks' targets
    are added to ``targets`` (the first read of a task gives it)."""
    found: dict[str, list] = {}
    for spec in specs:
        files, names = _spec(spec)
        runs, read_targets = paired.read_runs(files, names)
        for name in names:
            found[name] = [run for run in runs if run.contender == name]
            if not found[name]:
                raise SystemExit(f"{spec!r}: no runs of {name!r} there.")
        for task, target in read_targets.items():
            targets.setdefault(task, target)
    return found


def main(argv: Sequence[str] | None = None) -> list[SplitStanding]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--switch", required=True, help="FILE[+FILE...]:SWITCH, the switch whose goals are checked")
    parser.add_argument("--fixed", required=True, action="append", help="FILE[+FILE...]:CANDIDATE[,CANDIDATE...]")
    parser.add_argument("--baseline", action="append", default=[], help="FILE[+FILE...]:BASELINE[,BASELINE...]")
    parser.add_argument("--clock", choices=("steps", "seconds"), default="steps", help="steps, or seconds with compile")
    args = parser.parse_args(argv)
    targets: dict = {}
    switch = read([args.switch], targets)
    if len(switch) != 1:
        raise SystemExit(f"--switch {args.switch!r}: name one switch.")
    ((switch_name, switch_runs),) = switch.items()
    found = standings(
        (switch_name, switch_runs), read(args.fixed, targets), read(args.baseline, targets), targets, clock=args.clock
    )
    print(report(found, switch_name, args.clock))
    return found


if __name__ == "__main__":
    main()
