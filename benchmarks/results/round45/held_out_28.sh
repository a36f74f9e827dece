#!/usr/bin/env bash
# Round 45: held-out-28, run once with every default frozen (benchmarks/results/round45/RULE.md), seeds 0-4 and 5-9,
# three candidates and five: the recommended switch's standing on the split alone, with three candidates and with five,
# which candidate's copies it ran most, run by run, and the first duel with another family after the race on each run.
# Run from the repository's root:
# bash benchmarks/results/round45/held_out_28.sh > benchmarks/results/round45/held_out_28.txt
set -euo pipefail
source benchmarks/results/run_files.sh
alone_split_duels held-out-28 round45/held-out-28
