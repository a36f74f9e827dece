#!/usr/bin/env bash
# Round 68 (round 67's, with held-out-50): where the recommended switch stands against the goals of issue 11, split by
# split and task by task, over every split kept aside (validation, held-out through held-out-50), three candidates and
# five, seeds 0-4 and 5-9 (round 46's standing, with held-out-50 run once on both seed sets in round 68). The run files:
# benchmarks/results/run_files.sh.
# Run from the repository's root: bash benchmarks/results/round68/standing.sh > benchmarks/results/round68/standing.txt
set -euo pipefail
source benchmarks/results/run_files.sh
with_held_out_through 50
standing_report
