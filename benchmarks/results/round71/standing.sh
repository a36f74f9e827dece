#!/usr/bin/env bash
# Round 71 (round 70's, with held-out-53): where the recommended switch stands against the goals of issue 11, split by
# split and task by task, over every split kept aside (validation, held-out through held-out-53), three candidates and
# five, seeds 0-4 and 5-9 (round 46's standing, with held-out-53 run once on both seed sets in round 71). The run files:
# benchmarks/results/run_files.sh.
# Run from the repository's root: bash benchmarks/results/round71/standing.sh > benchmarks/results/round71/standing.txt
set -euo pipefail
source benchmarks/results/run_files.sh
with_held_out_through 53
standing_report
