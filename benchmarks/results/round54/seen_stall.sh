#!/usr/bin/env bash
# Round 54's check of the stall rungs on round 53's 30 kept-aside tasks whose recommended races ended at 1x
# (benchmarks/results/round54/RULE_DEV.md, condition 3; not blind): each against the recommended switch run by run over
# the 150 runs, then apart for the runs whose race ends on a copy at 1x and the others (seen_stall.py).
# Run from the repository's root:
# bash benchmarks/results/round54/seen_stall.sh > benchmarks/results/round54/seen_stall.txt
set -euo pipefail
source benchmarks/results/run_files.sh
S="$R/round54/seen-stall/*/time_to_target.json"
for variant in race-multiples-undo-stall-rung-kept-watch race-multiples-undo-long-stall-rung-kept-watch; do
  compare "$S:$variant" "$S:race-multiples-undo-kept-watch"
done
echo "\$ python benchmarks/results/round54/seen_stall.py"
python benchmarks/results/round54/seen_stall.py
