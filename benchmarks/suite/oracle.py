"""The hindsight ceiling: how much sooner any single switch could have got there, chosen knowing the results.

For each task, every fixed candidate and every single switch ``{0: A, t: B}`` (``A != B``, ``t`` a fraction of the
budget from :data:`FRACTIONS`) runs on the scored seeds; the one with the fewest median steps to target is the
*pick*. Picked as the best of many noisy medians, it flatters itself, so it and the best fixed candidate run again
on fresh seeds (:data:`FRESH_SEED` on), and the ceiling is read there: a claim that switching gets there sooner is
checked against it. ``python -m benchmarks.suite --oracle`` writes ``oracle.json`` and ``oracle.md``; the report of
a run in the same folder shows the ceiling under each task's table.
"""

import math
from collections.abc import Callable, Mapping, Sequence

import jax
import optax
from tqdm.auto import tqdm

import optswitch
from benchmarks.suite import harness, scoring
from benchmarks.suite.tasks import Task
from optswitch import selectors

#: Where in the budget the single switches happen, as fractions of it.
FRACTIONS = (0.05, 0.1, 0.2, 0.3, 0.5)
#: The first of the fresh seeds the pick runs again on: apart from the scored (0, 1, ...) and calibration (100...).
FRESH_SEED = 1000


def grid(names: Sequence[str], budget: int, fractions: Sequence[float] = FRACTIONS) -> dict[str, tuple]:
    """The contenders of the grid by label: ``(name,)`` for a fixed candidate, ``(first, at, then)`` for a switch.

    Examples:
        >>> list(grid(["adam", "sgd"], 1000, [0.1, 0.5]))  # doctest: +NORMALIZE_WHITESPACE
        ['adam', 'sgd', 'adam, then sgd at 100', 'adam, then sgd at 500',
         'sgd, then adam at 100', 'sgd, then adam at 500']
    """
    entries = {name: (name,) for name in names}
    for first in names:
        for then in names:
            if first == then:
                continue
            for at in sorted({max(round(fraction * budget), 1) for fraction in fractions}):
                entries[f"{first}, then {then} at {at}"] = (first, at, then)
    return entries


def build(entry: tuple, make_candidates: Callable[[], Mapping[str, optax.GradientTransformation]]):
    """The optimizer of a grid entry: the candidate alone, or a switch between the two on a schedule."""
    candidates = make_candidates()
    if len(entry) == 1:
        return candidates[entry[0]]
    first, at, then = entry
    return optswitch.switch(
        {first: candidates[first], then: candidates[then]}, selectors.schedule({0: first, at: then})
    )


def _median_steps(runs, target):
    steps = [scoring.time_to_target(run.steps, run.kept_metric, target) for run in runs]
    return steps, scoring.median_time(steps)


def ceiling(
    task: Task,
    target: scoring.Target | Callable[[dict], scoring.Target],
    make_candidates: Callable[[], Mapping[str, optax.GradientTransformation]],
    names: Sequence[str],
    seeds: Sequence[int],
    *,
    fractions: Sequence[float] = FRACTIONS,
    progress: bool = True,
) -> dict:
    """Runs the grid on ``seeds``, picks the fastest, and runs it and the best fixed candidate on fresh seeds.

    Args:
        task: the task.
        target: its target, or ``target(runs_by_name)`` setting it from the fixed candidates' runs on ``seeds`` (a
            smoke run, without a calibrated target).
        make_candidates: the candidate set.
        names: the candidates of the grid (the fixed candidates among the contenders).
        seeds: the scored seeds; the fresh seeds are as many, from :data:`FRESH_SEED`.
        fractions: where in the budget the single switches happen.
        progress: show a progress bar.

    Returns:
        JSON-ready (inf where a target was missed): the target, each grid entry's steps to target per scored seed
        and median, the best fixed candidate and the pick, and both on the fresh seeds.
    """
    entries = grid(names, task.budget, fractions)
    fresh_seeds = list(range(FRESH_SEED, FRESH_SEED + len(seeds)))
    evaluate = jax.jit(task.evaluate)
    with tqdm(total=len(entries) * len(seeds) + 2 * len(seeds), disable=not progress, unit="run") as bar:

        def runs_of(label, run_seeds):
            runs = []
            for seed in run_seeds:
                bar.set_description(f"{task.name} {label} seed {seed}")
                tx = build(entries[label], make_candidates)
                runs.append(harness.run(task, tx, seed, contender=label, evaluate=evaluate))
                bar.update()
            return runs

        scored_runs = {label: runs_of(label, seeds) for label in entries}
        if callable(target):
            target = target({name: scored_runs[name] for name in names})
        scored = {}
        for label, runs in scored_runs.items():
            steps, median = _median_steps(runs, target)
            scored[label] = {"steps": steps, "median_steps": median}
        order = list(entries)
        # Fewest median steps; on a tie a fixed candidate (the simpler), then the grid's order.
        rank = lambda label: (scored[label]["median_steps"], len(entries[label]), order.index(label))
        best_fixed = min(names, key=rank)
        pick = min(entries, key=rank)
        fresh = {"best_fixed": runs_of(best_fixed, fresh_seeds)}
        fresh["pick"] = fresh["best_fixed"] if pick == best_fixed else runs_of(pick, fresh_seeds)
    fresh_steps = {role: _median_steps(runs, target) for role, runs in fresh.items()}
    return {
        "target": target.value,
        "higher_is_better": target.higher_is_better,
        "budget": task.budget,
        "fractions": list(fractions),
        "seeds": list(seeds),
        "fresh_seeds": fresh_seeds,
        "grid": scored,
        "best_fixed": best_fixed,
        "pick": pick,
        "pick_schedule": None if len(entries[pick]) == 1 else {0: entries[pick][0], entries[pick][1]: entries[pick][2]},
        "fresh": {role: {"steps": steps, "median_steps": median} for role, (steps, median) in fresh_steps.items()},
    }


