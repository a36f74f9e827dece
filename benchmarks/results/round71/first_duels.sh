#!/usr/bin/env bash
# Round 41's diagnostic, run again in round 71 with held-out-53: whether the recommended switch's first duel with
# another family, after the race, moves a run toward the family that gets there first, over every split kept aside
# (validation, held-out through held-out-53), three candidates and five, seeds 0-4 and 5-9
# (benchmarks/diagnostics/first_duels.py). The run files: run_files.sh.
# Run from the repository's root: bash benchmarks/results/round71/first_duels.sh > benchmarks/results/round71/first_duels.txt
set -euo pipefail
source benchmarks/results/run_files.sh
with_held_out_through 53
first_duels_report
