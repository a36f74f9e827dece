"""What fair trials from the start could reach, read off the fixed candidates' stored runs (round 30).

Picture a switch that runs every one of its ``N`` candidates for ``h`` updates from the same start (the
initialization, on the same batches), puts the parameters back after each trial, and trains on from the winner's
end point with the winner's optimizer state. From then on it follows, update for update, the winner's own fixed run
from that run's update ``h``, ``(N - 1) * h`` updates late: the other trials are its cost. So the runs the suite
stored for the fixed candidates give, with no new run, what such a switch reaches by steps for any rule that picks
from what the trials show, and for a rule that knows the future. That bounds every design that decides by trials
from a common start before training: the lead of issue 11's first item, and ``selectors.trials``, which comes
closest (it can begin a round at update 1 at the earliest, after one update of its first candidate, and it scores a
trial by its mean loss over the second half, with margins). Round 18's ``benchmarks.diagnostics.horizon`` asked the
same for nine copies from the warmup's end, on the four development tasks, with new runs; this reads every task
and seed the fixed candidates ran.

The rules (:data:`RULES`) pick, on each task and seed, the candidate whose trial of ``h`` updates shows:

- ``train-end``: the lowest mean training loss over the trial's last evaluation interval (the trial's last 50
  updates on most tasks, all of it for ``h = 50``), which a switch reads from ``value=``;
- ``validation``: the best validation metric at the trial's end (a held-out metric the user would have to pass);
- ``oracle``: the fewest steps to the target over the whole run, then the best final metric (known only in
  hindsight; it pays for the trials all the same). With ``h = 0`` it is the free oracle: the best candidate of each
  seed from the first update, at no cost, an upper bound for any selector that runs one candidate per run.

Each rule's runs (named ``RULE@FRACTION``) are scored as a switch's by
:func:`benchmarks.suite.standing.standings`: the goals of issue 11 by steps, split by split. Evaluations inside the
trials are not counted (as the suite's ``discarded``): a run reaches the target at ``N * h`` at the earliest, and
its final metric is the winner's at ``budget - (N - 1) * h``. Seconds are not simulated (a switch's compile and
per-step cost differ from a fixed candidate's): steps only.

Usage::

    python -m benchmarks.diagnostics.start_trials \\
        --fixed "benchmarks/results/round19/seen/*/time_to_target.json:adam,sgd,rmsprop" \\
        --switch "benchmarks/results/round19/seen/*/time_to_target.json:race-multiples-undo"

``--switch`` (repeatable, several contenders each) adds stored runs as rows to compare with: a switch's, or a
fixed candidate's or a baseline's alone, scored as a switch against the fixed candidates. ``--baseline`` adds the
baseline goal; ``--fractions`` sets the trial lengths as fractions of each task's budget (rounded to its evaluation
interval).
"""

import argparse
import dataclasses
import math
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

if __package__ in (None, ""):  # Run as a script: make the repository importable.
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.suite import harness, scoring, standing

RULES = ("train-end", "validation", "oracle")
#: The trial lengths, as fractions of each task's budget.
FRACTIONS = (0.025, 0.05, 0.1, 0.2)


def trial_length(fraction: float, budget: int, eval_every: int) -> int:
    """``fraction`` of ``budget`` rounded to a multiple of ``eval_every``, at least one interval unless 0.

    Examples:
        >>> [trial_length(0.05, 2000, 50), trial_length(0.025, 2000, 50), trial_length(0.01, 600, 10)]
        [100, 50, 10]
        >>> trial_length(0, 2000, 50)
        0
    """
    if fraction == 0:
        return 0
    return max(eval_every, round(fraction * budget / eval_every) * eval_every)


def _at(run: harness.Run, step: int, values: Sequence[float]) -> float:
    """``values`` at the evaluation at ``step``; NaN where the run stopped before it."""
    return values[run.steps.index(step)] if step in run.steps else math.nan


def pick(rule: str, runs: Mapping[str, harness.Run], length: int, target: scoring.Target) -> str:
    """The candidate ``rule`` picks from ``runs`` (candidate -> its run on one task and seed), the first on ties.

    A candidate whose signal is not finite (its run diverged) is never picked unless every one's is not.
    """
    sign = -1.0 if target.higher_is_better else 1.0

    def key(name: str) -> tuple:
        run = runs[name]
        if rule == "oracle":
            steps = scoring.time_to_target(run.steps, run.kept_metric, target)
            return (steps, sign * run.final_metric if math.isfinite(run.final_metric) else math.inf)
        signal = _at(run, length, run.train_loss if rule == "train-end" else run.metric)
        return (sign * signal if rule == "validation" else signal) if math.isfinite(signal) else math.inf

    if rule not in RULES:
        raise ValueError(f"Unknown rule {rule!r}: give one of {', '.join(RULES)}.")
    return min(runs, key=key)


