"""Targets, time to target and AlgoPerf performance profiles.

The protocol, as MLCommons AlgoPerf scores training algorithms (Dahl et al. 2023, arXiv 2306.07179):

- A task's *target* is a validation metric set in advance from the fixed candidates' calibration runs
  (:func:`set_target`).
- A run's *time to target* is the training time (steps, or seconds with compile included) at the first evaluation
  that reaches the target; a run that never does takes infinite time (:func:`time_to_target`).
- A contender's time on a task is the median over its seeds, so it is infinite when half or more of them miss.
- Its *performance ratio* on a task is that time over the fastest contender's; the *performance profile*
  ``rho(tau)`` is the fraction of tasks with a ratio <= tau; the *score* is the area under the profile from
  1 to ``r_max``, over ``r_max - 1``: 1 for a contender fastest everywhere, 0 for one never within ``r_max``
  times the fastest (:func:`score`).
"""

import dataclasses
import math
from collections.abc import Mapping, Sequence

import numpy as np


@dataclasses.dataclass(frozen=True)
class Target:
    """A task's validation target and how it was set.

    Attributes:
        value: the validation metric a run must reach.
        higher_is_better: whether reaching means ``metric >= value`` (accuracy) or ``metric <= value`` (a loss).
        best_fixed: the fixed candidate whose runs set it.
        median_best: the median over seeds of that candidate's best validation metric.
        margin: how far ``value`` is relaxed from ``median_best``, towards worse.
        rule: the rule, in words.
        seeds: the seeds of the runs that set it.
        budget: the step budget of those runs; a target holds only for runs of the same budget.
        best_metrics: each fixed candidate's best validation metric on each of those seeds (NaN: diverged).
    """

    value: float
    higher_is_better: bool
    best_fixed: str
    median_best: float
    margin: float
    rule: str
    seeds: tuple[int, ...]
    budget: int
    best_metrics: dict[str, tuple[float, ...]] = dataclasses.field(default_factory=dict)

    def reached(self, metric: float) -> bool:
        """Whether ``metric`` reaches the target (False for NaN)."""
        return metric >= self.value if self.higher_is_better else metric <= self.value


#: How many standard deviations (over seeds) of the best fixed candidate's best metric the target is relaxed by.
SPREADS = 2.0


def set_target(
    best_metrics: Mapping[str, Sequence[float]],
    *,
    higher_is_better: bool,
    seeds: Sequence[int],
    budget: int,
    spreads: float = SPREADS,
) -> Target:
    """The target from the fixed candidates' best validation metrics, one per seed.

    The best fixed candidate is the one with the best median over seeds of its best validation metric; the target
    is that median, relaxed towards worse by ``spreads`` standard deviations of those metrics over the seeds, so
    that the best candidate reaches it on nearly every seed while it still marks the end of training. A diverged run
    counts as the worst in the median; where the best candidate diverged on a minority of its seeds and still has the
    best median, the deviation is over the seeds it did not diverge on (over all of them it would be undefined).

    Args:
        best_metrics: fixed candidate name -> its best validation metric on each seed (NaN for a diverged run).
        higher_is_better: the metric's direction.
        seeds: the seeds of those runs, recorded in the target.
        budget: their step budget, recorded in the target.
        spreads: the relaxation, in standard deviations (ddof 1) over seeds.

    Returns:
        The :class:`Target`.

    Examples:
        >>> target = set_target({"adam": [0.90, 0.92, 0.94], "sgd": [0.80, 0.85, 0.90]},
        ...                     higher_is_better=True, seeds=[0, 1, 2], budget=100)
        >>> target.best_fixed, round(target.median_best, 4), round(target.margin, 4), round(target.value, 4)
        ('adam', 0.92, 0.04, 0.88)
    """
    if not best_metrics:
        raise ValueError("set_target: no fixed candidate's runs to set the target from.")
    sign = 1.0 if higher_is_better else -1.0
    # A diverged run's best counts as the worst possible, so a candidate that diverges cannot set the target.
    worst = -math.inf * sign
    cleaned = {name: np.nan_to_num(np.asarray(values, float), nan=worst) for name, values in best_metrics.items()}
    medians = {name: float(np.median(values)) for name, values in cleaned.items()}
    best_fixed = max(medians, key=lambda name: sign * medians[name])
    values = cleaned[best_fixed]
    finite = values[np.isfinite(values)]
    margin = spreads * float(np.std(finite, ddof=1)) if len(finite) > 1 else 0.0
    return Target(
        value=medians[best_fixed] - sign * margin,
        higher_is_better=higher_is_better,
        best_fixed=best_fixed,
        median_best=medians[best_fixed],
        margin=margin,
        rule=(
            f"median over {len(values)} seeds of the best fixed candidate's best validation metric, relaxed by "
            f"{spreads:g} standard deviations of it over those seeds"
        ),
        seeds=tuple(int(seed) for seed in seeds),
        budget=int(budget),
        best_metrics={name: tuple(float(value) for value in values) for name, values in best_metrics.items()},
    )


def time_to_target(steps: Sequence[float], metric: Sequence[float], target: Target) -> float:
    """The time (``steps`` may hold steps or seconds) at the first evaluation that reaches the target, else inf.

    Examples:
        >>> target = Target(0.9, True, "adam", 0.92, 0.02, "", (0,), 300)
        >>> time_to_target([0, 100, 200, 300], [0.1, 0.85, 0.91, 0.95], target)
        200.0
        >>> time_to_target([0, 100], [0.1, 0.85], target)
        inf
    """
    # Target.reached spelled out: the standing and the diagnostics read this for every stored run many times over.
    threshold, higher_is_better = target.value, target.higher_is_better
    for time, value in zip(steps, metric, strict=True):
        if value >= threshold if higher_is_better else value <= threshold:
            return float(time)
    return math.inf


