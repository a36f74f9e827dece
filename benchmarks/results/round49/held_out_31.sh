#!/usr/bin/env bash
# Round 49: held-out-31, run once with every default frozen (benchmarks/results/round49/RULE.md), seeds 0-4 and 5-9,
# three candidates and five: the recommended switch's standing on the split alone, with three candidates and with five,
# which candidate's copies it ran most, run by run, and the first duel with another family after the race on each run;
# then the two variants the rule ran beside it, round 33's trials-duels-guarded and round 48's kept-watch guard, each
# against it run by run in each of the four runs, and each one's own standing on the split.
# Run from the repository's root:
# bash benchmarks/results/round49/held_out_31.sh > benchmarks/results/round49/held_out_31.txt
set -euo pipefail
source benchmarks/results/run_files.sh
alone_split_duels held-out-31 round49/held-out-31
for variant in trials-duels-guarded race-multiples-undo-kept-watch; do
  echo
  echo "## $variant against the recommended switch, run by run, in each of the four runs"
  for run in "$H31" "$H31_FRESH" "$H31_5C" "$H31_FRESH_5C"; do
    compare "$run:$variant" "$run:race-multiples-undo"
  done
  echo "## $variant on held-out-31 alone, three candidates, seeds 0-4 and 5-9"
  three_standing "$variant" "$H31" "$H31_FRESH"
  echo "## The same with five candidates (the tuned baseline from the three-candidate run of the same seeds)"
  five_standing "$variant" "$R/round49/held-out-31" "$R/round49/held-out-31-fresh"
done
