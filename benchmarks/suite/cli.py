"""Time to a validation target: each candidate optimizer alone against optswitch's switch with each selector.

The protocol of MLCommons AlgoPerf and DeepOBS on small offline tasks (see benchmarks/README.md):

    python -m benchmarks.suite --calibrate        # once: sets the targets from the fixed candidates
    python -m benchmarks.suite --tune-baseline    # once: tunes the baseline's learning rate per task
    python -m benchmarks.suite                    # the full run: every development task, contender and seed
    python -m benchmarks.suite --split development-2 # development tasks where SGD gets there first, when asked
    python -m benchmarks.suite --split development-3 # the same, where SGD alone also leads on its loss from early on
    python -m benchmarks.suite --split development-4 # the same, where SGD's early lead on its loss is narrow
    python -m benchmarks.suite --split development-5 # development tasks whose training loss is below 0
    python -m benchmarks.suite --split development-6 # development tasks where SGD then Adam beats a smaller SGD step
    python -m benchmarks.suite --split validation # the tasks kept aside, with the defaults frozen
    python -m benchmarks.suite --split held-out   # the tasks kept aside from every design, run once
    python -m benchmarks.suite --split held-out-2 # the tasks kept aside from every design since round 9, run once
    python -m benchmarks.suite --split held-out-3 # the same, added in round 9 for the next round
    python -m benchmarks.suite --split held-out-4 # the same, added in round 10 for the next round
    python -m benchmarks.suite --split held-out-5 # the same, added in round 11 for the next round
    python -m benchmarks.suite --split held-out-6 # the same, added in round 12 for the next round
    python -m benchmarks.suite --split held-out-7 # the same, added in round 13 for the next round
    python -m benchmarks.suite --split held-out-8 # the same, added in round 15 for a later round
    python -m benchmarks.suite --split held-out-9 # the same, added in round 20 for a later round
    python -m benchmarks.suite --split held-out-10 # the same, added in round 21 for a later round
    python -m benchmarks.suite --split held-out-11 # the same, added in round 22 for a later round
    python -m benchmarks.suite --split held-out-12 # the same, also added in round 22 for a later round
    python -m benchmarks.suite --split held-out-13 # the same, added in round 23 for a later round
    python -m benchmarks.suite --split held-out-14 # the same, added in round 24 for a later round
    python -m benchmarks.suite --split held-out-15 # the same, added in round 25 for a later round
    python -m benchmarks.suite --split held-out-16 # the same, added in round 26 for a later round
    python -m benchmarks.suite --split held-out-17 # the same, added in round 27 for a later round
    python -m benchmarks.suite --split held-out-18 # the same, added in round 28 for a later round
    python -m benchmarks.suite --split held-out-19 # the same, added in round 32 for a later round
    python -m benchmarks.suite --split held-out-20 # the same, added in round 36 for a later round
    python -m benchmarks.suite --split held-out-21 # the same, added in round 37 for a later round
    python -m benchmarks.suite --split held-out-22 # the same, added in round 38 for a later round
    python -m benchmarks.suite --split held-out-23 # the same, added in round 39 for a later round
    python -m benchmarks.suite --split held-out-24 # the same, added in round 40 for a later round
    python -m benchmarks.suite --split held-out-25 # the same, added in round 41 for a later round
    python -m benchmarks.suite --split held-out-26 # the same, added in round 42 for a later round
    python -m benchmarks.suite --split held-out-27 # the same, added in round 43 for a later round
    python -m benchmarks.suite --split held-out-28 # the same, added in round 44 for a later round
    python -m benchmarks.suite --split held-out-29 # the same, added in round 45 for a later round
    python -m benchmarks.suite --split held-out-30 # the same, added in round 47 for a later round
    python -m benchmarks.suite --split held-out-31 # the same, added in round 48 for a later round
    python -m benchmarks.suite --split held-out-32 # the same, added in round 49 for a later round
    python -m benchmarks.suite --split held-out-33 # the same, added in round 50 for a later round
    python -m benchmarks.suite --split held-out-34 # the same, added in round 51 for a later round
    python -m benchmarks.suite --split held-out-35 # the same, added in round 52 for a later round
    python -m benchmarks.suite --split held-out-36 # the same, added in round 53 for a later round
    python -m benchmarks.suite --split held-out-37 # the same, added in round 54 for a later round
    python -m benchmarks.suite --split held-out-38 # the same, added in round 55 for a later round
    python -m benchmarks.suite --split held-out-39 # the same, added in round 56 for a later round
    python -m benchmarks.suite --split held-out-40 # the same, added in round 57 for a later round
    python -m benchmarks.suite --split held-out-41 # the same, added in round 58 for a later round
    python -m benchmarks.suite --split held-out-42 # the same, added in round 59 for a later round
    python -m benchmarks.suite --split held-out-43 # the same, added in round 60 for a later round
    python -m benchmarks.suite --split held-out-44 # the same, added in round 62 for a later round
    python -m benchmarks.suite --split held-out-45 # the same, added in round 63 for a later round
    python -m benchmarks.suite --split held-out-46 # the same, added in round 64 for a later round
    python -m benchmarks.suite --split held-out-47 # the same, added in round 64 for a later round
    python -m benchmarks.suite --split held-out-48 # the same, added in round 65 for a later round
    python -m benchmarks.suite --split held-out-49 # the same, added in round 66 for a later round
    python -m benchmarks.suite --split held-out-50 # the same, added in round 67 for a later round
    python -m benchmarks.suite --split held-out-51 # the same, added in round 68 for a later round
    python -m benchmarks.suite --split held-out-52 # the same, added in round 69 for a later round
    python -m benchmarks.suite --split held-out-53 # the same, added in round 70 for a later round
    python -m benchmarks.suite --split held-out-54 # the same, added in round 71 for a later round
    python -m benchmarks.suite --candidates large # every contender over five candidates
    python -m benchmarks.suite --oracle           # the hindsight ceiling: the best single switch, re-run fresh
    python -m benchmarks.suite --quick            # a smoke run for CI, targets set within the run
    python -m benchmarks.suite --from-json benchmarks/results/time_to_target.json   # report again, no runs

A run writes time_to_target.json (the tasks with their targets, the contenders, every run's curves, times and
switches) to --out; the report (benchmarks/suite/report.py) then reads that file only and writes scores.json,
time_to_target.md, validation_curves.png, validation_curves_best.png and performance_profile.png beside it.
"""