def follow(name: str, runs: Mapping[str, harness.Run], length: int, target: scoring.Target) -> harness.Run:
    """The run of a switch that trials each of ``runs``' candidates (candidate -> its run on one task and seed) for
    ``length`` updates from the start and goes on with ``name``: ``name``'s run from update ``length`` on, late by
    the other trials, cut at the budget. No evaluation inside the trials counts."""
    winner = runs[name]
    late = (len(runs) - 1) * length
    kept = [i for i, step in enumerate(winner.steps) if step >= max(length, 1) and step + late <= target.budget]
    return dataclasses.replace(
        winner,
        steps=[0] + [winner.steps[i] + late for i in kept],
        metric=[winner.metric[0]] + [winner.metric[i] for i in kept],
        seconds=[math.nan] * (len(kept) + 1),
        train_loss=[math.nan] + [winner.train_loss[i] for i in kept],
        active=[name] * (len(kept) + 1),
        compile_seconds=math.nan,
        switches=[],
        steps_per_candidate={name: target.budget - late},
        # Stopped early only if it stopped before the part of its run that is kept ends.
        diverged=winner.diverged and winner.steps[-1] <= target.budget - late,
        discarded=[],
    )


@dataclasses.dataclass(frozen=True)
class Picks:
    """How often a rule picks well, over the task-seed pairs where some candidate reaches the target.

    Attributes:
        runs: task-seed pairs counted.
        fastest: those where it picks the candidate that reaches the target first on that seed.
        best_fixed: those where it picks the best fixed candidate (the fewest median steps on the task).
    """

    runs: int
    fastest: int
    best_fixed: int


def simulate_all(
    rule: str, fraction: float, fixed: Mapping[str, Sequence[harness.Run]], targets: Mapping[str, scoring.Target]
) -> tuple[list[harness.Run], Picks]:
    """``rule``'s runs at trial length ``fraction`` of each budget, on every task and seed that every candidate ran,
    and how well it picks. All of a rule's runs are named ``RULE@FRACTION``."""
    by_pair: dict[tuple, dict] = {}
    for name, runs in fixed.items():
        for run in runs:
            by_pair.setdefault((run.task, run.seed), {})[name] = run
    complete = {pair: runs for pair, runs in by_pair.items() if len(runs) == len(fixed)}
    best = {}
    for task in {task for task, _ in complete}:
        own = {name: [runs[name] for (t, _), runs in complete.items() if t == task] for name in fixed}
        steps = {
            name: scoring.median_time([scoring.time_to_target(r.steps, r.kept_metric, targets[task]) for r in runs])
            for name, runs in own.items()
        }
        best[task] = min(steps, key=steps.get)
    simulated, counted, fastest, best_fixed = [], 0, 0, 0
    for (task, _), runs in sorted(complete.items()):
        target = targets[task]
        interval = next(run.steps[1] for run in runs.values() if len(run.steps) > 1)  # the evaluation interval
        length = trial_length(fraction, target.budget, interval)
        run = follow(pick(rule, runs, length, target), runs, length, target)
        simulated.append(dataclasses.replace(run, contender=f"{rule}@{fraction:g}"))
        reaching = pick("oracle", runs, 0, target)
        if math.isfinite(scoring.time_to_target(runs[reaching].steps, runs[reaching].kept_metric, target)):
            counted += 1
            fastest += run.active[0] == reaching
            best_fixed += run.active[0] == best[task]
    return simulated, Picks(counted, fastest, best_fixed)


def table(rows: Mapping[str, tuple[standing.Counts, Picks | None]]) -> str:
    """A Markdown table of each row's goal counts (and picks, for a simulated rule)."""
    lines = [
        "| switch | splits above every fixed | at least the baseline | tasks within 1.15x / later / missed | "
        "final within spread | picks the seed's fastest | picks the best fixed |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, (c, picks) in rows.items():
        baseline = f"{c.at_least_baselines}/{c.with_baselines}" if c.with_baselines else "—"
        chosen = "— | —" if picks is None else f"{picks.fastest}/{picks.runs} | {picks.best_fixed}/{picks.runs}"
        times = f"{len(c.within)} / {len(c.later)} / {len(c.missed)} of {c.counted}"
        finals = f"{len(c.tasks) - len(c.spread)}/{len(c.tasks)}"
        lines.append(f"| {name} | {c.above_every_fixed}/{c.splits} | {baseline} | {times} | {finals} | {chosen} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fixed", required=True, action="append", help="FILE[+FILE...]:CANDIDATE[,CANDIDATE...]")
    parser.add_argument(
        "--switch", action="append", default=[], help="FILE[+FILE...]:CONTENDER[,...]: stored runs set beside the rules"
    )
    parser.add_argument("--baseline", action="append", default=[], help="FILE[+FILE...]:BASELINE[,BASELINE...]")
    parser.add_argument("--fractions", default=",".join(map(str, FRACTIONS)), help="trial lengths, of the budget")
    parser.add_argument("--rules", default=",".join(RULES), help=f"some of {', '.join(RULES)}")
    args = parser.parse_args(argv)
    targets: dict = {}
    fixed = standing.read(args.fixed, targets)
    baselines = standing.read(args.baseline, targets)
    entries = [(name, runs, None) for name, runs in standing.read(args.switch, targets).items()]
    entries.append(("oracle@0", *simulate_all("oracle", 0, fixed, targets)))
    for rule in args.rules.split(","):
        for fraction in map(float, args.fractions.split(",")):
            entries.append((f"{rule}@{fraction:g}", *simulate_all(rule, fraction, fixed, targets)))
    rows = {}
    for name, runs, picks in entries:
        found = standing.standings((name, runs), fixed, baselines, targets)
        rows[name] = (standing.counts(found), picks)
    print(table(rows))
    return rows


if __name__ == "__main__":
    main()
