"""Round 31: on the tasks where SGD alone gets there first and the race runs another family's copies, do trials from a
common start over the copies at 3x and 1x pick SGD's copies, as trials over the candidates at 1x did (round 30), or
another family's, as the race does?

Round 30 found that one round of trials from the start over Adam, SGD and RMSProp at their own rates picks SGD on
every seed of five of these tasks, where the recommended switch, racing their copies at 3x and 1x along one
trajectory, runs Adam's copies (on held-out-18's LISTA, spent this round, Adam's or RMSProp's). Two things differ:
the common start, and the copies at 3x. Here the same trials run over the six copies the race runs (each copy with
a state of its own), as early as ``trials`` allows (update 1, after one update of the first copy, Adam at 3x),
scored by the mean training loss over each trial's second half with no margin, with trials of 1% of the run (the
race's legs over six copies) and of 2.5%; the copy kept trains at its rate to the end (no step down). Two
development tasks, where the race gets there sooner than every fixed candidate, are run beside them. For each run
it prints the copy the trials kept and its steps to target, and the copy that made most of the stored recommended
run's updates. Run from the repository's root (about 15 min on 2 cores):
``python benchmarks/results/round31/copies_trials.py > benchmarks/results/round31/copies_trials.txt``.
"""

import collections
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

import jax

import optswitch
from benchmarks.suite import harness, scoring, standing
from benchmarks.suite import tasks as tasks_lib
from optswitch import selectors
from optswitch.demo import candidates

R = "benchmarks/results"
K3 = f"{R}/round19/seen/*/time_to_target.json+{R}/round2[0-5]/held-out-?/time_to_target.json"
K3 += f"+{R}/round2[0-9]/held-out-??/time_to_target.json"
DEV = f"{R}/round14/dev3/time_to_target.json"
H18 = f"{R}/round31/held-out-18/time_to_target.json"
SGD_FIRST = (
    "lru-forecast",
    "rff-hinge-svm",
    "rotated-softmax",
    "sinkhorn-matching",
    "rbm-exact-likelihood",
    "lista-sparse-coding",
)
ADAM_COPIES_RIGHT = ("digits-mlp", "mnist1d-cnn")
FRACTIONS = (0.01, 0.025)


def family(name: str) -> str:
    return name.removesuffix("-x3")


def main() -> None:
    targets: dict = {}
    recommended = standing.read([f"{K3}+{DEV}+{H18}:race-multiples-undo"], targets)["race-multiples-undo"]
    tally = collections.Counter()
    for name in SGD_FIRST + ADAM_COPIES_RIGHT:
        task = tasks_lib.TASKS[name]()
        target = targets[name]
        evaluate = jax.jit(task.evaluate)
        for seed in range(5):
            stored = next(r for r in recommended if (r.task, r.seed) == (name, seed))
            race_pick = max(stored.steps_per_candidate, key=stored.steps_per_candidate.get)
            race_steps = scoring.time_to_target(stored.steps, stored.kept_metric, target)
            kept = []
            for fraction in FRACTIONS:
                length = max(4, round(fraction * task.budget))
                tx = optswitch.switch(
                    optswitch.learning_rate_multiples(candidates(), share_state=False),
                    selectors.trials(task.budget, trial_length=length, rounds=(0.0,), margin=0.0, confidence=0.0),
                )
                run = harness.run(task, tx, seed, contender="copies-trials", evaluate=evaluate)
                pick = max(run.steps_per_candidate, key=run.steps_per_candidate.get)
                steps = scoring.time_to_target(run.steps, run.kept_metric, target)
                kept.append(f"trials of {fraction:.1%} ({length} updates) kept {pick}, {steps:g} steps")
                group = "sgd-first" if name in SGD_FIRST else "adam-copies-right"
                tally[(group, fraction, family(pick))] += 1
                tally[(group, fraction, "x3" if pick.endswith("-x3") else "x1")] += 1
            race = f"race ran {race_pick} most, {race_steps:g} steps"
            print(f"{name} seed {seed}: {race}; " + "; ".join(kept), flush=True)
    print()
    for (group, fraction, what), count in sorted(tally.items()):
        print(f"{group}, trials of {fraction:.1%}: {what} kept on {count} runs")


if __name__ == "__main__":
    main()
