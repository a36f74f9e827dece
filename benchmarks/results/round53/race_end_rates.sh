#!/usr/bin/env bash
# Round 53: on how many runs the recommended switch's race ends on a copy at 1x (the runs round 48's rungs can change):
# on the development splits (round 53's trial, three candidates and five, seeds 0-9), then over every split kept aside
# (validation, held-out through held-out-35), three candidates and five, seeds 0-4 and 5-9
# (benchmarks/results/round53/race_end_rates.py). The run files: run_files.sh.
# Run from the repository's root:
# bash benchmarks/results/round53/race_end_rates.sh > benchmarks/results/round53/race_end_rates.txt
set -euo pipefail
source benchmarks/results/run_files.sh
with_held_out_through 35
rates() { echo "\$ python benchmarks/results/round53/race_end_rates.py $*"; python benchmarks/results/round53/race_end_rates.py "$@"; echo; }
echo "## The development splits, round 53's trial, three candidates, then five"
rates "$R/round53/dev-steps/*/time_to_target.json:race-multiples-undo-kept-watch"
rates "$R/round53/dev-steps-5c/*/time_to_target.json:race-multiples-undo-kept-watch" --candidates 5
echo "## Every split kept aside: three candidates, seeds 0-4 and 5-9, then five"
rates "$K3:race-multiples-undo" --kept-aside
rates "$FRESH_REC:race-multiples-undo" --kept-aside
rates "$K5_SWITCH:race-multiples-undo" --candidates 5 --kept-aside
rates "$F5:race-multiples-undo" --candidates 5 --kept-aside
