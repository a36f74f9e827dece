"""Round 71's first look: whether the rates the first duel with another family reads tell a right hand-over from a
wrong one, on the development splits only (seeds 0-4; design data, no split kept aside).

The first duel after the race decides with two rates: the challenger's over its window (``c``) against the leader's
over the window before (``b``), at once, or against the mean of that and the leader's next window (``L``) after it
(:func:`optswitch.selectors.race`). Round 70 found that over every split kept aside it hands the run to the best
family on about 42% of the runs where the challenger's family is the best, and away from it on about 22% where the
leader's is. If right and wrong hand-overs differed in how far ``c`` beat the leader, a stricter or looser duel
would pay; this reads that from the switch's own reports (``switch(on_event=...)``, through
:mod:`benchmarks.diagnostics.switch_events`; rates to two significant digits).

``--run OUT`` runs the recommended switch (``race-multiples-undo-kept-watch``) on each development task but the
character transformer (slow; its split's fixed runs are stored without it), seeds 0-4, through the suite's harness,
and stores each run's first duel with another family: its update, the challenger's standing, the rates it printed,
whether the challenger took over, and the run's steps to target. Without ``--run``, reads ``FILES`` (default
``benchmarks/results/round71/duel_rates.json``) and prints, by whether the challenger's or the leader's family is the
best (the fixed candidate with the fewest median steps to target in the stored runs of the same seeds), each duel's
``z``, how many standard errors of their difference ``c`` beat ``b`` by, and how many duels of each case clear a
bound on it: if the best family's challengers cleared one that the leader's did not, a duel asking that bound would
hand over more of the first and fewer of the second::

    python benchmarks/results/round71/duel_rates.py --run benchmarks/results/round71/duel_rates.json
    python benchmarks/results/round71/duel_rates.py
"""

import argparse
import json
import math
import re
import sys
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.diagnostics import first_duels  # noqa: E402
from benchmarks.diagnostics.early_step_downs import family  # noqa: E402
from benchmarks.suite import scoring, standing  # noqa: E402

#: Each development split's stored run of the fixed candidates on seeds 0-4 (its tasks and their targets).
FIXED_RUNS = {
    "development": "benchmarks/results/time_to_target.json",
    "development-2": "benchmarks/results/round69/first-look/development-2/time_to_target.json",
    "development-3": "benchmarks/results/round69/first-look/development-3/time_to_target.json",
    "development-4": "benchmarks/results/round69/first-look/development-4/time_to_target.json",
    "development-6": "benchmarks/results/round69/first-look/development-6/time_to_target.json",
}
SWITCH = "race-multiples-undo-kept-watch"
RATE = r"([-0-9.e+]+) \+- ([0-9.e+-]+)"
CHALLENGE = re.compile(r"duel: (\S+) \(standing ([-0-9.e+]+)\) challenges (\S+)$")
NOT_YET = re.compile(rf"duel: (\S+)'s rate {RATE} did not yet beat (\S+)'s {RATE}; ")
BEAT = re.compile(rf"(\S+)'s rate {RATE} beat (\S+)'s {RATE}$")
EVENT = re.compile(r"update (\d+): (\S+) -> (\S+), (.*)$")


def first_cross_duel(events: list[str], race_end: int) -> dict | None:
    """The first duel after ``race_end`` whose challenger is of another family, read from a run's event lines: its
    update, families, the challenger's standing, ``c`` and ``b`` (and ``L`` for a hand-over after the leader's
    window) with their standard errors, and how it ended (``"at once"``, ``"after"`` or ``"kept"``).

    Examples:
        >>> lines = ["update 240: adam-x3 -> sgd-x3, sgd-x3's rate 0.05 +- 0.003 beat adam-x3's 0.013 +- 0.004",
        ...          "update 487: sgd-x3 -> sgd, duel: sgd (standing 0.62) challenges sgd-x3",
        ...          "update 548: sgd -> sgd-x3, duel: sgd's rate 0.0018 +- 0.001 did not yet beat sgd-x3's 0.0028"
        ...          " +- 0.001; sgd-x3 closes the duel",
        ...          "update 700: sgd-x3 -> rmsprop-x3, duel: rmsprop-x3 (standing 0.5) challenges sgd-x3",
        ...          "update 761: rmsprop-x3 -> sgd-x3, duel: rmsprop-x3's rate 0.004 +- 0.001 did not yet beat"
        ...          " sgd-x3's 0.003 +- 0.001; sgd-x3 closes the duel",
        ...          "update 822: sgd-x3 -> rmsprop-x3, rmsprop-x3's rate 0.004 +- 0.001 beat sgd-x3's 0.0025 +- 0.001"]
        >>> duel = first_cross_duel(lines, 240)
        >>> duel["update"], duel["leader"], duel["challenger"], duel["ended"], duel["c"], duel["b"], duel["L"]
        (700, 'sgd', 'rmsprop', 'after', 0.004, 0.003, 0.0025)
    """
    parsed = [EVENT.match(line) for line in events]
    for index, match in enumerate(parsed):
        if match is None or int(match.group(1)) <= race_end:
            continue
        challenge = CHALLENGE.match(match.group(4))
        if challenge is None or family(challenge.group(1)) == family(challenge.group(3)):
            continue
        duel = {
            "update": int(match.group(1)),
            "leader": family(challenge.group(3)),
            "challenger": family(challenge.group(1)),
            "standing": float(challenge.group(2)),
            "L": None,
        }
        after = parsed[index + 1] if index + 1 < len(parsed) else None
        text = after.group(4) if after is not None else ""
        at_once, not_yet = BEAT.match(text), NOT_YET.match(text)
        if at_once is not None:
            return duel | _rates(at_once) | {"ended": "at once"}
        if not_yet is None:  # the duel was dropped at the stop
            return None
        duel |= _rates(not_yet)
        closing = parsed[index + 2] if index + 2 < len(parsed) else None
        to_challenger = closing is not None and closing.group(3) == challenge.group(1)
        beat = BEAT.match(closing.group(4)) if to_challenger else None
        if beat is None:
            return duel | {"ended": "kept"}
        return duel | {"L": float(beat.group(5)), "L_sd": float(beat.group(6)), "ended": "after"}
    return None


