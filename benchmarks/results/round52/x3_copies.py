"""Round 52: on held-out-34's DeepONet, each copy the race compares, run alone: the median training loss over seeds 0-4
at each evaluation of the first 600 updates, for Adam, SGD and RMSProp at 1x and 3x their learning rates.

The recommended switch's race put RMSProp's copy at 3x in the lead on 9 runs of 10 there, and the fixed runs the split
stored hold no RMSProp at 3e-3. Adam at 1x and at 3x (``adam-3e-3``) and the three at 1x come from the split's
five-candidate run (seeds 0-4); RMSProp and SGD at 3x were run alone after the blind runs, with
``optswitch.learning_rate_multiples`` as the race makes its copies, for 600 updates (the race ends at 240), into
``x3-copies/deeponet_x3_copies.json`` (``--run``; about 3 min on 2 cores). Run from the repository's root:
``python benchmarks/results/round52/x3_copies.py > benchmarks/results/round52/x3_copies.txt``.
"""

import json
import sys
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # Run as a script: make the repository importable.
    sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

TASK = "deeponet-ode-operator"
UPDATES = 600
FIVE = "benchmarks/results/round52/held-out-34-5c/time_to_target.json"
COPIES = "benchmarks/results/round52/x3-copies/deeponet_x3_copies.json"


def run_copies() -> None:
    """Train RMSProp's and SGD's copies at 3x alone on the task, seeds 0-4, and store their curves."""
    import optswitch
    from benchmarks.suite import harness, tasks
    from benchmarks.suite.contenders import candidates

    task = tasks.TASKS[TASK]()._replace(budget=UPDATES)
    copies = optswitch.learning_rate_multiples(candidates(), (3,))
    found = {}
    for name in ("rmsprop-x3", "sgd-x3"):
        for seed in range(5):
            run = harness.run(task, copies[name], seed, contender=name)
            found[f"{name}/{seed}"] = {"steps": run.steps, "train_loss": run.train_loss, "metric": run.metric}
    Path(COPIES).write_text(json.dumps(found))


def curves() -> dict[str, list[list[float]]]:
    """Each copy's training losses at the evaluations after the start, up to :data:`UPDATES`, one list per seed."""
    found: dict[str, list[list[float]]] = {}
    evaluations = UPDATES // 50
    for run in json.loads(Path(FIVE).read_text())["runs"]:
        if run["task"] == TASK and run["contender"] in ("adam", "adam-3e-3", "sgd", "rmsprop"):
            found.setdefault(run["contender"], []).append(run["train_loss"][1 : evaluations + 1])
    for key, run in json.loads(Path(COPIES).read_text()).items():
        found.setdefault(key.split("/")[0], []).append(run["train_loss"][1 : evaluations + 1])
    return found


def main() -> None:
    if "--run" in sys.argv:
        run_copies()
    print(f"{TASK}: median training loss over seeds 0-4, at each evaluation (update)")
    print(f"{'':11s} " + " ".join(f"{step:>6d}" for step in range(50, UPDATES + 1, 50)))
    for name, losses in curves().items():
        print(f"{name:11s} " + " ".join(f"{loss:.4f}" for loss in np.median(np.array(losses), axis=0)))


if __name__ == "__main__":
    main()
