#!/usr/bin/env bash
# Round 71 (round 70's, with held-out-53): whether the recommended switch's race ends on the family that leads the fixed
# candidates' own runs (1x, the same seed) at the race's end, against the task's best family, over every split kept
# aside (validation, held-out through held-out-53), three candidates and five, seeds 0-4 and 5-9
# (benchmarks/diagnostics/race_agrees.py). The run files: run_files.sh.
# Run from the repository's root:
# bash benchmarks/results/round71/race_agrees.sh > benchmarks/results/round71/race_agrees.txt
set -euo pipefail
source benchmarks/results/run_files.sh
with_held_out_through 53
race_agrees_report
