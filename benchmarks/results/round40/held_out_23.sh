#!/usr/bin/env bash
# Round 40: held-out-23, run once with every default frozen (benchmarks/results/round40/RULE.md), seeds 0-4 and 5-9,
# three candidates and five: the recommended switch's standing on the split alone, with three candidates and with five,
# and which candidate's copies it ran most, run by run.
# Run from the repository's root:
# bash benchmarks/results/round40/held_out_23.sh > benchmarks/results/round40/held_out_23.txt
set -euo pipefail
source benchmarks/results/run_files.sh
alone_split_report held-out-23 round40/held-out-23
