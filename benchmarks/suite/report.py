"""The suite's report, from a run's JSON only: scores, goal checks, tables, the README block and the figures.

Running writes ``time_to_target.json`` (the tasks, their targets, the contenders and every run); this module
reads it back and writes, beside it or to another folder, ``scores.json`` (per task and contender results, the
performance profile by each clock, the goal checks), ``time_to_target.md`` (the tables),
``validation_curves.png``, ``validation_curves_best.png`` and ``performance_profile.png``; when an
``oracle.json`` (``--oracle``) lies beside the run's file, each task's table is followed by its hindsight ceiling.
Nothing here runs a task, so a report can be redone at any time from the stored runs:
``python -m benchmarks.suite --from-json PATH``.
"""

import datetime
import json
import math
from collections.abc import Sequence
from pathlib import Path

from benchmarks import records
from benchmarks.suite import goals, oracle, plots, scoring, store

README_BEGIN = "<!-- time_to_target: begin (written by python -m benchmarks.suite --readme) -->"
README_END = "<!-- time_to_target: end -->"
#: The right end of the performance profile, and of the score's integral (AlgoPerf's).
R_MAX = 4.0


def load(path: Path, tasks: Sequence[str] | None = None, contenders: Sequence[str] | None = None) -> dict:
    """The run file at ``path``, narrowed to ``tasks`` and ``contenders`` (default: all it holds), its runs and
    targets read back (:class:`benchmarks.suite.harness.Run`, :class:`benchmarks.suite.scoring.Target`)."""
    stored = json.loads(Path(path).read_text())
    tasks = list(stored["tasks"]) if tasks is None else list(tasks)
    contenders = list(stored["contenders"]) if contenders is None else list(contenders)
    runs = [run for run in store.load_runs(stored["runs"]) if run.task in tasks and run.contender in contenders]
    missing = {(t, c) for t in tasks for c in contenders} - {(run.task, run.contender) for run in runs}
    if missing:
        raise SystemExit(f"{path} holds no runs of {sorted(missing)}.")
    return {
        "meta": stored["meta"],
        "tasks": {name: stored["tasks"][name] for name in tasks},
        "targets": {name: store.load_target(stored["tasks"][name]["target"]) for name in tasks},
        "contenders": {name: stored["contenders"][name] for name in contenders},
        "runs": runs,
    }


def _is_fixed(contender: dict) -> bool:
    """Whether a contender of the run file is a fixed candidate: neither a switch nor the tuned baseline."""
    return not (contender["is_switch"] or contender.get("is_baseline", False))


def score(run_file: dict) -> dict:
    """Results per task and contender, the performance profile by each clock, and the goal checks."""
    contenders = list(run_file["contenders"])
    fixed = [c for c in contenders if _is_fixed(run_file["contenders"][c])]
    switches = [c for c in contenders if run_file["contenders"][c]["is_switch"]]
    baselines = [c for c in contenders if run_file["contenders"][c].get("is_baseline", False)]
    results = scoring.summarize(run_file["targets"], contenders, run_file["runs"])
    profile = scoring.profiles(results, contenders, R_MAX)
    checks = {
        clock: goals.check(results, run_file["targets"], fixed, switches, clock, baselines, R_MAX)
        for clock in scoring.CLOCKS
    }
    return {
        "results": results,
        "profile": {"r_max": R_MAX, **profile},
        "goals": {"thresholds": goals.thresholds(), **{f"by_{clock}": checks[clock] for clock in scoring.CLOCKS}},
    }


def write(path: Path, out: Path | None = None, *, readme: Path | None = None, **selection) -> dict:
    """Reads the run file at ``path``, writes the report to ``out`` (default: ``path``'s folder) and, given
    ``readme``, the tables into it between :data:`README_BEGIN` and :data:`README_END`; returns the scores."""
    out = Path(path).parent if out is None else Path(out)
    out.mkdir(parents=True, exist_ok=True)
    run_file = load(path, **selection)
    ceilings = Path(path).parent / "oracle.json"
    if ceilings.is_file():
        stored = json.loads(ceilings.read_text())["tasks"]
        run_file["oracle"] = {name: oracle.load(entry) for name, entry in stored.items()}
    scores = score(run_file)
    scores["reported"] = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    (out / "scores.json").write_text(json.dumps(store.finite_or_none(scores), indent=1) + "\n")
    table = markdown(run_file, scores)
    (out / "time_to_target.md").write_text(table + "\n")
    if readme is not None:
        records.write_between_markers(readme, table, README_BEGIN, README_END)
    written = ["scores.json", "time_to_target.md", *figures(run_file, scores, out)]
    print(table)
    print(f"wrote {', '.join(written)} to {out}")
    return {"meta": run_file["meta"], **scores}


