#!/usr/bin/env bash
# Round 39: held-out-22, run once with every default frozen, seeds 0-4 and 5-9, three candidates and five: round 38's
# variant (race-multiples-undo-before-noise-4se, undo_if_worse(..., noise="before", confidence=4)) against the
# recommended switch, run by run, in each of the four runs (benchmarks/results/round39/dev/RULE.md), and the
# recommended switch's standing on the split alone.
# Run from the repository's root:
# bash benchmarks/results/round39/held_out_22.sh > benchmarks/results/round39/held_out_22.txt
set -euo pipefail
source benchmarks/results/run_files.sh
blind_split_report race-multiples-undo-before-noise-4se held-out-22 "$H22" "$H22_FRESH" "$H22_5C" "$H22_FRESH_5C"
