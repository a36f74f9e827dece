"""Time to a validation target: each candidate optimizer alone against optswitch's switch with each selector.

The protocol of MLCommons AlgoPerf and DeepOBS on four small offline tasks (see benchmarks/README.md):

    python -m benchmarks.suite --calibrate   # once: sets the targets from the fixed candidates
    python -m benchmarks.suite               # the full run: every task, contender and seed
    python -m benchmarks.suite --quick       # a smoke run for CI, targets set within the run
    python -m benchmarks.suite --from-json benchmarks/results/time_to_target.json   # report again, no runs

A run writes time_to_target.json (the tasks with their targets, the contenders, every run's curves, times and
switches) to --out; the report (benchmarks/suite/report.py) then reads that file only and writes scores.json,
time_to_target.md, validation_curves.png, validation_curves_best.png and performance_profile.png beside it.
"""

import argparse
import datetime
import json
import sys
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
from benchmarks.suite import harness, report, scoring, store
from benchmarks.suite import tasks as tasks_lib

BENCHMARKS = Path(__file__).resolve().parents[1]
DEFAULT_OUT = BENCHMARKS / "results"
DEFAULT_TARGETS = BENCHMARKS / "targets.json"
#: Calibration seeds are disjoint from the evaluation seeds (0, 1, ...), so no run is scored against a target it set.
CALIBRATION_SEED = 100


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.suite",
        description=__doc__.split("\n\n")[0],
        epilog="Contenders: " + ", ".join(contenders_lib.CONTENDERS) + ". Tasks: " + ", ".join(tasks_lib.TASKS) + ".",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--tasks", help="comma-separated tasks (default: all, or all in --from-json)")
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
        "--targets", type=Path, default=DEFAULT_TARGETS, help=f"targets file (default: {DEFAULT_TARGETS})"
    )
    parser.add_argument(
        "--out",
        type=Path,
        help=f"output folder (default: {DEFAULT_OUT}, its quick/ with --quick; with --from-json, that file's folder)",
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
    if args.tasks is not None:
        args.tasks = _choose(args.tasks, tasks_lib.TASKS, "--tasks", parser)
    if args.contenders is not None:
        args.contenders = _choose(args.contenders, contenders_lib.CONTENDERS, "--contenders", parser)
    if args.from_json is not None:
        if args.calibrate:
            parser.error("--from-json reports stored runs; it does not combine with --calibrate")
        return args
    args.tasks = args.tasks or list(tasks_lib.TASKS)
    args.contenders = args.contenders or list(contenders_lib.CONTENDERS)
    if args.seeds is None:
        args.seeds = 1 if args.quick else 5
    if args.seeds < 1:
        parser.error("--seeds must be at least 1")
    if args.quick and args.calibrate:
        parser.error("--calibrate sets targets for the full budgets; it does not combine with --quick")
    if args.out is None:
        args.out = DEFAULT_OUT / "quick" if args.quick else DEFAULT_OUT
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
    progress: bool = True,
) -> list[harness.Run]:
    """Every (task, seed, contender) run. Contenders alternate within a seed, so drifts in machine load spread
    over all of them alike."""
    total = sum(task.budget for task in tasks.values()) * len(contender_names) * len(seeds)
    runs = []
    with tqdm(total=total, unit="step", disable=not progress, smoothing=0.05, dynamic_ncols=True) as bar:
        for task in tasks.values():
            evaluate = jax.jit(task.evaluate)  # Evaluations are not timed, so one compile serves every run.
            for seed in seeds:
                for name in contender_names:
                    bar.set_description(f"{task.name} {name} seed {seed}")
                    contender = contenders_lib.CONTENDERS[name]
                    runs.append(
                        harness.run(
                            task,
                            contender.make(task),
                            seed,
                            contender=name,
                            evaluate=evaluate,
                            on_eval=lambda steps, metric: bar.update(steps),
                        )
                    )
    return runs


def best_metric(run: harness.Run, higher_is_better: bool) -> float:
    values = np.asarray(run.metric[1:], float)  # Step 0 is the initialization, not a result of training.
    if run.diverged or not np.isfinite(values).any():
        return float("nan")
    return float(np.nanmax(values) if higher_is_better else np.nanmin(values))


def targets_from_runs(tasks, runs, seeds) -> dict[str, scoring.Target]:
    """The target of each task, from the runs of the fixed candidates among ``runs``."""
    fixed = [name for name, c in contenders_lib.CONTENDERS.items() if not c.is_switch]
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


def run_file(tasks, contender_names, targets, runs, meta) -> dict:
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
                "is_switch": contenders_lib.CONTENDERS[name].is_switch,
                "description": contenders_lib.CONTENDERS[name].description,
            }
            for name in contender_names
        },
        "runs": store.runs_json(runs),
    }


def main(argv: Sequence[str] | None = None) -> dict:
    """Runs (or, with ``--from-json``, only reports); returns :func:`benchmarks.suite.report.write`'s scores, or
    ``{"targets": ...}`` with ``--calibrate``."""
    args = parse_args(argv)
    if args.from_json is not None:
        return report.write(args.from_json, args.out, readme=args.readme, tasks=args.tasks, contenders=args.contenders)
    command = "python -m benchmarks.suite " + " ".join(sys.argv[1:] if argv is None else argv)
    try:
        tasks = build_tasks(args.tasks, quick=args.quick, text=args.text)
    except FileNotFoundError as error:
        raise SystemExit(str(error)) from None
    args.out.mkdir(parents=True, exist_ok=True)
    fixed = [name for name, contender in contenders_lib.CONTENDERS.items() if not contender.is_switch]
    contender_names = fixed if args.calibrate else args.contenders
    first = CALIBRATION_SEED if args.calibrate else args.first_seed
    seeds = list(range(first, first + args.seeds))
    targets = None if args.quick or args.calibrate else store.load_targets(args.targets, tasks)

    started = time.perf_counter()
    runs = execute(tasks, contender_names, seeds, progress=not args.no_progress)
    meta = {
        "command": command,
        "date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "environment": records.environment(),
        "quick": args.quick,
        "total_seconds": time.perf_counter() - started,
        "seeds": len(seeds),
    }
    if args.calibrate:
        targets = targets_from_runs(tasks, runs, seeds)
        store.write_targets(args.targets, tasks, targets)
        calibration = {"meta": meta, "runs": store.runs_json(runs)}
        (args.out / "calibration.json").write_text(json.dumps(store.finite_or_none(calibration), indent=1) + "\n")
        for name, target in targets.items():
            print(f"{name}: target {target.value:.5g} ({target.best_fixed}, median best {target.median_best:.5g})")
        print(f"wrote {args.targets} and {args.out / 'calibration.json'}")
        return {"targets": targets}

    if targets is None:
        targets = targets_from_runs(tasks, runs, seeds)
    meta["targets_set"] = "within this run (--quick)" if args.quick else f"from {args.targets.name} (calibration seeds)"
    path = args.out / "time_to_target.json"
    stored = run_file(tasks, contender_names, targets, runs, meta)
    path.write_text(json.dumps(store.finite_or_none(stored), indent=1) + "\n")
    return report.write(path, args.out, readme=args.readme)


if __name__ == "__main__":
    main()
