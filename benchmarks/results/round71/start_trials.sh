#!/usr/bin/env bash
# Round 71 (round 30's, over every split kept aside through held-out-53): what fair trials of every candidate from the
# start could reach, by steps, read off the fixed candidates' stored runs (no new run), beside the recommended switch's
# own runs and each fixed candidate's and the baseline's alone, three candidates and five, seeds 0-4 and 5-9
# (benchmarks/diagnostics/start_trials.py; the oracle@0 row is the best candidate of each seed known in advance, at no
# cost). Prodigy, which only the splits through held-out-18 ran, is left out. The run files: run_files.sh.
# Run from the repository's root:
# bash benchmarks/results/round71/start_trials.sh > benchmarks/results/round71/start_trials.txt
set -euo pipefail
source benchmarks/results/run_files.sh
with_held_out_through 53
start_trials_report 53
