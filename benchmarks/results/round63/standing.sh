#!/usr/bin/env bash
# Round 63 (round 62's, with held-out-45): where the recommended switch stands against the goals of issue 11, split by
# split and task by task, over every split kept aside (validation, held-out through held-out-45), three candidates and
# five, seeds 0-4 and 5-9 (round 46's standing, with held-out-45 run once on both seed sets in round 63). The run files:
# benchmarks/results/run_files.sh.
# Run from the repository's root: bash benchmarks/results/round63/standing.sh > benchmarks/results/round63/standing.txt
set -euo pipefail
source benchmarks/results/run_files.sh
with_held_out_through 45
standing_report