def median_time(times: Sequence[float]) -> float:
    """The median over seeds, infinite when half or more of the runs missed the target (AlgoPerf's rule).

    Examples:
        >>> median_time([10.0, 20.0, 30.0, math.inf, math.inf])
        30.0
        >>> median_time([10.0, 20.0, math.inf, math.inf])
        inf
    """
    if not len(times):
        raise ValueError("median_time: no runs.")
    # For an even count, the mean of the two middle runs: infinite as soon as either of them is.
    return median(times)


def median(values: Sequence[float]) -> float:
    """``float(np.median(values))`` for the few numbers of one task's seeds, without numpy's overhead per call (the
    standing and the diagnostics take tens of thousands of them): NaN when any value is NaN, or when there are none.

    Examples:
        >>> median([3.0, 1.0, 2.0]), median([4, 1, 2, 3]), median([1.0, math.nan])
        (2.0, 2.5, nan)
    """
    ordered = sorted(map(float, values))
    if not ordered or any(math.isnan(value) for value in ordered):
        return math.nan
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def performance_ratios(times: Mapping[str, Mapping[str, float]]) -> dict[str, dict[str, float]]:
    """Each contender's time over the fastest contender's, per task; inf where it missed the target.

    Args:
        times: task -> contender -> time to target (inf when missed).

    Returns:
        task -> contender -> ratio (>= 1, or inf); all inf on a task that no contender finished.
    """
    ratios = {}
    for task, by_contender in times.items():
        fastest = min(by_contender.values())
        ratios[task] = {
            name: time / fastest if math.isfinite(time) else math.inf for name, time in by_contender.items()
        }
    return ratios


def profile(ratios: Mapping[str, Mapping[str, float]], contender: str, taus: Sequence[float]) -> np.ndarray:
    """``rho(tau)`` of ``contender``: the fraction of tasks on which its ratio is at most ``tau``."""
    own = np.asarray([by_contender[contender] for by_contender in ratios.values()])
    return np.mean(own[None, :] <= np.asarray(taus, float)[:, None], axis=1)


def score(ratios: Mapping[str, Mapping[str, float]], contender: str, r_max: float = 4.0) -> float:
    """The area under ``contender``'s performance profile from 1 to ``r_max``, over ``r_max - 1``.

    The profile is a step function, so the area is exact: each task with ratio ``r <= r_max`` adds
    ``(r_max - r) / (r_max - 1)``, and the sum is averaged over tasks. A ratio above ``r_max`` adds 0.

    Examples:
        >>> ratios = {"a": {"x": 1.0, "y": 2.5}, "b": {"x": math.inf, "y": 1.0}}
        >>> score(ratios, "x"), score(ratios, "y")
        (0.5, 0.75)
    """
    if r_max <= 1:
        raise ValueError(f"score: r_max={r_max} must exceed 1.")
    own = [by_contender[contender] for by_contender in ratios.values()]
    return float(np.mean([(r_max - r) / (r_max - 1) if r <= r_max else 0.0 for r in own]))


def summarize(targets: Mapping[str, Target], contenders: Sequence[str], runs: Sequence) -> dict:
    """Per task and contender: runs reaching the target, median times, final metrics, switches.

    Args:
        targets: task name -> its :class:`Target`; the tasks scored, in order.
        contenders: the contenders scored, in order.
        runs: the :class:`benchmarks.suite.harness.Run` records.
    """
    by_pair: dict[tuple[str, str], list] = {}
    for run in runs:
        by_pair.setdefault((run.task, run.contender), []).append(run)
    results = {}
    for name, target in targets.items():
        results[name] = {}
        for contender in contenders:
            own = by_pair.get((name, contender), [])
            steps = [time_to_target(run.steps, run.kept_metric, target) for run in own]
            seconds = [time_to_target(run.seconds, run.kept_metric, target) for run in own]
            finals = [run.final_metric for run in own]
            results[name][contender] = {
                "runs": len(own),
                "reached": sum(math.isfinite(s) for s in steps),
                "steps_to_target": steps,
                "seconds_to_target": seconds,
                "median_steps_to_target": median_time(steps),
                "median_seconds_to_target": median_time(seconds),
                "final_metric": finals,
                "median_final_metric": median(finals),
                "diverged": sum(run.diverged for run in own),
                "median_switches": median([len(run.switches) for run in own]),
                "median_compile_seconds": median([run.compile_seconds for run in own]),
                # Training time per step after the compile, over the whole run.
                "median_ms_per_step": median(
                    [1e3 * (run.seconds[-1] - run.compile_seconds) / run.steps[-1] for run in own]
                ),
            }
    return results


#: The clocks a time to target is read on: training seconds with compile (AlgoPerf's), and steps.
CLOCKS = ("seconds", "steps")


def profiles(results: Mapping[str, Mapping[str, dict]], contenders: Sequence[str], r_max: float = 4.0) -> dict:
    """For each clock of :data:`CLOCKS`: the performance ratios and each contender's score, from
    :func:`summarize`'s ``results``."""
    by_clock = {}
    for clock in CLOCKS:
        times = {task: {c: by_c[c][f"median_{clock}_to_target"] for c in contenders} for task, by_c in results.items()}
        ratios = performance_ratios(times)
        by_clock[clock] = {"ratios": ratios, "scores": {name: score(ratios, name, r_max) for name in contenders}}
    return by_clock
