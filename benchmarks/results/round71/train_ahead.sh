#!/usr/bin/env bash
# Round 71 (round 46's, with held-out-53): whether the recommended switch falls short because it reads the training loss
# while the target is on validation (round 43's Hopfield retrieval): on each task some fixed candidate reaches, the
# switch's training loss at the best fixed candidate's median steps to the target against that candidate's, counted
# apart for the tasks the switch reaches within 1.15x and those it does not, over every split kept aside (validation,
# held-out through held-out-53), three candidates and five, seeds 0-4 and 5-9 (benchmarks/diagnostics/train_ahead.py).
# The run files: run_files.sh.
# Run from the repository's root: bash benchmarks/results/round71/train_ahead.sh > benchmarks/results/round71/train_ahead.txt
set -euo pipefail
source benchmarks/results/run_files.sh
with_held_out_through 53
train_ahead_report
