"""Round 39: the recommended switch and round 38's variant on seeds 10-14 of the 61 tasks, seed counts by task.

Rule items (b) and (c) of ``benchmarks/results/round39/dev/RULE.md``: the tasks each switch reaches on fewer than 3 of
the 5 seeds, and the seeds on which each reaches pendulum-control-bptt. No fixed candidate ran on these seeds, so a
task is counted missed whatever the fixed candidates would have done, the same way for both. Run from the
repository's root: ``python benchmarks/results/round39/third_seeds.py > benchmarks/results/round39/third_seeds.txt``.
"""

import glob
import json

FILES = "benchmarks/results/round39/dev/splits-third/*/scores.json"
SWITCHES = ("race-multiples-undo", "race-multiples-undo-before-noise-4se")


def reached() -> dict[str, dict[str, int]]:
    """Seeds (of 5) on which each switch reaches each task's target, by task."""
    found = {}
    for path in sorted(glob.glob(FILES)):
        with open(path) as file:
            for task, by_contender in json.load(file)["results"].items():
                found[task] = {name: by_contender[name]["reached"] for name in SWITCHES}
    return found


def main() -> None:
    counts = reached()
    print(f"{len(counts)} tasks, seeds 10-14")
    for name in SWITCHES:
        missed = sorted(task for task, by_switch in counts.items() if by_switch[name] < 3)
        print(f"{name}: misses {len(missed)} (reached on fewer than 3 of 5 seeds): {', '.join(missed)}")
    print("tasks where the two differ across 3 of 5:")
    for task, by_switch in sorted(counts.items()):
        if (by_switch[SWITCHES[0]] < 3) != (by_switch[SWITCHES[1]] < 3):
            print(f"  {task}: " + ", ".join(f"{name} {by_switch[name]}/5" for name in SWITCHES))
    pendulum = counts["pendulum-control-bptt"]
    print("pendulum-control-bptt: " + ", ".join(f"{name} {pendulum[name]}/5" for name in SWITCHES))


if __name__ == "__main__":
    main()
