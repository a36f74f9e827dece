"""Whether a short trial can tell which copy a long one picks: one round of trials over the copies, read four ways.

Runs :func:`benchmarks.diagnostics.trial_losses.trial_losses` with ``--copies`` and long trials (default 8% of the
run) on each seed, and compares the copy a long trial picks (the lowest mean loss over its second half, as
``selectors.trials`` scores it) with what the first ``short`` updates of the same trials pick (default 1% of the run;
the trials begin from one start on the same batches, so a short trial is the long one's beginning), read as:

- ``level``: the mean over the short trial's second half, as ``trials`` reads it;
- ``line``: a straight line fitted to that half, extended to the long trial's last update;
- ``power``: a power law in the update count fitted to the short trial's last three quarters (``log loss`` against
  ``log t``), extended likewise; only where every loss is positive;
- ``level 3x``: the mean over the second half of the first ``3 * short`` updates, as the second rung of
  ``selectors.halving(eta=3)`` reads it (round 34's variant).

It prints one line per seed and how often each read picks the long trial's copy, e.g.

    python -m benchmarks.diagnostics.short_reads --task mnist1d-cnn --seeds 0-9
"""

import argparse
from collections.abc import Callable, Sequence

import numpy as np

from benchmarks.diagnostics.trial_losses import trial_losses
from benchmarks.suite import cli, contenders


def level(losses: np.ndarray, length: int) -> float:
    """The mean loss over the second half of the first ``length`` updates."""
    return float(np.mean(losses[length // 2 : length]))


def line(losses: np.ndarray, short: int, ahead: int) -> float:
    """The short trial's second half, fitted with a straight line, at update ``ahead``."""
    updates = np.arange(short // 2, short)
    return float(np.polyval(np.polyfit(updates, losses[short // 2 : short], 1), ahead))


def power(losses: np.ndarray, short: int, ahead: int) -> float:
    """The short trial's last three quarters, fitted with ``log loss = a + b log t``, at update ``ahead``."""
    part = losses[short // 4 : short]
    if np.any(part <= 0):
        return np.nan
    updates = np.arange(short // 4, short) + 1
    return float(np.exp(np.polyval(np.polyfit(np.log(updates), np.log(part), 1), np.log(ahead))))


def reads(short: int, long: int) -> dict[str, Callable[[np.ndarray], float]]:
    """Each read of a trial's losses: the value it ranks the copies by (lower is better)."""
    return {
        "level": lambda losses: level(losses, short),
        "line": lambda losses: line(losses, short, long),
        "power": lambda losses: power(losses, short, long),
        "level 3x": lambda losses: level(losses, 3 * short),
    }


def picks(trials: dict[str, np.ndarray], short: int, long: int) -> dict[str, str]:
    """The copy each read picks, and the long trial's (``long``); a read that is NaN for some copy picks none."""
    chosen = {"long": min(trials, key=lambda name: level(trials[name], long))}
    for read_name, read in reads(short, long).items():
        values = {name: read(losses) for name, losses in trials.items()}
        chosen[read_name] = "—" if any(np.isnan(list(values.values()))) else min(values, key=lambda name: values[name])
    return chosen


def seed_range(text: str) -> list[int]:
    """``"0-9"`` or ``"0,3,5"`` as a list of seeds."""
    if "-" in text:
        first, last = text.split("-")
        return list(range(int(first), int(last) + 1))
    return [int(seed) for seed in text.split(",")]


def main(argv: Sequence[str] | None = None) -> list[dict[str, str]]:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.diagnostics.short_reads", description=__doc__)
    parser.add_argument("--task", default="mnist1d-cnn")
    parser.add_argument("--seeds", default="0-4", help="e.g. 0-9 or 0,3,5")
    parser.add_argument("--short", type=int, help="updates of the short read (default: 1%% of the run, at least 4)")
    parser.add_argument("--long", type=int, help="updates of the long trials (default: 8%% of the run)")
    args = parser.parse_args(argv)
    (task,) = cli.build_tasks([args.task], quick=False, text=None).values()
    short = args.short or max(4, task.budget // 100)
    long = args.long or max(3 * short, 8 * task.budget // 100)
    if long < 3 * short:
        parser.error(f"--long={long} must be at least 3 times --short={short} (the 'level 3x' read)")
    rows = []
    for seed in seed_range(args.seeds):
        (round_trials,) = trial_losses(task, contenders.CANDIDATE_SETS["default"], seed, copies=True, trial_length=long)
        chosen = picks({name: np.asarray(losses) for name, losses in round_trials}, short, long)
        rows.append(chosen)
        print(f"seed {seed}: " + ", ".join(f"{read} {name}" for read, name in chosen.items()))
    agree = {read: sum(row[read] == row["long"] for row in rows) for read in reads(short, long)}
    print(
        f"{task.name}: trials of {long} updates, reads of {short}; picks the long trial's copy on "
        + ", ".join(f"{read} {count}/{len(rows)}" for read, count in agree.items())
    )
    return rows


if __name__ == "__main__":
    main()
