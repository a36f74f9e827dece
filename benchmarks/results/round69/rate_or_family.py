"""Round 69: on the tasks kept aside where SGD with momentum gets there first and one switch from it to an adaptive
optimizer was sooner in hindsight (rounds 68 and 69's ``--oracle``), is the gain the adaptive optimizer's, or a smaller
step at SGD's noise floor? Round 47 asked the same of development-3 (``round47/sgd_step_down.py``: there SGD at a third
of its rate from the start was as fast as SGD then Adam), and rounds 53 and 54 found that a second step down of the
recommended switch's pick gains where targets sit at SGD's noise floor and loses where they fall late.

Each task runs, on seeds 0-4 and on the oracle's fresh seeds 1000-1004: SGD (1e-2, momentum 0.9) alone, at a third and
at a tenth of that rate alone, and from update ``t`` (the switch time the oracle picked) SGD then the adaptive optimizer
it picked, SGD then SGD at a third and SGD then SGD at a tenth (each candidate of a switch with its own state, as in the
oracle's grid). Median steps to the suite's stored target. These tasks have all been run blind before; nothing here is
tuned on them or adopted from them. The development tasks where SGD with momentum sets the target (:data:`DEVELOPMENT`)
run SGD alone, and SGD then Adam and SGD then SGD at a third from updates 200 and 600, to find the development tasks
where the gain, if any, is Adam's: those a later round may design on. Run from the repository's root, two halves side by
side::

    python benchmarks/results/round69/rate_or_family.py --tasks theis-pumping-test,magnetic-dipole-localization,\
electrochemical-impedance --out benchmarks/results/round69/rate_or_family_a.json
    python benchmarks/results/round69/rate_or_family.py --from-json benchmarks/results/round69/rate_or_family_a.json
"""

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

import jax
import optax

from benchmarks.suite import cli, harness, oracle, scoring, store
from optswitch.demo import candidates

#: Each task's switch time and adaptive optimizer, as its hindsight ceiling picked them (round 68's
#: ``held-out-50-oracle-b`` and ``sgd-first-oracle-{a,b}``, round 69's ``held-out-51-oracle-b``); and the development-6
#: tasks, added in round 69 to hold the case where only Adam settles from SGD's point, each with the switch time it was
#: built for (benchmarks/results/development-6/rate_or_family.txt).
ORACLE_PICKS = {
    "theis-pumping-test": (100, "rmsprop"),
    "magnetic-dipole-localization": (200, "adam"),
    "electrochemical-impedance": (200, "adam"),
    "newton-cooling-curve": (400, "adam"),
    "degree-day-crop-yields": (1000, "adam"),
    "tree-biomass-allometry": (1000, "rmsprop"),
    # Development-6 (round 69), built to hold the case of the last three: the switch time each was built for.
    "gaussian-beam-caustic": (200, "adam"),
    "arps-decline-curve": (200, "adam"),
    "nash-unit-hydrograph": (200, "adam"),
}
#: The development tasks where SGD with momentum sets the target (development-2 to -4), open to design: each runs SGD
#: then Adam, and SGD then SGD at a third, from 10% and from 30% of the budget, to find where the gain is Adam's.
DEVELOPMENT = (
    "nuisance-feature-regression",
    "fir-system-identification",
    "soft-label-logistic",
    "huber-robust-regression",
    "procrustes-alignment",
    "range-localization",
    "rotated-gaussian-softmax",
    "linear-filter-bank",
    "bpr-factorization",
)
SEEDS = tuple(range(5))
FRESH_SEEDS = tuple(range(oracle.FRESH_SEED, oracle.FRESH_SEED + 5))


def candidate_set() -> dict[str, optax.GradientTransformation]:
    return {
        **candidates(),
        "sgd-0.3x": optax.sgd(1e-2 / 3, momentum=0.9),
        "sgd-0.1x": optax.sgd(1e-3, momentum=0.9),
    }


def entries(task: str) -> dict[str, tuple]:
    """The runs of ``task`` by label, as :func:`benchmarks.suite.oracle.grid` labels them."""
    if task in DEVELOPMENT:
        pairs = [(at, then) for at in (200, 600) for then in ("adam", "sgd-0.3x")]
        return {"sgd": ("sgd",)} | {f"sgd, then {then} at {at}": ("sgd", at, then) for at, then in pairs}
    at, adaptive = ORACLE_PICKS[task]
    fixed = {name: (name,) for name in ("sgd", "sgd-0.3x", "sgd-0.1x")}
    switches = {f"sgd, then {then} at {at}": ("sgd", at, then) for then in (adaptive, "sgd-0.3x", "sgd-0.1x")}
    return fixed | switches


def run(task_names: Sequence[str]) -> dict:
    tasks = cli.build_tasks(task_names, quick=False, text=None)
    targets = store.load_targets(cli.DEFAULT_TARGETS, tasks)
    found = {}
    for name, task in tasks.items():
        evaluate = jax.jit(task.evaluate)
        found[name] = {"target": targets[name].value, "runs": {}}
        for label, entry in entries(name).items():
            steps = {}
            for role, seeds in (("seeds", SEEDS), ("fresh", FRESH_SEEDS)):
                runs = [
                    harness.run(task, oracle.build(entry, candidate_set), seed, contender=label, evaluate=evaluate)
                    for seed in seeds
                ]
                steps[role] = [scoring.time_to_target(r.steps, r.kept_metric, targets[name]) for r in runs]
            found[name]["runs"][label] = steps
    return found


def table(found: dict) -> str:
    def cell(steps: list[float]) -> str:
        median = scoring.median_time(steps)
        reached = sum(s != float("inf") for s in steps)
        return ("—" if median == float("inf") else f"{median:.0f}") + ("" if reached == len(steps) else f" ({reached})")

    lines = []
    for name, entry in found.items():
        lines += [
            f"## {name} (target {entry['target']:.6g}); median steps to target (seeds reaching it of 5 where fewer)",
            "| run | seeds 0-4 | seeds 1000-1004 |",
            "|---|---|---|",
        ]
        lines += [f"| {label} | {cell(s['seeds'])} | {cell(s['fresh'])} |" for label, s in entry["runs"].items()]
        lines.append("")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python benchmarks/results/round69/rate_or_family.py", description=__doc__)
    parser.add_argument("--tasks", help=f"comma-separated, of: {', '.join([*ORACLE_PICKS, *DEVELOPMENT])}")
    parser.add_argument("--out", type=Path, help="where to write the steps to target (JSON)")
    parser.add_argument("--from-json", type=Path, help="run nothing: print the table of a stored run")
    args = parser.parse_args(argv)
    if args.from_json is not None:
        print(table(json.loads(args.from_json.read_text())))
        return
    found = run([name.strip() for name in args.tasks.split(",")])
    if args.out is not None:
        args.out.write_text(json.dumps(found, indent=1) + "\n")
    print(table(found))


if __name__ == "__main__":
    main()
