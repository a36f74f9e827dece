"""Round 48's design experiment (development splits only): do race copies below 1x help? Reads the suite's runs of
``race-multiples-undo-third`` (every candidate at 3x, 1x and a third of its learning rate, a pick at a third left as it
is by the step down) and ``race-multiples-undo-rungs`` (the recommended race, the step down one rung: 3x to 1x, 1x to a
third) beside the fixed candidates and ``race-multiples-undo``, from ``round48/SPLIT-low/``, and prints per task the
median steps to target (runs reached of 5), each switch's steps over the best fixed candidate's, the scores by steps,
and the paired comparison (:mod:`benchmarks.suite.paired`) of each variant against ``race-multiples-undo``, per split
and over every split run. Run from the repository's root:

    python benchmarks/results/round48/low_copies.py > benchmarks/results/round48/low_copies.txt
"""

import json
import sys
from pathlib import Path

if __package__ in (None, ""):  # Run as a script: make the repository importable.
    sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from benchmarks.suite import paired

HERE = Path(__file__).resolve().parent
SPLITS = ("development-3", "development-2", "development-4", "development")
FIXED = ("sgd", "adam", "rmsprop")
SWITCHES = ("race-multiples-undo", "race-multiples-undo-third", "race-multiples-undo-rungs")
SHORT = {
    "race-multiples-undo": "recommended",
    "race-multiples-undo-third": "third",
    "race-multiples-undo-rungs": "rungs",
}


def cell(entry: dict) -> str:
    median = entry["median_steps_to_target"]
    steps = "missed" if median is None else f"{median:,.0f}"
    return steps if entry["reached"] == entry["runs"] else f"{steps} ({entry['reached']})"


def main() -> None:
    done = [split for split in SPLITS if (HERE / f"{split}-low" / "scores.json").exists()]
    for split in done:
        scores = json.loads((HERE / f"{split}-low" / "scores.json").read_text())
        print(f"## {split}: median steps to target (runs reached of 5 where fewer)")
        print()
        names = [*FIXED, *SWITCHES]
        header = " | ".join(SHORT.get(name, name) for name in names)
        print(f"| task | {header} | x best fixed (rec / third / rungs) |")
        print("|---" * (len(names) + 2) + "|")
        for task, results in scores["results"].items():
            ratios = [scores["goals"]["by_steps"][name]["per_task"][task]["time_over_best_fixed"] for name in SWITCHES]
            shown = " / ".join("-" if ratio is None else f"{ratio:.2f}" for ratio in ratios)
            print(f"| {task} | " + " | ".join(cell(results[name]) for name in names) + f" | {shown} |")
        by_steps = scores["profile"]["steps"]["scores"]
        print()
        print("Scores by steps: " + ", ".join(f"{SHORT.get(name, name)} {by_steps[name]:.3f}" for name in names))
        print()
    files = "+".join(str(HERE / f"{split}-low" / "time_to_target.json") for split in done)
    for name in SWITCHES[1:]:
        for split in done:
            spec = str(HERE / f"{split}-low" / "time_to_target.json")
            result = paired.compare(paired.load(f"{spec}:{name}"), paired.load(f"{spec}:race-multiples-undo"))
            print(f"{split}: " + paired.report(result, name, "race-multiples-undo"))
        if len(done) > 1:
            result = paired.compare(paired.load(f"{files}:{name}"), paired.load(f"{files}:race-multiples-undo"))
            print(f"all {len(done)} splits: " + paired.report(result, name, "race-multiples-undo"))
        print()


if __name__ == "__main__":
    main()
