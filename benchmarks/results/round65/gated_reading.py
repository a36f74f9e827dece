"""Round 65: round 64's third reading gated on the race's standing (``RULE_DEV.md``), composed from stored runs.

Where the gate opens (the race's best standing among the other optimizers' copies at least ``g``, read by
``race_margin.py``) a run is the third variant's stored run; where it stays shut, the recommended switch's. Each set of
runs is given as ``LABEL RECOMMENDED_FILES THIRD_VARIANT_FILES`` (``FILE[+FILE...]``); for every run of each set the
probe's training losses are checked against the recommended switch's stored run (to the probe's end, the first
evaluation at or after the race's end) and the third variant's (over the evaluation intervals that end by the race's
end, where its reading begins): the three runs are one up to there. Each ``g`` of the rule's grid is then read against
the recommended switch run by run, seed set by seed set, as round 64's conditions read it; ``g`` is chosen on the sets
labelled ``development`` (the rule's choice), and condition 3 read on the sets labelled ``seen``. Printed after each
set, outside the rule (written after its result): the opposite gate, a reading only where the standing is below ``g``.

Run from the repository's root: ``bash benchmarks/results/round65/gated_reading.sh >
benchmarks/results/round65/gated_reading.txt``.
"""

import argparse
import functools
import json
import math
from pathlib import Path

import numpy as np

from benchmarks.diagnostics.train_lead import race_end
from benchmarks.suite import paired, scoring, tasks

RECOMMENDED = "race-multiples-undo-kept-watch"
THIRD = "race-multiples-undo-reading-1x-short-kept-watch"
GATES = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95)


def steps_and_losses(files: str, contender: str) -> tuple[dict, dict]:
    """``contender``'s steps to target ``{task: {seed: steps}}`` in ``files`` and each run's training losses."""
    runs, targets = paired.read_runs(files, [contender])
    losses = {(run.task, run.seed): run.train_loss for run in runs}
    return paired.steps_to_target(runs, targets), losses


@functools.cache
def intervals_before_the_reading(name: str) -> int:
    """The evaluation intervals of task ``name`` that end by the race's end."""
    task = tasks.TASKS[name]()
    return race_end(task.budget, 3) // task.eval_every


def check(probe: dict, stored: dict, label: str, before_the_reading: bool = False) -> None:
    """Raise unless every probed run's training losses up to its probe's end (``before_the_reading``: over the
    evaluation intervals that end by the race's end, where the third variant's reading begins) are the stored run's,
    to the stored digits."""
    for key, row in probe.items():
        intervals = len(row["train_loss"])
        if before_the_reading:
            intervals = intervals_before_the_reading(key[0])
        kept = stored[key][1 : 1 + intervals]
        if not np.allclose(row["train_loss"][:intervals], kept, rtol=2e-5, atol=0):
            raise SystemExit(f"{label}: {key}'s probe differs from the stored run: {row['train_loss']} vs {kept}")


def tally(mine: dict, theirs: dict) -> tuple[int, int, int, list[str], list[str]]:
    """Runs sooner, later and level, and the tasks (AlgoPerf's median over the seeds, as the suite reads it) only one
    of them reaches, by name."""
    sooner = later = level = 0
    lost, gained = [], []
    for task, by_seed in theirs.items():
        for seed, steps in by_seed.items():
            sooner += mine[task][seed] < steps
            later += mine[task][seed] > steps
            level += mine[task][seed] == steps
        ours, recommended = scoring.median_time(list(mine[task].values())), scoring.median_time(list(by_seed.values()))
        if math.isinf(ours) and math.isfinite(recommended):
            lost.append(task)
        if math.isinf(recommended) and math.isfinite(ours):
            gained.append(task)
    return sooner, later, level, lost, gained


def compose(gate: float, margins: dict, recommended: dict, third: dict, opposite: bool = False) -> dict:
    """The gated variant's steps: the third variant's where the gate opens, the recommended switch's elsewhere; with
    ``opposite``, the third variant's where it stays shut."""
    return {
        task: {
            seed: (third if (margins[task, seed] >= gate) != opposite else recommended)[task][seed] for seed in by_seed
        }
        for task, by_seed in recommended.items()
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--margins", required=True, type=Path, help="race_margin.py's output")
    parser.add_argument("--set", nargs=3, action="append", required=True, metavar=("LABEL", "RECOMMENDED", "THIRD"))
    args = parser.parse_args(argv)
    probe = {(row["task"], row["seed"]): row for row in json.loads(args.margins.read_text())}
    margins = {key: -math.inf if row["margin"] is None else row["margin"] for key, row in probe.items()}
    sets = []
    for label, recommended_files, third_files in args.set:
        recommended, recommended_losses = steps_and_losses(recommended_files, RECOMMENDED)
        third, third_losses = steps_and_losses(third_files, THIRD)
        mine = {key: row for key, row in probe.items() if key[0] in recommended and key[1] in recommended[key[0]]}
        if len(mine) != sum(map(len, recommended.values())):
            raise SystemExit(f"{label}: the probe lacks runs of {sorted(recommended)}")
        check(mine, recommended_losses, f"{label}, recommended")
        check(mine, third_losses, f"{label}, third variant", before_the_reading=True)
        opened = {g: sum(margins[key] >= g for key in mine) for g in GATES}
        print(f"## {label}: {len(mine)} runs; the probe's training losses equal the recommended switch's stored run's "
              "to the probe's end, and the third variant's to the race's end")  # fmt: skip
        print("  runs where the gate opens: " + ", ".join(f"g={g:g} {n}" for g, n in opened.items()))
        results = {}
        for g in (*GATES, -math.inf):
            sooner, later, level, lost, gained = tally(compose(g, margins, recommended, third), recommended)
            results[g] = (sooner, later, lost)
            name = "always (the third variant)" if g == -math.inf else f"g={g:g}"
            print(f"  {name}: sooner {sooner}, later {later}, level {level}; tasks lost {lost or 'none'}, "
                  f"gained {gained or 'none'}")  # fmt: skip
        for g in GATES:
            sooner, later, level, lost, gained = tally(compose(g, margins, recommended, third, True), recommended)
            print(f"  not in the rule, the opposite gate (a reading only where the standing is below {g:g}): "
                  f"sooner {sooner}, later {later}, level {level}; tasks lost {lost or 'none'}, "
                  f"gained {gained or 'none'}")  # fmt: skip
        sets.append((label, results))
    development = [results for label, results in sets if label.startswith("development")]
    passing = [
        g
        for g in GATES
        if all(r[g][0] >= r[g][1] and not r[g][2] for r in development)
        and sum(r[g][0] for r in development) > sum(r[g][1] for r in development)
    ]
    print()
    if not passing:
        print("No gate passes conditions 1 and 2 on the development splits: the variant fails.")
        return
    chosen = max(passing, key=lambda g: (sum(r[g][0] - r[g][1] for r in development), g))
    print(f"Gates passing conditions 1 and 2: {', '.join(f'{g:g}' for g in passing)}; chosen g={chosen:g}")
    for label, results in sets:
        if label.startswith("seen"):
            sooner, later, lost = results[chosen]
            verdict = "passes" if sooner >= later and not lost else "fails"
            print(f"Condition 3 ({label}), g={chosen:g}: sooner {sooner}, later {later}, tasks lost {lost or 'none'}: "
                  f"{verdict}")  # fmt: skip


if __name__ == "__main__":
    main()
