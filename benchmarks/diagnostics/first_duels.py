"""Whether the recommended switch's first duel with another family moves a run toward the family that gets there.

After the race, the leader is re-checked against the runner-up now and then (a duel); it is the switch's chance to leave
a family whose loss fell fastest while the race decided but which is not the one that reaches the target (round 41:
held-out-24's CRF, handed to SGD at 3x on every seed). From the stored run files: for each run of the switch over the
copies of the fixed candidates named (three, or five), the first switch after the race's end to a copy of another
candidate, its *family* (the first duel with another family; a switch log keeps no reasons, so a duel with the leader's
own copy, or a step down, is not counted), then whether the challenger's family made more of the run's remaining updates
than the leader's (it took over). Each is set against the *best family*: the fixed candidate with the fewest median
steps to the task's target in the run files (tasks that no fixed candidate reaches are left out). With five candidates a
family is one candidate at one rate: Adam at 3e-3 and Adam at 1e-3's copy at 3x (``adam-x3``) are two families there,
though the same optimizer.

Usage::

    python -m benchmarks.diagnostics.first_duels --switch "FILES:race-multiples-undo" --fixed "FILES:adam,sgd,rmsprop"

``--runs`` also lists each run's first duel (a blind split's report). ``--outcomes`` also counts, in each case, how the
runs whose challenger took over and those whose leader kept the run came out: each run's own steps to target against
the best family's median steps, within 1.15x (the goal's bound), later, or missed (round 70). ``--undueled`` counts the
same for the runs with no duel against another family after the race, by whether the family the race ended on is the
best (round 71: where the runner-up is the leader's own copy, no other family is tried). Both read runs as they fell,
not a trial: a run whose challenger took over differs from one whose leader kept it in more than that duel.

``FILES`` as in :mod:`benchmarks.suite.standing`: run files joined by ``+``, each a path or a glob pattern.
"""

import argparse
import collections
import math
from collections.abc import Mapping, Sequence

from benchmarks.diagnostics.early_step_downs import budgets, family
from benchmarks.suite import paired, scoring, standing
from benchmarks.suite.goals import TIME_OVER_BEST_FIXED
from optswitch.selectors._race import default_window

#: The three cases a duel is counted in: whether the leader's and the challenger's family is the best, and in words.
CASES = (
    (False, True, "the challenger's family is the best"),
    (True, False, "the leader's family is the best"),
    (False, False, "neither is"),
)


def first_duel(switches: Sequence, race_end: int, budget: int) -> tuple[str, str, bool] | None:
    """The first switch after ``race_end`` to another family: ``(leader, challenger, took_over)``, the two families
    and whether the challenger's made more of the updates left than the leader's; None if there is none. (The switch
    at ``race_end`` itself hands the run from the race's last leg to the leader.)

    Examples:
        >>> race = [(20, "adam-x3", "sgd-x3"), (240, "adam-x3", "sgd-x3")]
        >>> first_duel(race + [(440, "sgd-x3", "sgd"), (487, "sgd", "adam-x3"), (548, "adam-x3", "sgd")], 240, 2000)
        ('sgd', 'adam', False)
        >>> first_duel(race + [(487, "sgd-x3", "adam-x3"), (1000, "adam-x3", "adam")], 240, 2000)
        ('sgd', 'adam', True)
        >>> first_duel(race + [(440, "sgd-x3", "sgd")], 240, 2000) is None
        True
    """
    later = [switch for switch in switches if switch[0] > race_end]
    for index, (update, source, target) in enumerate(later):
        if family(source) == family(target):
            continue
        updates, active, since = collections.Counter(), family(target), update
        for next_update, _, next_target in later[index + 1 :]:
            updates[active] += next_update - since
            active, since = family(next_target), next_update
        updates[active] += budget - since
        return family(source), family(target), updates[family(target)] > updates[family(source)]
    return None


def fixed_medians(fixed: Mapping[str, list], targets: Mapping) -> dict[str, dict[str, float]]:
    """Each fixed candidate's median steps to target, by task (inf where half or more of its runs miss)."""
    medians: dict[str, dict[str, float]] = collections.defaultdict(dict)
    for name, runs in fixed.items():
        for task, by_seed in paired.steps_to_target(runs, targets).items():
            medians[task][name] = scoring.median_time(list(by_seed.values()))
    return medians


