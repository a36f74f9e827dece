#!/usr/bin/env bash
# Round 43: held-out-26, run once with every default frozen (benchmarks/results/round43/RULE.md), seeds 0-4 and 5-9,
# three candidates and five: the recommended switch's standing on the split alone, with three candidates and with five,
# which candidate's copies it ran most, run by run, and the first duel with another family after the race on each run.
# Run from the repository's root:
# bash benchmarks/results/round43/held_out_26.sh > benchmarks/results/round43/held_out_26.txt
set -euo pipefail
source benchmarks/results/run_files.sh
alone_split_report held-out-26 round43/held-out-26
echo
echo "## The first duel with another family after the race, run by run (benchmarks/diagnostics/first_duels.py)"
for three in "$H26" "$H26_FRESH"; do
  duels --runs --switch "$three:race-multiples-undo" --fixed "$three:adam,sgd,rmsprop"
done
for five in "$H26_5C" "$H26_FRESH_5C"; do
  duels --runs --switch "$five:race-multiples-undo" --fixed "$five:adam,adam-3e-4,adam-3e-3,sgd,rmsprop"
done
