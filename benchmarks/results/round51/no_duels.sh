#!/usr/bin/env bash
# Round 51: the no-duels variant (race-multiples-undo-no-duels, the race deciding once) against the recommended switch
# (race-multiples-undo-kept-watch, what selectors.recommended composes), on the five development splits only, as
# benchmarks/results/round51/RULE_no_duels.md asks: run by run, three candidates on seeds 0-4 and 5-9 and both
# together, five on seeds 0-4; then each one's standing over the five splits against the fixed candidates of the same
# seeds (development's from round 48's and round 23's runs, the others' from this round's).
# Run from the repository's root: bash benchmarks/results/round51/no_duels.sh > benchmarks/results/round51/no_duels.txt
set -euo pipefail
R=benchmarks/results
N=$R/round51/no-duels
V=race-multiples-undo-no-duels
K=race-multiples-undo-kept-watch
files() { local suffix=$1 split out=""; for split in development development-2 development-3 development-4 development-5; do
  out="$out+$N/$split$suffix/time_to_target.json"; done; echo "${out#+}"; }
S=$(files "")
S_FRESH=$(files -fresh)
S_5C=$(files -5c)
FIXED="$R/round48/development-low/time_to_target.json+$(files "" | cut -d+ -f2-)"
FIXED_FRESH="$R/round23/dev-fresh/time_to_target.json+$(files -fresh | cut -d+ -f2-)"
compare() { echo "\$ python -m benchmarks.suite.paired $1 $2"; python -m benchmarks.suite.paired "$1" "$2"; echo; }
standing() { echo "\$ python -m benchmarks.suite.standing $*"; python -m benchmarks.suite.standing "$@"; echo; }
echo "## Criterion 1: three candidates, seeds 0-4, 5-9, and both"
compare "$S:$V" "$S:$K"
compare "$S_FRESH:$V" "$S_FRESH:$K"
compare "$S+$S_FRESH:$V" "$S+$S_FRESH:$K"
echo "## Criterion 2: the standing over the five development splits, seeds 0-4 and 5-9"
for contender in $V $K; do
  standing --switch "$S:$contender" --fixed "$FIXED:adam,sgd,rmsprop"
  standing --switch "$S_FRESH:$contender" --fixed "$FIXED_FRESH:adam,sgd,rmsprop"
done
echo "## Criterion 3: five candidates, seeds 0-4"
compare "$S_5C:$V" "$S_5C:$K"