def best_families(fixed: Mapping[str, list], targets: Mapping) -> dict[str, str]:
    """Each task's fixed candidate with the fewest median steps to target (the first listed on a tie), where any
    reaches it."""
    return best_of(fixed_medians(fixed, targets))


def best_of(medians: Mapping[str, Mapping[str, float]]) -> dict[str, str]:
    """:func:`best_families` from each task's :func:`fixed_medians`."""
    return {
        task: min(steps, key=steps.__getitem__)
        for task, steps in medians.items()
        if any(math.isfinite(value) for value in steps.values())
    }


def race_end(run, budget: Mapping[str, int]) -> int:
    """The update at which ``run``'s race ends: two rounds of legs over its copies, each task's ``budget`` in updates
    setting the legs."""
    copies = len(run.steps_per_candidate)
    return 2 * copies * default_window(budget[run.task], copies)


def duels_of(switch_runs: list, budget: Mapping[str, int], families: Sequence[str]):
    """Each run of ``switch_runs`` over the copies of ``families`` with its :func:`first_duel` (None if it has none),
    each task's ``budget`` in updates setting the race's end."""
    for run in switch_runs:
        if {family(name) for name in run.steps_per_candidate} == set(families):
            yield run, first_duel(run.switches, race_end(run, budget), budget[run.task])


def count(
    switch_runs: list, budget: Mapping[str, int], best: Mapping[str, str], families: Sequence[str]
) -> collections.Counter:
    """The first duels of ``switch_runs`` over the copies of ``families`` (each task's ``budget`` in updates), by
    whether the leader's and the challenger's family is the ``best`` one, and whether the challenger took over;
    ``"runs"``: the runs counted (those over other candidates are left out)."""
    found: collections.Counter = collections.Counter()
    for run, duel in duels_of([run for run in switch_runs if run.task in best], budget, families):
        found["runs"] += 1
        if duel is not None:
            leader, challenger, took_over = duel
            found[(leader == best[run.task], challenger == best[run.task], took_over)] += 1
    return found


def outcomes(
    switch_runs: list,
    budget: Mapping[str, int],
    best_steps: Mapping[str, tuple[str, float]],
    targets: Mapping,
    families: Sequence[str],
) -> collections.Counter:
    """The first duels of ``switch_runs`` as :func:`count` sorts them, each with how its run came out: its own steps
    to target against ``best_steps[task]``'s (the best family and its median steps), ``"within"`` 1.15x of them,
    ``"later"`` or ``"missed"``.

    Examples:
        >>> from types import SimpleNamespace as Run
        >>> race = [(10, "adam-x3", "sgd-x3"), (80, "adam-x3", "sgd")]  # 4 copies, 1000 updates: legs of 10
        >>> runs = [
        ...     Run(task="t", seed=0, steps=[0, 500, 1000], kept_metric=[9.0, 0.5, 0.4],
        ...         steps_per_candidate={"adam-x3": 1, "sgd-x3": 1, "adam": 1, "sgd": 1},
        ...         switches=race + [(487, "sgd", "adam"), (548, "adam", "sgd")]),
        ...     Run(task="t", seed=1, steps=[0, 500, 1000], kept_metric=[9.0, 8.0, 0.5],
        ...         steps_per_candidate={"adam-x3": 1, "sgd-x3": 1, "adam": 1, "sgd": 1},
        ...         switches=race + [(487, "sgd", "adam")]),
        ... ]
        >>> targets = {"t": scoring.Target(1.0, False, "sgd", 0.9, 0.1, "", (0,), 1000)}
        >>> found = outcomes(runs, {"t": 1000}, {"t": ("sgd", 800.0)}, targets, ["adam", "sgd"])
        >>> sorted(found.items())  # seed 0 kept SGD and got there in 500, seed 1 handed it to Adam and took 1000
        [((True, False, False, 'within'), 1), ((True, False, True, 'later'), 1)]
    """
    came = came_out(switch_runs, best_steps, targets)
    best = {task: name for task, (name, _) in best_steps.items()}
    found: collections.Counter = collections.Counter()
    for run, duel in duels_of([run for run in switch_runs if run.task in best], budget, families):
        if duel is None:
            continue
        leader, challenger, took_over = duel
        found[(leader == best[run.task], challenger == best[run.task], took_over, came[(run.task, run.seed)])] += 1
    return found


