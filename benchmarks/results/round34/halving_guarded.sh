#!/usr/bin/env bash
# Round 34: its variant, halving-guarded (selectors.halving over the copies, trials of 1% then the best two for 3%,
# inside undo_if_worse(step_down(..., stall)); no duels), over every split kept aside through held-out-18, seeds 0-4
# and 5-9, three candidates, after its rule's part (a) had failed on the development tasks (a diagnostic, not a
# decision): run by run against the recommended switch, round 33's variant (trials then duels inside the same guards,
# its runs after its fix) and each fixed candidate, and its standing against the goals. The run files:
# run_files.sh.
# Run from the repository's root:
# bash benchmarks/results/round34/halving_guarded.sh > benchmarks/results/round34/halving_guarded.txt
set -euo pipefail
source benchmarks/results/run_files.sh
with_held_out_18
HG="$R/round34/halving-guarded/*/time_to_target.json"
HG5="$R/round34/halving-guarded-fresh/*/time_to_target.json"
TG="$R/round33/trials-duels-guarded-fixed/time_to_target.json+$R/round33/trials-duels-guarded/*/time_to_target.json"
TG5="$R/round33/trials-duels-guarded-fixed-fresh/time_to_target.json+$R/round33/trials-duels-guarded-fresh/*/time_to_target.json"
echo "## Seeds 0-4: halving-guarded against the recommended switch, round 33's variant and each fixed candidate"
compare "$HG:halving-guarded" "$K3:race-multiples-undo"
compare "$HG:halving-guarded" "$TG:trials-duels-guarded"
for other in adam sgd rmsprop adamw-cosine; do compare "$HG:halving-guarded" "$K3:$other"; done
echo "## Seeds 0-4: its standing against the issue's goals, three candidates"
echo "\$ python -m benchmarks.suite.standing --switch $HG:halving-guarded --fixed $K3:adam,sgd,rmsprop --baseline $K3:adamw-cosine"
python -m benchmarks.suite.standing --switch "$HG:halving-guarded" --fixed "$K3:adam,sgd,rmsprop" --baseline "$K3:adamw-cosine"
echo
echo "## Seeds 5-9: against the recommended switch and round 33's variant, run by run"
compare "$HG5:halving-guarded" "$FRESH_REC:race-multiples-undo"
compare "$HG5:halving-guarded" "$TG5:trials-duels-guarded"
echo "## Seeds 5-9: its standing"
echo "\$ python -m benchmarks.suite.standing --switch $HG5:halving-guarded --fixed $FRESH_ADAM:adam --fixed $FRESH_SR:sgd,rmsprop --baseline $FRESH_BASELINE:adamw-cosine"
python -m benchmarks.suite.standing --switch "$HG5:halving-guarded" --fixed "$FRESH_ADAM:adam" --fixed "$FRESH_SR:sgd,rmsprop" \
  --baseline "$FRESH_BASELINE:adamw-cosine"
