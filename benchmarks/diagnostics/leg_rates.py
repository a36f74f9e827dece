"""Whether a race leg's rate is charged with its copy's cold start: each leg's rate over its first and second half.

The race (:func:`optswitch.selectors.race`) scores a copy by minus the slope of ``log(loss)`` over each of its legs of
1% of the run. A leg starts from the optimizer state the copy left at its last leg (or from its initial state):
SGD's momentum is zero at its first leg and builds over about ``1 / (1 - 0.9) = 10`` updates, while RMSProp's
second-moment estimate starts at zero and makes its first steps larger than its later ones. If that start-up is a
large part of a leg of 20 to 30 updates, the race compares the copies' starts, not how they train once warm.

This runs the recommended switch (``race-multiples-undo``) through the suite's loop on a task, one update at a time,
until the race has ended, and prints, for each copy, the median over its legs (two a seed) of the leg's rate, its
first half's and its second half's, each minus the slope of ``log(loss)`` over those updates, times 1000::

    python -m benchmarks.diagnostics.leg_rates --task rotated-softmax --seeds 0-4

A copy whose second half falls much faster than its first is slowed by its start-up; one whose first half falls
faster, sped up. No selector is scored.
"""

import argparse
import statistics
from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np

import optswitch
from benchmarks.suite import cli, contenders
from optswitch import selectors
from optswitch.demo import train_loop
from optswitch.selectors._race import default_window


def rate(losses: Sequence[float]) -> float:
    """Minus the least-squares slope of ``log(losses)`` against the update index (needs 2 or more losses)."""
    logs = np.log(np.asarray(losses, float))
    index = np.arange(len(logs), dtype=float)
    return float(-np.polyfit(index, logs, 1)[0])


def legs(task, make_candidates, seed: int) -> list[tuple[str, list[float]]]:
    """The race's legs on ``seed``, in order, as ``(copy, losses)``: the losses the selector saw in that leg."""
    candidates = optswitch.learning_rate_multiples(make_candidates())
    tx = optswitch.switch(candidates, selectors.recommended(task.budget))
    names = list(tx.names)
    window = default_window(task.budget, len(names))
    race_end = 2 * len(names) * window
    init_key, data_key = jax.random.split(jax.random.key(seed))
    params = task.init(init_key)
    carry = (params, tx.init(params), jnp.zeros([], jnp.int32), data_key)
    one = jax.jit(train_loop(task.loss, task.sample, tx, 1), donate_argnums=0)
    found: list[tuple[str, list[float]]] = []
    for _ in range(race_end):
        active = names[int(carry[1].active)]
        carry, losses = one(carry, task.data)
        if not found or found[-1][0] != active or len(found[-1][1]) == window:
            found.append((active, []))
        found[-1][1].append(float(losses[0]))
    return [(name, losses) for name, losses in found if len(losses) == window]


def table(by_copy: dict[str, list[tuple[float, float, float]]]) -> str:
    """One line per copy: the medians of its legs' rates, whole, first half and second half, times 1000."""
    lines = ["| copy | legs | rate, whole leg | first half | second half | second half / whole |", "|---" * 6 + "|"]
    for name, rates in by_copy.items():
        whole, first, second = (statistics.median(column) * 1000 for column in zip(*rates, strict=True))
        share = f"{second / whole:.2f}" if whole > 0 else "-"
        lines.append(f"| {name} | {len(rates)} | {whole:.2f} | {first:.2f} | {second:.2f} | {share} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> dict[str, list[tuple[float, float, float]]]:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.diagnostics.leg_rates", description=__doc__)
    parser.add_argument("--task", default="mnist1d-cnn")
    parser.add_argument("--candidates", default="default", choices=list(contenders.CANDIDATE_SETS))
    parser.add_argument("--seeds", default="0-4", help="FIRST-LAST, inclusive")
    parser.add_argument("--text", help="tinyshakespeare.txt, for shakespeare-char")
    args = parser.parse_args(argv)
    first, _, last = args.seeds.partition("-")
    (task,) = cli.build_tasks([args.task], quick=False, text=args.text).values()
    by_copy: dict[str, list[tuple[float, float, float]]] = {}
    for seed in range(int(first), int(last or first) + 1):
        for name, losses in legs(task, contenders.CANDIDATE_SETS[args.candidates], seed):
            half = len(losses) // 2
            rates = (rate(losses), rate(losses[:half]), rate(losses[-half:]))
            by_copy.setdefault(name, []).append(rates)
    print(f"{args.task}, seeds {args.seeds}: each race leg's rate (minus the slope of log loss per update, x1000)")
    print(table(by_copy))
    return by_copy


if __name__ == "__main__":
    main()