def came_out(switch_runs: list, best_steps: Mapping[str, tuple[str, float]], targets: Mapping) -> dict:
    """How each run of ``switch_runs`` (by task and seed) came out against ``best_steps[task]``'s median steps:
    ``"within"`` 1.15x of them, ``"later"`` or ``"missed"``; tasks not in ``best_steps`` are left out."""
    steps = paired.steps_to_target(switch_runs, targets)
    came = {}
    for task, (_, reference) in best_steps.items():
        for seed, own in steps.get(task, {}).items():
            within = own <= TIME_OVER_BEST_FIXED * reference
            came[(task, seed)] = "missed" if not math.isfinite(own) else "within" if within else "later"
    return came


def undueled(
    switch_runs: list,
    budget: Mapping[str, int],
    best_steps: Mapping[str, tuple[str, float]],
    targets: Mapping,
    families: Sequence[str],
) -> collections.Counter:
    """The runs of ``switch_runs`` with no first duel against another family after the race, by whether the family
    the race ended on (the copy the switch at the race's end hands the run to) is the best one, and how each came out
    (:func:`came_out`).

    Examples:
        >>> from types import SimpleNamespace as Run
        >>> race = [(10, "adam-x3", "sgd-x3"), (80, "sgd-x3", "sgd")]  # 4 copies, 1000 updates: legs of 10
        >>> runs = [
        ...     Run(task="t", seed=0, steps=[0, 500, 1000], kept_metric=[9.0, 8.0, 2.0],
        ...         steps_per_candidate={"adam-x3": 1, "sgd-x3": 1, "adam": 1, "sgd": 1},
        ...         switches=race + [(487, "sgd", "sgd-x3")]),
        ...     Run(task="t", seed=1, steps=[0, 500, 1000], kept_metric=[9.0, 8.0, 0.5],
        ...         steps_per_candidate={"adam-x3": 1, "sgd-x3": 1, "adam": 1, "sgd": 1},
        ...         switches=race + [(487, "sgd", "adam")]),
        ... ]
        >>> targets = {"t": scoring.Target(1.0, False, "adam", 0.9, 0.1, "", (0,), 1000)}
        >>> found = undueled(runs, {"t": 1000}, {"t": ("adam", 800.0)}, targets, ["adam", "sgd"])
        >>> sorted(found.items())  # seed 0 stays on SGD's copies and misses; seed 1 has a duel, left out
        [((False, 'missed'), 1)]
    """
    came = came_out(switch_runs, best_steps, targets)
    found: collections.Counter = collections.Counter()
    for run, duel in duels_of([run for run in switch_runs if run.task in best_steps], budget, families):
        if duel is None:
            end = race_end(run, budget)
            at_end = [target for update, _, target in run.switches if update <= end]
            ended_on = family(at_end[-1]) if at_end else None
            found[(ended_on == best_steps[run.task][0], came[(run.task, run.seed)])] += 1
    return found


def undueled_report(found: collections.Counter) -> str:
    """What :func:`undueled` found, in words."""
    lines = ["the runs with no duel against another family after the race (each run's steps as above):"]
    for ended_best, label in ((True, "the race ended on the best family"), (False, "on another")):
        came = {c: found[(ended_best, c)] for c in ("within", "later", "missed")}
        runs = sum(came.values())
        share = f" ({came['within'] / runs:.0%})" if runs else ""
        counts = f"within 1.15x {came['within']}{share}, later {came['later']}, missed {came['missed']}"
        lines.append(f"  {label}: {runs} runs, {counts}")
    return "\n".join(lines)


def outcomes_report(found: collections.Counter) -> str:
    """What :func:`outcomes` found, in words: in each case, the runs whose challenger took over and those whose leader
    kept the run, by how they came out."""
    lines = ["how the runs with a first duel came out (each run's steps against the best family's median steps):"]
    for leader_best, challenger_best, label in CASES:
        parts = []
        for took_over, verb in ((True, "took over"), (False, "kept by the leader")):
            came = {c: found[(leader_best, challenger_best, took_over, c)] for c in ("within", "later", "missed")}
            runs = sum(came.values())
            share = f" ({came['within'] / runs:.0%})" if runs else ""
            parts.append(
                f"{verb} {runs}: within 1.15x {came['within']}{share}, later {came['later']}, missed {came['missed']}"
            )
        lines.append(f"  {label}: {'; '.join(parts)}")
    return "\n".join(lines)


