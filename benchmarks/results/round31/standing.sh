#!/usr/bin/env bash
# Round 31: where the recommended switch stands against the goals of issue 11, split by split and task by task, over
# every split kept aside (validation, held-out through held-out-18), three candidates and five, seeds 0-4 and 5-9
# (round 30's standing, with held-out-18 run once on both seed sets). The run files: benchmarks/results/run_files.sh.
# Run from the repository's root: bash benchmarks/results/round31/standing.sh > benchmarks/results/round31/standing.txt
set -euo pipefail
source benchmarks/results/run_files.sh
with_held_out_18
standing_report
