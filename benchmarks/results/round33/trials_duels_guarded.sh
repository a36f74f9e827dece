#!/usr/bin/env bash
# Round 33: its variant, trials-duels-guarded (round 32's trials then duels inside undo_if_worse(step_down(..., stall))),
# over every split kept aside through held-out-18, seeds 0-4 and 5-9, three candidates, after its rule's part (a) had
# failed on the development tasks (a diagnostic, not a decision): run by run against the recommended switch, round 32's
# unguarded variant (its runs after the fix of selectors.trials) and each fixed candidate, and its standing against the
# issue's goals. The run files: run_files.sh.
# Run from the repository's root:
# bash benchmarks/results/round33/trials_duels_guarded.sh > benchmarks/results/round33/trials_duels_guarded.txt
set -euo pipefail
source benchmarks/results/run_files.sh
with_held_out_18
TG="$R/round33/trials-duels-guarded/*/time_to_target.json"
TG5="$R/round33/trials-duels-guarded-fresh/*/time_to_target.json"
TD="$R/round32/trials-duels-fixed/time_to_target.json+$R/round32/trials-duels/*/time_to_target.json"
TD5="$R/round32/trials-duels-fixed-fresh/time_to_target.json+$R/round32/trials-duels-fresh/*/time_to_target.json"
echo "## Seeds 0-4: trials-duels-guarded against the recommended switch, round 32's variant and each fixed candidate"
compare "$TG:trials-duels-guarded" "$K3:race-multiples-undo"
compare "$TG:trials-duels-guarded" "$TD:trials-duels"
for other in adam sgd rmsprop adamw-cosine; do compare "$TG:trials-duels-guarded" "$K3:$other"; done
echo "## Seeds 0-4: its standing against the issue's goals, three candidates"
echo "\$ python -m benchmarks.suite.standing --switch $TG:trials-duels-guarded --fixed $K3:adam,sgd,rmsprop --baseline $K3:adamw-cosine"
python -m benchmarks.suite.standing --switch "$TG:trials-duels-guarded" --fixed "$K3:adam,sgd,rmsprop" --baseline "$K3:adamw-cosine"
echo
echo "## Seeds 5-9: against the recommended switch and round 32's variant, run by run"
compare "$TG5:trials-duels-guarded" "$FRESH_REC:race-multiples-undo"
compare "$TG5:trials-duels-guarded" "$TD5:trials-duels"
echo "## Seeds 5-9: its standing"
echo "\$ python -m benchmarks.suite.standing --switch $TG5:trials-duels-guarded --fixed $FRESH_ADAM:adam --fixed $FRESH_SR:sgd,rmsprop --baseline $FRESH_BASELINE:adamw-cosine"
python -m benchmarks.suite.standing --switch "$TG5:trials-duels-guarded" --fixed "$FRESH_ADAM:adam" --fixed "$FRESH_SR:sgd,rmsprop" \
  --baseline "$FRESH_BASELINE:adamw-cosine"
# After the fix of undo_if_worse around trials (it saves the parameters after the round, so that parameters that stop
# being finite before the next switch are put back: the three diverged runs above), the tasks with a skipped update
# after the round run again (seeds 0-4: poisson-glm, heteroscedastic-nll; seeds 5-9: those and maml-sinusoid,
# moons-flow); these runs are read first.
TGX="$R/round33/trials-duels-guarded-fixed/time_to_target.json+$TG"
TGX5="$R/round33/trials-duels-guarded-fixed-fresh/time_to_target.json+$TG5"
echo
echo "## After the fix, seeds 0-4 and 5-9: against the recommended switch and round 32's variant, run by run"
compare "$TGX:trials-duels-guarded" "$K3:race-multiples-undo"
compare "$TGX:trials-duels-guarded" "$TD:trials-duels"
compare "$TGX5:trials-duels-guarded" "$FRESH_REC:race-multiples-undo"
compare "$TGX5:trials-duels-guarded" "$TD5:trials-duels"
echo "## After the fix, seeds 0-4: its standing"
echo "\$ python -m benchmarks.suite.standing --switch $TGX:trials-duels-guarded --fixed $K3:adam,sgd,rmsprop --baseline $K3:adamw-cosine"
python -m benchmarks.suite.standing --switch "$TGX:trials-duels-guarded" --fixed "$K3:adam,sgd,rmsprop" --baseline "$K3:adamw-cosine"
echo
echo "## After the fix, seeds 5-9: its standing"
echo "\$ python -m benchmarks.suite.standing --switch $TGX5:trials-duels-guarded --fixed $FRESH_ADAM:adam --fixed $FRESH_SR:sgd,rmsprop --baseline $FRESH_BASELINE:adamw-cosine"
python -m benchmarks.suite.standing --switch "$TGX5:trials-duels-guarded" --fixed "$FRESH_ADAM:adam" --fixed "$FRESH_SR:sgd,rmsprop" \
  --baseline "$FRESH_BASELINE:adamw-cosine"
