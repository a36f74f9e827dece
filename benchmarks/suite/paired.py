"""Two contenders compared run by run: is one sooner to the targets than the other beyond the runs' noise?

The suite's runs pair up: every contender trains each task from the same initialization on the same batches for a
seed. A variant of a selector that changes a few choices moves some runs' steps to target up and others down, and a
tally of the tasks on which its median is sooner or later, or the geometric mean of its medians over another's, is
decided by a handful of runs. Round 24 measured how large that noise is: the same code run on another processor
gave runs that differ at some evaluation on 167 of 200, steps to target that differ on 38, and medians that differ
on 6 tasks of 40. This module asks two questions of the paired runs, and says a difference is real only when both
answers say so:

- the **sign test** over runs (task and seed) on which one contender reaches the target sooner than the other
  (``scipy.stats.binomtest``, two-sided): are sooner and later runs as likely as a fair coin's heads and tails? A
  run one contender reaches and the other misses counts for the one that reaches it;
- the **geometric mean** over tasks of the ratio of median steps (over the tasks both reach, as the suite's tables
  give it), with a bootstrap interval that resamples tasks (``scipy.stats.bootstrap``, 95%, a fixed seed): does
  it exclude 1?

Usage::

    python -m benchmarks.suite.paired variant.json:race-variant recommended.json:race-multiples-undo
    python -m benchmarks.suite.paired "a.json+b.json:variant" "c.json:recommended" --tasks digits-mlp,mnist1d-cnn

Each side is one or more run files (joined by ``+``, each a path or a glob pattern; the first file read that holds a
run or a task's target gives it) and the contender whose runs to read; the runs of both are paired by task and seed.
"""

import argparse
import dataclasses
import functools
import glob
import json
import math
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from scipy import stats

if __package__ in (None, ""):  # Run as a script: make the repository importable.
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.suite import scoring, store

#: The two-sided level below which the sign test's p-value, and outside which the interval, says "beyond noise".
LEVEL = 0.05


@dataclasses.dataclass(frozen=True)
class Comparison:
    """What :func:`compare` found, ``a`` against ``b``.

    Attributes:
        sooner: runs on which ``a`` reached the target in fewer steps than ``b``, or reached it where ``b`` missed.
        later: runs on which ``a`` took more steps than ``b``, or missed a target ``b`` reached.
        level: runs with the same steps to target, both misses included.
        p_value: the sign test's two-sided p-value over the ``sooner + later`` runs that differ (1 when none do).
        geometric_mean: ``a``'s median steps over ``b``'s, the geometric mean over the tasks both reach.
        interval: the bootstrap's 95% interval of ``geometric_mean`` (resampling tasks); NaN with fewer than 3 tasks.
        tasks_both: the tasks both reach (the median rule of :func:`benchmarks.suite.scoring.median_time`).
        tasks_only_a: tasks only ``a`` reaches.
        tasks_only_b: tasks only ``b`` reaches.
    """

    sooner: int
    later: int
    level: int
    p_value: float
    geometric_mean: float
    interval: tuple[float, float]
    tasks_both: int
    tasks_only_a: int
    tasks_only_b: int

    @property
    def verdict(self) -> str:
        """``"sooner"`` or ``"later"`` where the sign test and the interval both say so, else ``"no difference"``."""
        low, high = self.interval
        if self.p_value < LEVEL and self.sooner > self.later and high < 1:
            return "sooner"
        if self.p_value < LEVEL and self.later > self.sooner and low > 1:
            return "later"
        return "no difference"


def steps_to_target(runs: Sequence, targets: Mapping[str, scoring.Target]) -> dict[str, dict[int, float]]:
    """Each run's steps to its task's target (inf: missed), by task and seed."""
    found: dict[str, dict[int, float]] = {}
    for run in runs:
        steps = scoring.time_to_target(run.steps, run.kept_metric, targets[run.task])
        found.setdefault(run.task, {})[run.seed] = steps
    return found


def compare(
    a: Mapping[str, Mapping[int, float]], b: Mapping[str, Mapping[int, float]], *, resamples: int = 10_000
) -> Comparison:
    """``a`` against ``b``: steps to target by task and seed (inf where missed), paired on the seeds both ran.

    Examples:
        >>> a = {f"task{i}": {0: 100.0, 1: 90.0, 2: 80.0} for i in range(4)}
        >>> b = {f"task{i}": {0: 150.0, 1: 120.0, 2: 100.0} for i in range(4)}
        >>> result = compare(a, b)
        >>> result.sooner, result.later, round(result.p_value, 5), round(result.geometric_mean, 3), result.verdict
        (12, 0, 0.00049, 0.75, 'sooner')
    """
    sooner = later = level = 0
    log_ratios, only_a, only_b = [], 0, 0
    for task in sorted(set(a) & set(b)):
        seeds = sorted(set(a[task]) & set(b[task]))
        if not seeds:
            continue
        for seed in seeds:
            mine, theirs = a[task][seed], b[task][seed]
            sooner += mine < theirs
            later += mine > theirs
            level += mine == theirs
        median_a = scoring.median_time([a[task][seed] for seed in seeds])
        median_b = scoring.median_time([b[task][seed] for seed in seeds])
        if math.isfinite(median_a) and math.isfinite(median_b):
            log_ratios.append(math.log(median_a / median_b))
        else:
            only_a += math.isfinite(median_a)
            only_b += math.isfinite(median_b)
    p_value = float(stats.binomtest(sooner, sooner + later).pvalue) if sooner + later else 1.0
    geometric_mean = math.exp(float(np.mean(log_ratios))) if log_ratios else math.nan
    interval = (math.nan, math.nan)
    if len(log_ratios) >= 3 and len(set(log_ratios)) == 1:  # every task the same ratio: no spread to resample
        interval = (geometric_mean, geometric_mean)
    elif len(log_ratios) >= 3:
        found = stats.bootstrap(
            (np.asarray(log_ratios),), np.mean, n_resamples=resamples, method="percentile", rng=np.random.default_rng(0)
        )
        interval = (math.exp(float(found.confidence_interval.low)), math.exp(float(found.confidence_interval.high)))
    return Comparison(sooner, later, level, p_value, geometric_mean, interval, len(log_ratios), only_a, only_b)


