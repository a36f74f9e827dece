"""The README's five-candidate columns for the blind splits run since round 31, by steps, seeds 0-4 and 5-9.

Each column is one performance profile of Adam at 1e-3, 3e-4 and 3e-3, SGD, RMSProp and the recommended switch, the
candidates' runs taken from the split's five-candidate files and, where those hold only the new rates (held-out-18),
from its three-candidate files (the same optimizers at the same settings). The tuned baseline, which only the
three-candidate runs hold, is then added to that profile on its own, as in the README's last row. Run from the
repository's root:
``python benchmarks/results/five_candidates.py > benchmarks/results/five_candidates.txt`` (round 39 wrote it, under
``round39/``; each round that runs a blind split adds it to ``SPLITS``).
"""

import json

from benchmarks.suite import scoring

ROWS = ("adam", "adam-3e-4", "adam-3e-3", "sgd", "rmsprop", "race-multiples-undo")
BASELINE = "adamw-cosine"
#: Each blind split's three-candidate folder; the five-candidate one is the same with "-5c".
SPLITS = {
    "held-out-18": "round31/held-out-18",
    "held-out-19": "round35/held-out-19",
    "held-out-20": "round37/held-out-20",
    "held-out-21": "round38/held-out-21",
    "held-out-22": "round39/held-out-22",
    "held-out-23": "round40/held-out-23",
    "held-out-24": "round41/held-out-24",
    "held-out-25": "round42/held-out-25",
    "held-out-26": "round43/held-out-26",
    "held-out-27": "round44/held-out-27",
    "held-out-28": "round45/held-out-28",
    "held-out-29": "round46/held-out-29",
    "held-out-30": "round48/held-out-30",
    "held-out-31": "round49/held-out-31",
    "held-out-32": "round50/held-out-32",
    "held-out-33": "round51/held-out-33",
    "held-out-34": "round52/held-out-34",
    "held-out-35": "round53/held-out-35",
    "held-out-36": "round54/held-out-36",
    "held-out-37": "round55/held-out-37",
    "held-out-38": "round56/held-out-38",
    "held-out-39": "round57/held-out-39",
    "held-out-40": "round58/held-out-40",
    "held-out-41": "round59/held-out-41",
    "held-out-42": "round60/held-out-42",
    "held-out-43": "round61/held-out-43",
    "held-out-44": "round62/held-out-44",
    "held-out-45": "round63/held-out-45",
    "held-out-46": "round64/held-out-46",
    "held-out-47": "round65/held-out-47",
    "held-out-48": "round66/held-out-48",
    "held-out-49": "round67/held-out-49",
    "held-out-50": "round68/held-out-50",
    "held-out-51": "round69/held-out-51",
    "held-out-52": "round70/held-out-52",
    "held-out-53": "round71/held-out-53",
}


def results(folder: str) -> dict:
    """The per-task, per-contender results in ``folder``'s scores.json, a target never reached as inf."""
    with open(f"benchmarks/results/{folder}/scores.json") as file:
        found = json.load(file)["results"]
    for by_contender in found.values():
        for result in by_contender.values():
            for key in ("median_steps_to_target", "median_seconds_to_target"):
                if result[key] is None:
                    result[key] = float("inf")
    return found


def main() -> None:
    for split, folder in SPLITS.items():
        for seeds, suffix in (("seeds 0-4", ""), ("seeds 5-9", "-fresh")):
            three, five = results(folder + suffix), results(folder + suffix + "-5c")
            merged = {task: {**three[task], **five[task]} for task in five}
            scores = scoring.profiles(merged, ROWS)["steps"]["scores"]
            with_baseline = scoring.profiles(merged, (*ROWS, BASELINE))["steps"]["scores"]
            row = ", ".join(f"{name} {scores[name]:.3f}" for name in ROWS)
            print(f"{split}, {seeds}: {row}; {BASELINE} added {with_baseline[BASELINE]:.3f}")


if __name__ == "__main__":
    main()
