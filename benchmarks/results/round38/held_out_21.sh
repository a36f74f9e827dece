#!/usr/bin/env bash
# Round 38: held-out-21, run once with every default frozen, seeds 0-4 and 5-9, three candidates and five: round 37's
# option (race-multiples-undo-before-noise, undo_if_worse(..., noise="before")) against the recommended switch, run
# by run, in each of the four runs (benchmarks/results/round38/dev/RULE.md; a measurement, not a candidate for
# adoption), and the recommended switch's standing on the split alone.
# Run from the repository's root:
# bash benchmarks/results/round38/held_out_21.sh > benchmarks/results/round38/held_out_21.txt
set -euo pipefail
source benchmarks/results/run_files.sh
compare() { echo "\$ python -m benchmarks.suite.paired $1 $2"; python -m benchmarks.suite.paired "$1" "$2"; echo; }
for run in "$H21" "$H21_FRESH" "$H21_5C" "$H21_FRESH_5C"; do
  echo "## $run"
  compare "$run:race-multiples-undo-before-noise" "$run:race-multiples-undo"
done
echo "## The recommended switch on held-out-21 alone, three candidates, seeds 0-4 and 5-9"
for run in "$H21" "$H21_FRESH"; do
  echo "\$ python -m benchmarks.suite.standing --switch $run:race-multiples-undo --fixed $run:adam,sgd,rmsprop --baseline $run:adamw-cosine"
  python -m benchmarks.suite.standing --switch "$run:race-multiples-undo" --fixed "$run:adam,sgd,rmsprop" \
    --baseline "$run:adamw-cosine"
  echo
done
