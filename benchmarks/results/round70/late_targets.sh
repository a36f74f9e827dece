#!/usr/bin/env bash
# Round 70 (round 69's, with held-out-52): whether the recommended switch falls short most where the best fixed
# candidate gets there late in the budget (held-out-34's DeepONet: Adam alone at 1,950 of 2,000 updates), its outcome on
# each task some fixed candidate reaches counted by where that candidate's median steps fall in the budget, over every
# split kept aside (validation, held-out through held-out-52), three candidates and five, seeds 0-4 and 5-9
# (benchmarks/diagnostics/late_targets.py). The run files: run_files.sh.
# Run from the repository's root:
# bash benchmarks/results/round70/late_targets.sh > benchmarks/results/round70/late_targets.txt
set -euo pipefail
source benchmarks/results/run_files.sh
with_held_out_through 52
late_targets_report
