#!/usr/bin/env bash
# Round 65 (round 64's, with held-out-47): where the recommended switch stands against the goals of issue 11, split by
# split and task by task, over every split kept aside (validation, held-out through held-out-47), three candidates and
# five, seeds 0-4 and 5-9 (round 46's standing, with held-out-47 run once on both seed sets in round 65). The run files:
# benchmarks/results/run_files.sh.
# Run from the repository's root: bash benchmarks/results/round65/standing.sh > benchmarks/results/round65/standing.txt
set -euo pipefail
source benchmarks/results/run_files.sh
with_held_out_through 47
standing_report
