"""Round 54's check of the stall rungs on the tasks already seen (``benchmarks/results/round54/RULE_DEV.md``, condition
3): each against the recommended switch, run by run, apart for the runs whose race (the recommended switch's, in the
same run) ends on a copy at 1x, where a stall rung can act, and the others (round 53's ``seen_rungs.py``, given these
runs). Run from the repository's root:
``bash benchmarks/results/round54/seen_stall.sh > benchmarks/results/round54/seen_stall.txt``.
"""

import runpy
from pathlib import Path

RUNS = "benchmarks/results/round54/seen-stall/*/time_to_target.json"
VARIANTS = {
    "race-multiples-undo-stall-rung-kept-watch": "the stall rung",
    "race-multiples-undo-long-stall-rung-kept-watch": "the long stall rung",
}


def main() -> None:
    seen_rungs = runpy.run_path(str(Path(__file__).resolve().parents[1] / "round53" / "seen_rungs.py"))
    for variant, short in VARIANTS.items():
        seen_rungs["main"](RUNS, variant, short)


if __name__ == "__main__":
    main()
