#!/usr/bin/env bash
# Round 38: held-out-21, run once with every default frozen, seeds 0-4 and 5-9, three candidates and five: round 37's
# option (race-multiples-undo-before-noise, undo_if_worse(..., noise="before")) against the recommended switch, run
# by run, in each of the four runs (benchmarks/results/round38/dev/RULE.md; a measurement, not a candidate for
# adoption), and the recommended switch's standing on the split alone.
# Run from the repository's root:
# bash benchmarks/results/round38/held_out_21.sh > benchmarks/results/round38/held_out_21.txt
set -euo pipefail
source benchmarks/results/run_files.sh
blind_split_report race-multiples-undo-before-noise held-out-21 "$H21" "$H21_FRESH" "$H21_5C" "$H21_FRESH_5C"
