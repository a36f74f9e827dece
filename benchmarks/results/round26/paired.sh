#!/usr/bin/env bash
# Round 26: its variant (race-multiples-undo-warmup) against the recommended setup, run by run, and whom each picks.
# Run from the repository's root: bash benchmarks/results/round26/paired.sh > benchmarks/results/round26/paired.txt
set -euo pipefail
R=benchmarks/results
REC_AMD="$R/round24/seen-recommended/time_to_target.json+$R/round24/held-out-13/time_to_target.json+$R/round25/held-out-14/time_to_target.json"
compare() { echo "\$ python -m benchmarks.suite.paired $1 $2"; python -m benchmarks.suite.paired "$1" "$2"; echo; }
echo "## Development tasks (digits, MNIST-1D, the noisy quadratic), three candidates: seeds 0-4 (both run here), 5-9"
compare "$R/round26/dev/time_to_target.json:race-multiples-undo-warmup" "$R/round26/dev/time_to_target.json:race-multiples-undo"
compare "$R/round26/dev-fresh/time_to_target.json:race-multiples-undo-warmup" "$R/round24/dev-fresh/time_to_target.json:race-multiples-undo"
echo "## Development tasks, five candidates, seeds 0-4 (both run here; reported, not part of the rule)"
compare "$R/round26/dev-5c/time_to_target.json:race-multiples-undo-warmup" "$R/round26/dev-5c/time_to_target.json:race-multiples-undo"
echo "## The 46 tasks kept aside through held-out-14, three candidates, seeds 0-4, both on the AMD EPYC"
compare "$R/round26/seen/time_to_target.json:race-multiples-undo-warmup" "$REC_AMD:race-multiples-undo"
echo "## Whose copies each runs most, against the best fixed candidate (the same 46 tasks)"
echo "\$ python benchmarks/results/round25/picks.py race-multiples-undo-warmup round26/seen"
python benchmarks/results/round25/picks.py race-multiples-undo-warmup round26/seen
echo
echo "## Held-out-15, run once (three candidates): the variant against the recommended setup"
compare "$R/round26/held-out-15/time_to_target.json:race-multiples-undo-warmup" "$R/round26/held-out-15/time_to_target.json:race-multiples-undo"
echo "## The 49 tasks kept aside through held-out-15, three candidates, seeds 0-4: the recommended switch against each contender"
K3="$R/round19/seen/*/time_to_target.json+$R/round2[0-5]/held-out-?/time_to_target.json+$R/round2[0-6]/held-out-??/time_to_target.json"
for other in adam sgd rmsprop prodigy-cosine adamw-cosine; do compare "$K3:race-multiples-undo" "$K3:$other"; done
K3_TRIAL="$R/round20/seen/*/time_to_target.json+$R/round2[0-5]/held-out-?/time_to_target.json+$R/round2[0-6]/held-out-??/time_to_target.json"
compare "$K3_TRIAL:prodigy-trial" "$K3:prodigy-cosine"
echo "## Five candidates, the same 49 tasks: the recommended switch against Adam at 3e-3"
K5_REC="$R/round22/recommended-marked-5c/time_to_target.json+$R/round2[0-6]/held-out-*-5c/time_to_target.json"
K5_FIXED="$R/round19/seen/*/time_to_target.json+$R/round2[0-6]/held-out-*-5c/time_to_target.json"
compare "$K5_REC:race-multiples-undo" "$K5_FIXED:adam-3e-3"
echo
echo "## Round 26's second variant (race-multiples-undo-warmup-leg, a warmup of one leg): development, three candidates"
L=$R/round26/warmup-leg
compare "$L/dev/time_to_target.json:race-multiples-undo-warmup-leg" "$R/round26/dev/time_to_target.json:race-multiples-undo"
compare "$L/dev-fresh/time_to_target.json:race-multiples-undo-warmup-leg" "$R/round24/dev-fresh/time_to_target.json:race-multiples-undo"
echo "## The second variant over the 49 tasks kept aside through held-out-15, against the recommended setup (AMD EPYC)"
compare "$L/seen/time_to_target.json:race-multiples-undo-warmup-leg" "$REC_AMD+$R/round26/held-out-15/time_to_target.json:race-multiples-undo"
echo "\$ python benchmarks/results/round25/picks.py race-multiples-undo-warmup-leg round26/warmup-leg/seen round26/held-out-15"
python benchmarks/results/round25/picks.py race-multiples-undo-warmup-leg round26/warmup-leg/seen round26/held-out-15
