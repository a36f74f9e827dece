#!/usr/bin/env bash
# Round 37: held-out-20, run once with every default frozen, seeds 0-4 and 5-9, three candidates and five: round 36's
# variant (race-multiples-undo-stall-long) against the recommended switch, run by run, in each of the four runs
# (benchmarks/results/round37/RULE.md pools their counts), and the recommended switch's standing on the split alone.
# Run from the repository's root:
# bash benchmarks/results/round37/held_out_20.sh > benchmarks/results/round37/held_out_20.txt
set -euo pipefail
source benchmarks/results/run_files.sh
compare() { echo "\$ python -m benchmarks.suite.paired $1 $2"; python -m benchmarks.suite.paired "$1" "$2"; echo; }
for run in "$H20" "$H20_FRESH" "$H20_5C" "$H20_FRESH_5C"; do
  echo "## $run"
  compare "$run:race-multiples-undo-stall-long" "$run:race-multiples-undo"
done
echo "## The recommended switch on held-out-20 alone, three candidates, seeds 0-4 and 5-9"
for run in "$H20" "$H20_FRESH"; do
  echo "\$ python -m benchmarks.suite.standing --switch $run:race-multiples-undo --fixed $run:adam,sgd,rmsprop --baseline $run:adamw-cosine"
  python -m benchmarks.suite.standing --switch "$run:race-multiples-undo" --fixed "$run:adam,sgd,rmsprop" \
    --baseline "$run:adamw-cosine"
  echo
done
