#!/usr/bin/env bash
# Round 37: held-out-20, run once with every default frozen, seeds 0-4 and 5-9, three candidates and five: round 36's
# variant (race-multiples-undo-stall-long) against the recommended switch, run by run, in each of the four runs
# (benchmarks/results/round37/RULE.md pools their counts), and the recommended switch's standing on the split alone.
# Run from the repository's root:
# bash benchmarks/results/round37/held_out_20.sh > benchmarks/results/round37/held_out_20.txt
set -euo pipefail
source benchmarks/results/run_files.sh
blind_split_report race-multiples-undo-stall-long held-out-20 "$H20" "$H20_FRESH" "$H20_5C" "$H20_FRESH_5C"
