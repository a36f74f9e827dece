#!/usr/bin/env bash
# Round 46: held-out-29, run once with every default frozen (benchmarks/results/round46/RULE.md), seeds 0-4 and 5-9,
# three candidates and five: the recommended switch's standing on the split alone, with three candidates and with five,
# which candidate's copies it ran most, run by run, and the first duel with another family after the race on each run.
# Run from the repository's root:
# bash benchmarks/results/round46/held_out_29.sh > benchmarks/results/round46/held_out_29.txt
set -euo pipefail
source benchmarks/results/run_files.sh
alone_split_duels held-out-29 round46/held-out-29