def listed(switch_runs: list, budget: Mapping[str, int], families: Sequence[str]) -> list[str]:
    """Each run's first duel over the copies of ``families``, one line a run (task, seed, the two families and
    whether the challenger took over), for a split read run by run."""
    lines = []
    for run, duel in duels_of(sorted(switch_runs, key=lambda run: (run.task, run.seed)), budget, families):
        if duel is None:
            lines.append(f"{run.task} seed {run.seed}: no duel with another family after the race")
        else:
            leader, challenger, took_over = duel
            verdict = "took over" if took_over else "did not take over"
            lines.append(f"{run.task} seed {run.seed}: {leader} leads, {challenger} {verdict}")
    return lines


def report(found: collections.Counter, families: Sequence[str]) -> str:
    """What :func:`count` found, in words: of the duels in each case, on how many the challenger took over."""
    duels = sum(value for key, value in found.items() if key != "runs")
    over = f"{found['runs']} runs over the copies of {', '.join(families)}"
    lines = [f"{over}, {duels} with a duel against another family after the race"]
    for leader_best, challenger_best, label in CASES:
        took_over = found[(leader_best, challenger_best, True)]
        kept = found[(leader_best, challenger_best, False)]
        share = f" ({took_over / (took_over + kept):.0%})" if took_over + kept else ""
        lines.append(f"  {label}: the challenger took over on {took_over} of {took_over + kept}{share}")
    return "\n".join(lines)


def switch_and_fixed_parser(module: str, doc: str) -> argparse.ArgumentParser:
    """The command line of a diagnostic that reads a switch's runs against the fixed candidates':
    ``--switch FILES:SWITCH --fixed FILES:CANDIDATES`` (``--fixed`` repeated for runs kept in other files)."""
    prog, description = f"python -m benchmarks.diagnostics.{module}", doc.split("\n\n")[0]
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--switch", required=True, help="FILE[+FILE...]:SWITCH")
    parser.add_argument("--fixed", required=True, action="append", help="FILE[+FILE...]:CANDIDATE[,CANDIDATE...]")
    return parser


def fixed_runs(specs: Sequence[str], targets: dict) -> dict[str, list]:
    """Each fixed candidate's runs, from ``--fixed``'s ``FILE[+FILE...]:CANDIDATE[,CANDIDATE...]`` specs, their tasks'
    targets added to ``targets``."""
    fixed: dict[str, list] = {}
    for spec in specs:
        fixed.update(standing.read([spec], targets))
    return fixed


def read_switch_and_fixed(args: argparse.Namespace) -> tuple[list, dict[str, list], dict]:
    """The switch's runs, each fixed candidate's runs and every task's target, from :func:`switch_and_fixed_parser`'s
    arguments."""
    targets: dict = {}
    ((_, switch_runs),) = standing.read([args.switch], targets).items()
    return switch_runs, fixed_runs(args.fixed, targets), targets


def switch_and_fixed(args: argparse.Namespace) -> tuple[list, dict[str, str], list[str]]:
    """The switch's runs, each task's best family (:func:`best_families`) and the fixed candidates' names, from
    :func:`switch_and_fixed_parser`'s arguments."""
    switch_runs, fixed, targets = read_switch_and_fixed(args)
    return switch_runs, best_families(fixed, targets), list(fixed)


def main(argv: Sequence[str] | None = None) -> collections.Counter:
    parser = switch_and_fixed_parser("first_duels", __doc__)
    parser.add_argument("--runs", action="store_true", help="also list each run's first duel")
    parser.add_argument(
        "--undueled", action="store_true", help="also count how the runs with no duel with another family came out"
    )
    parser.add_argument(
        "--outcomes", action="store_true", help="also count how the runs came out, by whether the challenger took over"
    )
    args = parser.parse_args(argv)
    switch_runs, fixed, targets = read_switch_and_fixed(args)
    medians = fixed_medians(fixed, targets)
    best = best_of(medians)
    families = list(fixed)
    budget = budgets(args.switch.rpartition(":")[0])
    found = count(switch_runs, budget, best, families)
    print(report(found, families))
    best_steps = {task: (name, medians[task][name]) for task, name in best.items()}
    if args.outcomes:
        print(outcomes_report(outcomes(switch_runs, budget, best_steps, targets, families)))
    if args.undueled:
        print(undueled_report(undueled(switch_runs, budget, best_steps, targets, families)))
    if args.runs:
        print("\n".join(listed(switch_runs, budget, families)))
    return found


if __name__ == "__main__":
    main()
