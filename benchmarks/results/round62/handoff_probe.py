"""Round 62, on splits already run: whether the recommended switch misses a target because of the candidate it runs
after its race (its choice) or because of where its legs left the parameters (the path).

For each task some fixed candidate reaches and the recommended switch misses (three candidates, seeds 0-4, round 61's
``late_targets.txt``), on each seed it trains: the best fixed candidate alone; the recommended switch
(``race-multiples-undo-kept-watch``) up to an update ``t``, then the best fixed candidate at its own rate from the
switch's parameters, with a fresh optimizer state, to the end of the budget (the hand-off); and, to tell the restart's
own cost, the best candidate alone up to ``t``, then itself again with a fresh state (the restart). The hand-off and the
restart see the same batches after ``t``. ``t`` is 1/8 of the budget (the race's legs are over) and 1/2 (the switch's
last decision). Each run's steps to target count the first evaluation after ``t`` that reaches it. A hand-off that gets
there about as soon as the best candidate alone says that the switch's parameters at ``t`` were as good a start as the
best candidate's own: the miss is its choice after ``t``. One that misses where the restart reaches says that the path
left the parameters where the best candidate cannot finish in the budget. Run from the repository's root: ``python
benchmarks/results/round62/handoff_probe.py > benchmarks/results/round62/handoff_probe.txt``. Given ``--seeds-5-9``, it
reads the targets missed on seeds 5-9, on those seeds (after the blind runs of round 62, a check of the reading on seeds
no selector was designed on: ``python benchmarks/results/round62/handoff_probe.py --seeds-5-9 >
benchmarks/results/round62/handoff_probe_fresh.txt``). Given ``task:best`` pairs, it reads those tasks alone (after the
blind runs of round 62: ``python benchmarks/results/round62/handoff_probe.py diffusion-tensor-mri:adam >
benchmarks/results/round62/handoff_probe_tensors.txt``).
"""

import json
import math
import sys
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

from benchmarks.diagnostics import commit_bound
from benchmarks.suite import tasks
from benchmarks.suite.contenders import CONTENDERS
from benchmarks.suite.harness import evaluation_params
from optswitch.demo import train_loop

SWITCH = "race-multiples-undo-kept-watch"
RESULTS = Path(__file__).resolve().parents[1]
SEEDS = (0, 1, 2, 3, 4)
FRACTIONS = (8, 2)


def missed_tasks(seeds: str = "0-4") -> list[tuple[str, str]]:
    """(task, best fixed candidate) for each target the switch misses, three candidates, on seeds 0-4 or 5-9 (round
    61)."""
    missed = []
    text = (RESULTS / "round61" / "late_targets.txt").read_text()
    for line in text.split(f"## Seeds {seeds}\n")[1].split("\n## ")[0].splitlines():
        if line.endswith("; missed") and line.startswith("  "):
            name, rest = line.strip().split(": ", 1)
            missed.append((name, rest.split(" at ")[0]))
    return missed


