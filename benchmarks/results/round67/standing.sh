#!/usr/bin/env bash
# Round 67 (round 66's, with held-out-49): where the recommended switch stands against the goals of issue 11, split by
# split and task by task, over every split kept aside (validation, held-out through held-out-49), three candidates and
# five, seeds 0-4 and 5-9 (round 46's standing, with held-out-49 run once on both seed sets in round 67). The run files:
# benchmarks/results/run_files.sh.
# Run from the repository's root: bash benchmarks/results/round67/standing.sh > benchmarks/results/round67/standing.txt
set -euo pipefail
source benchmarks/results/run_files.sh
with_held_out_through 49
standing_report