def _steps(value) -> str:
    return "—" if value is None or math.isinf(value) else f"{value:.0f}"


def _ratio(numerator, denominator) -> str:
    if numerator is None or denominator is None or math.isinf(numerator) or math.isinf(denominator):
        return "—"
    return f"{numerator / denominator:.2f}x"


def _seed_range(seeds: Sequence[int]) -> str:
    return f"{seeds[0]}-{seeds[-1]}" if len(seeds) > 1 else f"{seeds[0]}"


def sentence(entry: Mapping) -> str:
    """One task's ceiling, in words, for the line under its table in the report."""
    pick, best = entry["pick"], entry["best_fixed"]
    scored, fresh = entry["grid"], entry["fresh"]
    count = len(entry["grid"])
    head = (
        f"Hindsight ceiling (`--oracle`, the best of {count} fixed candidates and single switches on seeds "
        f"{_seed_range(entry['seeds'])}): "
    )
    if pick == best:
        return head + (
            f"**{pick}** alone ({_steps(scored[pick]['median_steps'])} steps); no single switch gets there sooner."
        )
    return head + (
        f"**{pick}** ({_steps(scored[pick]['median_steps'])} steps against {best}'s "
        f"{_steps(scored[best]['median_steps'])}, "
        f"{_ratio(scored[pick]['median_steps'], scored[best]['median_steps'])}); on fresh seeds "
        f"{_seed_range(entry['fresh_seeds'])} it takes {_steps(fresh['pick']['median_steps'])} against "
        f"{_steps(fresh['best_fixed']['median_steps'])} "
        f"({_ratio(fresh['pick']['median_steps'], fresh['best_fixed']['median_steps'])})."
    )


def markdown(ceilings: Mapping[str, Mapping]) -> str:
    """The table of ``oracle.md``: per task, the pick and the best fixed candidate on the scored and fresh seeds."""
    lines = [
        "| task | best fixed | its steps | pick | its steps | ratio | fresh: pick | fresh: best fixed | fresh ratio |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, entry in ceilings.items():
        pick, best = entry["pick"], entry["best_fixed"]
        scored, fresh = entry["grid"], entry["fresh"]
        lines.append(
            f"| {name} | {best} | {_steps(scored[best]['median_steps'])} | {pick} | "
            f"{_steps(scored[pick]['median_steps'])} | "
            f"{_ratio(scored[pick]['median_steps'], scored[best]['median_steps'])} | "
            f"{_steps(fresh['pick']['median_steps'])} | {_steps(fresh['best_fixed']['median_steps'])} | "
            f"{_ratio(fresh['pick']['median_steps'], fresh['best_fixed']['median_steps'])} |"
        )
    return "\n".join(lines)


def load(entry: Mapping) -> dict:
    """An entry of ``oracle.json`` with its nulls (missed targets) read back as inf."""
    inf = lambda value: math.inf if value is None else value
    read = lambda part: {"steps": [inf(s) for s in part["steps"]], "median_steps": inf(part["median_steps"])}
    return {
        **entry,
        "grid": {label: read(part) for label, part in entry["grid"].items()},
        "fresh": {role: read(part) for role, part in entry["fresh"].items()},
    }
