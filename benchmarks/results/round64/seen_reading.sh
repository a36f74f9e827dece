#!/usr/bin/env bash
# Round 64's condition 3 (benchmarks/results/round64/RULE_DEV.md's second addendum): the third variant
# (benchmarks/results/round64/seen-reading-1x-short/) against the recommended switch's stored blind runs of held-out-37
# to held-out-45, seeds 0-4, three candidates, run by run. Run from the repository's root:
# bash benchmarks/results/round64/seen_reading.sh > benchmarks/results/round64/seen_reading.txt
set -euo pipefail
source benchmarks/results/run_files.sh
variant=race-multiples-undo-reading-1x-short-kept-watch
mine=$R/round64/seen-reading-1x-short/held-out-37/time_to_target.json theirs=$H37
for n in 38 39 40 41 42 43 44 45; do
  mine+="+$R/round64/seen-reading-1x-short/held-out-$n/time_to_target.json"
  theirs+="+$(eval echo "\$H$n")"
done
compare "$mine:$variant" "$theirs:race-multiples-undo-kept-watch"
