#!/usr/bin/env bash
# Round 49: the recommended selector with loss_is_log=True (race-multiples-undo-loss-is-log) on development-5, three
# tasks whose loss is a negative log-likelihood below 0, seeds 0-4 and 5-9, beside the recommended switch as it is
# (race-multiples-undo-kept-watch, whose race reads log(loss) and decides nothing there): each one's standing against
# the three fixed candidates and the tuned baseline, then the two run by run. A development split: open to design.
# Run from the repository's root:
# bash benchmarks/results/round49/loss_is_log.sh > benchmarks/results/round49/loss_is_log.txt
set -euo pipefail
source benchmarks/results/run_files.sh
D="$R/round49/development-5-loss-is-log"
for switch in race-multiples-undo-kept-watch race-multiples-undo-loss-is-log; do
  echo "## $switch on development-5, seeds 0-4 and 5-9"
  three_standing "$switch" "$D/time_to_target.json" "$D-fresh/time_to_target.json"
done
echo "## race-multiples-undo-loss-is-log against the recommended switch, run by run, seeds 0-4 and 5-9"
for run in "$D" "$D-fresh"; do
  compare "$run/time_to_target.json:race-multiples-undo-loss-is-log" "$run/time_to_target.json:race-multiples-undo-kept-watch"
done
