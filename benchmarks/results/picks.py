"""On a blind split, which candidate's copies the recommended switch ran most, run by run.

For each of the split's four runs and each task: the fixed candidate with the fewest median steps to target in that
run (the three or the five), then, seed by seed, the candidate whose copies (at 3x and 1x, merged) made the most of
the switch's updates, and on how many of the seeds that is the best fixed candidate. Run from the repository's root
with the folder of the split's seeds 0-4, three-candidate run, e.g.
``python benchmarks/results/picks.py round41/held-out-24`` (the split's round script prints it into its ``.txt``).
"""

import json
import math
import sys

from benchmarks.diagnostics.family_picks import pick
from benchmarks.suite import store

RUNS = ("", "-fresh", "-5c", "-fresh-5c")
SWITCH = "race-multiples-undo"
FIXED = ("adam", "adam-3e-4", "adam-3e-3", "sgd", "rmsprop")


def main(argv: list[str]) -> None:
    (split,) = argv
    for suffix in RUNS:
        folder = f"benchmarks/results/{split}{suffix}"
        with open(f"{folder}/scores.json") as file:
            medians = json.load(file)["results"]
        with open(f"{folder}/time_to_target.json") as file:
            runs = [run for run in store.load_runs(json.load(file)["runs"]) if run.contender == SWITCH]
        print(f"## {folder.rpartition('/')[2]}")
        for task, by_contender in medians.items():
            steps = {name: by_contender[name]["median_steps_to_target"] for name in FIXED if name in by_contender}
            steps = {name: math.inf if value is None else value for name, value in steps.items()}
            best = min(steps, key=steps.get)
            ordered = sorted((run for run in runs if run.task == task), key=lambda run: run.seed)
            picks = [(run.seed, pick(run.steps_per_candidate)) for run in ordered]
            same = sum(chosen == best for _, chosen in picks)
            listed = ", ".join(f"{seed} {chosen}" for seed, chosen in picks)
            if math.isinf(steps[best]):
                print(f"{task}: no fixed candidate reaches the target; most updates: {listed}")
            else:
                best_steps = f"best fixed {best} ({steps[best]:g} steps)"
                print(f"{task}: {best_steps}; most updates: {listed}; {same} of {len(picks)}")
        print()


if __name__ == "__main__":
    main(sys.argv[1:])
