#!/usr/bin/env bash
# Round 71 (round 70's, with held-out-53): whether the recommended switch falls short most where the best fixed
# candidate gets there late in the budget (held-out-34's DeepONet: Adam alone at 1,950 of 2,000 updates), its outcome on
# each task some fixed candidate reaches counted by where that candidate's median steps fall in the budget, over every
# split kept aside (validation, held-out through held-out-53), three candidates and five, seeds 0-4 and 5-9
# (benchmarks/diagnostics/late_targets.py). The run files: run_files.sh.
# Run from the repository's root:
# bash benchmarks/results/round71/late_targets.sh > benchmarks/results/round71/late_targets.txt
set -euo pipefail
source benchmarks/results/run_files.sh
with_held_out_through 53
late_targets_report
