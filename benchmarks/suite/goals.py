"""The goals set for each switch (issue 11), checked against the fixed candidates and the tuned baseline; apart
from scoring, which knows nothing of them.

On one clock (steps, or seconds with compile), a switch meets them when:

- its performance-profile score is above every fixed candidate's (``score_above_every_fixed``) and at least the
  tuned baseline's (``score_at_least_baseline``; None when the run has no baseline). Scores depend on who else is
  in the profile (a task's ratios are against its fastest contender, and a ratio past ``r_max`` scores nothing), so
  each switch is scored in a profile of its own with the fixed candidates alone, and, for the baseline, in one with
  the baselines added: no other switch, and no baseline, moves its verdict against the fixed candidates;
- on every task where some fixed candidate reaches the target (a finite median over seeds: at least half of them,
  AlgoPerf's rule), it reaches it too, at a median of at most :data:`TIME_OVER_BEST_FIXED` times the best fixed
  candidate's (``reaches_where_fixed_does``). By seconds, a task counts only where compiling takes under
  :data:`COMPILE_SHARE` of the best fixed candidate's seconds to target (its median compile seconds over its
  median seconds to target), and the tasks left out are listed; by steps, compiling leaves none out. None when no task
  counts;
- on every task, its median final metric is no worse than the best fixed candidate's (the best median final) by
  more than :data:`FINAL_METRIC_SPREADS` times that candidate's own spread over seeds, the standard deviation of
  its final metric (``final_metric_within_spread``).

A diverged run's final metric counts as the worst possible in a median, and is left out of a spread. The thresholds
live here only: results name what is checked, not its value.
"""

import math
import sys
from collections.abc import Mapping, Sequence

import numpy as np

from benchmarks.suite import scoring

#: A switch's median time to target over the best fixed candidate's, at most, wherever a fixed candidate reaches it.
TIME_OVER_BEST_FIXED = 1.15
#: By seconds, a task counts for the time goal only where the best fixed candidate's compile takes under this share
#: of its seconds to target.
COMPILE_SHARE = 0.10
#: A switch's median final metric worse than the best fixed candidate's by at most this many of that candidate's
#: standard deviations over seeds.
FINAL_METRIC_SPREADS = 1.0


def thresholds() -> dict:
    """The thresholds, for the record beside the checks."""
    return {
        "time_over_best_fixed": TIME_OVER_BEST_FIXED,
        "compile_share": COMPILE_SHARE,
        "final_metric_spreads": FINAL_METRIC_SPREADS,
    }


