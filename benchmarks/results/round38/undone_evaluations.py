"""Round 38: how often round 37's option and round 38's variant put back a leg, over the 61 tasks, seeds 0-4.

The run files keep, for each evaluation, whether the parameters it saw were later put back
(``RunResult.discarded``, set inside a leg that ``undo_if_worse`` undid). Evaluations come every 25 to 50 updates, so
this counts undone legs long enough to hold an evaluation, not every undo. Run from the repository's root:
``python benchmarks/results/round38/undone_evaluations.py > benchmarks/results/round38/undone_evaluations.txt``.
"""

import glob
import json

RUNS = {
    "race-multiples-undo-before-noise": "benchmarks/results/round37/before-noise/splits/*/time_to_target.json",
    "race-multiples-undo-before-noise-4se": "benchmarks/results/round38/dev/splits/*/time_to_target.json",
}


def discarded(pattern: str, contender: str) -> dict[tuple[str, int], int]:
    """Evaluations inside undone legs, by task and seed, in the run files matching ``pattern``."""
    counts = {}
    for path in sorted(glob.glob(pattern)):
        with open(path) as file:
            for run in json.load(file)["runs"]:
                if run["contender"] == contender:
                    counts[(run["task"], run["seed"])] = sum(run.get("discarded") or [])
    return counts


if __name__ == "__main__":
    for contender, pattern in RUNS.items():
        counts = discarded(pattern, contender)
        print(
            f"{contender}: {len(counts)} runs; evaluations inside undone legs {sum(counts.values())}, "
            f"runs with any {sum(count > 0 for count in counts.values())}"
        )