class Trainer:
    """One contender's training loop on one task, compiled once, run one evaluation interval at a time."""

    def __init__(self, task: tasks.Task, name: str):
        self.task, self.tx = task, CONTENDERS[name].make(task)
        self.loop = jax.jit(train_loop(task.loss, task.sample, self.tx, task.eval_every))
        self.evaluate = jax.jit(task.evaluate)

    def start(self, params, step: int, data_key):
        return (params, self.tx.init(params), jnp.asarray(step, jnp.int32), data_key)

    def run(self, carry, steps: int, reached) -> tuple[tuple, int | None]:
        """``carry`` after ``steps`` updates, and the first update count (from the carry's own) reaching the target."""
        first = None
        for _ in range(steps // self.task.eval_every):
            carry, _ = self.loop(carry, self.task.data)
            metric = float(self.evaluate(evaluation_params(*carry[:2]), self.task.data))
            if first is None and reached(metric):
                first = int(carry[2])
        return carry, first


def median_steps(steps: list[int | None]) -> float:
    """The suite's rule: the median over seeds, a miss counting as infinite."""
    return float(np.median([math.inf if s is None else s for s in steps]))


def probe(name: str, best: str, seeds=SEEDS) -> dict[str, list[int | None]]:
    """Each run's first update count reaching the target, or None, per seed: ``alone``, and ``restart@t`` and
    ``hand-off@t`` for each ``t``."""
    task = tasks.TASKS[name]()
    target = json.loads((RESULTS.parent / "targets.json").read_text())[name]
    value, higher = target["value"], target["higher_is_better"]

    def reached(metric):
        return metric >= value if higher else metric <= value

    alone, switch = Trainer(task, best), Trainer(task, SWITCH)
    cuts = sorted(task.budget // f // task.eval_every * task.eval_every for f in FRACTIONS)
    found: dict[str, list[int | None]] = {"alone": []}
    for cut in cuts:
        found[f"restart@{cut}"], found[f"hand-off@{cut}"] = [], []
    for seed in seeds:
        init_key, data_key = jax.random.split(jax.random.key(seed))
        params = task.init(init_key)
        carry, switched, done, first_alone, at_cut = (
            alone.start(params, 0, data_key),
            switch.start(params, 0, data_key),
            0,
            None,
            {},
        )
        for cut in cuts:
            carry, first = alone.run(carry, cut - done, reached)
            switched, _ = switch.run(switched, cut - done, reached)
            first_alone, done, at_cut[cut] = first_alone or first, cut, (carry[0], switched[0])
        carry, first = alone.run(carry, task.budget - done, reached)
        found["alone"].append(first_alone or first)
        for cut, (own, theirs) in at_cut.items():
            for label, start in (("restart", own), ("hand-off", theirs)):
                _, first = alone.run(alone.start(start, cut, data_key), task.budget - cut, reached)
                found[f"{label}@{cut}"].append(first)
    return found


def main(arguments: list[str]) -> None:
    """The probe on the missed targets with their tally (``--seeds-5-9``: those of seeds 5-9, on seeds 5-9), or given
    ``task:best`` pairs, on those tasks alone."""
    tally: dict[str, dict[str, int]] = {}
    fresh = "--seeds-5-9" in arguments
    seeds, missed = ((5, 6, 7, 8, 9), missed_tasks("5-9")) if fresh else (SEEDS, missed_tasks())
    chosen = [tuple(pair.split(":")) for pair in arguments if pair != "--seeds-5-9"]
    for name, best in chosen or missed:
        found = probe(name, best, seeds)
        budget = tasks.TASKS[name]().budget
        cells = "; ".join(
            f"{label} {median_steps(steps):.0f} ({sum(s is not None for s in steps)}/{len(steps)})"
            for label, steps in found.items()
        )
        print(f"{name} ({best}, budget {budget}): {cells}")
        for label, steps in found.items():
            print(f"  {label}: " + ", ".join("-" if s is None else str(s) for s in steps), flush=True)
        reference = median_steps(found["alone"])
        # Only where the best candidate alone reaches the target after t on every seed: before t, the restart is the
        # same run, and the switch's own evaluations may fall in legs it undid (the suite does not count those).
        for label, steps in found.items():
            kind, cut = label.split("@") if "@" in label else (label, "0")
            if label == "alone" or any(reach is not None and reach <= int(cut) for reach in found["alone"]):
                continue
            key = f"{kind} at 1/{budget // int(cut)} of the budget"
            verdict = commit_bound.verdict(median_steps(steps), reference)
            tally.setdefault(key, {"within": 0, "later": 0, "missed": 0})[verdict] += 1
    if chosen:
        return
    print(f"Of {len(missed)} tasks, those where the best fixed candidate alone gets there after t on every seed:")
    for key, counts in sorted(tally.items()):
        print(
            f"  {key}: within 1.15x of it alone on {counts['within']}, later on {counts['later']}, "
            f"missed on {counts['missed']}"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
