"""Round 65: the race's standing at its end, run by run, for the gate of ``RULE_DEV.md``.

For each task of the given splits and each seed, the recommended switch (``race-multiples-undo-kept-watch``, three
candidates) trains to the first evaluation at or after the race's end
(:func:`~benchmarks.diagnostics.train_lead.race_end`) and its race state is read there: the leader, and the best
standing among the copies of the other optimizers (each copy's rate over the leader's, measured at the same time; 1: as
fast as the leader). The training losses of each evaluation interval up to there are written too, so that the
composition (``gated_reading.py``) can check that they equal the stored run's: the probe's run is then the stored one.

Run from the repository's root (2 minutes on the 2 cores, beside other work): ``python
benchmarks/results/round65/race_margin.py --out benchmarks/results/round65/race_margin.json development development-2
development-3 development-4 development-5 held-out-37 held-out-38 held-out-39 held-out-40 held-out-41 held-out-42
held-out-43 held-out-44 held-out-45`` (seeds 0-9 on the development splits, 0-4 on the others; held-out-46, seeds
0-9, only if asked).
"""

import argparse
import json
import math
import runpy
from pathlib import Path

import jax
import numpy as np

from benchmarks.diagnostics.train_lead import race_end
from benchmarks.suite import tasks
from benchmarks.suite.sequenced import bases
from optswitch import _names
from optswitch._find import find_all
from optswitch.selectors import RaceState

SWITCH = "race-multiples-undo-kept-watch"
HERE = Path(__file__).resolve().parent
Trainer = runpy.run_path(str(HERE.parent / "round62" / "handoff_probe.py"))["Trainer"]
up_to_evaluation = runpy.run_path(str(HERE.parent / "round63" / "trial_reading.py"))["up_to_evaluation"]


def race_state(opt_state) -> tuple[RaceState, tuple[str, ...]]:
    """The one race state inside the switch's selector state, and the switch's candidate names."""
    [(_, switch)] = find_all(opt_state)
    found = [
        node
        for node in jax.tree.leaves(switch.selector_state, is_leaf=lambda node: isinstance(node, RaceState))
        if isinstance(node, RaceState)
    ]
    if len(found) != 1:
        raise ValueError(f"expected one race state in the selector's state, found {len(found)}")
    return found[0], _names.decode(np.asarray(switch.names))


def probe(name: str, seeds) -> list[dict]:
    """Each seed's race reading at the race's end: leader, best other optimizer's copy and its standing, and the mean
    training loss of each evaluation interval up to there."""
    task = tasks.TASKS[name]()
    cut = up_to_evaluation(race_end(task.budget, 3), task.eval_every)
    trainer = Trainer(task, SWITCH)
    rows = []
    for seed in seeds:
        init_key, data_key = jax.random.split(jax.random.key(seed))
        carry, losses = trainer.start(task.init(init_key), 0, data_key), []
        for _ in range(cut // task.eval_every):
            carry, chunk = trainer.loop(carry, task.data)
            chunk = np.asarray(chunk)
            finite = np.isfinite(chunk)
            losses.append(float(np.sum(np.where(finite, chunk, 0)) / np.sum(finite)))
        race, names = race_state(carry[1])
        leader = int(race.leader)
        standing = np.asarray(race.standing, np.float64)
        family = bases(names)
        others = [k for k in range(len(names)) if family[k] != family[leader]]
        runner_up = max(others, key=lambda k: standing[k])
        rows.append({
            "task": name, "seed": seed, "cut": cut, "leader": names[leader], "runner_up": names[runner_up],
            "margin": float(standing[runner_up]) if math.isfinite(standing[runner_up]) else None,
            "standing": {names[k]: float(standing[k]) for k in range(len(names))}, "train_loss": losses,
        })  # fmt: skip
        print(f"{name} seed {seed}: leader {names[leader]}, runner-up {names[runner_up]} {standing[runner_up]:.4g}",
              flush=True)  # fmt: skip
    return rows


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("splits", nargs="+")
    parser.add_argument("--out", required=True, type=Path)
    args = parser.parse_args(argv)
    rows = []
    for split in args.splits:
        seeds = range(10) if split.startswith("development") or split == "held-out-46" else range(5)
        for name in sorted(task for task, where in tasks.SPLITS.items() if where == split):
            rows.extend(probe(name, seeds))
    args.out.write_text(json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    main()
