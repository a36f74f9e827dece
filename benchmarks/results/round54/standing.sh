#!/usr/bin/env bash
# Round 54 (round 53's, with held-out-36): where the recommended switch stands against the goals of issue 11, split by
# split and task by task, over every split kept aside (validation, held-out through held-out-36), three candidates and
# five, seeds 0-4 and 5-9 (round 46's standing, with held-out-36 run once on both seed sets in round 54). The run files:
# benchmarks/results/run_files.sh.
# Run from the repository's root: bash benchmarks/results/round54/standing.sh > benchmarks/results/round54/standing.txt
set -euo pipefail
source benchmarks/results/run_files.sh
with_held_out_through 36
standing_report
