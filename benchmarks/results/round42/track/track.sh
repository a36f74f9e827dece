#!/usr/bin/env bash
# Round 42's variant, race-multiples-undo-track (benchmarks/results/round42/track/RULE.md): (a) on the development
# tasks, against the recommended switch run beside it; (b), run as a diagnostic although (a) failed, on the 26 spent
# splits, seeds 5-9, three candidates, paired with the recommended switch's stored runs: the standing, the paired
# comparison, and which family each runs most against the family that gets there first (both switches).
# Run from the repository's root:
# bash benchmarks/results/round42/track/track.sh > benchmarks/results/round42/track/track.txt
set -euo pipefail
source benchmarks/results/run_files.sh
with_held_out_through 25
T="$R/round42/track"
for run in dev dev-fresh dev-large; do
  echo "## (a) $run"
  compare "$T/$run/time_to_target.json:race-multiples-undo-track" "$T/$run/time_to_target.json:race-multiples-undo"
done
TRACK_FRESH="$T/fresh/*/time_to_target.json"
echo "## (b) 26 spent splits, seeds 5-9, three candidates: the variant against the recommended switch's stored runs"
compare "$TRACK_FRESH:race-multiples-undo-track" "$FRESH_REC:race-multiples-undo"
for switch in "$TRACK_FRESH:race-multiples-undo-track" "$FRESH_REC:race-multiples-undo"; do
  echo "\$ python -m benchmarks.suite.standing --switch $switch --fixed $FRESH_ADAM:adam --fixed $FRESH_SR:sgd,rmsprop --baseline $FRESH_BASELINE:adamw-cosine"
  python -m benchmarks.suite.standing --switch "$switch" --fixed "$FRESH_ADAM:adam" --fixed "$FRESH_SR:sgd,rmsprop" \
    --baseline "$FRESH_BASELINE:adamw-cosine"
  echo
  echo "\$ python -m benchmarks.diagnostics.family_picks --switch $switch --fixed $FRESH_ADAM:adam --fixed $FRESH_SR:sgd,rmsprop"
  python -m benchmarks.diagnostics.family_picks --switch "$switch" --fixed "$FRESH_ADAM:adam" --fixed "$FRESH_SR:sgd,rmsprop"
  echo
done
