"""Round 53's diagnostic of rungs on tasks already seen (``benchmarks/results/round53/RULE_SEEN.md``): rungs against the
recommended switch, run by run, apart for the runs whose race (the recommended switch's, in the same run) ends on a copy
at 1x, where rungs can step the pick down to a third, and the others, where it runs as the recommended switch does
until a duel hands the run to a copy at 1x. Run from the repository's root:
``bash benchmarks/results/round53/seen_rungs.sh > benchmarks/results/round53/seen_rungs.txt``.
"""

import math
import sys
from pathlib import Path

if __package__ in (None, ""):  # Run as a script: make the repository importable.
    sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from benchmarks.diagnostics.early_step_downs import budgets
from benchmarks.diagnostics.race_agrees import race_copy
from benchmarks.diagnostics.train_lead import race_end
from benchmarks.suite import paired

RUNS = "benchmarks/results/round53/seen-rungs/*/time_to_target.json"
RECOMMENDED, RUNGS = "race-multiples-undo-kept-watch", "race-multiples-undo-rungs-kept-watch"


def ends_at_1x(switches, budget: int) -> bool:
    """Whether the race over three candidates' copies, in a run of ``budget`` updates, ends on a copy at 1x.

    Examples:
        >>> ends_at_1x([(20, "adam-x3", "sgd-x3"), (200, "sgd-x3", "sgd")], 2000), ends_at_1x([], 2000)
        (True, False)
    """
    copy = race_copy(switches, race_end(budget, 3))
    return copy is not None and not copy.endswith("-x3")


def main(files: str = RUNS, variant: str = RUNGS, short: str = "rungs") -> None:
    """``variant`` against the recommended switch in the runs ``files``, apart for the runs whose race ends at 1x (round
    54's stall rungs read their own runs with it, each named ``short`` in the counts)."""
    runs, targets = paired.read_runs(files, [RECOMMENDED, variant])
    steps = {
        name: paired.steps_to_target([run for run in runs if run.contender == name], targets)
        for name in (variant, RECOMMENDED)
    }
    budget = budgets(files)
    at_1x = {
        (run.task, run.seed)
        for run in runs
        if run.contender == RECOMMENDED and ends_at_1x(run.switches, budget[run.task])
    }
    for label, chosen in (("race ends on a copy at 1x", True), ("race ends elsewhere", False)):
        only, missed = f"reached only by {short}", f"missed only by {short}"
        counts = {"sooner": 0, "later": 0, "level": 0, only: 0, missed: 0}
        for task, by_seed in steps[variant].items():
            for seed, mine in by_seed.items():
                if ((task, seed) in at_1x) != chosen:
                    continue
                theirs = steps[RECOMMENDED][task][seed]
                counts["sooner" if mine < theirs else "later" if mine > theirs else "level"] += 1
                counts[only] += math.isfinite(mine) and not math.isfinite(theirs)
                counts[missed] += math.isfinite(theirs) and not math.isfinite(mine)
        total = counts["sooner"] + counts["later"] + counts["level"]
        print(f"{label}: {total} runs; {short} " + ", ".join(f"{key} on {value}" for key, value in counts.items()))


if __name__ == "__main__":
    main()
