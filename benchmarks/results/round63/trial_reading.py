"""Round 63, on splits already run (before held-out-45's blind runs): whether a fair trial from the recommended switch's
parameters reads the candidate that :mod:`benchmarks.diagnostics.commit_bound` would commit to.

``commit_bound`` found that committing once, at a quarter of the budget, to the fixed candidate leading its seed's
training loss then would get within 1.15x of the best fixed candidate on 103 of 135 tasks (three candidates, seeds 0-4;
the switch: 96), and at the race's end on 83. That reading is the fixed runs' own, with no trial's noise and no cost. A
selector would read a trial. For each task some fixed candidate reaches, on seeds 0-4, the recommended switch
(``race-multiples-undo-kept-watch``) trains to update ``t``; from its parameters there each fixed candidate makes ``W``
updates with a fresh optimizer state (as round 62's hand-off; with ``--own-states``, below, from the state the
candidate's copies left, as a selector's trial would), on the same batches; the *trial pick* is the one whose mean
training loss over the second half of its ``W`` is the lowest (``selectors.trials``' score, with no margin). ``t`` is
the race's end and a quarter of the budget (each rounded up to an evaluation), ``W`` a fortieth of the budget (rounded
up to an evaluation). Counted per ``t``: runs whose trial pick is the fixed runs' leader at ``t`` on that seed (the
reading ``commit_bound`` assumes), runs whose pick is the task's best candidate, and, counted as ``commit_bound``
counts, the tasks whose trial picks, each run alone from the start on its seed, would get within 1.15x of the best,
later or miss.

Run from the repository's root: ``bash benchmarks/results/round63/trial_reading.sh >
benchmarks/results/round63/trial_reading.txt`` (17 minutes on the 2 cores, beside other work). With ``--own-states``
(run after held-out-45's blind runs, on the same splits: ``bash benchmarks/results/round63/trial_reading.sh --own-states
> benchmarks/results/round63/trial_reading_own.txt``), each candidate's trial starts instead from the optimizer state
the switch holds for its copies there, as a trial inside the switch would.
"""

import argparse
import collections
import math
import runpy
from pathlib import Path

import jax
import numpy as np

import optswitch
from benchmarks.diagnostics import commit_bound
from benchmarks.diagnostics.first_duels import fixed_runs
from benchmarks.diagnostics.train_lead import leader, race_end
from benchmarks.suite import paired, scoring, tasks

SWITCH = "race-multiples-undo-kept-watch"
FAMILIES = ("adam", "sgd", "rmsprop")
SEEDS = (0, 1, 2, 3, 4)
Trainer = runpy.run_path(str(Path(__file__).resolve().parents[1] / "round62" / "handoff_probe.py"))["Trainer"]


def up_to_evaluation(update: float, every: int) -> int:
    """``update`` rounded up to a multiple of ``every`` (at least one).

    Examples:
        >>> up_to_evaluation(240, 50), up_to_evaluation(36, 5), up_to_evaluation(2, 25)
        (250, 40, 25)
    """
    return max(every, math.ceil(update / every) * every)


