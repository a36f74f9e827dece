#!/usr/bin/env bash
# Round 27: its variant (race-multiples-undo-stall-each: a stall steps down only the copy that stalled) against the
# recommended setup, run by run, and held-out-16 run once.
# Run from the repository's root: bash benchmarks/results/round27/paired.sh > benchmarks/results/round27/paired.txt
set -euo pipefail
R=benchmarks/results
V=race-multiples-undo-stall-each
REC_AMD="$R/round24/seen-recommended/time_to_target.json+$R/round24/held-out-13/time_to_target.json+$R/round25/held-out-14/time_to_target.json+$R/round26/held-out-15/time_to_target.json"
compare() { echo "\$ python -m benchmarks.suite.paired $1 $2"; python -m benchmarks.suite.paired "$1" "$2"; echo; }
echo "## Development tasks (digits, MNIST-1D, the noisy quadratic), three candidates: seeds 0-4, 5-9"
compare "$R/round27/dev/time_to_target.json:$V" "$R/round26/dev/time_to_target.json:race-multiples-undo"
compare "$R/round27/dev-fresh/time_to_target.json:$V" "$R/round24/dev-fresh/time_to_target.json:race-multiples-undo"
echo "## The 49 tasks kept aside through held-out-15, three candidates, seeds 0-4, both on the AMD EPYC"
compare "$R/round27/seen/time_to_target.json:$V" "$REC_AMD:race-multiples-undo"
echo "## Whose copies each runs most, against the best fixed candidate (the same 49 tasks)"
echo "\$ python benchmarks/results/round25/picks.py $V round27/seen round26/held-out-15"
python benchmarks/results/round25/picks.py $V round27/seen round26/held-out-15
echo
echo "## Held-out-16, run once (three candidates): the variant against the recommended setup"
compare "$R/round27/held-out-16/time_to_target.json:$V" "$R/round27/held-out-16/time_to_target.json:race-multiples-undo"
echo "## The 52 tasks kept aside through held-out-16, three candidates, seeds 0-4: the recommended switch against each contender"
K3="$R/round19/seen/*/time_to_target.json+$R/round2[0-5]/held-out-?/time_to_target.json+$R/round2[0-7]/held-out-??/time_to_target.json"
for other in adam sgd rmsprop prodigy-cosine adamw-cosine; do compare "$K3:race-multiples-undo" "$K3:$other"; done
K3_TRIAL="$R/round20/seen/*/time_to_target.json+$R/round2[0-5]/held-out-?/time_to_target.json+$R/round2[0-7]/held-out-??/time_to_target.json"
compare "$K3_TRIAL:prodigy-trial" "$K3:prodigy-cosine"
echo "## Five candidates, the same 52 tasks: the recommended switch against Adam at 3e-3"
K5_REC="$R/round22/recommended-marked-5c/time_to_target.json+$R/round2[0-7]/held-out-*-5c/time_to_target.json"
K5_FIXED="$R/round19/seen/*/time_to_target.json+$R/round2[0-7]/held-out-*-5c/time_to_target.json"
compare "$K5_REC:race-multiples-undo" "$K5_FIXED:adam-3e-3"
