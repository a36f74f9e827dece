#!/usr/bin/env bash
# Round 56: held-out-38, run once with every default frozen (benchmarks/results/round56/RULE.md), seeds 0-4 and 5-9,
# three candidates and five: the recommended switch's standing on the split alone, with three candidates and with five,
# which candidate's copies it ran most, run by run, and the first duel with another family after the race on each run;
# then the kept-watch contender (what selectors.recommended composes since round 49) against round 10's guard, run by
# run in each of the four runs, its own standing on the split, every run where the two differ, and each task's lowest
# training loss over the recommended switch's runs (round 50's same_runs.py, given the four runs); then each task's
# median seconds to target, compile included, for every contender (round 52's seconds.py); last, the blind trial of
# round 55's late duels against the recommended switch, run by run, over seeds 0-9 with three candidates and with five, then each run alone,
# then their standing on the split alone.
# Run from the repository's root:
# bash benchmarks/results/round56/held_out_38.sh > benchmarks/results/round56/held_out_38.txt
set -euo pipefail
source benchmarks/results/run_files.sh
blind_round_report held-out-38 round56/held-out-38
seconds_report round56/held-out-38
variant=race-multiples-undo-late-duels-kept-watch
# paired.py pairs runs by task and seed, so a three- and a five-candidate run of the same seeds go in apart: the rule's 60
# pairs are the four runs' 15 each.
echo "## $variant against the recommended switch on held-out-38 (RULE.md's blind trial), seeds 0-9, three candidates, then five"
compare "$H38+$H38_FRESH:$variant" "$H38+$H38_FRESH:race-multiples-undo-kept-watch"
compare "$H38_5C+$H38_FRESH_5C:$variant" "$H38_5C+$H38_FRESH_5C:race-multiples-undo-kept-watch"
echo "## the same, each run alone: seeds 0-4, seeds 5-9, then five candidates on seeds 0-4 and 5-9"
for run in "$H38" "$H38_FRESH" "$H38_5C" "$H38_FRESH_5C"; do
  compare "$run:$variant" "$run:race-multiples-undo-kept-watch"
done
echo "## $variant on held-out-38 alone, three candidates, seeds 0-4 and 5-9"
three_standing "$variant" "$H38" "$H38_FRESH"
echo "## The same with five candidates (the tuned baseline from the three-candidate run of the same seeds)"
five_standing "$variant" "$R/round56/held-out-38" "$R/round56/held-out-38-fresh"
