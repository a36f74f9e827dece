"""How well a window of minibatch losses tells the candidates apart: the signal the loss-reading selectors work with.

For each task but those of the splits kept aside (``tasks.KEPT_ASIDE``) and each fixed candidate (seed 0), the
training losses of every update are recorded; over windows of budget/40 updates at 0, 25, 50 and 75% of the budget,
the script fits a line to ``log(loss)`` and prints the rate (minus its slope: the fraction of the loss removed per
update, the quantity ``selectors.bandit`` and ``selectors.race`` compare) and the rate's standard error from the
scatter about the line.
Where the standard error is as large as the differences between the candidates' rates, no rule that reads the loss
can rank them from one window. Takes about 2 minutes on 2 CPU cores:

    python -m benchmarks.diagnostics.rate_noise --text ../shared/data/tinyshakespeare.txt
"""

import argparse
import json
import sys
from pathlib import Path

if __package__ in (None, ""):  # Run as a script: make the repository importable.
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import jax
import jax.numpy as jnp
import numpy as np

from benchmarks.suite import tasks
from optswitch.demo import candidates, train_loop
from optswitch.selectors import _line_fit as line_fit

FRACTIONS = (0.0, 0.25, 0.5, 0.75)


def window_rates(losses: np.ndarray, window: int) -> list[tuple[float, float]]:
    """(rate, standard error) of ``log(loss)`` over ``window`` updates from each fraction of the run.

    The fit is the selectors' own (:mod:`optswitch.selectors._line_fit`), run in float64.
    """
    out = []
    with jax.enable_x64(True):
        for fraction in FRACTIONS:
            start = int(fraction * len(losses))
            logs = np.log(np.maximum(losses[start : start + window], 1e-12))  # the quadratic's loss can be <= 0
            fit = line_fit.empty(np.float64)
            for y in logs:
                fit = line_fit.add(fit, y)
            rate, variance = line_fit.rate_and_variance(fit)
            out.append((float(rate), float(np.sqrt(variance))))
    return out


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--text", type=Path, help="path of tinyshakespeare.txt")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "results" / "rate_noise.json")
    args = parser.parse_args(argv)
    results = {}
    for name, build in tasks.TASKS.items():
        if tasks.SPLITS[name] in tasks.KEPT_ASIDE:
            continue  # what selectors read is measured on the tasks designs may see; the held-out ones stay unseen
        task = build(**({"text": args.text} if name == "shakespeare-char" else {}))
        window = task.budget // 40
        results[name] = {"window": window}
        for candidate, tx in candidates().items():
            init_key, data_key = jax.random.split(jax.random.key(0))
            params = task.init(init_key)
            carry = (params, tx.init(params), jnp.zeros([], jnp.int32), data_key)
            _, losses = jax.jit(train_loop(task.loss, task.sample, tx, task.budget))(carry, task.data)
            results[name][candidate] = window_rates(np.asarray(losses, np.float64), window)
    lines = [
        "| task (window) | candidate | " + " | ".join(f"rate ± s.e. at {f:.0%}" for f in FRACTIONS) + " |",
        "|---|---|" + "---:|" * len(FRACTIONS),
    ]
    for name, by_candidate in results.items():
        for candidate, rates in by_candidate.items():
            if candidate == "window":
                continue
            cells = " | ".join(f"{rate:.4f} ± {error:.4f}" for rate, error in rates)
            lines.append(f"| {name} ({by_candidate['window']}) | {candidate} | {cells} |")
    print("\n".join(lines))
    args.out.write_text(json.dumps(results, indent=1) + "\n")
    return results


if __name__ == "__main__":
    main()
