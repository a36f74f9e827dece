#!/usr/bin/env bash
# Round 41: held-out-24, run once with every default frozen (benchmarks/results/round41/RULE.md), seeds 0-4 and 5-9,
# three candidates and five: the recommended switch's standing on the split alone, with three candidates and with five,
# and which candidate's copies it ran most, run by run.
# Run from the repository's root:
# bash benchmarks/results/round41/held_out_24.sh > benchmarks/results/round41/held_out_24.txt
set -euo pipefail
source benchmarks/results/run_files.sh
alone_split_report held-out-24 round41/held-out-24
