#!/usr/bin/env bash
# Round 55's second diagnostic of the late duels (benchmarks/results/round55/RULE_DEV.md, second addendum): beside the
# recommended switch on the 27 tasks of held-out-19 to held-out-27, three candidates, seeds 0-4, in two halves at a time
# (held-out-19 to -23, held-out-24 to -27). It writes benchmarks/results/round55/seen-late-earlier/{a,b}/, which
# dev_late.sh reads. Run from the repository's root: bash benchmarks/results/round55/seen_late_earlier_runs.sh
set -euo pipefail
source benchmarks/results/run_files.sh
a=$(split_tasks round35/held-out-19 round37/held-out-20 round38/held-out-21 round39/held-out-22 round40/held-out-23)
b=$(split_tasks round41/held-out-24 round42/held-out-25 round43/held-out-26 round44/held-out-27)
late_duels_in_halves round55/seen-late-earlier "$a" "$b"
