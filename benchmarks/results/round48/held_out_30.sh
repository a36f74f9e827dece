#!/usr/bin/env bash
# Round 48: held-out-30, run once with every default frozen (benchmarks/results/round48/RULE.md), seeds 0-4 and 5-9,
# three candidates and five: the recommended switch's standing on the split alone, with three candidates and with five,
# which candidate's copies it ran most, run by run, and the first duel with another family after the race on each run;
# then round 33's trials-duels-guarded, run beside it as round 47's rule allowed, against it run by run in each of the
# four runs, and its own standing on the split.
# Run from the repository's root:
# bash benchmarks/results/round48/held_out_30.sh > benchmarks/results/round48/held_out_30.txt
set -euo pipefail
source benchmarks/results/run_files.sh
alone_split_duels held-out-30 round48/held-out-30
echo
echo "## Round 33's trials-duels-guarded against the recommended switch, run by run, in each of the four runs"
for run in "$H30" "$H30_FRESH" "$H30_5C" "$H30_FRESH_5C"; do
  compare "$run:trials-duels-guarded" "$run:race-multiples-undo"
done
echo "## Round 33's trials-duels-guarded on held-out-30 alone, three candidates, seeds 0-4 and 5-9"
three_standing trials-duels-guarded "$H30" "$H30_FRESH"
echo "## The same with five candidates (the tuned baseline from the three-candidate run of the same seeds)"
five_standing trials-duels-guarded "$R/round48/held-out-30" "$R/round48/held-out-30-fresh"
