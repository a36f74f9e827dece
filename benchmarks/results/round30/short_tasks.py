"""Round 30: on the tasks where the recommended switch falls short, would trials from the start have picked well?

For each task kept aside that the switch (three candidates) reaches later than 1.15x the best fixed candidate's
median steps, or misses, and for each seed: the candidate that reaches the target first on that seed, and the ones
that trials of 2.5% of the run from the start pick by their validation metric and by their training loss at the
trial's end (:mod:`benchmarks.diagnostics.start_trials`). Then the same counts over the tasks it reaches in time.
Both seed sets, the run files of round 30's standing (``benchmarks/results/run_files.sh``). Run from the repository's
root:
``python benchmarks/results/round30/short_tasks.py > benchmarks/results/round30/short_tasks.txt``.
"""

import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from benchmarks.diagnostics import start_trials
from benchmarks.suite import scoring, standing

R = "benchmarks/results"
K3 = f"{R}/round19/seen/*/time_to_target.json+{R}/round2[0-5]/held-out-?/time_to_target.json"
K3 += f"+{R}/round2[0-9]/held-out-??/time_to_target.json"
H17 = f"{R}/round30/held-out-17-fresh/time_to_target.json"
SEED_SETS = {
    "seeds 0-4": ([f"{K3}:adam,sgd,rmsprop"], f"{K3}:race-multiples-undo"),
    "seeds 5-9": (
        [
            f"{R}/round28/fresh-adam/time_to_target.json+{H17}:adam",
            f"{R}/round29/fresh-sgd-rmsprop/time_to_target.json+{H17}:sgd,rmsprop",
        ],
        f"{R}/round28/fresh/time_to_target.json+{H17}:race-multiples-undo",
    ),
}
FRACTION = 0.025


def main() -> None:
    for label, (fixed_specs, switch_spec) in SEED_SETS.items():
        targets: dict = {}
        fixed = standing.read(fixed_specs, targets)
        ((name, runs),) = standing.read([switch_spec], targets).items()
        counts = standing.counts(standing.standings((name, runs), fixed, {}, targets))
        short = {**counts.later, **dict.fromkeys(counts.missed, math.inf)}
        by_pair: dict = {}
        for candidate, candidate_runs in fixed.items():
            for run in candidate_runs:
                by_pair.setdefault((run.task, run.seed), {})[candidate] = run
        print(
            f"## {label}: {name} over {len(counts.tasks)} tasks; per seed, first to the target: picked by validation / "
            f"by training loss, after trials of {FRACTION:.1%} of the run"
        )
        tally = {True: [0, 0, 0], False: [0, 0, 0]}  # short or not -> counted, validation right, training loss right
        for task in sorted(counts.tasks):
            row = []
            for (run_task, _), pair in sorted(by_pair.items()):
                if run_task != task or len(pair) != len(fixed):
                    continue
                target = targets[task]
                length = start_trials.trial_length(FRACTION, target.budget, pair["adam"].steps[1])
                first = start_trials.pick("oracle", pair, 0, target)
                by_validation = start_trials.pick("validation", pair, length, target)
                by_training = start_trials.pick("train-end", pair, length, target)
                row.append(f"{first}: {by_validation} / {by_training}")
                if math.isfinite(scoring.time_to_target(pair[first].steps, pair[first].kept_metric, target)):
                    counts_here = tally[task in short]
                    counts_here[0] += 1
                    counts_here[1] += by_validation == first
                    counts_here[2] += by_training == first
            if task in short:
                how = "missed" if short[task] == math.inf else f"{short[task]:.2f}x"
                print(f"  {task} ({how}): " + ", ".join(row))
        for is_short, (counted, validation, training) in tally.items():
            where = "where it falls short" if is_short else "where it reaches the target within 1.15x"
            print(
                f"  {where}: of {counted} runs some candidate reaches the target on, the trials pick the first "
                f"to get there on {validation} by validation, {training} by training loss"
            )
        print()


if __name__ == "__main__":
    main()
