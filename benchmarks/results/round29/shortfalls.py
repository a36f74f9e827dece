"""Round 29: on the tasks where the recommended switch falls short of the best fixed candidate (three candidates), the
family whose copies it ran most, seed by seed, against the best fixed candidate, on seeds 0-4 and 5-9.

Run from the repository's root:
``python benchmarks/results/round29/shortfalls.py > benchmarks/results/round29/shortfalls.txt``.
A task falls short where the switch's median steps to target exceed
:data:`benchmarks.suite.goals.TIME_OVER_BEST_FIXED` times the best fixed candidate's, or it reaches the target on
fewer than half the seeds (the goals of issue 11).
"""

import contextlib
import io
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "round25"))

from picks import family  # round 25's: the candidate whose copies made most of a run's updates

from benchmarks.suite import goals, paired, scoring, standing

R = "benchmarks/results"
K3 = f"{R}/round19/seen/*/time_to_target.json+{R}/round2[0-5]/held-out-?/time_to_target.json"
K3 += f"+{R}/round2[0-9]/held-out-??/time_to_target.json"
SEED_SETS = {
    "seeds 0-4": (K3, K3, K3),
    "seeds 5-9": (
        f"{R}/round28/fresh/time_to_target.json",
        f"{R}/round28/fresh-adam/time_to_target.json",
        f"{R}/round29/fresh-sgd-rmsprop/time_to_target.json",
    ),
}
FIXED = ("adam", "sgd", "rmsprop")


for label, (switch_files, adam_files, others_files) in SEED_SETS.items():
    arguments = ["--switch", f"{switch_files}:race-multiples-undo", "--fixed", f"{adam_files}:adam"]
    arguments += ["--fixed", f"{others_files}:sgd,rmsprop"]
    with contextlib.redirect_stdout(io.StringIO()):
        found = standing.main(arguments)
    short = {t: e["time_over_best_fixed"] for s in found for t, e in s.per_task.items()}
    short = {t: ratio for t, ratio in short.items() if ratio is not None and ratio > goals.TIME_OVER_BEST_FIXED}
    runs, targets = paired.read_runs(switch_files, ["race-multiples-undo"], list(short))
    fixed_runs = []
    for files, names in ((adam_files, ["adam"]), (others_files, ["sgd", "rmsprop"])):
        fixed_runs += paired.read_runs(files, names, list(short))[0]
    seeds = {(run.task, run.seed) for run in runs}
    fixed_runs = [run for run in fixed_runs if (run.task, run.seed) in seeds]
    results = scoring.summarize({t: targets[t] for t in short}, FIXED, fixed_runs)
    print(f"## {label}: {len(short)} tasks short (the switch's median steps over the best fixed candidate's)")
    picked_best = 0
    for task, ratio in sorted(short.items(), key=lambda item: -item[1]):
        steps = {c: results[task][c]["median_steps_to_target"] for c in FIXED}
        best = min(steps, key=steps.get)
        picks = [family(run) for run in sorted((r for r in runs if r.task == task), key=lambda r: r.seed)]
        picked_best += picks.count(best)
        reached = "; ".join(f"{c} {steps[c]:g}" for c in FIXED)
        print(
            f"  {task}: {'missed' if ratio == float('inf') else f'{ratio:.2f}x'}; fixed: {reached}; "
            f"its most-run family by seed: {', '.join(picks)}"
        )
    total = sum(1 for run in runs if run.task in short)
    print(f"  the best fixed candidate's family runs most on {picked_best} of {total} runs\n")
