"""Time to a validation target: each candidate optimizer alone against optswitch's switch with each selector.

The protocol of MLCommons AlgoPerf and DeepOBS on four small offline tasks (see benchmarks/README.md):

    python benchmarks/time_to_target.py --calibrate   # once: sets the targets from the fixed candidates
    python benchmarks/time_to_target.py               # the full run: every task, contender and seed
    python benchmarks/time_to_target.py --quick       # a smoke run for CI, targets set within the run

It writes time_to_target.json (every run's curves, times and switches), time_to_target.md (the tables),
validation_curves.png (every contender), validation_curves_best.png (the fixed candidates and the best switch
by each clock) and performance_profile.png to --out.
"""

import argparse
import dataclasses
import datetime
import importlib.metadata
import json
import math
import os
import platform
import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path

if __package__ in (None, ""):  # Run as a script: make the repository importable.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import jax
import numpy as np
import optax
from tqdm.auto import tqdm

from benchmarks import contenders as contenders_lib
from benchmarks import harness, plotting, scoring
from benchmarks import tasks as tasks_lib

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "results"
DEFAULT_TARGETS = HERE / "targets.json"
#: Calibration seeds are disjoint from the evaluation seeds (0, 1, ...), so no run is scored against a target it set.
CALIBRATION_SEED = 100
README_BEGIN = "<!-- time_to_target: begin (written by benchmarks/time_to_target.py --readme) -->"
README_END = "<!-- time_to_target: end -->"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Contenders: " + ", ".join(contenders_lib.CONTENDERS) + ". Tasks: " + ", ".join(tasks_lib.TASKS) + ".",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--tasks", default=",".join(tasks_lib.TASKS), help="comma-separated tasks (default: all)")
    parser.add_argument(
        "--contenders", default=",".join(contenders_lib.CONTENDERS), help="comma-separated contenders (default: all)"
    )
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
    parser.add_argument("--out", type=Path, help=f"output folder (default: {DEFAULT_OUT}, or its quick/ with --quick)")
    parser.add_argument("--text", type=Path, help="path of tinyshakespeare.txt for shakespeare-char")
    parser.add_argument("--readme", type=Path, help="also write the tables into this markdown file, between markers")
    parser.add_argument(
        "--from-json",
        type=Path,
        help="score and plot the runs stored in this time_to_target.json (or calibration.json) instead of running",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    args.tasks = _choose(args.tasks, tasks_lib.TASKS, "--tasks", parser)
    args.contenders = _choose(args.contenders, contenders_lib.CONTENDERS, "--contenders", parser)
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
        return math.nan
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


def load_targets(path: Path, tasks: dict[str, tasks_lib.Task]) -> dict[str, scoring.Target]:
    if not path.is_file():
        raise SystemExit(f"no targets file at {path}; set the targets first: python {Path(__file__).name} --calibrate")
    stored = json.loads(path.read_text())
    targets = {}
    for name, task in tasks.items():
        if name not in stored:
            raise SystemExit(f"{path} has no target for {name}; run with --calibrate --tasks {name} to set one.")
        entry = dict(stored[name])
        set_on = entry.pop("task")
        entry["seeds"] = tuple(entry["seeds"])
        entry["best_metrics"] = {
            contender: tuple(math.nan if value is None else value for value in values)
            for contender, values in entry.get("best_metrics", {}).items()
        }
        target = scoring.Target(**entry)
        if (set_on, target.budget) != (task.description, task.budget):
            raise SystemExit(
                f"{path}: the target of {name} was set on {set_on!r} with a budget of {target.budget} steps; the "
                f"task is now {task.description!r} with {task.budget}. Recalibrate: --calibrate --tasks {name}."
            )
        targets[name] = target
    return targets


def write_targets(path: Path, tasks: dict[str, tasks_lib.Task], targets: dict[str, scoring.Target]) -> None:
    """Writes the targets, each with the description of the task it was set on, keeping other tasks' targets."""
    stored = json.loads(path.read_text()) if path.is_file() else {}
    stored.update(
        {
            name: _finite_or_none({"task": tasks[name].description, **dataclasses.asdict(target)})
            for name, target in targets.items()
        }
    )
    path.write_text(json.dumps(stored, indent=2) + "\n")


def summarize(tasks, contender_names, runs, targets) -> dict:
    """Per task and contender: runs reaching the target, median times, final metrics, switches."""
    results = {}
    for name in tasks:
        target = targets[name]
        results[name] = {}
        for contender in contender_names:
            own = [run for run in runs if (run.task, run.contender) == (name, contender)]
            steps = [scoring.time_to_target(run.steps, run.metric, target) for run in own]
            seconds = [scoring.time_to_target(run.seconds, run.metric, target) for run in own]
            finals = [run.final_metric for run in own]
            results[name][contender] = {
                "runs": len(own),
                "reached": sum(math.isfinite(s) for s in steps),
                "steps_to_target": steps,
                "seconds_to_target": seconds,
                "median_steps_to_target": scoring.median_time(steps),
                "median_seconds_to_target": scoring.median_time(seconds),
                "final_metric": finals,
                "median_final_metric": float(np.median(finals)),
                "diverged": sum(run.diverged for run in own),
                "median_switches": float(np.median([len(run.switches) for run in own])),
                "median_compile_seconds": float(np.median([run.compile_seconds for run in own])),
                # Training time per step after the compile, over the whole run.
                "median_ms_per_step": float(
                    np.median([1e3 * (run.seconds[-1] - run.compile_seconds) / run.steps[-1] for run in own])
                ),
            }
    return results


def goals(tasks, results, contender_names, clock: str = "seconds") -> dict:
    """The issue's goals, checked for each switch against the fixed candidates (see benchmarks/README.md).

    ``clock`` is ``"seconds"`` (AlgoPerf's: training with compile) or ``"steps"``: the times to target, the ratios
    and the scores are taken on that clock; the final metric does not depend on it.
    """
    fixed = [name for name in contender_names if not contenders_lib.CONTENDERS[name].is_switch]
    switches = [name for name in contender_names if contenders_lib.CONTENDERS[name].is_switch]
    if not fixed or not switches:
        return {}
    ratios = scoring.performance_ratios(
        {task: {c: by_c[c][f"median_{clock}_to_target"] for c in contender_names} for task, by_c in results.items()}
    )
    scores = {name: scoring.score(ratios, name) for name in contender_names}
    checks = {}
    for name in switches:
        per_task = {}
        for task, by_c in results.items():
            times = {c: by_c[c][f"median_{clock}_to_target"] for c in fixed}
            median_fixed = scoring.median_time(list(times.values()))
            best_fixed = min(times.values())
            sign = 1.0 if tasks[task].higher_is_better else -1.0
            finals = {c: by_c[c]["median_final_metric"] for c in fixed}
            best_final = max(finals.values(), key=lambda value: sign * np.nan_to_num(value, nan=-sign * np.inf))
            own = by_c[name][f"median_{clock}_to_target"]
            shortfall = sign * (best_final - by_c[name]["median_final_metric"]) / abs(best_final)
            per_task[task] = {
                "time_over_median_fixed": _ratio(own, median_fixed),
                "time_over_best_fixed": _ratio(own, best_fixed),
                "final_metric_shortfall_vs_best_fixed": shortfall,
            }
        checks[name] = {
            "score": scores[name],
            "score_above_every_fixed": all(scores[name] > scores[c] for c in fixed),
            "time_at_most_0.72x_median_fixed_on_every_task": all(
                t["time_over_median_fixed"] <= 0.72 for t in per_task.values()
            ),
            "time_at_most_best_fixed_on_half_the_tasks": sum(
                t["time_over_best_fixed"] <= 1.0 for t in per_task.values()
            )
            >= len(per_task) / 2,
            "final_metric_within_0.5%_of_best_fixed": all(
                t["final_metric_shortfall_vs_best_fixed"] <= 0.005 for t in per_task.values()
            ),
            "per_task": per_task,
        }
    return checks


def _ratio(time: float, reference: float) -> float:
    if math.isinf(time):
        return math.inf
    return time / reference if math.isfinite(reference) else 0.0


def profiles(results, contender_names) -> dict:
    by_clock = {}
    for clock in ("seconds", "steps"):
        times = {
            task: {c: by_c[c][f"median_{clock}_to_target"] for c in contender_names} for task, by_c in results.items()
        }
        ratios = scoring.performance_ratios(times)
        by_clock[clock] = {
            "ratios": ratios,
            "scores": {name: scoring.score(ratios, name) for name in contender_names},
        }
    return by_clock


# Writing the results.


def runs_json(runs: Sequence[harness.Run]) -> list[dict]:
    """The runs as JSON-ready dicts (:func:`load_runs` reads them back), floats to 6 significant digits."""
    return [
        {
            **dataclasses.asdict(run),
            "metric": _rounded(run.metric),
            "seconds": _rounded(run.seconds),
            "train_loss": _rounded(run.train_loss),
        }
        for run in runs
    ]


def load_runs(entries: Sequence[dict]) -> list[harness.Run]:
    """The runs that :func:`runs_json` wrote (a missing value, written as null, is NaN again)."""
    nan_for_none = lambda values: [math.nan if value is None else value for value in values]
    return [
        harness.Run(
            **{
                **entry,
                "metric": nan_for_none(entry["metric"]),
                "train_loss": nan_for_none(entry["train_loss"]),
                "switches": [tuple(switch) for switch in entry["switches"]],
            }
        )
        for entry in entries
    ]


def _finite_or_none(value):
    """JSON has no inf or NaN: a missed target or a diverged run is written as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite_or_none(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite_or_none(item) for item in value]
    return value


def _rounded(values, digits=6):
    return [float(f"{value:.{digits}g}") if math.isfinite(value) else value for value in values]


def environment() -> dict:
    return {
        "python": platform.python_version(),
        "jax": jax.__version__,
        "jaxlib": importlib.metadata.version("jaxlib"),
        "optax": optax.__version__,
        "platform": platform.platform(),
        "processor": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "device": str(jax.devices()[0].device_kind),
        "backend": jax.default_backend(),
    }


def _cpu_model() -> str:
    """The CPU's model name (from /proc/cpuinfo on Linux), else the machine type."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def _fmt_time(value: float, digits: int = 3) -> str:
    return "—" if math.isinf(value) else f"{value:.{digits}g}" if value < 100 else f"{value:.0f}"


def markdown(tasks, contender_names, results, targets, profile_by_clock, goal_checks, meta) -> str:
    lines = [
        f"Measured {meta['date']} on {meta['environment']['processor']} ({meta['environment']['cpu_count']} CPU "
        f"cores, {meta['environment']['backend']}), jax {meta['environment']['jax']}, optax "
        f"{meta['environment']['optax']}; {meta['seeds']} seeds per contender and task; the whole run took "
        f"{meta['total_seconds'] / 60:.1f} min. Command: `{meta['command']}`.",
        "",
        "Steps and seconds to target are medians over seeds (— : half or more of the runs missed the target); seconds "
        "count training with compile, not evaluations. Final metric: median [min, max] over seeds.",
        "",
    ]
    for name, task in tasks.items():
        target = targets[name]
        direction = "≥" if task.higher_is_better else "≤"
        lines += [
            f"#### {name}",
            "",
            f"{task.description}. Budget {task.budget} steps, evaluated every {task.eval_every}. Target: "
            f"{task.metric} {direction} **{target.value:.4g}** ({target.best_fixed}'s median best "
            f"{target.median_best:.4g}, relaxed by {target.margin:.2g}; seeds {list(target.seeds)}).",
            "",
            "| contender | reached | steps to target | seconds to target | final "
            + task.metric
            + " | switches | compile s | ms/step |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for contender in contender_names:
            r = results[name][contender]
            finals = [value for value in r["final_metric"] if math.isfinite(value)]
            final = f"{r['median_final_metric']:.4g} [{min(finals):.4g}, {max(finals):.4g}]" if finals else "diverged"
            if r["diverged"] and finals:
                final += f", {r['diverged']} diverged"
            switches = f"{r['median_switches']:g}" if contenders_lib.CONTENDERS[contender].is_switch else ""
            lines.append(
                f"| {contender} | {r['reached']}/{r['runs']} | {_fmt_time(r['median_steps_to_target'], 4)} | "
                f"{_fmt_time(r['median_seconds_to_target'])} | {final} | {switches} | "
                f"{r['median_compile_seconds']:.2f} | {r['median_ms_per_step']:.3g} |"
            )
        lines.append("")
    lines += [
        "#### Performance profile (AlgoPerf score, r_max = 4)",
        "",
        "| contender | score by seconds | score by steps |",
        "|---|---|---|",
    ]
    for contender in contender_names:
        lines.append(
            f"| {contender} | {profile_by_clock['seconds']['scores'][contender]:.3f} | "
            f"{profile_by_clock['steps']['scores'][contender]:.3f} |"
        )
    lines.append("")
    mark = lambda ok: "yes" if ok else "no"
    for clock, checks in goal_checks.items():
        if not checks:
            continue
        best = max(checks, key=lambda name: checks[name]["score"])
        what = "seconds, compile included (AlgoPerf's clock)" if clock == "seconds" else "steps"
        lines += [
            f"#### Goals, for each switch, by {what}",
            "",
            f"The best switch by this clock's score: **{best}**.",
            "",
            "| switch | score > every fixed | ≤ 0.72x median fixed's time, every task | ≤ best fixed's time, half the "
            "tasks | final metric within 0.5% of best fixed's |",
            "|---|---|---|---|---|",
        ]
        for name, check in checks.items():
            per_task = check["per_task"]
            lines.append(
                f"| {name} | {mark(check['score_above_every_fixed'])} ({check['score']:.3f}) | "
                f"{mark(check['time_at_most_0.72x_median_fixed_on_every_task'])} ("
                + ", ".join(f"{_fmt_time(t['time_over_median_fixed'], 2)}" for t in per_task.values())
                + f") | {mark(check['time_at_most_best_fixed_on_half_the_tasks'])} ("
                + ", ".join(f"{_fmt_time(t['time_over_best_fixed'], 2)}" for t in per_task.values())
                + f") | {mark(check['final_metric_within_0.5%_of_best_fixed'])} ("
                + ", ".join(f"{100 * t['final_metric_shortfall_vs_best_fixed']:+.2f}%" for t in per_task.values())
                + ") |"
            )
        lines += ["", "Scores, ratios and shortfalls in parentheses; per task in the order of the tables above.", ""]
    return "\n".join(lines)


def write_readme(path: Path, block: str) -> None:
    text = path.read_text() if path.is_file() else ""
    if README_BEGIN in text and README_END in text:
        pattern = re.compile(re.escape(README_BEGIN) + ".*?" + re.escape(README_END), re.DOTALL)
        text = pattern.sub(lambda _: f"{README_BEGIN}\n{block}\n{README_END}", text)
    else:
        text += f"\n{README_BEGIN}\n{block}\n{README_END}\n"
    path.write_text(text)


def gather(args, tasks, contender_names, seeds) -> tuple[list[harness.Run], dict]:
    """The runs, made now or read back from ``--from-json``, and the meta data of the session that made them."""
    if args.from_json is None:
        started = time.perf_counter()
        runs = execute(tasks, contender_names, seeds, progress=not args.no_progress)
        meta = {
            "command": "python benchmarks/time_to_target.py " + " ".join(args.argv),
            "date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
            "environment": environment(),
            "quick": args.quick,
            "total_seconds": time.perf_counter() - started,
        }
        return runs, meta
    stored = json.loads(args.from_json.read_text())
    runs = [
        run
        for run in load_runs(stored["runs"])
        if run.task in tasks and run.contender in contender_names and run.seed in seeds
    ]
    missing = {(t, c) for t in tasks for c in contender_names} - {(run.task, run.contender) for run in runs}
    if missing:
        raise SystemExit(f"{args.from_json} holds no runs of {sorted(missing)} with seeds {list(seeds)}.")
    return runs, {**stored["meta"], "rescored": datetime.datetime.now().strftime("%Y-%m-%d %H:%M")}


def main(argv: Sequence[str] | None = None) -> dict:
    args = parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    try:
        tasks = build_tasks(args.tasks, quick=args.quick, text=args.text)
    except FileNotFoundError as error:
        raise SystemExit(str(error)) from None
    args.out.mkdir(parents=True, exist_ok=True)

    if args.calibrate:
        fixed = [name for name, c in contenders_lib.CONTENDERS.items() if not c.is_switch]
        seeds = list(range(CALIBRATION_SEED, CALIBRATION_SEED + args.seeds))
        runs, meta = gather(args, tasks, fixed, seeds)
        targets = targets_from_runs(tasks, runs, seeds)
        write_targets(args.targets, tasks, targets)
        calibration = {"meta": meta, "runs": runs_json(runs)}
        (args.out / "calibration.json").write_text(json.dumps(_finite_or_none(calibration), indent=1) + "\n")
        for name, target in targets.items():
            print(f"{name}: target {target.value:.5g} ({target.best_fixed}, median best {target.median_best:.5g})")
        print(f"wrote {args.targets} and {args.out / 'calibration.json'}")
        return {"targets": targets}

    targets = None if args.quick else load_targets(args.targets, tasks)
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    runs, meta = gather(args, tasks, args.contenders, seeds)
    if targets is None:
        targets = targets_from_runs(tasks, runs, seeds)
    meta |= {
        "seeds": len(seeds),
        "targets_set": "within this run (--quick)" if args.quick else f"from {args.targets.name} (calibration seeds)",
    }
    results = summarize(tasks, args.contenders, runs, targets)
    profile_by_clock = profiles(results, args.contenders)
    goal_checks = {clock: goals(tasks, results, args.contenders, clock) for clock in ("seconds", "steps")}

    report = {
        "meta": meta,
        "tasks": {
            name: {
                "description": task.description,
                "metric": task.metric,
                "higher_is_better": task.higher_is_better,
                "budget": task.budget,
                "eval_every": task.eval_every,
                "target": dataclasses.asdict(targets[name]),
            }
            for name, task in tasks.items()
        },
        "contenders": {
            name: {
                "is_switch": contenders_lib.CONTENDERS[name].is_switch,
                "description": contenders_lib.CONTENDERS[name].description,
            }
            for name in args.contenders
        },
        "results": results,
        "profile": {"r_max": 4.0, **profile_by_clock},
        "goals": goal_checks["seconds"],
        "goals_by_steps": goal_checks["steps"],
        "runs": runs_json(runs),
    }
    (args.out / "time_to_target.json").write_text(json.dumps(_finite_or_none(report), indent=1) + "\n")
    table = markdown(tasks, args.contenders, results, targets, profile_by_clock, goal_checks, meta)
    (args.out / "time_to_target.md").write_text(table + "\n")
    if args.readme is not None:
        write_readme(args.readme, table)

    palette = plotting.colors(args.contenders)

    def panels(shown):
        return [
            {
                "runs_by_contender": {
                    c: [run for run in runs if (run.task, run.contender) == (name, c)] for c in shown
                },
                "title": f"{name} ({len(seeds)} seed{'s' * (len(seeds) > 1)})",
                "metric": task.metric,
                "higher_is_better": task.higher_is_better,
                "target": targets[name],
                "log_scale": name == "noisy-quadratic",
                "palette": palette,
            }
            for name, task in tasks.items()
        ]

    plotting.curves_figure(panels(args.contenders)).savefig(args.out / "validation_curves.png", dpi=110)
    written = ["time_to_target.json", "time_to_target.md", "validation_curves.png"]
    if goal_checks["seconds"]:
        # The fixed candidates and the best switch by each clock, for the README's first look.
        best = {max(checks, key=lambda name: checks[name]["score"]): None for checks in goal_checks.values()}
        fixed = [c for c in args.contenders if not contenders_lib.CONTENDERS[c].is_switch]
        plotting.curves_figure(panels([*fixed, *best])).savefig(args.out / "validation_curves_best.png", dpi=110)
        written.append("validation_curves_best.png")
    plotting.profile_figure({clock: p["ratios"] for clock, p in profile_by_clock.items()}).savefig(
        args.out / "performance_profile.png", dpi=110
    )
    written.append("performance_profile.png")
    print(table)
    print(f"wrote {', '.join(written)} to {args.out}")
    return report


if __name__ == "__main__":
    main()
