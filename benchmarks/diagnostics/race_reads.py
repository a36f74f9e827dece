"""Whether the race's legs, read another way, would name the candidate that gets there first.

The recommended switch's race scores each copy by the mean rate of its two legs (minus the slope of ``log(loss)`` per
update, :func:`benchmarks.diagnostics.leg_rates.rate`), the legs run one after another on one trajectory, in ``order``
and back (``adam-x3, sgd-x3, ..., rmsprop, rmsprop, ..., adam-x3``). A loss that falls like a power of the update
count, ``L ~ t^-a``, falls at a rate ``a / t`` per update: the rate of a leg early in the race is many times that of a
leg late in it for the same exponent ``a``, and the copy that races first and last (Adam at 3x) has its score made
mostly of the run's first fall. This replays the race (:func:`benchmarks.diagnostics.leg_rates.legs`, the recommended
switch through the suite's loop, one update at a time, up to the race's end) on each task and seed and picks the copy
with the best score under three readings of the same legs:

- ``race``: the mean of a copy's leg rates (the race's score, without its margin);
- ``per log update``: the mean of each leg's rate times the update count at its middle, ``t``: the local exponent
  ``a = -d log L / d log t``, which a power law holds constant along the run;
- ``second leg``: the rate of a copy's second leg only (the race's second round, in reverse order).

It prints, task by task, the best fixed candidate (fewest median steps to the target in ``--fixed``'s runs) and the
family each reading picks on each seed, then how often each names the best one::

    python -m benchmarks.diagnostics.race_reads --fixed "FILES:adam,sgd,rmsprop" --tasks lru-forecast --seeds 0-4

No selector is scored and no switch changes: the picks are those of the race's first decision only.
"""

import argparse
import collections
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from benchmarks.diagnostics.early_step_downs import family
from benchmarks.diagnostics.first_duels import best_families, fixed_runs
from benchmarks.diagnostics.leg_rates import legs, rate
from benchmarks.suite import cli, contenders


def race_rate(leg: Sequence[float], start: int) -> float:
    """The race's reading of a leg: its rate per update."""
    del start
    return rate(leg)


def per_log_update(leg: Sequence[float], start: int) -> float:
    """A leg's rate times the update count at its middle (updates counted from 1): its local power-law exponent."""
    return rate(leg) * (start + (len(leg) + 1) / 2)


def scores(
    raced: Sequence[tuple[str, list[float]]], reading: Callable[[Sequence[float], int], float], last_only: bool = False
) -> dict[str, float]:
    """Each copy's score over the race's legs ``raced`` (in order, each ``(copy, losses)``, run back to back from
    update 0): the mean of ``reading`` over its legs, or, with ``last_only``, its last leg's.

    >>> raced = [("a", [1.0, 0.5, 0.25]), ("b", [0.25, 0.2, 0.16])]
    >>> raced += [("b", [0.16, 0.15, 0.14]), ("a", [0.14, 0.13, 0.12])]
    >>> {name: round(score, 3) for name, score in scores(raced, race_rate).items()}
    {'a': 0.385, 'b': 0.145}
    >>> {name: round(score, 3) for name, score in scores(raced, per_log_update).items()}
    {'a': 1.117, 'b': 0.825}
    >>> {name: round(score, 3) for name, score in scores(raced, race_rate, last_only=True).items()}
    {'a': 0.077, 'b': 0.067}
    """
    by_copy: dict[str, list[float]] = collections.defaultdict(list)
    start = 0
    for name, losses in raced:
        by_copy[name].append(reading(losses, start))
        start += len(losses)
    return {name: (read[-1] if last_only else float(np.mean(read))) for name, read in by_copy.items()}


READINGS: Mapping[str, Callable[[Sequence[tuple[str, list[float]]]], dict[str, float]]] = {
    "race": lambda raced: scores(raced, race_rate),
    "per log update": lambda raced: scores(raced, per_log_update),
    "second leg": lambda raced: scores(raced, race_rate, last_only=True),
}


def picks(raced: Sequence[tuple[str, list[float]]]) -> dict[str, str]:
    """The family of the copy each of :data:`READINGS` scores best (the first in race order on a tie)."""
    found = {}
    for reading, score in READINGS.items():
        by_copy = score(raced)
        found[reading] = family(max(by_copy, key=by_copy.__getitem__))
    return found


def main(argv: Sequence[str] | None = None) -> dict[str, collections.Counter]:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.diagnostics.race_reads", description=__doc__)
    parser.add_argument("--fixed", required=True, action="append", help="FILE[+FILE...]:CANDIDATE[,CANDIDATE...]")
    parser.add_argument("--tasks", required=True, help="comma-separated task names")
    parser.add_argument("--candidates", default="default", choices=list(contenders.CANDIDATE_SETS))
    parser.add_argument("--seeds", default="0-4", help="FIRST-LAST, inclusive")
    args = parser.parse_args(argv)
    targets: dict = {}
    best = best_families(fixed_runs(args.fixed, targets), targets)
    first, _, last = args.seeds.partition("-")
    seeds = range(int(first), int(last or first) + 1)
    right: dict[str, collections.Counter] = {reading: collections.Counter() for reading in READINGS}
    for name, task in cli.build_tasks(args.tasks.split(","), quick=False, text=None).items():
        by_reading: dict[str, list[str]] = collections.defaultdict(list)
        for seed in seeds:
            for reading, pick in picks(legs(task, contenders.CANDIDATE_SETS[args.candidates], seed)).items():
                by_reading[reading].append(pick)
        target = best.get(name, "none")
        group = "sgd best" if target == "sgd" else "another best"
        line = "; ".join(f"{reading}: {' '.join(found)}" for reading, found in by_reading.items())
        print(f"{name} (best fixed {target}): {line}", flush=True)
        for reading, found in by_reading.items():
            right[reading][group] += sum(pick == target for pick in found)
            right[reading][f"{group} runs"] += len(found)
    for reading, counted in right.items():
        parts = [f"{group} {counted[group]} of {counted[f'{group} runs']}" for group in ("sgd best", "another best")]
        print(f"{reading}: picks the best fixed candidate's family on {', '.join(parts)}")
    return right


if __name__ == "__main__":
    main()
