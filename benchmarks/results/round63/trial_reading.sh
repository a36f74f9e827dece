#!/usr/bin/env bash
# Round 63, on the splits already run (before held-out-45's blind runs): fair trials of the three fixed candidates from
# the recommended switch's parameters at the race's end and at a quarter of the budget, against the fixed runs' leader
# there and the task's best candidate, over every split kept aside (validation, held-out through held-out-44), three
# candidates, seeds 0-4 (benchmarks/results/round63/trial_reading.py). The run files: run_files.sh.
# Run from the repository's root:
# bash benchmarks/results/round63/trial_reading.sh > benchmarks/results/round63/trial_reading.txt
# and, trials from the states the switch's copies left (after held-out-45's blind runs):
# bash benchmarks/results/round63/trial_reading.sh --own-states > benchmarks/results/round63/trial_reading_own.txt
set -euo pipefail
source benchmarks/results/run_files.sh
with_held_out_through 44
python benchmarks/results/round63/trial_reading.py --fixed "$K3:adam,sgd,rmsprop" "$@"
