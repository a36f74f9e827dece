#!/usr/bin/env bash
# Round 31: its variant, trials-copies (one round of trials from the start over the copies at 3x and 1x), over every
# split kept aside through held-out-18, seeds 0-4, three candidates, after its rule's part (a) had failed on the
# development tasks (a diagnostic, not a decision): run by run against the recommended switch and each fixed candidate,
# and its standing against the goals beside the recommended switch's. The run files: run_files.sh.
# Run from the repository's root:
# bash benchmarks/results/round31/trials_copies.sh > benchmarks/results/round31/trials_copies.txt
set -euo pipefail
source benchmarks/results/run_files.sh
with_held_out_18
TC="$R/round31/trials-copies/*/time_to_target.json"
echo "## trials-copies against the recommended switch and each fixed candidate, run by run"
for other in race-multiples-undo adam sgd rmsprop adamw-cosine; do compare "$TC:trials-copies" "$K3:$other"; done
echo "## trials-copies against the issue's goals (its standing), three candidates, seeds 0-4"
echo "\$ python -m benchmarks.suite.standing --switch $TC:trials-copies --fixed $K3:adam,sgd,rmsprop --baseline $K3:adamw-cosine"
python -m benchmarks.suite.standing --switch "$TC:trials-copies" --fixed "$K3:adam,sgd,rmsprop" --baseline "$K3:adamw-cosine"
