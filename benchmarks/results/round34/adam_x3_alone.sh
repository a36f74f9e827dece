#!/usr/bin/env bash
# Round 34's yardstick over every split kept aside through held-out-18, seeds 0-4 and 5-9, three candidates: Adam at
# 3x from update 1, at 1x from half-way (adam-x3-alone, a fixed pick that costs nothing, no selector), run by run
# against the recommended switch, round 34's variant and Adam alone, and its standing against the issue's goals, as a
# switch's.
# The run files: run_files.sh.
# Run from the repository's root:
# bash benchmarks/results/round34/adam_x3_alone.sh > benchmarks/results/round34/adam_x3_alone.txt
set -euo pipefail
source benchmarks/results/run_files.sh
with_held_out_18
AX="$R/round34/adam-x3-alone/*/time_to_target.json"
HG="$R/round34/halving-guarded/*/time_to_target.json"
echo "## Seeds 0-4: adam-x3-alone against the recommended switch, round 34's variant and Adam alone"
compare "$AX:adam-x3-alone" "$K3:race-multiples-undo"
compare "$AX:adam-x3-alone" "$HG:halving-guarded"
compare "$AX:adam-x3-alone" "$K3:adam"
echo "## Seeds 0-4: its standing against the issue's goals, three candidates"
echo "\$ python -m benchmarks.suite.standing --switch $AX:adam-x3-alone --fixed $K3:adam,sgd,rmsprop --baseline $K3:adamw-cosine"
python -m benchmarks.suite.standing --switch "$AX:adam-x3-alone" --fixed "$K3:adam,sgd,rmsprop" --baseline "$K3:adamw-cosine"
echo
AX5="$R/round34/adam-x3-alone-fresh/*/time_to_target.json"
HG5="$R/round34/halving-guarded-fresh/*/time_to_target.json"
echo "## Seeds 5-9: against the recommended switch, round 34's variant and Adam alone, run by run"
compare "$AX5:adam-x3-alone" "$FRESH_REC:race-multiples-undo"
compare "$AX5:adam-x3-alone" "$HG5:halving-guarded"
compare "$AX5:adam-x3-alone" "$FRESH_ADAM:adam"
echo "## Seeds 5-9: its standing"
echo "\$ python -m benchmarks.suite.standing --switch $AX5:adam-x3-alone --fixed $FRESH_ADAM:adam --fixed $FRESH_SR:sgd,rmsprop --baseline $FRESH_BASELINE:adamw-cosine"
python -m benchmarks.suite.standing --switch "$AX5:adam-x3-alone" --fixed "$FRESH_ADAM:adam" --fixed "$FRESH_SR:sgd,rmsprop" \
  --baseline "$FRESH_BASELINE:adamw-cosine"
