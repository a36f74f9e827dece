#!/usr/bin/env bash
# Round 55's runs of the late duels on the 27 tasks of held-out-28 to held-out-36, the nine splits run blind before this
# round (benchmarks/results/round55/RULE_DEV.md, condition 3; not blind any more), beside the recommended switch, three
# candidates, seeds 0-4, in two halves at a time (held-out-28 to -32, held-out-33 to -36). It writes
# benchmarks/results/round55/seen-late/{a,b}/, which dev_late.sh reads. Run from the repository's root:
# bash benchmarks/results/round55/seen_late_runs.sh
set -euo pipefail
source benchmarks/results/run_files.sh
a=$(split_tasks round45/held-out-28 round46/held-out-29 round48/held-out-30 round49/held-out-31 round50/held-out-32)
b=$(split_tasks round51/held-out-33 round52/held-out-34 round53/held-out-35 round54/held-out-36)
late_duels_in_halves round55/seen-late "$a" "$b"