def _fmt_time(value: float, digits: int = 3) -> str:
    return "—" if math.isinf(value) else f"{value:.{digits}g}" if value < 100 else f"{value:.0f}"


def markdown(run_file: dict, scores: dict) -> str:
    """The tables: per task, the performance profile's scores, and the goals by each clock."""
    meta, environment = run_file["meta"], run_file["meta"]["environment"]
    contenders, results = list(run_file["contenders"]), scores["results"]
    lines = [
        f"Measured {meta['date']} on {environment['processor']} ({environment['cpu_count']} CPU "
        f"cores, {environment['backend']}), jax {environment['jax']}, optax "
        f"{environment['optax']}; {meta['seeds']} seeds per contender and task; the whole run took "
        f"{meta['total_seconds'] / 60:.1f} min. Command: `{meta['command']}`.",
        "",
        "Steps and seconds to target are medians over seeds (— : half or more of the runs missed the target); seconds "
        "count training with compile, not evaluations. Final metric: median [min, max] over seeds.",
        "",
    ]
    for name, task in run_file["tasks"].items():
        target = run_file["targets"][name]
        direction = "≥" if task["higher_is_better"] else "≤"
        split = meta.get("splits", {}).get(name)  # None in a run stored before the splits were recorded
        lines += [
            f"#### {name}" + (f" ({split} task)" if split not in (None, "development") else ""),
            "",
            f"{task['description']}. Budget {task['budget']} steps, evaluated every {task['eval_every']}. Target: "
            f"{task['metric']} {direction} **{target.value:.4g}** ({target.best_fixed}'s median best "
            f"{target.median_best:.4g}, relaxed by {target.margin:.2g}; seeds {list(target.seeds)}).",
            "",
            "| contender | reached | steps to target | seconds to target | final "
            + task["metric"]
            + " | switches | compile s | ms/step |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for contender in contenders:
            r = results[name][contender]
            finals = [value for value in r["final_metric"] if math.isfinite(value)]
            final = f"{r['median_final_metric']:.4g} [{min(finals):.4g}, {max(finals):.4g}]" if finals else "diverged"
            if r["diverged"] and finals:
                final += f", {r['diverged']} diverged"
            switches = f"{r['median_switches']:g}" if run_file["contenders"][contender]["is_switch"] else ""
            lines.append(
                f"| {contender} | {r['reached']}/{r['runs']} | {_fmt_time(r['median_steps_to_target'], 4)} | "
                f"{_fmt_time(r['median_seconds_to_target'])} | {final} | {switches} | "
                f"{r['median_compile_seconds']:.2f} | {r['median_ms_per_step']:.3g} |"
            )
        lines.append("")
        if name in run_file.get("oracle", {}):
            ceiling = run_file["oracle"][name]
            if ceiling["budget"] == task["budget"] and math.isclose(ceiling["target"], target.value, rel_tol=1e-9):
                lines += [oracle.sentence(ceiling), ""]
            else:
                lines += [
                    "Hindsight ceiling: the oracle.json beside this run's file was measured with another target "
                    "or budget; run --oracle again with this run's options.",
                    "",
                ]
    profile = scores["profile"]
    lines += [
        f"#### Performance profile (AlgoPerf score, r_max = {profile['r_max']:g})",
        "",
        "| contender | score by seconds | score by steps |",
        "|---|---|---|",
    ]
    for contender in contenders:
        lines.append(
            f"| {contender} | {profile['seconds']['scores'][contender]:.3f} | "
            f"{profile['steps']['scores'][contender]:.3f} |"
        )
    lines.append("")
    lines += _goals_markdown(scores["goals"])
    return "\n".join(lines)


def _goals_markdown(goal_checks: dict) -> list[str]:
    mark = lambda ok: "yes" if ok else "no"
    limits = goal_checks["thresholds"]
    spreads = "" if limits["final_metric_spreads"] == 1 else f"{limits['final_metric_spreads']:g}x "
    lines = []
    for clock in scoring.CLOCKS:
        checks = goal_checks[f"by_{clock}"]
        if not checks:
            continue
        best = max(checks, key=lambda name: checks[name]["score"])
        what = "seconds, compile included (AlgoPerf's clock)" if clock == "seconds" else "steps"
        lines += [
            f"#### Goals, for each switch, by {what}",
            "",
            f"The best switch by this clock's score: **{best}**.",
            "",
            "| switch | score above every fixed candidate's | score at least the baseline's | reaches the target "
            f"wherever a fixed candidate does, within {limits['time_over_best_fixed']:g}x the best one's time | "
            f"final metric no worse than the best fixed candidate's beyond {spreads}its spread over seeds |",
            "|---|---|---|---|---|",
        ]
        for name, check in checks.items():
            per_task = check["per_task"].values()
            baseline, reaches = check["score_at_least_baseline"], check["reaches_where_fixed_does"]
            best_fixed = max(check["fixed_scores"], key=check["fixed_scores"].get)
            lines.append(
                f"| {name} | {mark(check['score_above_every_fixed'])} ({check['score']:.3f} against {best_fixed} "
                f"{check['fixed_scores'][best_fixed]:.3f}) | "
                + ("no baseline in this run" if baseline is None else f"{mark(baseline)} ({_against(check)})")
                + f" | {'no task counts' if reaches is None else mark(reaches)} ("
                + ", ".join(_time_cell(t) for t in per_task)
                + f") | {mark(check['final_metric_within_spread'])} ("
                + ", ".join(_final_cell(t) for t in per_task)
                + ") |"
            )
        lines += [
            "",
            "Scores: each switch's in a performance profile of its own with the fixed candidates (against the "
            "best of them), and, for the baseline, in one with the baselines added; no other contender moves them, "
            "so they may differ from the profile above.",
            "",
            "Per task in the order of the tables above. Time: the switch's median over the best fixed candidate's "
            "(— : the switch missed the target; n/a: no fixed candidate reaches it"
            + ("; excluded: see below" if clock == "seconds" else "")
            + "). Final metric: how much worse the switch's median is than the best fixed candidate's (negative: "
            "better) / that candidate's standard deviation over seeds.",
            "",
        ]
        if clock == "seconds":
            shares = {task: t["compile_share"] for task, t in next(iter(checks.values()))["per_task"].items()}
            excluded = next(iter(checks.values()))["excluded_tasks"]
            lines += [
                f"Left out of the time goal by seconds, the best fixed candidate's compile taking "
                f"{limits['compile_share']:.0%} or more of its seconds to target: "
                + (", ".join(f"{task} ({shares[task]:.0%})" for task in excluded) if excluded else "none")
                + ".",
                "",
            ]
    return lines


def _against(check: dict) -> str:
    """``"0.508 against adamw-cosine 0.978"``: the switch's score and each baseline's, in their profile."""
    own, *baselines = check["baseline_scores"].items()
    return f"{own[1]:.3f} against " + ", ".join(f"{name} {score:.3f}" for name, score in baselines)


def _time_cell(per_task: dict) -> str:
    ratio = per_task["time_over_best_fixed"]
    if ratio is None:
        share = per_task.get("compile_share")
        return "n/a" if share is None else "excluded"
    return _fmt_time(ratio, 3)


def _final_cell(per_task: dict) -> str:
    shortfall = per_task["final_metric_shortfall"]
    if shortfall == math.inf:
        return "diverged"
    return f"{shortfall:+.2g} / {per_task['final_metric_spread']:.2g}"


def figures(run_file: dict, scores: dict, out: Path) -> list[str]:
    """Writes the validation curves (every contender; the fixed candidates and the best switch by each clock) and
    the performance profiles to ``out``; returns the file names."""
    contenders = list(run_file["contenders"])
    palette = plots.colors(contenders)
    seeds = sorted({run.seed for run in run_file["runs"]})

    def panels(shown):
        return [
            {
                "runs_by_contender": {
                    c: [run for run in run_file["runs"] if (run.task, run.contender) == (name, c)] for c in shown
                },
                "title": f"{name} ({len(seeds)} seed{'s' * (len(seeds) > 1)})",
                "metric": task["metric"],
                "higher_is_better": task["higher_is_better"],
                "target": run_file["targets"][name],
                "log_scale": name == "noisy-quadratic",
                "palette": palette,
            }
            for name, task in run_file["tasks"].items()
        ]

    plots.curves_figure(panels(contenders)).savefig(out / "validation_curves.png", dpi=110)
    written = ["validation_curves.png"]
    checks = [scores["goals"][f"by_{clock}"] for clock in scoring.CLOCKS]
    if all(checks):
        best = {max(by_clock, key=lambda name: by_clock[name]["score"]): None for by_clock in checks}
        fixed = [c for c in contenders if _is_fixed(run_file["contenders"][c])]
        plots.curves_figure(panels([*fixed, *best])).savefig(out / "validation_curves_best.png", dpi=110)
        written.append("validation_curves_best.png")
    profile = scores["profile"]
    ratios = {clock: profile[clock]["ratios"] for clock in scoring.CLOCKS}
    plots.profile_figure(ratios, profile["r_max"]).savefig(out / "performance_profile.png", dpi=110)
    written.append("performance_profile.png")
    return written
