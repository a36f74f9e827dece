#!/usr/bin/env bash
# Round 53's development trial of a second step down (benchmarks/results/round53/RULE_DEV.md): round 48's rungs and
# the ladder, each under the kept-watch guard, against the recommended switch run by run, on the five development
# splits, seeds 0-4 and 5-9 (benchmarks/results/round53/dev-steps/, each run holding the three contenders): each seed
# set alone, then both together; then rungs with five candidates (a check the rule did not ask for, run after the
# three-candidate runs were read; benchmarks/results/round53/dev-steps-5c/). Run from the repository's root:
# bash benchmarks/results/round53/dev_steps.sh > benchmarks/results/round53/dev_steps.txt
set -euo pipefail
source benchmarks/results/run_files.sh
D=$R/round53/dev-steps
development_runs "$D"
for variant in race-multiples-undo-rungs-kept-watch race-multiples-undo-ladder-kept-watch; do
  echo "## $variant against the recommended switch, seeds 0-4, seeds 5-9, then both"
  compare "$seeds_0_4:$variant" "$seeds_0_4:race-multiples-undo-kept-watch"
  compare "$seeds_5_9:$variant" "$seeds_5_9:race-multiples-undo-kept-watch"
  compare "$seeds_0_4+$seeds_5_9:$variant" "$seeds_0_4+$seeds_5_9:race-multiples-undo-kept-watch"
done
five_0_4=${seeds_0_4//dev-steps/dev-steps-5c}
five_5_9=${seeds_5_9//dev-steps/dev-steps-5c}
echo "## race-multiples-undo-rungs-kept-watch against the recommended switch, five candidates, seeds 0-4, 5-9, both"
compare "$five_0_4:race-multiples-undo-rungs-kept-watch" "$five_0_4:race-multiples-undo-kept-watch"
compare "$five_5_9:race-multiples-undo-rungs-kept-watch" "$five_5_9:race-multiples-undo-kept-watch"
compare "$five_0_4+$five_5_9:race-multiples-undo-rungs-kept-watch" "$five_0_4+$five_5_9:race-multiples-undo-kept-watch"
