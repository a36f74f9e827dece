"""Round 25: which candidate's copies the recommended switch runs most, against the best fixed candidate, run by run.

Over the tasks kept aside through held-out-14 (three candidates, seeds 0-4): for each task, the fixed candidate with
the fewest median steps to target; for each run of the recommended switch, the candidate whose copies (at 3x and 1x,
merged) made the most updates. Run from the repository's root: ``python benchmarks/results/round25/picks.py``.

``picks.py CONTENDER PATTERN...`` counts another switch's runs instead, read from the run files ``PATTERN`` (globs of
folders holding a ``time_to_target.json``, relative to ``benchmarks/results``) besides the stored ones, and pairs its
runs with the recommended switch's on the same kind of machine (the AMD EPYC of rounds 24-26): on how many runs only
one of the two picks the best fixed candidate's family, with the exact two-sided p-value of that split (McNemar's
test as a sign test). Round 26's variant::

    python benchmarks/results/round25/picks.py race-multiples-undo-warmup round26/seen
"""

import collections
import glob
import json
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from scipy.stats import binomtest

from benchmarks.suite import scoring, store

RESULTS = Path(__file__).resolve().parents[1]
PATTERNS = ["round19/seen/*", "round2[0-4]/held-out-?", "round2[0-4]/held-out-??", "round25/held-out-14"]
RECOMMENDED_AMD = ["round24/seen-recommended", "round24/held-out-13", "round25/held-out-14", "round26/held-out-15"]
FIXED = ("adam", "sgd", "rmsprop")
RECOMMENDED = "race-multiples-undo"


def load(patterns):
    """Every run (by task, contender and seed) and target of the run files under ``patterns``; the first file wins."""
    runs, targets = {}, {}
    for pattern in patterns:
        for path in sorted(glob.glob(str(RESULTS / pattern / "time_to_target.json"))):
            stored = json.loads(Path(path).read_text())
            for task, entry in stored["tasks"].items():
                targets.setdefault(task, store.load_target(entry["target"]))
            for run in store.load_runs(stored["runs"]):
                runs.setdefault((run.task, run.contender, run.seed), run)
    return runs, targets


def family(run):
    """The candidate whose copies made most of ``run``'s updates."""
    updates = collections.Counter()
    for name, count in run.steps_per_candidate.items():
        updates[name.split("-x")[0]] += count
    return updates.most_common(1)[0][0]


def best_fixed(runs, targets, task, seeds):
    """The fixed candidate with the fewest median steps to ``task``'s target over ``seeds``; None if none reaches it."""
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
    return best if math.isfinite(medians[best]) else None


def main(switch, extra_patterns):
    runs, targets = load(PATTERNS + extra_patterns)
    label = "the recommended switch" if switch == RECOMMENDED else switch
    tasks = [task for task in targets if any(key[:2] == (task, switch) for key in runs)]
    pairs, scored = collections.Counter(), []
    for task in tasks:
        seeds = sorted(seed for (t, c, seed) in runs if t == task and c == switch)
        best = best_fixed(runs, targets, task, seeds)
        if best is not None:
            pairs.update((best, family(runs[task, switch, seed])) for seed in seeds)
            scored += [(task, seed, best) for seed in seeds]
    total = sum(pairs.values())
    same = sum(count for (best, pick), count in pairs.items() if best == pick)
    print(f"{len(tasks)} tasks, {total} runs of {label} on tasks a fixed candidate reaches")
    print(f"its most-run candidate is the best fixed candidate on {same} of {total} runs")
    for name in FIXED:
        best_runs = sum(count for (best, _), count in pairs.items() if best == name)
        picked = sum(count for (_, pick), count in pairs.items() if pick == name)
        row = ", ".join(f"{pick} {pairs[name, pick]}" for pick in FIXED)
        print(f"  {name}: best on {best_runs} runs (picked there: {row}); picked on {picked} runs in all")
    if switch == RECOMMENDED:
        return
    recommended, _ = load(RECOMMENDED_AMD)
    right = collections.Counter(
        (family(runs[task, switch, seed]) == best, family(recommended[task, RECOMMENDED, seed]) == best)
        for task, seed, best in scored
    )
    only, only_recommended = right[True, False], right[False, True]
    # McNemar's exact test is the sign test over the runs whose picks differ; with none, nothing differs (p = 1).
    p = binomtest(only, only + only_recommended).pvalue if only + only_recommended else 1.0
    print(
        f"against the recommended switch's runs on the AMD EPYC ({', '.join(RECOMMENDED_AMD)}): both pick the best "
        f"fixed candidate's family on {right[True, True]} runs, only {switch} on {only}, only the recommended switch "
        f"on {only_recommended}, neither on {right[False, False]} (two-sided p = {p:.2g})"
    )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else RECOMMENDED, sys.argv[2:])
