"""Round 52: on held-out-34's four runs, each task's median seconds to target (compile included, AlgoPerf's clock)
for every contender, with its median compile seconds, and the recommended switch's seconds against the fixed candidate
fastest by seconds: the task-by-task reading that round 52's rule asks for the DeepONet, the first task where compiling
takes under 10% of the best fixed candidate's seconds to target. Run from the repository's root with the four folders
(``benchmarks/results/round52/held_out_34.sh`` does).
"""

import math
import sys

from benchmarks.results.five_candidates import results

SWITCHES = ("race-multiples-undo", "race-multiples-undo-kept-watch")
BASELINES = ("adamw-cosine",)


def main() -> None:
    for folder in sys.argv[1:]:
        print(f"{folder}:")
        for task, by_contender in results(folder.removeprefix("benchmarks/results/")).items():
            fixed = {name: r for name, r in by_contender.items() if name not in SWITCHES + BASELINES}
            fastest = min(fixed, key=lambda name: fixed[name]["median_seconds_to_target"])
            best = fixed[fastest]["median_seconds_to_target"]
            # A task whose every fixed candidate's median misses (round 69's Avrami on seeds 5-9) has no fastest one.
            named = f"fastest fixed by seconds: {fastest}" if math.isfinite(best) else "no fixed median reaches it"
            print(f"  {task} ({named}):")
            for name, r in by_contender.items():
                seconds = r["median_seconds_to_target"]
                time = f"{seconds:.1f} s to target" if math.isfinite(seconds) else "median not reached"
                reached = math.isfinite(seconds) and math.isfinite(best)
                ratio = f", {seconds / best:.2f}x the fastest fixed" if reached else ""
                print(
                    f"    {name}: {time} ({r['reached']} of {r['runs']} reach it),"
                    f" compile {r['median_compile_seconds']:.1f} s{ratio}"
                )


if __name__ == "__main__":
    main()
