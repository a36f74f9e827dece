"""Round 53: on how many runs the recommended switch's race ends on a copy at 1x, the runs round 48's rungs can change.

Rungs (``race-multiples-undo-rungs-kept-watch``) differs from the recommended switch only from its step down on, and
only where the pick then is a copy at 1x, which it runs at a third of its rate where the recommended switch keeps it at
1x: a race that ends on a copy at 3x steps down to 1x under both, the same run until a duel hands the run to a copy at
1x. So the runs whose race ends on a copy at 1x (:func:`benchmarks.diagnostics.race_agrees.race_copy` at the race's
end, :func:`benchmarks.diagnostics.train_lead.race_end`) bound most of what rungs can change. Counted for each
``FILES:CONTENDER`` given (``FILES`` one or more run files joined by ``+``, glob patterns allowed, a run read once by
task and seed), split by split, with ``--candidates`` the number of fixed candidates raced (two copies each). Run from
the repository's root:
``bash benchmarks/results/round53/race_end_rates.sh > benchmarks/results/round53/race_end_rates.txt``.
"""

import argparse
import collections
import glob
import json
import sys
from pathlib import Path

if __package__ in (None, ""):  # Run as a script: make the repository importable.
    sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from benchmarks.diagnostics.race_agrees import race_copy
from benchmarks.diagnostics.train_lead import race_end
from benchmarks.suite.tasks import DEVELOPMENT_SPLITS, SPLITS


def rates_at_race_end(spec: str, candidates: int, kept_aside: bool) -> dict[str, collections.Counter]:
    """Each split's count of runs whose race ends on a copy at 3x, at 1x, or before any switch ("not ended"); with
    ``kept_aside``, of the splits kept aside only (validation and held-out: some stored files hold development tasks
    too)."""
    files, _, contender = spec.rpartition(":")
    seen, by_split = set(), collections.defaultdict(collections.Counter)
    for path in (found for pattern in files.split("+") for found in sorted(glob.glob(pattern))):
        stored = json.loads(Path(path).read_text())
        for run in stored["runs"]:
            split, key = SPLITS[run["task"]], (run["task"], run["seed"])
            if run["contender"] != contender or key in seen or (kept_aside and split in DEVELOPMENT_SPLITS):
                continue
            seen.add(key)
            task = stored["tasks"][run["task"]]
            copy = race_copy(run["switches"], race_end(task["budget"], candidates))
            by_split[split]["not ended" if copy is None else "3x" if copy.endswith("-x3") else "1x"] += 1
    return by_split


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", help="FILES:CONTENDER")
    parser.add_argument("--candidates", type=int, default=3, help="fixed candidates raced, two copies each")
    parser.add_argument("--kept-aside", action="store_true", help="validation and held-out splits only")
    args = parser.parse_args(argv)
    by_split = rates_at_race_end(args.runs, args.candidates, args.kept_aside)
    total = sum(by_split.values(), collections.Counter())
    print(
        f"{total.total()} runs: the race ends on a copy at 1x on {total['1x']}, at 3x on {total['3x']}, "
        f"before any switch on {total['not ended']}"
    )
    at_1x = [f"{split} {found['1x']} of {found.total()}" for split, found in by_split.items() if found["1x"]]
    print(f"  at 1x, by split: {'; '.join(at_1x)}")


if __name__ == "__main__":
    main()