def load(spec: str, tasks: Sequence[str] | None = None) -> dict[str, dict[int, float]]:
    """Steps to target from ``"file1.json+file2.json:contender"``: the contender's runs in those run files.

    Each file may be a glob pattern (``results/round19/seen/*/time_to_target.json``), its matches read in sorted
    order; where several files hold a run of one task and seed, or a task's target, the first read gives it.
    """
    files, separator, contender = spec.rpartition(":")
    if not separator or not files:
        raise SystemExit(f"{spec!r}: give FILE[+FILE...]:CONTENDER, e.g. results/time_to_target.json:adam")
    runs, targets = read_runs(files, [contender], tasks)
    if not runs:
        raise SystemExit(f"{spec!r}: no runs of {contender!r} there (of the tasks asked for).")
    return steps_to_target(runs, targets)


@functools.lru_cache(maxsize=256)
def _stored(path: str, modified_ns: int, size: int) -> tuple[dict, tuple]:
    """A run file's targets and runs, parsed once per version of the file: the standing, the diagnostics and their
    replays read the same files many times in one process (nothing changes a stored run after it is read). The
    standing over every split reads 176 files; the bound keeps a long process's memory in check."""
    stored = json.loads(Path(path).read_text())
    targets = {task: store.load_target(entry["target"]) for task, entry in stored["tasks"].items()}
    return targets, tuple(store.load_runs(stored["runs"]))


def read_runs(files: str, contenders: Sequence[str], tasks: Sequence[str] | None = None) -> tuple[list, dict]:
    """``contenders``' runs in the run files ``"file1.json+file2.json"`` (each a path or a glob pattern, its
    matches read in sorted order), and their tasks' targets; where several files hold a run of one task, contender
    and seed, or a task's target, the first read gives it.

    Returns:
        ``(runs, targets)``: the :class:`benchmarks.suite.harness.Run` records, and task -> its target.
    """
    runs, targets = {}, {}
    for pattern in files.split("+"):
        paths = sorted(glob.glob(pattern)) or [pattern]  # a name that matches nothing fails on reading, as named
        for path in paths:
            stat = os.stat(path)
            file_targets, file_runs = _stored(os.path.abspath(path), stat.st_mtime_ns, stat.st_size)
            for task, target in file_targets.items():
                targets.setdefault(task, target)
            for run in file_runs:
                if run.contender in contenders and (tasks is None or run.task in tasks):
                    runs.setdefault((run.task, run.contender, run.seed), run)
    return list(runs.values()), targets


def report(result: Comparison, a: str, b: str) -> str:
    """Lines that say what :func:`compare` found, in words."""
    low, high = result.interval
    interval = "none under 3 tasks" if math.isnan(low) else f"{low:.3f}-{high:.3f}"
    return "\n".join(
        [
            f"{a} against {b}, run by run (task and seed):",
            f"  sooner on {result.sooner}, later on {result.later}, level on {result.level} "
            f"(sign test, two-sided: p = {result.p_value:.3g})",
            f"  median steps over the {result.tasks_both} tasks both reach: {result.geometric_mean:.3f}x "
            f"(geometric mean; 95% bootstrap interval over tasks {interval})",
            f"  tasks only {a} reaches: {result.tasks_only_a}; only {b}: {result.tasks_only_b}",
            f"  verdict: {result.verdict} beyond noise (the sign test and the interval, each at {LEVEL})",
        ]
    )


def main(argv: Sequence[str] | None = None) -> Comparison:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("a", help="FILE[+FILE...]:CONTENDER, the contender compared")
    parser.add_argument("b", help="FILE[+FILE...]:CONTENDER, the one it is compared against")
    parser.add_argument("--tasks", help="comma-separated task names (default: every task both sides ran)")
    args = parser.parse_args(argv)
    tasks = args.tasks.split(",") if args.tasks else None
    result = compare(load(args.a, tasks), load(args.b, tasks))
    print(report(result, args.a.rpartition(":")[2], args.b.rpartition(":")[2]))
    return result


if __name__ == "__main__":
    main()
