"""Round 25: which candidate's copies the recommended switch runs most, against the best fixed candidate, run by run.

Over the tasks kept aside through held-out-14 (three candidates, seeds 0-4): for each task, the fixed candidate with
the fewest median steps to target; for each run of the recommended switch, the candidate whose copies (at 3x and 1x,
merged) made the most updates. Run from the repository's root: ``python benchmarks/results/round25/picks.py``.
"""

import collections
import glob
import json
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from benchmarks.suite import scoring, store

RESULTS = Path(__file__).resolve().parents[1]
PATTERNS = ["round19/seen/*", "round2[0-4]/held-out-?", "round2[0-4]/held-out-??", "round25/held-out-14"]
FIXED = ("adam", "sgd", "rmsprop")

runs, targets = {}, {}
for pattern in PATTERNS:
    for path in sorted(glob.glob(str(RESULTS / pattern / "time_to_target.json"))):
        stored = json.loads(Path(path).read_text())
        for task, entry in stored["tasks"].items():
            targets.setdefault(task, store.load_target(entry["target"]))
        for run in store.load_runs(stored["runs"]):
            runs.setdefault((run.task, run.contender, run.seed), run)

tasks = [task for task in targets if any(key[:2] == (task, "race-multiples-undo") for key in runs)]
pairs = collections.Counter()
for task in tasks:
    seeds = sorted(seed for (t, c, seed) in runs if t == task and c == "race-multiples-undo")
    medians = {
        name: scoring.median_time(
            [
                scoring.time_to_target(runs[task, name, s].steps, runs[task, name, s].kept_metric, targets[task])
                for s in seeds
            ]
        )
        for name in FIXED
    }
    best = min(medians, key=medians.get)
    if not math.isfinite(medians[best]):
        continue
    for seed in seeds:
        updates = collections.Counter()
        for name, count in runs[task, "race-multiples-undo", seed].steps_per_candidate.items():
            updates[name.split("-x")[0]] += count
        pairs[best, updates.most_common(1)[0][0]] += 1

total = sum(pairs.values())
same = sum(count for (best, pick), count in pairs.items() if best == pick)
print(f"{len(tasks)} tasks, {total} runs of the recommended switch on tasks a fixed candidate reaches")
print(f"its most-run candidate is the best fixed candidate on {same} of {total} runs")
for name in FIXED:
    best_runs = sum(count for (best, _), count in pairs.items() if best == name)
    picked = sum(count for (_, pick), count in pairs.items() if pick == name)
    row = ", ".join(f"{pick} {pairs[name, pick]}" for pick in FIXED)
    print(f"  {name}: best on {best_runs} runs (picked there: {row}); picked on {picked} runs in all")