def check(
    results: Mapping[str, Mapping[str, dict]],
    targets: Mapping[str, scoring.Target],
    fixed: Sequence[str],
    switches: Sequence[str],
    clock: str = "seconds",
    baselines: Sequence[str] = (),
    r_max: float = 4.0,
) -> dict:
    """The goals, for each switch, on one clock (``"seconds"`` or ``"steps"``) of
    :func:`benchmarks.suite.scoring.summarize`'s ``results``; empty without a fixed candidate or a switch.

    Args:
        results: task -> contender -> :func:`benchmarks.suite.scoring.summarize`'s entry.
        targets: task -> its target, for the metric's direction.
        fixed: the fixed candidates.
        switches: the switches checked.
        clock: ``"seconds"`` (compile included) or ``"steps"``.
        baselines: the tuned baselines (none: ``score_at_least_baseline`` is None).
        r_max: the profile's right end (:func:`benchmarks.suite.scoring.score`).

    Returns:
        switch -> ``{"score", "fixed_scores", "score_above_every_fixed", "baseline_scores",
        "score_at_least_baseline", "reaches_where_fixed_does", "final_metric_within_spread", "excluded_tasks",
        "per_task"}``. ``score`` and ``fixed_scores`` (candidate -> score) come from the profile of the switch and
        the fixed candidates; ``baseline_scores`` (the switch and each baseline -> score; empty without a baseline)
        from that profile with the baselines added. ``reaches_where_fixed_does`` is None where
        no task counts for it. ``excluded_tasks`` lists the tasks the time
        goal leaves out for their compile share (by seconds only). ``per_task`` holds, per task,
        ``time_over_best_fixed`` (inf where the switch misses; None where the task does not count: no fixed
        candidate reaches the target, or it is excluded), ``compile_share`` (by seconds; None where no fixed
        candidate reaches the target), ``final_metric_shortfall`` (how much worse than the best fixed candidate's
        median final metric, in the metric's units; negative when better) and ``final_metric_spread``.
    """
    if not fixed or not switches:
        return {}
    tasks = {task: _fixed_references(by_c, targets[task], fixed, clock) for task, by_c in results.items()}
    excluded = [task for task, ref in tasks.items() if ref["compile_share"] is not None and not ref["counts"]]
    checks = {}
    for name in switches:
        per_task = {}
        for task, ref in tasks.items():
            own = results[task][name]
            own_time = own[f"median_{clock}_to_target"]
            sign = 1.0 if targets[task].higher_is_better else -1.0
            per_task[task] = {
                "time_over_best_fixed": _ratio(own_time, ref["best_time"]) if ref["counts"] else None,
                **({"compile_share": ref["compile_share"]} if clock == "seconds" else {}),
                "final_metric_shortfall": _shortfall(ref["best_final"], _median_final(own["final_metric"], sign), sign),
                "final_metric_spread": ref["final_spread"],
            }
        counted = [t["time_over_best_fixed"] for t in per_task.values() if t["time_over_best_fixed"] is not None]
        scores = scoring.profiles(results, [name, *fixed], r_max)[clock]["scores"]
        with_baselines = scoring.profiles(results, [name, *fixed, *baselines], r_max)[clock]["scores"]
        checks[name] = {
            "score": scores[name],
            "fixed_scores": {c: scores[c] for c in fixed},
            "score_above_every_fixed": all(scores[name] > scores[c] for c in fixed),
            "baseline_scores": {c: with_baselines[c] for c in (name, *baselines)} if baselines else {},
            "score_at_least_baseline": (
                all(with_baselines[name] >= with_baselines[b] for b in baselines) if baselines else None
            ),
            "reaches_where_fixed_does": all(ratio <= TIME_OVER_BEST_FIXED for ratio in counted) if counted else None,
            "final_metric_within_spread": all(
                t["final_metric_shortfall"] <= FINAL_METRIC_SPREADS * t["final_metric_spread"]
                for t in per_task.values()
            ),
            "excluded_tasks": excluded,
            "per_task": per_task,
        }
    return checks


def _fixed_references(by_c: Mapping[str, dict], target: scoring.Target, fixed: Sequence[str], clock: str) -> dict:
    """On one task, what a switch is held to: the best fixed candidate's median time, whether the time goal counts
    the task (and by seconds, its compile share), and the best median final metric with its spread over seeds."""
    times = {c: by_c[c][f"median_{clock}_to_target"] for c in fixed}
    fastest = min(times, key=times.get)
    reached = math.isfinite(times[fastest])
    compile_share = None
    if clock == "seconds" and reached:
        compile_share = _ratio(by_c[fastest]["median_compile_seconds"], times[fastest])
    sign = 1.0 if target.higher_is_better else -1.0
    finals = {c: _median_final(by_c[c]["final_metric"], sign) for c in fixed}
    best = max(finals, key=lambda c: sign * finals[c])
    kept = [value for value in by_c[best]["final_metric"] if math.isfinite(value)]
    return {
        "best_time": times[fastest],
        "counts": reached and (compile_share is None or compile_share < COMPILE_SHARE),
        "compile_share": compile_share,
        "best_final": finals[best],
        "final_spread": float(np.std(kept, ddof=1)) if len(kept) > 1 else 0.0,
    }


def _median_final(finals: Sequence[float], sign: float) -> float:
    """The median final metric over seeds, a diverged run's (NaN) counting as the worst possible."""
    # np.nan_to_num's reading, kept: an infinite final metric counts as the largest finite float of its sign.
    largest = sys.float_info.max
    return scoring.median(
        [-sign * math.inf if math.isnan(final) else max(-largest, min(largest, final)) for final in finals]
    )


def _ratio(value: float, reference: float) -> float:
    if reference > 0:
        return value / reference
    return 0.0 if value == 0 else math.inf


def _shortfall(best: float, own: float, sign: float) -> float:
    """How much worse ``own`` is than ``best``; 0 where both are the worst possible (every run diverged)."""
    return 0.0 if own == best else sign * (best - own)
