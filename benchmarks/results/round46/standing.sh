#!/usr/bin/env bash
# Round 46: where the recommended switch stands against the goals of issue 11, split by split and task by task, over
# every split kept aside (validation, held-out through held-out-29), three candidates and five, seeds 0-4 and 5-9
# (round 45's standing, with held-out-29 run once on both seed sets in round 46). The run files:
# benchmarks/results/run_files.sh.
# Run from the repository's root: bash benchmarks/results/round46/standing.sh > benchmarks/results/round46/standing.txt
set -euo pipefail
source benchmarks/results/run_files.sh
with_held_out_through 29
standing_report
