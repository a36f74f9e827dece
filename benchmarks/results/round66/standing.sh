#!/usr/bin/env bash
# Round 66 (round 65's, with held-out-48): where the recommended switch stands against the goals of issue 11, split by
# split and task by task, over every split kept aside (validation, held-out through held-out-48), three candidates and
# five, seeds 0-4 and 5-9 (round 46's standing, with held-out-48 run once on both seed sets in round 66). The run files:
# benchmarks/results/run_files.sh.
# Run from the repository's root: bash benchmarks/results/round66/standing.sh > benchmarks/results/round66/standing.txt
set -euo pipefail
source benchmarks/results/run_files.sh
with_held_out_through 48
standing_report
