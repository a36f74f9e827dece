#!/usr/bin/env bash
# Round 32: its variant, trials-duels (one round of trials from the start over the copies, then the race's duels),
# over every split kept aside through held-out-18, seeds 0-4, three candidates, after its rule's part (a) had failed on
# the development tasks (a diagnostic, not a decision): run by run against the recommended switch, round 31's one round
# of trials (trials-copies) and each fixed candidate, and its standing against the goals. The run files:
# run_files.sh.
# Run from the repository's root:
# bash benchmarks/results/round32/trials_duels.sh > benchmarks/results/round32/trials_duels.txt
set -euo pipefail
source benchmarks/results/run_files.sh
with_held_out_18
TD="$R/round32/trials-duels/*/time_to_target.json"
echo "## trials-duels against the recommended switch and each fixed candidate, run by run"
compare "$TD:trials-duels" "$K3:race-multiples-undo"
compare "$TD:trials-duels" "$R/round31/trials-copies/*/time_to_target.json:trials-copies"
for other in adam sgd rmsprop adamw-cosine; do compare "$TD:trials-duels" "$K3:$other"; done
echo "## trials-duels against the issue's goals (its standing), three candidates, seeds 0-4"
echo "\$ python -m benchmarks.suite.standing --switch $TD:trials-duels --fixed $K3:adam,sgd,rmsprop --baseline $K3:adamw-cosine"
python -m benchmarks.suite.standing --switch "$TD:trials-duels" --fixed "$K3:adam,sgd,rmsprop" --baseline "$K3:adamw-cosine"
# Seeds 5-9 (the recommended switch's and the fixed candidates' from run_files.sh), to check the seeds 0-4 difference
# on seeds no selector was designed on.
TD5="$R/round32/trials-duels-fresh/*/time_to_target.json"
echo
echo "## Seeds 5-9: trials-duels against the recommended switch, run by run"
compare "$TD5:trials-duels" "$FRESH_REC:race-multiples-undo"
echo "## Seeds 5-9: trials-duels against the issue's goals (its standing), three candidates"
echo "\$ python -m benchmarks.suite.standing --switch $TD5:trials-duels --fixed $FRESH_ADAM:adam --fixed $FRESH_SR:sgd,rmsprop --baseline $FRESH_BASELINE:adamw-cosine"
python -m benchmarks.suite.standing --switch "$TD5:trials-duels" --fixed "$FRESH_ADAM:adam" --fixed "$FRESH_SR:sgd,rmsprop" \
  --baseline "$FRESH_BASELINE:adamw-cosine"
# After the fix of selectors.trials (a trial whose loss is not finite is lost; before, a candidate that diverged in its
# trial held the round for good), its four tasks with a diverged run run again (poisson-glm, heteroscedastic-nll,
# maml-sinusoid, moons-flow; seeds 0-4 unchanged, seeds 5-9 changed); these runs are read first.
TDX="$R/round32/trials-duels-fixed/time_to_target.json+$TD"
TDX5="$R/round32/trials-duels-fixed-fresh/time_to_target.json+$TD5"
echo
echo "## After the fix, seeds 0-4 and 5-9: trials-duels against the recommended switch, run by run"
compare "$TDX:trials-duels" "$K3:race-multiples-undo"
compare "$TDX5:trials-duels" "$FRESH_REC:race-multiples-undo"
echo "## After the fix, seeds 5-9: its standing"
echo "\$ python -m benchmarks.suite.standing --switch $TDX5:trials-duels --fixed $FRESH_ADAM:adam --fixed $FRESH_SR:sgd,rmsprop --baseline $FRESH_BASELINE:adamw-cosine"
python -m benchmarks.suite.standing --switch "$TDX5:trials-duels" --fixed "$FRESH_ADAM:adam" --fixed "$FRESH_SR:sgd,rmsprop" \
  --baseline "$FRESH_BASELINE:adamw-cosine"
