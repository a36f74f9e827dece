#!/usr/bin/env bash
# Round 44: held-out-27, run once with every default frozen (benchmarks/results/round44/RULE.md), seeds 0-4 and 5-9,
# three candidates and five: the recommended switch's standing on the split alone, with three candidates and with five,
# which candidate's copies it ran most, run by run, and the first duel with another family after the race on each run.
# Run from the repository's root:
# bash benchmarks/results/round44/held_out_27.sh > benchmarks/results/round44/held_out_27.txt
set -euo pipefail
source benchmarks/results/run_files.sh
alone_split_duels held-out-27 round44/held-out-27
