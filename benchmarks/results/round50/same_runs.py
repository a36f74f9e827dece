"""Round 50: on held-out-32's four runs, the kept-watch contender (what ``selectors.recommended`` composes since round
49) against round 10's guard (``race-multiples-undo``, which the standing counts), run by run: the runs that differ in
any stored field but the clock (seconds, compile seconds), with the first evaluation where they part; and each task's
lowest training loss over the recommended switch's runs (the race reads ``log(loss)`` and skips a loss <= 0). Run from
the repository's root:
``python benchmarks/results/round50/same_runs.py > benchmarks/results/round50/same_runs.txt``. Given folders as
arguments, it reads those runs instead (round 51's held-out-33: ``benchmarks/results/round51/held_out_33.sh``).
"""

import json
import sys

RUNS = [f"benchmarks/results/round50/held-out-32{suffix}" for suffix in ("", "-fresh", "-5c", "-fresh-5c")]
CLOCK = {"contender", "seconds", "compile_seconds"}  # fields left out: the name and the clock


def runs(folder: str, contender: str) -> dict:
    with open(f"{folder}/time_to_target.json") as file:
        found = json.load(file)["runs"]
    return {(run["task"], run["seed"]): run for run in found if run["contender"] == contender}


def parting(one: dict, other: dict) -> str:
    """The fields that differ and the first evaluation where the validation metrics or training losses part."""
    fields = sorted(key for key in one if key not in CLOCK and one[key] != other[key])
    curves = zip(one["steps"], one["metric"], other["metric"], one["train_loss"], other["train_loss"], strict=False)
    at = next((step for step, *pair in curves if pair[0] != pair[1] or pair[2] != pair[3]), None)
    return f"{', '.join(fields)}; first apart at update {at}"


def main() -> None:
    lowest: dict = {}
    for folder in sys.argv[1:] or RUNS:
        kept = runs(folder, "race-multiples-undo-kept-watch")
        default = runs(folder, "race-multiples-undo")
        differ = [
            key
            for key in sorted(kept)
            if any(kept[key][field] != default[key][field] for field in kept[key] if field not in CLOCK)
        ]
        print(f"{folder}: {len(kept) - len(differ)} runs of {len(kept)} the same in every field but the clock")
        for key in differ:
            print(f"  {key[0]} seed {key[1]}: {parting(kept[key], default[key])}")
        for (task, _), run in default.items():
            losses = [loss for loss in run["train_loss"] if loss is not None]
            lowest[task] = min(lowest.get(task, float("inf")), *losses)
    print("lowest training loss over the recommended switch's runs, by task:")
    for task, loss in lowest.items():
        print(f"  {task}: {loss:.6g}")


if __name__ == "__main__":
    main()
