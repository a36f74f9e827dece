#!/usr/bin/env bash
# Round 47 (benchmarks/results/round47/RULE.md): round 33's trials-duels-guarded, a diagnostic, no default changed. On
# development-2 and -3 (seeds 0-4, beside the recommended switch), and alone on held-out-19 to held-out-29 (seeds 0-4),
# the 11 splits kept aside since round 33's run over the 19 before them: run by run against the recommended switch and
# each fixed candidate, and its standing beside the recommended switch's. Then held-out-2 again, against round 33's run
# of it, to check that today's code runs the variant as round 33's did.
# Run from the repository's root:
# bash benchmarks/results/round47/trials_duels_guarded.sh > benchmarks/results/round47/trials_duels_guarded.txt
set -euo pipefail
source benchmarks/results/run_files.sh
DEV="$R/round47/development-2-trials/time_to_target.json+$R/round47/development-3-trials/time_to_target.json"
DEV="$DEV+$R/round46/development-4-trials/time_to_target.json"
echo "## Development-2, -3 and -4, seeds 0-4: trials-duels-guarded against the recommended switch and SGD, run by run"
compare "$DEV:trials-duels-guarded" "$DEV:race-multiples-undo"
compare "$DEV:trials-duels-guarded" "$DEV:sgd"
compare "$DEV:race-multiples-undo" "$DEV:sgd"
# The recommended switch's run files over held-out-19 to held-out-29 (REC) and the variant's (TG), for the seed set
# whose run_files.sh suffix is SUFFIX ("" or _FRESH) and whose folder under round47/ is FOLDER: over_splits SUFFIX FOLDER.
over_splits() {
  local split runs
  REC="" TG=""
  for split in 19 20 21 22 23 24 25 26 27 28 29; do
    runs="H$split$1"
    REC="${REC:+$REC+}${!runs}"
    TG="${TG:+$TG+}$R/round47/$2/held-out-$split/time_to_target.json"
  done
}
over_splits "" trials-duels-guarded
echo "## Held-out-19 to held-out-29, seeds 0-4: trials-duels-guarded against the recommended switch and each fixed"
echo "## candidate, run by run"
compare "$TG:trials-duels-guarded" "$REC:race-multiples-undo"
for other in adam sgd rmsprop adamw-cosine; do compare "$TG:trials-duels-guarded" "$REC:$other"; done
echo "## Held-out-19 to held-out-29, seeds 0-4: its standing, then the recommended switch's, against the issue's goals"
echo "\$ python -m benchmarks.suite.standing --switch $TG:trials-duels-guarded --fixed $REC:adam,sgd,rmsprop --baseline $REC:adamw-cosine"
python -m benchmarks.suite.standing --switch "$TG:trials-duels-guarded" --fixed "$REC:adam,sgd,rmsprop" --baseline "$REC:adamw-cosine"
echo
echo "\$ python -m benchmarks.suite.standing --switch $REC:race-multiples-undo --fixed $REC:adam,sgd,rmsprop --baseline $REC:adamw-cosine"
python -m benchmarks.suite.standing --switch "$REC:race-multiples-undo" --fixed "$REC:adam,sgd,rmsprop" --baseline "$REC:adamw-cosine"
echo
echo "## Held-out-2, seeds 0-4: today's run of trials-duels-guarded against round 33's, run by run"
compare "$R/round47/trials-duels-guarded/held-out-2/time_to_target.json:trials-duels-guarded" \
  "$R/round33/trials-duels-guarded/held-out-2/time_to_target.json:trials-duels-guarded"
echo
over_splits _FRESH trials-duels-guarded-fresh
echo "## Held-out-19 to held-out-29, seeds 5-9 (run after the rule, beyond it): against the recommended switch, run by"
echo "## run, then its standing and the recommended switch's"
compare "$TG:trials-duels-guarded" "$REC:race-multiples-undo"
echo "\$ python -m benchmarks.suite.standing --switch $TG:trials-duels-guarded --fixed $REC:adam,sgd,rmsprop --baseline $REC:adamw-cosine"
python -m benchmarks.suite.standing --switch "$TG:trials-duels-guarded" --fixed "$REC:adam,sgd,rmsprop" --baseline "$REC:adamw-cosine"
echo
echo "\$ python -m benchmarks.suite.standing --switch $REC:race-multiples-undo --fixed $REC:adam,sgd,rmsprop --baseline $REC:adamw-cosine"
python -m benchmarks.suite.standing --switch "$REC:race-multiples-undo" --fixed "$REC:adam,sgd,rmsprop" --baseline "$REC:adamw-cosine"
