"""Round 52: on the development splits, the copy each race ends on against the copies run alone, at the race's end.

``race_agrees.py`` sets the family the race ends on against the fixed candidates' own runs, which hold no copy at 3x, so
a disagreement there may be a copy at 3x truly ahead. This runs the copies at 3x (``adam-x3``, ``sgd-x3``,
``rmsprop-x3``, made by ``optswitch.learning_rate_multiples`` as the race makes them) alone on every development task,
seeds 0-9, up to the first evaluation at or after the race's end (``--run``, into ``dev-copies/copies_at_3x.json``;
about 4 min on 2 cores), and sets each run of the recommended switch (round 51's development runs of
``race-multiples-undo-kept-watch``, three candidates, seeds 0-4 and 5-9) against the six copies run alone on its seed:
the copy whose training loss is the lowest at that evaluation (the *alone leader*, the 1x copies from the stored fixed
runs), the copy the race ends on, and the task's best fixed candidate. Design data only: the development splits are open
to every design. Run from the repository's root: ``python benchmarks/results/round52/dev_copies.py >
benchmarks/results/round52/dev_copies.txt``.
"""

import collections
import json
import math
import sys
from pathlib import Path

if __package__ in (None, ""):  # Run as a script: make the repository importable.
    sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from benchmarks.diagnostics.early_step_downs import family
from benchmarks.diagnostics.race_agrees import race_copy
from benchmarks.diagnostics.train_lead import race_end

SPLITS = ("development", "development-2", "development-3", "development-4", "development-5")
SWITCH = "race-multiples-undo-kept-watch"
RESULTS = Path("benchmarks/results")
COPIES = RESULTS / "round52/dev-copies/copies_at_3x.json"


#: Each seed set's suffix of round 51's development run folders.
SEED_SETS = {"seeds 0-4": "", "seeds 5-9": "-fresh"}


def switch_file(split: str, suffix: str) -> Path:
    return RESULTS / "round51/no-duels" / f"{split}{suffix}" / "time_to_target.json"


def fixed_file(split: str, suffix: str) -> Path:
    """Where each split's fixed candidates ran on the seed set (round 51's no_duels.sh reads the same)."""
    if split == "development":
        return RESULTS / ("round48/development-low" if not suffix else "round23/dev-fresh") / "time_to_target.json"
    return switch_file(split, suffix)


def evaluation_at(eval_every: int, end: int) -> int:
    """The first evaluation at or after update ``end``, evaluating every ``eval_every`` updates."""
    return math.ceil(end / eval_every) * eval_every


def run_copies() -> None:
    """Train each copy at 3x alone on every development task, seeds 0-9, up to the race's end, and store the curves."""
    import optswitch
    from benchmarks.suite import harness, tasks
    from benchmarks.suite.contenders import candidates

    copies = optswitch.learning_rate_multiples(candidates(), (3,))
    found = {}
    for name, split in tasks.SPLITS.items():
        if split not in SPLITS:
            continue
        task = tasks.TASKS[name]()
        budget = evaluation_at(task.eval_every, race_end(task.budget, 3))
        for copy in ("adam-x3", "sgd-x3", "rmsprop-x3"):
            for seed in range(10):
                run = harness.run(task._replace(budget=budget), copies[copy], seed, contender=copy)
                found[f"{name}/{copy}/{seed}"] = {"steps": run.steps, "train_loss": run.train_loss}
    COPIES.write_text(json.dumps(found))


def loss_at(steps: list, losses: list, at: int) -> float:
    """The training loss at evaluation ``at``; NaN where the run stopped before it (it diverged)."""
    return float(losses[steps.index(at)]) if at in steps else math.nan


def read(suffix: str, alone: dict) -> tuple[collections.Counter, list[str]]:
    """The counts and the per-run lines of one seed set (``suffix`` of :data:`SEED_SETS`)."""
    counts: collections.Counter = collections.Counter()
    lines = []
    for split in SPLITS:
        stored = json.loads(switch_file(split, suffix).read_text())
        fixed = json.loads(fixed_file(split, suffix).read_text())["runs"]
        for run in sorted(stored["runs"], key=lambda run: (run["task"], run["seed"])):
            if run["contender"] != SWITCH:
                continue
            task, seed = stored["tasks"][run["task"]], run["seed"]
            best = task["target"]["best_fixed"]
            end = race_end(task["budget"], 3)
            at = evaluation_at(task["eval_every"], end)
            losses = {
                other["contender"]: loss_at(other["steps"], other["train_loss"], at)
                for other in fixed
                if (other["task"], other["seed"]) == (run["task"], seed)
                and other["contender"] in ("adam", "sgd", "rmsprop")
            }
            for copy in ("adam-x3", "sgd-x3", "rmsprop-x3"):
                curve = alone[f"{run['task']}/{copy}/{seed}"]
                losses[copy] = loss_at(curve["steps"], curve["train_loss"], at)
            finite = {copy: loss for copy, loss in losses.items() if math.isfinite(loss)}
            leader = min(finite, key=finite.__getitem__)
            ended = race_copy(run["switches"], end)
            if ended is None:  # the race never left its first leg (a loss not above 0): left out, as race_agrees does
                counts["not ended"] += 1
                continue
            key = (ended == leader, family(ended) == family(leader), family(leader) == best, family(ended) == best)
            counts[key] += 1
            lines.append(
                f"  {run['task']} seed {seed}: alone {leader} leads at {at}; the race ends on {ended}; best {best}"
            )
    return counts, lines


def main() -> None:
    if "--run" in sys.argv:
        run_copies()
    alone = json.loads(COPIES.read_text())
    for seeds, suffix in SEED_SETS.items():
        counts, lines = read(suffix, alone)
        not_ended = counts.pop("not ended", 0)

        def total(index: int, counts: collections.Counter = counts) -> int:
            return sum(count for key, count in counts.items() if key[index])

        led_best = sum(count for key, count in counts.items() if key[2] and key[3])
        print(
            f"{sum(counts.values())} runs of {SWITCH}, three candidates, {seeds}, on the five development splits "
            f"({not_ended} more left out, no switch by the race's end):"
        )
        print(f"  the race ends on the copy that leads the six run alone: {total(0)}; on its family: {total(1)}")
        print(
            f"  the alone leader's family is the best fixed candidate: {total(2)} runs; the race ends on that family "
            f"on {led_best} of them"
        )
        print(f"  the race ends on the best fixed candidate's family: {total(3)} runs")
        print("\n".join(lines))
        print()


if __name__ == "__main__":
    main()
