"""How often the recommended switch steps down on a stall before half-way, and switches again after it.

Run from the repository's root: ``python benchmarks/results/round27/stalls.py``. It reads the recommended setup's runs
on the AMD EPYC over the 49 tasks kept aside through held-out-15; a stall's step down is a switch from a copy
(``adam-x3``) to its candidate (``adam``) before half the budget. Prints the runs with a switch after it (before half
the budget), then the counts.
"""

import json

RESULTS = "benchmarks/results"
RUNS = ["round24/seen-recommended", "round24/held-out-13", "round25/held-out-14", "round26/held-out-15"]


def main() -> None:
    total = stepped = switched_after = 0
    for folder in RUNS:
        with open(f"{RESULTS}/{folder}/time_to_target.json") as file:
            stored = json.load(file)
        for run in stored["runs"]:
            if run["contender"] != "race-multiples-undo":
                continue
            half = stored["tasks"][run["task"]]["budget"] // 2
            total += 1
            downs = [t for t, source, target in run["switches"] if source == f"{target}-x3" and t < half]
            if not downs:
                continue
            stepped += 1
            later = [switch for switch in run["switches"] if downs[0] < switch[0] < half]
            if later:
                switched_after += 1
                print(run["task"], run["seed"], "steps down at", downs[0], "then", later[:3])
    print(
        f"{total} runs; a step down before half-way on {stepped}; "
        f"another switch after it, before half-way, on {switched_after}"
    )


if __name__ == "__main__":
    main()