import argparse
import datetime
import json
import sys
import textwrap
import time
from collections.abc import Sequence
from pathlib import Path

if __package__ in (None, ""):  # Run as a script: make the repository importable.
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import jax
import numpy as np
from tqdm.auto import tqdm

from benchmarks import records
from benchmarks.suite import contenders as contenders_lib
from benchmarks.suite import harness, oracle, report, scoring, store
from benchmarks.suite import tasks as tasks_lib

BENCHMARKS = Path(__file__).resolve().parents[1]
DEFAULT_OUT = BENCHMARKS / "results"
DEFAULT_TARGETS = BENCHMARKS / "targets.json"
DEFAULT_BASELINE = BENCHMARKS / "baseline.json"
#: Calibration seeds are disjoint from the evaluation seeds (0, 1, ...), so no run is scored against a target it set.
CALIBRATION_SEED = 100
#: The choices of ``--split``: the tasks of :data:`benchmarks.suite.tasks.SPLITS` of one kind, or all.
SPLITS = (*tasks_lib.DEVELOPMENT_SPLITS, "validation", *tasks_lib.KEPT_ASIDE, "all")


class _HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """argparse's, but an option's help is wrapped at spaces only: a split's name (held-out-21) is never cut at a
    hyphen, so that the help names each split whole wherever the line ends."""

    def _split_lines(self, text, width):
        return textwrap.wrap(" ".join(text.split()), width, break_on_hyphens=False)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.suite",
        description=__doc__.split("\n\n")[0],
        epilog=(
            f"Contenders: {', '.join(contenders_lib.contenders('large'))}. Tasks: "
            + "; ".join(
                f"{split}: {', '.join(name for name in tasks_lib.TASKS if tasks_lib.SPLITS[name] == split)}"
                for split in SPLITS
                if split != "all"
            )
            + "."
        ),
        formatter_class=_HelpFormatter,
    )
    parser.add_argument(
        "--tasks", help="comma-separated tasks, of any split (default: those of --split, or all in --from-json)"
    )
    parser.add_argument(
        "--split",
        choices=SPLITS,
        default="development",
        help="the tasks run when --tasks is not given: development (default), development-2 (development tasks too, "
        "open to every design, where SGD with momentum reaches the target first; added after round 44), development-3 "
        "(the same, where SGD alone also has the lowest training loss from early on; added after round 45), "
        "development-4 (the same, where SGD's early lead on the training loss is narrow; added in round 46), "
        "development-5 (development tasks too, whose training loss is below 0: negative log-likelihoods of continuous "
        "data; added in round 49), "
        "development-6 (development tasks too, where SGD with momentum then Adam from one update is sooner than SGD "
        "alone and SGD at a smaller step from that update is not; added in round 69), "
        "validation (the tasks kept aside), "
        "held-out (the tasks kept aside from every design, to run once), held-out-2 (the same, added in round 9), "
        "held-out-3 (the same, added in round 9 for the next round), held-out-4 (the same, added in round 10 for the "
        "next round), held-out-5 (the same, added in round 11 for the next round), held-out-6 (the same, added in "
        "round 12 for the next round), held-out-7 (the same, added in round 13 for the next round), held-out-8 (the "
        "same, added in round 15 for a later round), held-out-9 (the same, added in round 20 for a later round), "
        "held-out-10 (the same, added in round 21 for a later round), held-out-11 (the same, added in round 22 for a "
        "later round), held-out-12 (the same, also added in round 22 for a later round), held-out-13 (the same, added "
        "in round 23 for a later round), held-out-14 (the same, added in round 24 for a later round), held-out-15 (the "
        "same, added in round 25 for a later round), held-out-16 (the same, added in round 26 for a later round), "
        "held-out-17 (the same, added in round 27 for a later round), held-out-18 (the same, added in round 28 for a "
        "later round), held-out-19 (the same, added in round 32 for a later round), held-out-20 (the same, added in "
        "round 36 for a later round), held-out-21 (the same, added in round 37 for a later round), held-out-22 (the "
        "same, added in round 38 for a later round), held-out-23 (the same, added in round 39 for a later round), "
        "held-out-24 (the same, added in round 40 for a later round), held-out-25 (the same, added in round 41 for a "
        "later round), held-out-26 (the same, added in round 42 for a later round), held-out-27 (the same, added in "
        "round 43 for a later round), held-out-28 (the same, added in round 44 for a later round), held-out-29 (the "
        "same, added in round 45 for a later round), held-out-30 (the same, added in round 47 for a later round), "
        "held-out-31 (the same, added in round 48 for a later round), held-out-32 (the same, added in round 49 for a "
        "later round), held-out-33 (the same, added in round 50 for a later round), held-out-34 (the same, added in "
        "round 51 for a later round), held-out-35 (the same, added in round 52 for a later round), held-out-36 (the "
        "same, added in round 53 for a later round), held-out-37 (the same, added in round 54 for a later round), "
        "held-out-38 (the same, added in round 55 for a later round), held-out-39 (the same, added in round 56 for a "
        "later round), held-out-40 (the same, added in round 57 for a later round), held-out-41 (the same, added in "
        "round 58 for a later round), held-out-42 (the same, added in round 59 for a later round), held-out-43 (the "
        "same, added in round 60 for a later round), held-out-44 (the same, added in round 62 for a later round), "
        "held-out-45 (the same, added in round 63 for a later round), held-out-46 (the same, added in round 64 for a "
        "later round), held-out-47 (the same, added in round 64 for a later round), held-out-48 (the same, added in "
        "round 65 for a later round), held-out-49 (the same, added in round 66 for a later round), held-out-50 (the "
        "same, added in round 67 for a later round), held-out-51 (the same, added in round 68 for a later round), "
        "held-out-52 (the same, added in round 69 for a later round), held-out-53 (the same, added in round 70 for a "
        "later round), held-out-54 (the same, added in round 71 for a later round), or all",
    )
    parser.add_argument(
        "--candidates",
        choices=list(contenders_lib.CANDIDATE_SETS),
        default="default",
        help="the candidate set: the fixed candidates and what every switch switches among (default: adam, sgd, "
        "rmsprop; large: also adam at 3e-4 and 3e-3; x10: adam, sgd and rmsprop at 10x their learning rates)",
    )
    parser.add_argument("--contenders", help="comma-separated contenders (default: all, or all in --from-json)")
    parser.add_argument("--seeds", type=int, help="seeds per task and contender (default: 5, or 1 with --quick)")
    parser.add_argument(
        "--first-seed",
        type=int,
        default=0,
        help="the seeds are first-seed, first-seed + 1, ... (default 0; e.g. 5 for runs on seeds held out)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="short budgets, 1 seed, targets set within the run: a smoke test"
    )
    parser.add_argument(
        "--calibrate",
        action="store_true",
        help="run the fixed candidates on the calibration seeds and write the targets to --targets, then stop",
    )
    parser.add_argument(
        "--tune-baseline",
        action="store_true",
        help="run the baseline (adamw-cosine) at each learning rate of its grid on the calibration seeds, write each "
        "task's best to --baseline, then stop",
    )
    parser.add_argument(
        "--oracle",
        action="store_true",
        help="the hindsight ceiling: every fixed candidate and single switch {0: A, t: B} on the seeds, the fastest "
        "re-run on fresh seeds; writes oracle.json and oracle.md to --out, which the report of a run there shows",
    )
    parser.add_argument(
        "--oracle-fractions",
        default=",".join(f"{f:g}" for f in oracle.FRACTIONS),
        help="where in the budget --oracle's single switches happen, as fractions (default: %(default)s)",
    )
    parser.add_argument(
        "--targets", type=Path, default=DEFAULT_TARGETS, help=f"targets file (default: {DEFAULT_TARGETS})"
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        help=f"the baseline's learning rates per task (default: {DEFAULT_BASELINE}; with --quick --tune-baseline, "
        "baseline.json in --out)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        help=f"output folder (default: {DEFAULT_OUT}, then quick/ with --quick, development-2/, development-3/, "
        "development-4/, development-5/, development-6/, validation/, "
        "held-out/, held-out-2/, held-out-3/, held-out-4/, held-out-5/, held-out-6/, held-out-7/, held-out-8/, "
        "held-out-9/, held-out-10/, held-out-11/, held-out-12/, held-out-13/, held-out-14/, held-out-15/, "
        "held-out-16/, held-out-17/, held-out-18/, held-out-19/, held-out-20/, held-out-21/, held-out-22/, "
        "held-out-23/, held-out-24/, held-out-25/, held-out-26/, held-out-27/, held-out-28/, held-out-29/, "
        "held-out-30/, held-out-31/, held-out-32/, held-out-33/, held-out-34/, held-out-35/, held-out-36/, "
        "held-out-37/, held-out-38/, held-out-39/, held-out-40/, held-out-41/, held-out-42/, held-out-43/, "
        "held-out-44/, held-out-45/, held-out-46/, held-out-47/, held-out-48/, held-out-49/, held-out-50/, "
        "held-out-51/, held-out-52/, held-out-53/, held-out-54/ or all/ with --split, large/ with --candidates "
        "large; with --from-json, that file's folder)",
    )
    parser.add_argument("--text", type=Path, help="path of tinyshakespeare.txt for shakespeare-char")
    parser.add_argument("--readme", type=Path, help="also write the tables into this markdown file, between markers")
    parser.add_argument(
        "--from-json",
        type=Path,
        help="run nothing: report again from the runs stored in this time_to_target.json",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    # A stored run may hold the contenders of either set; the large set's names include the default's.
    known = contenders_lib.contenders("large" if args.from_json is not None else args.candidates)
    if args.tasks is not None:
        args.tasks = _choose(args.tasks, tasks_lib.TASKS, "--tasks", parser)
    if args.contenders is not None:
        args.contenders = _choose(args.contenders, known, "--contenders", parser)
    modes = [flag for flag in ("calibrate", "tune_baseline", "oracle", "from_json") if getattr(args, flag)]
    if len(modes) > 1:
        parser.error(" and ".join(f"--{mode.replace('_', '-')}" for mode in modes) + " do not combine; pass one")
    if args.from_json is not None:
        return args
    try:
        args.oracle_fractions = [float(f) for f in args.oracle_fractions.split(",") if f.strip()]
    except ValueError:
        parser.error(f"--oracle-fractions: {args.oracle_fractions!r} is not a comma-separated list of numbers")
    if not args.oracle_fractions or not all(0 < f < 1 for f in args.oracle_fractions):
        parser.error("--oracle-fractions: pass fractions of the budget strictly between 0 and 1, e.g. 0.1,0.5")
    args.tasks = args.tasks or [name for name in tasks_lib.TASKS if args.split in ("all", tasks_lib.SPLITS[name])]
    args.contenders = args.contenders or list(known)
    if args.seeds is None:
        args.seeds = 1 if args.quick else 5
    if args.seeds < 1:
        parser.error("--seeds must be at least 1")
    if args.quick and args.calibrate:
        parser.error("--calibrate sets targets for the full budgets; it does not combine with --quick")
    if args.calibrate and args.candidates != "default":
        parser.error("--calibrate sets the targets from the default candidates, the same for every candidate set")
    if args.out is None:
        args.out = DEFAULT_OUT / "quick" if args.quick else DEFAULT_OUT
        if args.split != "development":
            args.out /= args.split
        if args.candidates != "default":
            args.out /= args.candidates
    if args.baseline is None:
        args.baseline = args.out / "baseline.json" if args.quick and args.tune_baseline else DEFAULT_BASELINE
    return args


def _choose(text: str, known: dict, flag: str, parser: argparse.ArgumentParser) -> list[str]:
    chosen = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in known]
    if unknown or not chosen:
        parser.error(f"{flag}: unknown {unknown or 'empty list'}; choose from {', '.join(known)}")
    return chosen


def build_tasks(names: Sequence[str], *, quick: bool, text: Path | None) -> dict[str, tasks_lib.Task]:
    built = {}
    for name in names:
        options = {"text": text} if name == "shakespeare-char" else {}
        built[name] = tasks_lib.TASKS[name](quick=quick, **options)
    return built


def execute(
    tasks: dict[str, tasks_lib.Task],
    contender_names: Sequence[str],
    seeds: Sequence[int],
    *,
    contenders: dict[str, contenders_lib.Contender] | None = None,
    progress: bool = True,
) -> list[harness.Run]:
    """Every (task, seed, contender) run. Contenders alternate within a seed, so drifts in machine load spread
    over all of them alike.

    Args:
        tasks: the tasks by name.
        contender_names: the contenders to run, keys of ``contenders``.
        seeds: the seeds.
        contenders: the contenders by name (default :data:`benchmarks.suite.contenders.CONTENDERS`).
        progress: show a progress bar.
    """
    contenders = contenders_lib.CONTENDERS if contenders is None else contenders
    total = sum(task.budget for task in tasks.values()) * len(contender_names) * len(seeds)
    runs = []
    with tqdm(total=total, unit="step", disable=not progress, smoothing=0.05, dynamic_ncols=True) as bar:
        for task in tasks.values():
            evaluate = jax.jit(task.evaluate)  # Evaluations are not timed, so one compile serves every run.
            for seed in seeds:
                for name in contender_names:
                    bar.set_description(f"{task.name} {name} seed {seed}")
                    contender = contenders[name]
                    runs.append(
                        harness.run(
                            task,
                            contender.make(task),
                            seed,
                            contender=name,
                            evaluate=evaluate,
                            on_eval=lambda steps, metric: bar.update(steps),
                            held_out_value=contender.held_out_value,
                        )
                    )
    return runs


def best_metric(run: harness.Run, higher_is_better: bool) -> float:
    values = np.asarray(run.metric[1:], float)  # Step 0 is the initialization, not a result of training.
    if run.diverged or not np.isfinite(values).any():
        return float("nan")
    return float(np.nanmax(values) if higher_is_better else np.nanmin(values))


def targets_from_runs(tasks, runs, seeds, fixed: Sequence[str] = ("adam", "sgd", "rmsprop")) -> dict:
    """The target of each task (a :class:`scoring.Target`), from the runs of the fixed candidates ``fixed``."""
    targets = {}
    for name, task in tasks.items():
        best = {
            contender: [
                best_metric(run, task.higher_is_better)
                for run in runs
                if (run.task, run.contender) == (name, contender)
            ]
            for contender in fixed
        }
        best = {contender: values for contender, values in best.items() if values}
        if not best:
            raise SystemExit(
                f"{name}: no fixed candidate among the contenders, so no target can be set within the run; add one "
                f"of {', '.join(fixed)} to --contenders."
            )
        targets[name] = scoring.set_target(
            best, higher_is_better=task.higher_is_better, seeds=seeds, budget=task.budget
        )
    return targets


def run_file(tasks, contenders, targets, runs, meta) -> dict:
    """What a run writes to time_to_target.json: all the report reads."""
    return {
        "meta": meta,
        "tasks": {
            name: {
                "description": task.description,
                "metric": task.metric,
                "higher_is_better": task.higher_is_better,
                "budget": task.budget,
                "eval_every": task.eval_every,
                "target": store.target_json(targets[name]),
            }
            for name, task in tasks.items()
        },
        "contenders": {
            name: {
                "is_switch": contender.is_switch,
                "is_baseline": contender.is_baseline,
                "description": contender.description,
            }
            for name, contender in contenders.items()
        },
        "runs": store.runs_json(runs),
    }


def main(argv: Sequence[str] | None = None) -> dict:
    """Runs (or, with ``--from-json``, only reports); returns :func:`benchmarks.suite.report.write`'s scores,
    ``{"targets": ...}`` with ``--calibrate``, ``{"learning_rates": ...}`` with ``--tune-baseline``, or the
    ceilings by task with ``--oracle``."""
    args = parse_args(argv)
    if args.from_json is not None:
        return report.write(args.from_json, args.out, readme=args.readme, tasks=args.tasks, contenders=args.contenders)
    command = "python -m benchmarks.suite " + " ".join(sys.argv[1:] if argv is None else argv)
    try:
        tasks = build_tasks(args.tasks, quick=args.quick, text=args.text)
    except FileNotFoundError as error:
        raise SystemExit(str(error)) from None
    args.out.mkdir(parents=True, exist_ok=True)
    first = CALIBRATION_SEED if args.calibrate or args.tune_baseline else args.first_seed
    seeds = list(range(first, first + args.seeds))
    meta = {
        "command": command,
        "date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "environment": records.environment(),
        "quick": args.quick,
        "seeds": len(seeds),
        "candidates": args.candidates,
        "splits": {name: tasks_lib.SPLITS[name] for name in tasks},
    }
    if args.tune_baseline:
        return tune_baseline(tasks, seeds, args, meta)
    known = contenders_lib.contenders(args.candidates)
    # The candidates alone set the targets; the same on a schedule (adam-cosine, ...) do not.
    fixed = list(contenders_lib.CANDIDATE_SETS[args.candidates]())
    if args.oracle:
        return run_oracle(tasks, seeds, args, meta, [name for name in args.contenders if name in fixed] or fixed)
    contender_names = fixed if args.calibrate else args.contenders
    learning_rates = {}
    if any(known[name].is_baseline for name in contender_names):
        learning_rates = store.load_learning_rates(args.baseline, tasks, quick=args.quick)
        meta["baseline_learning_rates"] = learning_rates
    untuned = contenders_lib.UNTUNED_LEARNING_RATE if args.quick else None
    chosen = contenders_lib.contenders(args.candidates, learning_rates, untuned_baseline=untuned)
    chosen = {name: chosen[name] for name in contender_names}
    targets = None if args.quick or args.calibrate else store.load_targets(args.targets, tasks)

    started = time.perf_counter()
    runs = execute(tasks, contender_names, seeds, contenders=chosen, progress=not args.no_progress)
    meta["total_seconds"] = time.perf_counter() - started
    if args.calibrate:
        targets = targets_from_runs(tasks, runs, seeds, fixed)
        store.write_targets(args.targets, tasks, targets)
        store.write_runs_keeping_other_tasks(args.out / "calibration.json", meta, runs)
        for task, target in targets.items():
            print(f"{task}: target {target.value:.5g} ({target.best_fixed}, median best {target.median_best:.5g})")
        print(f"wrote {args.targets} and {args.out / 'calibration.json'}")
        return {"targets": targets}

    if targets is None:
        # From the metrics as stored (6 digits), which the report reads: else the best fixed candidate's own best,
        # the target of a one-seed run, could round to a value that misses it.
        stored_runs = store.load_runs(store.runs_json(runs))
        targets = targets_from_runs(tasks, stored_runs, seeds, [name for name in fixed if name in contender_names])
    meta["targets_set"] = "within this run (--quick)" if args.quick else f"from {args.targets.name} (calibration seeds)"
    path = args.out / "time_to_target.json"
    stored = run_file(tasks, chosen, targets, runs, meta)
    path.write_text(json.dumps(store.finite_or_none(stored), indent=1) + "\n")
    return report.write(path, args.out, readme=args.readme)


def tune_baseline(tasks, seeds, args, meta) -> dict:
    """The baseline at each learning rate of :data:`benchmarks.suite.contenders.BASELINE_GRID` on ``seeds``; per
    task the one with the best median over seeds of the best validation metric (what a user tuning it would
    read), written to ``args.baseline``."""
    grid = contenders_lib.BASELINE_GRID
    candidates = {f"adamw-cosine@{lr:g}": contenders_lib.baseline({}, untuned=lr) for lr in grid}
    started = time.perf_counter()
    runs = execute(tasks, list(candidates), seeds, contenders=candidates, progress=not args.no_progress)
    meta["total_seconds"] = time.perf_counter() - started
    picks = {}
    for name, task in tasks.items():
        sign = 1.0 if task.higher_is_better else -1.0
        best = {
            lr: [best_metric(run, task.higher_is_better) for run in runs if (run.task, run.contender) == (name, label)]
            for lr, label in zip(grid, candidates, strict=True)
        }
        # A diverged run counts as the worst, as in the targets' rule.
        medians = {lr: float(np.median(np.nan_to_num(values, nan=-sign * np.inf))) for lr, values in best.items()}
        pick = max(grid, key=lambda lr: sign * medians[lr])
        picks[name] = {
            "learning_rate": pick,
            "median_best": {f"{lr:g}": medians[lr] for lr in grid},
            "seeds": seeds,
            "budget": task.budget,
        }
        print(
            f"{name}: learning rate {pick:g} (median best {task.metric}: "
            + ", ".join(f"{lr:g} -> {medians[lr]:.5g}" for lr in grid)
            + ")"
        )
        if pick in (grid[0], grid[-1]):
            print(f"  {name}: {pick:g} is at the grid's edge; a wider BASELINE_GRID may find a better learning rate")
    store.write_learning_rates(args.baseline, tasks, picks)
    runs_path = args.out / "baseline_tuning.json"
    store.write_runs_keeping_other_tasks(runs_path, meta, runs)
    print(f"wrote {args.baseline} and {runs_path}")
    return {"learning_rates": {name: pick["learning_rate"] for name, pick in picks.items()}}


def run_oracle(tasks, seeds, args, meta, names) -> dict:
    """:func:`benchmarks.suite.oracle.ceiling` for every task over the candidates ``names``; writes ``oracle.json``
    and ``oracle.md`` to ``args.out``, keeping there the ceilings of the tasks not run now."""
    make_candidates = contenders_lib.CANDIDATE_SETS[args.candidates]
    targets = None if args.quick else store.load_targets(args.targets, tasks)
    started = time.perf_counter()
    ceilings = {}
    for name, task in tasks.items():
        if targets is not None:
            target = targets[name]
        else:

            def target(runs_by_name, task=task):  # set within the run, as a --quick run sets it (stored metrics)
                runs = store.load_runs(store.runs_json([r for rs in runs_by_name.values() for r in rs]))
                return targets_from_runs({task.name: task}, runs, seeds, list(runs_by_name))[task.name]

        ceilings[name] = oracle.ceiling(
            task, target, make_candidates, names, seeds, fractions=args.oracle_fractions, progress=not args.no_progress
        )
    meta["total_seconds"] = time.perf_counter() - started
    meta["targets_set"] = "within this run (--quick)" if args.quick else f"from {args.targets.name} (calibration seeds)"
    for entry in ceilings.values():
        entry["command"] = meta["command"]
    every = store.write_ceilings_keeping_other_tasks(args.out / "oracle.json", meta, ceilings)
    every = {name: oracle.load(entry) for name, entry in every.items()}
    table = oracle.markdown(every)
    (args.out / "oracle.md").write_text(
        table + "\n\n" + "\n\n".join(f"{name}: {oracle.sentence(entry)}" for name, entry in every.items()) + "\n"
    )
    print(table)
    print(f"wrote oracle.json and oracle.md to {args.out}")
    return ceilings


if __name__ == "__main__":
    main()
