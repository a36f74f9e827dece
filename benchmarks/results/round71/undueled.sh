#!/usr/bin/env bash
# Round 71 (new): how the runs with no duel against another family after the race came out, by whether the family the
# race ended on is the best (the runs whose runner-up is the leader's own copy try no other family before the stop, as
# on held-out-52's magnetization and held-out-53's galaxy): each run's steps to target against the best fixed
# candidate's median steps (within 1.15x, later, missed), over every split kept aside (validation, held-out through
# held-out-53), three candidates and five, seeds 0-4 and 5-9 (benchmarks/diagnostics/first_duels.py --undueled). The
# run files: run_files.sh.
# Run from the repository's root:
# bash benchmarks/results/round71/undueled.sh > benchmarks/results/round71/undueled.txt
set -euo pipefail
source benchmarks/results/run_files.sh
with_held_out_through 53
undueled_report
