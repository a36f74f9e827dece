#!/usr/bin/env bash
# Round 38's variant over the 61 tasks kept aside through held-out-19, seeds 0-4, three candidates: the recommended
# switch with undo_if_worse(..., noise="before", confidence=4) (race-multiples-undo-before-noise-4se), run by run
# against the recommended switch and against round 37's option (the same with confidence 2), and its standing against
# the goals; then seeds 5-9 against the recommended switch, with both standings. Development only (these tasks
# had all seen the recommended switch); its rules: benchmarks/results/round38/dev/RULE.md and RULE-fresh.md. The run
# files: run_files.sh.
# Run from the repository's root: bash benchmarks/results/round38/variant.sh > benchmarks/results/round38/variant.txt
set -euo pipefail
source benchmarks/results/run_files.sh
with_held_out_18
with_held_out_19
V="$R/round38/dev/splits/*/time_to_target.json"
BN="$R/round37/before-noise/splits/*/time_to_target.json"
echo "## Seeds 0-4: the variant against the recommended switch, run by run, over 20 splits and 61 tasks"
compare "$V:race-multiples-undo-before-noise-4se" "$K3:race-multiples-undo"
echo "## Seeds 0-4: the variant against round 37's option (noise='before', confidence 2)"
compare "$V:race-multiples-undo-before-noise-4se" "$BN:race-multiples-undo-before-noise"
echo "## Seeds 0-4: its standing against the issue's goals, three candidates"
echo "\$ python -m benchmarks.suite.standing --switch $V:race-multiples-undo-before-noise-4se --fixed $K3:adam,sgd,rmsprop --baseline $K3:adamw-cosine"
python -m benchmarks.suite.standing --switch "$V:race-multiples-undo-before-noise-4se" --fixed "$K3:adam,sgd,rmsprop" \
  --baseline "$K3:adamw-cosine"
echo
echo "## Seeds 5-9 (run after item (iii) failed on seeds 0-4; rule: benchmarks/results/round38/dev/RULE-fresh.md)"
VF="$R/round38/dev/splits-fresh/*/time_to_target.json"
compare "$VF:race-multiples-undo-before-noise-4se" "$FRESH_REC:race-multiples-undo"
echo "\$ python -m benchmarks.suite.standing --switch $VF:race-multiples-undo-before-noise-4se --fixed $FRESH_ADAM:adam --fixed $FRESH_SR:sgd,rmsprop --baseline $FRESH_BASELINE:adamw-cosine"
python -m benchmarks.suite.standing --switch "$VF:race-multiples-undo-before-noise-4se" --fixed "$FRESH_ADAM:adam" \
  --fixed "$FRESH_SR:sgd,rmsprop" --baseline "$FRESH_BASELINE:adamw-cosine"
echo
echo "## Seeds 5-9: the recommended switch's standing on the same runs, for comparison"
echo "\$ python -m benchmarks.suite.standing --switch $FRESH_REC:race-multiples-undo --fixed $FRESH_ADAM:adam --fixed $FRESH_SR:sgd,rmsprop --baseline $FRESH_BASELINE:adamw-cosine"
python -m benchmarks.suite.standing --switch "$FRESH_REC:race-multiples-undo" --fixed "$FRESH_ADAM:adam" \
  --fixed "$FRESH_SR:sgd,rmsprop" --baseline "$FRESH_BASELINE:adamw-cosine"
