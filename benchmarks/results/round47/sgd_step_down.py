"""Round 47: is development-3's hindsight gain (SGD, then Adam or RMSProp at update 200) the adaptive optimizer, or a
smaller step at SGD's noise floor? The hindsight ceiling (:func:`benchmarks.suite.oracle.ceiling`) over SGD at its
rate (1e-2, momentum 0.9), SGD at a third and a tenth of it, and Adam, with every single switch at update 200, on
seeds 0-4, the pick run again on fresh seeds 1000-1004. Run from the repository's root:

    python benchmarks/results/round47/sgd_step_down.py > benchmarks/results/round47/sgd_step_down.txt
"""

import optax

from benchmarks.suite import cli, oracle, store
from optswitch.demo import candidates

TASKS = ("procrustes-alignment", "range-localization")


def step_down_candidates() -> dict[str, optax.GradientTransformation]:
    return {
        "sgd": candidates()["sgd"],
        "sgd-0.3x": optax.sgd(3e-3, momentum=0.9),
        "sgd-0.1x": optax.sgd(1e-3, momentum=0.9),
        "adam": candidates()["adam"],
    }


def main() -> None:
    tasks = cli.build_tasks(TASKS, quick=False, text=None)
    targets = store.load_targets(cli.DEFAULT_TARGETS, tasks)
    names = list(step_down_candidates())
    for name, task in tasks.items():
        found = oracle.ceiling(
            task, targets[name], step_down_candidates, names, range(5), fractions=(0.1,), progress=False
        )
        print(f"## {name}: target {found['target']:.6g}; median steps to target, seeds 0-4 (inf: missed)")
        for label, entry in sorted(found["grid"].items(), key=lambda item: item[1]["median_steps"]):
            print(f"{label}: {entry['median_steps']:g} {entry['steps']}")
        fresh = found["fresh"]
        print(
            f"pick {found['pick']!r}, best fixed {found['best_fixed']!r}; fresh seeds {found['fresh_seeds']}: "
            f"pick {fresh['pick']['median_steps']:g}, best fixed {fresh['best_fixed']['median_steps']:g}"
        )
        print()


if __name__ == "__main__":
    main()
