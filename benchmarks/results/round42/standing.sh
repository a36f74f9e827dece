#!/usr/bin/env bash
# Round 42: where the recommended switch stands against the goals of issue 11, split by split and task by task, over
# every split kept aside (validation, held-out through held-out-25), three candidates and five, seeds 0-4 and 5-9
# (round 41's standing, with held-out-25 run once on both seed sets in round 42). The run files:
# benchmarks/results/run_files.sh.
# Run from the repository's root: bash benchmarks/results/round42/standing.sh > benchmarks/results/round42/standing.txt
set -euo pipefail
source benchmarks/results/run_files.sh
with_held_out_through 25
standing_report
