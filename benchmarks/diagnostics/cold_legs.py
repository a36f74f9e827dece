"""What a cold optimizer state does to the rate a race leg reads: one leg from a fresh state, one from a warm one.

Round 37's ``leg_rates`` split the race's legs in halves and found SGD's second halves faster and RMSProp's slower, but
its halves were noisy and came from different points of the run. This measures the state's part alone. From one
common point (the initialization, then one leg of Adam at 3e-3, as the race's first leg is Adam at 3x), each of the
three candidates at 3x runs a leg of ``window`` updates (the race's, 1% of the budget) twice, on the same batches:

- *cold*: from its fresh ``init`` state, as in the race's first round (SGD's momentum at 0, RMSProp's second moment
  at 0, Adam's moments at 0 with its bias correction);
- *warm*: from the state it ends the cold leg with, the parameters put back to the common point.

Each leg's rate is the race's, minus the least-squares slope of ``log(loss)`` over the leg. For each task and
candidate it prints the median over seeds of cold rate / warm rate, with the smallest and largest::

    python -m benchmarks.diagnostics.cold_legs digits-mlp mnist1d-cnn noisy-quadratic --seeds 5

Below 1: the fresh state makes the candidate look slower than it trains once warm; above 1, faster. No selector runs.
"""

import argparse
from collections.abc import Sequence

import jax
import numpy as np
import optax

from benchmarks.diagnostics.leg_rates import rate
from benchmarks.suite.tasks import TASKS
from optswitch.selectors._race import default_window


def at_3x() -> dict[str, optax.GradientTransformation]:
    """The suite's three candidates at three times their learning rates, as the race's first copies."""
    return {
        "adam-x3": optax.adam(3e-3),
        "sgd-x3": optax.sgd(3e-2, momentum=0.9),
        "rmsprop-x3": optax.rmsprop(3e-3),
    }


def cold_and_warm(task, seed: int, candidates: dict[str, optax.GradientTransformation]) -> dict[str, tuple]:
    """For each candidate, ``(cold rate, warm rate)`` of one leg from the common point of ``task`` and ``seed``."""
    window = default_window(task.budget, 6)
    keys = jax.random.split(jax.random.key(1000 + seed), 2 * window)

    steps = {}  # one compile per transformation: its cold and warm legs share it

    def leg(tx, params, state, leg_keys):
        def step(params, state, key):
            loss, grads = jax.value_and_grad(task.loss)(params, task.sample(task.data, key))
            updates, state = tx.update(grads, state, params)
            return optax.apply_updates(params, updates), state, loss

        step = steps.setdefault(id(tx), jax.jit(step))
        losses = []
        for key in leg_keys:
            params, state, loss = step(params, state, key)
            losses.append(float(loss))
        return params, state, losses

    lead = optax.adam(3e-3)
    init = task.init(jax.random.key(seed))
    start, _, _ = leg(lead, init, lead.init(init), keys[:window])
    found = {}
    for name, tx in candidates.items():
        _, warm_state, cold = leg(tx, start, tx.init(start), keys[window:])
        _, _, warm = leg(tx, start, warm_state, keys[window:])
        found[name] = (rate(cold), rate(warm))
    return found


def main(argv: Sequence[str] | None = None) -> dict[str, dict[str, list[float]]]:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.diagnostics.cold_legs", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("tasks", nargs="+", help="suite task names")
    parser.add_argument("--seeds", type=int, default=5, help="seeds 0 to N-1 (default 5)")
    args = parser.parse_args(argv)
    ratios: dict[str, dict[str, list[float]]] = {}
    for name in args.tasks:
        task = TASKS[name]()
        by_candidate: dict[str, list[float]] = {}
        for seed in range(args.seeds):
            for candidate, (cold, warm) in cold_and_warm(task, seed, at_3x()).items():
                by_candidate.setdefault(candidate, []).append(cold / warm)
        ratios[name] = by_candidate
        cells = ", ".join(
            f"{candidate} {np.median(values):.2f} [{min(values):.2f}, {max(values):.2f}]"
            for candidate, values in by_candidate.items()
        )
        print(f"{name} (leg of {default_window(task.budget, 6)}): cold rate / warm rate {cells}", flush=True)
    return ratios


if __name__ == "__main__":
    main()
