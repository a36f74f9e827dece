#!/usr/bin/env bash
# Round 55's development trial of duels after half-way (benchmarks/results/round55/RULE_DEV.md): the late duels against
# the recommended switch run by run, on the five development splits, seeds 0-4 and 5-9 (benchmarks/results/round55/
# dev-late/, each run holding both contenders): each seed set alone, then both together, then split by split; then on
# the 27 tasks of held-out-28 to held-out-36, seeds 0-4 (benchmarks/results/round55/seen-late/, condition 3), and on
# seeds 5-9 (seen-late-fresh/, the addendum's diagnostic); last on held-out-19 to held-out-27, seeds 0-4
# (seen-late-earlier/, the second addendum's).
# Run from the repository's root:
# bash benchmarks/results/round55/dev_late.sh > benchmarks/results/round55/dev_late.txt
set -euo pipefail
source benchmarks/results/run_files.sh
D=$R/round55/dev-late
development_runs "$D"
variant=race-multiples-undo-late-duels-kept-watch
echo "## $variant against the recommended switch, seeds 0-4, seeds 5-9, then both"
compare "$seeds_0_4:$variant" "$seeds_0_4:race-multiples-undo-kept-watch"
compare "$seeds_5_9:$variant" "$seeds_5_9:race-multiples-undo-kept-watch"
compare "$seeds_0_4+$seeds_5_9:$variant" "$seeds_0_4+$seeds_5_9:race-multiples-undo-kept-watch"
echo "## $variant against the recommended switch, split by split, seeds 0-9"
for split in development development-2 development-3 development-4 development-5; do
  both=$D/$split/time_to_target.json+$D/$split-fresh/time_to_target.json
  compare "$both:$variant" "$both:race-multiples-undo-kept-watch"
done
echo "## $variant against the recommended switch on held-out-28 to held-out-36, seeds 0-4"
S="$R/round55/seen-late/*/time_to_target.json"
compare "$S:$variant" "$S:race-multiples-undo-kept-watch"
echo "## $variant against the recommended switch on the same 27 tasks, seeds 5-9 (RULE_DEV.md's addendum)"
S="$R/round55/seen-late-fresh/*/time_to_target.json"
compare "$S:$variant" "$S:race-multiples-undo-kept-watch"
echo "## $variant against the recommended switch on held-out-19 to held-out-27, seeds 0-4 (RULE_DEV.md's second addendum)"
S="$R/round55/seen-late-earlier/*/time_to_target.json"
compare "$S:$variant" "$S:race-multiples-undo-kept-watch"