def advance(trainer, carry, updates: int, task: tasks.Task):
    """``carry`` after ``updates`` more of ``trainer``'s updates, and their training losses."""
    losses = []
    for _ in range(updates // task.eval_every):
        carry, chunk = trainer.loop(carry, task.data)
        losses.append(np.asarray(chunk))
    return carry, np.concatenate(losses)


def trial_picks(name: str, seeds=SEEDS, own_states: bool = False) -> dict[str, list[str]]:
    """Each seed's trial pick at the race's end (``"race"``) and at a quarter of the budget (``"quarter"``); with
    ``own_states``, each candidate's trial starts from the optimizer state the switch holds for its copies there
    (:func:`optswitch.candidate_state`), not a fresh one."""
    task = tasks.TASKS[name]()
    cuts = {
        "race": up_to_evaluation(race_end(task.budget, len(FAMILIES)), task.eval_every),
        "quarter": up_to_evaluation(task.budget / 4, task.eval_every),
    }
    trial = up_to_evaluation(task.budget / 40, task.eval_every)
    switch = Trainer(task, SWITCH)
    alone = {family: Trainer(task, family) for family in FAMILIES}
    picks: dict[str, list[str]] = {label: [] for label in cuts}
    for seed in seeds:
        init_key, data_key = jax.random.split(jax.random.key(seed))
        carry, done = switch.start(task.init(init_key), 0, data_key), 0
        for label, cut in sorted(cuts.items(), key=lambda item: item[1]):
            carry, _ = advance(switch, carry, cut - done, task)
            done, scores = cut, {}
            for family, trainer in alone.items():
                start = trainer.start(carry[0], cut, data_key)
                if own_states:
                    start = (start[0], optswitch.candidate_state(carry[1], family), *start[2:])
                _, losses = advance(trainer, start, trial, task)
                second_half = losses[len(losses) // 2 :]
                scores[family] = float(np.mean(second_half)) if np.all(np.isfinite(second_half)) else math.inf
            picks[label].append(min(scores, key=scores.__getitem__))
    return picks


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fixed", required=True, action="append", help="FILE[+FILE...]:adam,sgd,rmsprop")
    parser.add_argument("--own-states", action="store_true", help="trials from the states the switch's copies left")
    args = parser.parse_args(argv)
    targets: dict = {}
    fixed = fixed_runs(args.fixed, targets)
    steps = {name: paired.steps_to_target(runs, targets) for name, runs in fixed.items()}
    labels = {"race": "the race's end", "quarter": "a quarter of the budget"}
    counts = {label: collections.Counter() for label in labels}
    for name in sorted(set.union(*(set(by_task) for by_task in steps.values()))):
        on_task = {family: steps[family].get(name, {}) for family in FAMILIES}
        medians = {family: scoring.median_time([on_task[family].get(seed, math.inf) for seed in SEEDS])
                   for family in FAMILIES}  # fmt: skip
        if not any(math.isfinite(value) for value in medians.values()):
            continue
        best = min(medians, key=medians.__getitem__)
        task = tasks.TASKS[name]()
        picks = trial_picks(name, own_states=args.own_states)
        cells = []
        for label, chosen in picks.items():
            moment = commit_bound.MOMENTS[labels[label]](task.budget, len(FAMILIES))
            runs = {family: [run for run in fixed[family] if run.task == name] for family in FAMILIES}
            leaders = [leader({f: [r for r in runs[f] if r.seed == seed] for f in FAMILIES}, moment) for seed in SEEDS]
            committed = scoring.median_time(
                [on_task[pick].get(seed, math.inf) for pick, seed in zip(chosen, SEEDS, strict=True)]
            )
            verdict = commit_bound.verdict(committed, medians[best])
            counts[label]["runs"] += len(SEEDS)
            counts[label]["the leader"] += sum(pick == lead for pick, lead in zip(chosen, leaders, strict=True))
            counts[label]["the best"] += sum(pick == best for pick in chosen)
            counts[label][verdict] += 1
            cells.append(f"{label} {','.join(chosen)} (leaders {','.join(str(lead) for lead in leaders)}): {verdict}")
        print(f"{name} (best {best} {medians[best]:.0f}): " + "; ".join(cells), flush=True)
    print()
    for label, found in counts.items():
        tasks_read = found["within"] + found["later"] + found["missed"]
        print(
            f"trials at {labels[label]}: the pick is the fixed runs' leader on {found['the leader']} of "
            f"{found['runs']} runs, the best candidate on {found['the best']}; committed, within 1.15x of the best on "
            f"{found['within']} of {tasks_read} tasks, later on {found['later']}, missed on {found['missed']}"
        )


if __name__ == "__main__":
    main()
