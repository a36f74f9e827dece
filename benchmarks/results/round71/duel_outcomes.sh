#!/usr/bin/env bash
# Round 71 (round 70's, with held-out-53): how the runs whose first duel with another family, after the race, handed the
# run over came out, against those whose leader kept it, by whether the leader's or the challenger's family is the best:
# each run's steps to target against the best fixed candidate's median steps (within 1.15x, later, missed), over every
# split kept aside (validation, held-out through held-out-53), three candidates and five, seeds 0-4 and 5-9
# (benchmarks/diagnostics/first_duels.py --outcomes). The run files: run_files.sh.
# Run from the repository's root:
# bash benchmarks/results/round71/duel_outcomes.sh > benchmarks/results/round71/duel_outcomes.txt
set -euo pipefail
source benchmarks/results/run_files.sh
with_held_out_through 53
duel_outcomes_report
