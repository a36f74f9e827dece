"""How early a switch over learning-rate copies hands a copy's run over to its own candidate, from stored run files.

Under :func:`optswitch.selectors.step_down` a copy at a multiple of its learning rate (``adam-x3``) gives way to its
candidate (``adam``) at ``at`` (half the run in the suite) or earlier, on a stall of its loss. Rounds 35 and 36 asked
how often the stall brings the step down before half-way. A run's switch log keeps each switch but not its reason, so
this counts the first switch from a copy to its own candidate, whatever made it (a duel that the copy's 1x sibling
won counts too).

Usage::

    python -m benchmarks.diagnostics.early_step_downs "results/round36/dev/time_to_target.json:race-multiples-undo"

Each argument is one or more run files (joined by ``+``, each a path or a glob pattern, as in
:mod:`benchmarks.suite.paired`) and the contender whose runs to count.
"""

import argparse
import glob
import json
import re
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path

if __package__ in (None, ""):  # Run as a script: make the repository importable.
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.suite import paired

_COPY = re.compile(r"(.+)-x\d+")


def family(name: str) -> str:
    """The candidate a copy (``adam-x3``) is made from; a candidate's own name for itself."""
    copy = _COPY.fullmatch(name)
    return copy.group(1) if copy else name


def first_step_down(switches: Sequence) -> int | None:
    """The first update at which a copy (``name-xM``) hands over to its own candidate (``name``), or None."""
    for update, source, target in switches:
        if family(source) != source and family(source) == target:
            return int(update)
    return None


def budgets(files: str) -> dict[str, int]:
    """Each task's budget in the run files ``"file1.json+file2.json"`` (globs allowed; the first file read gives it)."""
    found = {}
    for pattern in files.split("+"):
        for path in sorted(glob.glob(pattern)) or [pattern]:
            for task, entry in json.loads(Path(path).read_text())["tasks"].items():
                found.setdefault(task, int(entry["budget"]))
    return found


def count(spec: str) -> dict[str, float]:
    """For ``"FILES:contender"``: its runs, how many step a copy down before half the budget, at or after it, and
    never, and the median fraction of the budget at which the early ones did."""
    files, _, contender = spec.rpartition(":")
    runs, _ = paired.read_runs(files, [contender])
    if not runs:
        raise SystemExit(f"{spec!r}: no runs of {contender!r} there.")
    budget = budgets(files)
    fractions = [None if (u := first_step_down(run.switches)) is None else u / budget[run.task] for run in runs]
    early = [fraction for fraction in fractions if fraction is not None and fraction < 0.5]
    return {
        "runs": len(runs),
        "early": len(early),
        "later": sum(fraction is not None and fraction >= 0.5 for fraction in fractions),
        "never": fractions.count(None),
        "median_early": statistics.median(early) if early else float("nan"),
    }


def main(argv: Sequence[str] | None = None) -> list[dict[str, float]]:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.diagnostics.early_step_downs", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("specs", nargs="+", help="FILE[+FILE...]:CONTENDER")
    results = []
    for spec in parser.parse_args(argv).specs:
        result = count(spec)
        contender = spec.rpartition(":")[2]
        when = f" (a median {result['median_early']:.0%} into the run)" if result["early"] else ""
        print(
            f"{contender}: a copy steps down before half-way on {result['early']} runs of {result['runs']}{when}, at "
            f"half-way or later on {result['later']}, never on {result['never']}"
        )
        results.append(result)
    return results


if __name__ == "__main__":
    main()