def z_score(row: dict) -> float:
    """How many standard errors of their difference the challenger's rate ``c`` beat ``b`` by.

    Examples:
        >>> z_score({"c": 0.004, "c_sd": 0.001, "b": 0.001, "b_sd": 0.001}) > 2.1
        True
    """
    return (row["c"] - row["b"]) / math.hypot(row["c_sd"], row["b_sd"])


def _rates(match: re.Match) -> dict:
    """The challenger's and the leader's rates and standard errors of a ``BEAT`` or ``NOT_YET`` match."""
    return {
        "c": float(match.group(2)),
        "c_sd": float(match.group(3)),
        "b": float(match.group(5)),
        "b_sd": float(match.group(6)),
    }


def run(out: Path, splits: list[str]) -> None:
    """Runs the recommended switch on the tasks of the development ``splits`` (seeds 0-4) and stores each run's
    events, copies' updates and validation curve in ``out``."""
    from benchmarks.diagnostics import switch_events
    from benchmarks.suite import cli

    chosen = switch_events.contender(SWITCH)
    found = []
    for split in splits:
        stored = json.loads((ROOT / FIXED_RUNS[split]).read_text())
        kept_watch = {
            (entry["task"], entry["seed"]): entry["steps_per_candidate"]
            for entry in stored["runs"]
            if entry["contender"] == SWITCH
        }
        names = [name for name in stored["tasks"] if name != "shakespeare-char"]
        for name, task in cli.build_tasks(names, quick=False, text=None).items():
            for seed in range(5):
                events, result = switch_events.switch_events(task, chosen, seed)
                stored_copies = kept_watch.get((name, seed))
                found.append(
                    {
                        "split": split,
                        "task": name,
                        "seed": seed,
                        "events": events,
                        "steps_per_candidate": result.steps_per_candidate,
                        "steps": list(result.steps),
                        "kept_metric": list(result.kept_metric),
                        "budget": task.budget,
                        "as_stored": None if stored_copies is None else stored_copies == result.steps_per_candidate,
                    }
                )
                print(f"{split} {name} seed {seed}: {len(events)} events", flush=True)
    out.write_text(json.dumps(found, indent=1))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, default=[ROOT / "benchmarks/results/round71/duel_rates.json"])
    parser.add_argument("--run", type=Path, help="run the switch and store its events here")
    parser.add_argument("--splits", default=",".join(FIXED_RUNS), help="the development splits to run, comma-separated")
    args = parser.parse_args(argv)
    if args.run is not None:
        run(args.run, args.splits.split(","))
        return
    print(report([entry for path in args.files for entry in json.loads(path.read_text())]))


def report(found: list[dict]) -> str:
    """Each first cross-family duel's ``z`` (:func:`z_score`), by case, and how many of each case clear bounds on
    it."""
    targets: dict = {}
    best = {}
    for path in FIXED_RUNS.values():
        fixed = standing.read([f"{ROOT / path}:adam,sgd,rmsprop"], targets)
        best |= first_duels.best_of(first_duels.fixed_medians(fixed, targets))
    rows = []
    for entry in found:
        if entry["task"] not in best:
            continue
        run = SimpleNamespace(task=entry["task"], steps_per_candidate=entry["steps_per_candidate"])
        duel = first_cross_duel(entry["events"], first_duels.race_end(run, {entry["task"]: entry["budget"]}))
        if duel is None:
            continue
        steps = scoring.time_to_target(entry["steps"], entry["kept_metric"], targets[entry["task"]])
        rows.append(duel | {"task": entry["task"], "seed": entry["seed"], "best": best[entry["task"]], "steps": steps})
    compared = [entry["as_stored"] for entry in found if entry["as_stored"] is not None]
    lines = [
        f"{len(rows)} first duels with another family after the race, of {len(found)} runs (the copies' updates equal "
        f"the stored run's on {sum(compared)} of the {len(compared)} stored)",
        "z: how many standard errors the challenger's rate c beat the leader's window before the duel, b, by",
    ]
    for label, case in (
        ("the challenger's family is the best", lambda row: row["challenger"] == row["best"]),
        ("the leader's family is the best", lambda row: row["leader"] == row["best"]),
        ("neither is", lambda row: row["best"] not in (row["leader"], row["challenger"])),
    ):
        chosen = sorted((row for row in rows if case(row)), key=z_score)
        took = [row for row in chosen if row["ended"] != "kept"]
        lines.append(f"{label}: {len(chosen)} duels, the challenger took over on {len(took)}")
        for row in chosen:
            reached = "missed" if not math.isfinite(row["steps"]) else f"reached at {row['steps']:g}"
            lines.append(
                f"  {row['task']} seed {row['seed']}: {row['challenger']} against {row['leader']} at update "
                f"{row['update']}, standing {row['standing']:.2g}, c {row['c']:.2g}, b {row['b']:.2g}, "
                f"z {z_score(row):.1f} ({row['ended']}; {reached})"
            )
        for bound in (0.0, 1.0, 2.0, 3.0, 4.0):
            above = sum(1 for row in chosen if z_score(row) >= bound)
            lines.append(f"  z >= {bound:g}: {above} of {len(chosen)}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
