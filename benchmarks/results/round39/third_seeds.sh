#!/usr/bin/env bash
# Round 39: round 38's variant (race-multiples-undo-before-noise-4se) against the recommended switch on a third seed
# set, seeds 10-14 of the 61 tasks spent through held-out-19, three candidates, both run in this round with the same
# code (rule: benchmarks/results/round39/dev/RULE.md, items (a) to (c)); then, as a measurement outside the rule, the
# two pooled over seeds 0-14 (seeds 0-4 and 5-9 are round 38's runs of the variant and the stored runs of the
# recommended switch). The run files: run_files.sh.
# Run from the repository's root:
# bash benchmarks/results/round39/third_seeds.sh > benchmarks/results/round39/third_seeds.txt
set -euo pipefail
source benchmarks/results/run_files.sh
with_held_out_18
with_held_out_19
T="$R/round39/dev/splits-third/*/time_to_target.json"
V="$R/round38/dev/splits/*/time_to_target.json+$R/round38/dev/splits-fresh/*/time_to_target.json+$T"
echo "## Seeds 10-14: the variant against the recommended switch, run by run, over 20 splits and 61 tasks (item (a))"
compare "$T:race-multiples-undo-before-noise-4se" "$T:race-multiples-undo"
echo "## Seeds 10-14: tasks reached on fewer than 3 seeds of 5, and the pendulum (items (b) and (c))"
echo "\$ python benchmarks/results/round39/third_seeds.py"
python benchmarks/results/round39/third_seeds.py
echo
echo "## Seeds 0-14 pooled (a measurement, not in the rule)"
compare "$V:race-multiples-undo-before-noise-4se" "$K3+$FRESH_REC+$T:race-multiples-undo"
