"""The goals set for each switch (issue 5), checked against the fixed candidates; apart from scoring, which
knows nothing of them.

A switch meets them when its performance-profile score is above every fixed candidate's, its median time to target
is at most :data:`TIME_OVER_MEDIAN_FIXED` times the median fixed candidate's on every task and at most the best
fixed candidate's on half the tasks or more, and its final metric is within :data:`FINAL_METRIC_SHORTFALL` of the
best fixed candidate's on every task. The thresholds live here only: results name what is checked, not its value.
"""

import math
from collections.abc import Mapping, Sequence

import numpy as np

from benchmarks.suite import scoring

#: A switch's time over the median fixed candidate's, at most, on every task.
TIME_OVER_MEDIAN_FIXED = 0.72
#: A switch's time over the best fixed candidate's, at most, on this fraction of the tasks or more.
TIME_OVER_BEST_FIXED, TASK_FRACTION = 1.0, 0.5
#: A switch's final metric below the best fixed candidate's (relative, towards worse), at most, on every task.
FINAL_METRIC_SHORTFALL = 0.005


def thresholds() -> dict:
    """The thresholds, for the record beside the checks."""
    return {
        "time_over_median_fixed": TIME_OVER_MEDIAN_FIXED,
        "time_over_best_fixed": TIME_OVER_BEST_FIXED,
        "task_fraction": TASK_FRACTION,
        "final_metric_shortfall": FINAL_METRIC_SHORTFALL,
    }


def check(
    results: Mapping[str, Mapping[str, dict]],
    targets: Mapping[str, scoring.Target],
    scores: Mapping[str, float],
    fixed: Sequence[str],
    switches: Sequence[str],
    clock: str = "seconds",
) -> dict:
    """The goals, for each switch, on one clock (``"seconds"`` or ``"steps"``) of
    :func:`benchmarks.suite.scoring.summarize`'s ``results``; empty without a fixed candidate or a switch.

    Returns:
        switch -> ``{"score", "score_above_every_fixed", "time_vs_median_fixed_on_every_task",
        "time_vs_best_fixed_on_enough_tasks", "final_metric_vs_best_fixed", "per_task"}``; ``per_task`` holds the
        ratios and shortfalls the checks compare with the thresholds.
    """
    if not fixed or not switches:
        return {}
    checks = {}
    for name in switches:
        per_task = {}
        for task, by_c in results.items():
            times = {c: by_c[c][f"median_{clock}_to_target"] for c in fixed}
            median_fixed = scoring.median_time(list(times.values()))
            best_fixed = min(times.values())
            sign = 1.0 if targets[task].higher_is_better else -1.0
            finals = {c: by_c[c]["median_final_metric"] for c in fixed}
            best_final = max(finals.values(), key=lambda value: sign * np.nan_to_num(value, nan=-sign * np.inf))
            own = by_c[name][f"median_{clock}_to_target"]
            per_task[task] = {
                "time_over_median_fixed": _ratio(own, median_fixed),
                "time_over_best_fixed": _ratio(own, best_fixed),
                "final_metric_shortfall_vs_best_fixed": sign
                * (best_final - by_c[name]["median_final_metric"])
                / abs(best_final),
            }
        tasks = per_task.values()
        checks[name] = {
            "score": scores[name],
            "score_above_every_fixed": all(scores[name] > scores[c] for c in fixed),
            "time_vs_median_fixed_on_every_task": all(
                t["time_over_median_fixed"] <= TIME_OVER_MEDIAN_FIXED for t in tasks
            ),
            "time_vs_best_fixed_on_enough_tasks": sum(t["time_over_best_fixed"] <= TIME_OVER_BEST_FIXED for t in tasks)
            >= TASK_FRACTION * len(per_task),
            "final_metric_vs_best_fixed": all(
                t["final_metric_shortfall_vs_best_fixed"] <= FINAL_METRIC_SHORTFALL for t in tasks
            ),
            "per_task": per_task,
        }
    return checks


def _ratio(time: float, reference: float) -> float:
    if math.isinf(time):
        return math.inf
    return time / reference if math.isfinite(reference) else 0.0
