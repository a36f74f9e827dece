#!/usr/bin/env bash
# Round 70 (round 69's, with held-out-52): whether the recommended switch's race ends on the family that leads the fixed
# candidates' own runs (1x, the same seed) at the race's end, against the task's best family, over every split kept
# aside (validation, held-out through held-out-52), three candidates and five, seeds 0-4 and 5-9
# (benchmarks/diagnostics/race_agrees.py). The run files: run_files.sh.
# Run from the repository's root:
# bash benchmarks/results/round70/race_agrees.sh > benchmarks/results/round70/race_agrees.txt
set -euo pipefail
source benchmarks/results/run_files.sh
with_held_out_through 52
race_agrees_report
