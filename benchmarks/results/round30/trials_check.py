"""Round 30: does a real switch with one round of ``selectors.trials`` at the start do what the start-trials
diagnostic assumes?

For a few tasks kept aside, seeds 0-4, the suite's harness runs the switch over the three candidates with one round
of trials of 2.5% of the run each, as early as ``trials`` allows (update 1, after one update of Adam, the first
candidate), scored by its mean training loss over each trial's second half with no margin. For each run it prints the
candidate the trials kept, the one :mod:`benchmarks.diagnostics.start_trials` picks from the stored fixed runs by
training loss, and the steps to target of the real run against the diagnostic's shifted run of the same winner.
Run from the repository's root (about 5 min on 2 cores):
``python benchmarks/results/round30/trials_check.py > benchmarks/results/round30/trials_check.txt``.
"""

import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

import jax

import optswitch
from benchmarks.diagnostics import start_trials
from benchmarks.suite import harness, scoring, standing
from benchmarks.suite import tasks as tasks_lib
from optswitch import selectors
from optswitch.demo import candidates

R = "benchmarks/results"
K3 = f"{R}/round19/seen/*/time_to_target.json+{R}/round2[0-5]/held-out-?/time_to_target.json"
K3 += f"+{R}/round2[0-9]/held-out-??/time_to_target.json"
TASKS = ("rff-hinge-svm", "rotated-softmax", "multilabel-mlp", "topic-embedding-bag", "heteroscedastic-nll")
FRACTION = 0.025


def main() -> None:
    targets: dict = {}
    fixed = standing.read([f"{K3}:adam,sgd,rmsprop"], targets)
    agree = same_steps = total = 0
    for name in TASKS:
        task = tasks_lib.TASKS[name]()
        target = targets[name]
        length = start_trials.trial_length(FRACTION, task.budget, task.eval_every)
        evaluate = jax.jit(task.evaluate)
        for seed in range(5):
            runs = {c: next(r for r in fixed[c] if (r.task, r.seed) == (name, seed)) for c in fixed}
            tx = optswitch.switch(
                candidates(),
                selectors.trials(task.budget, trial_length=length, rounds=(0.0,), margin=0.0, confidence=0.0),
            )
            real = harness.run(task, tx, seed, contender="trials-at-start", evaluate=evaluate)
            kept = max(real.steps_per_candidate, key=real.steps_per_candidate.get)
            predicted = start_trials.pick("train-end", runs, length, target)
            shifted = start_trials.follow(kept, runs, length, target)
            steps = scoring.time_to_target(real.steps, real.kept_metric, target)
            model = scoring.time_to_target(shifted.steps, shifted.kept_metric, target)
            total += 1
            agree += kept == predicted
            same_steps += steps == model or (math.isinf(steps) and math.isinf(model))
            print(
                f"{name} seed {seed}: trials kept {kept} (diagnostic's pick by training loss: {predicted}); steps to "
                f"target {steps:g}, the diagnostic's run of {kept} {model:g}; final metric {real.final_metric:.4g} "
                f"against {shifted.final_metric:.4g}"
            )
    print(
        f"\nof {total} runs: the diagnostic picks the candidate the trials kept on {agree}; the same steps to target "
        f"on {same_steps}"
    )


if __name__ == "__main__":
    main()
