"""Round 48: ``race-multiples-undo-kept-watch`` (``undo_if_worse(keep_watch=True)``) against the recommended switch, run
by run: which runs' validation curves differ at all, and how each that does ends. The development runs and the earlier
splits whose stored runs hold a rescue (held-out-3 and held-out-5, three candidates and five, seeds 0-4 and 5-9, but
held-out-3's three-candidate seeds 0-4, which hold none; held-out-17 seeds 5-9) ran both side by side;
development-2 to -4 and held-out-30 ran the option alone, against the recommended switch's stored runs of rounds 46 to
48. Run from the repository's root:
``python benchmarks/results/round48/kept_watch.py > benchmarks/results/round48/kept_watch.txt``.
"""

import json

R = "benchmarks/results/round48"
#: Each run of the option, and the run file of the recommended switch it is compared with (None: the same file).
PAIRS = {
    "development": None,
    "development-2": "benchmarks/results/round47/development-2-trials",
    "development-3": "benchmarks/results/round47/development-3-trials",
    "development-4": "benchmarks/results/round46/development-4-trials",
    "held-out-3-fresh": None,
    "held-out-3-5c": None,
    "held-out-3-fresh-5c": None,
    "held-out-5": None,
    "held-out-5-fresh": None,
    "held-out-5-5c": None,
    "held-out-5-fresh-5c": None,
    "held-out-17-fresh": None,
    "held-out-30": f"{R}/held-out-30",
    "held-out-30-fresh": f"{R}/held-out-30-fresh",
    "held-out-30-5c": f"{R}/held-out-30-5c",
    "held-out-30-fresh-5c": f"{R}/held-out-30-fresh-5c",
}


def runs(folder: str, contender: str) -> dict:
    with open(f"{folder}/time_to_target.json") as file:
        found = json.load(file)["runs"]
    return {(run["task"], run["seed"]): run for run in found if run["contender"] == contender}


def main() -> None:
    for name, reference in PAIRS.items():
        folder = f"{R}/kept-watch/{name}"
        kept = runs(folder, "race-multiples-undo-kept-watch")
        default = runs(reference or folder, "race-multiples-undo")
        differ = [key for key in sorted(kept) if kept[key]["metric"] != default[key]["metric"]]
        print(f"{name}: {len(kept) - len(differ)} runs of {len(kept)} the same at every evaluation")
        for key in differ:
            ends = [run["metric"][-1] for run in (default[key], kept[key])]
            ended = " -> ".join("not finite" if end is None else f"{end:.4g}" for end in ends)
            skips = " -> ".join(str(run["skipped"]) for run in (default[key], kept[key]))
            print(f"  {key[0]} seed {key[1]}: final {ended}; updates skipped {skips}")


if __name__ == "__main__":
    main()
