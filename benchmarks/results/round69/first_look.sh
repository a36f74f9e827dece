#!/usr/bin/env bash
# Round 69's first look (benchmarks/results/round69/FIRST_LOOK.md): the hand-over from SGD to Adam on SGD's own stall
# (race-multiples-undo-sgd-stall-adam-kept-watch) against the recommended switch, run by run, on the development splits
# where SGD sets targets (development-2 to -4) and on development-6 (built this round for the case), three candidates,
# seeds 0-4 (benchmarks/results/round69/first-look/). Run from the repository's root:
# bash benchmarks/results/round69/first_look.sh > benchmarks/results/round69/first_look.txt
set -euo pipefail
source benchmarks/results/run_files.sh
for split in development-2 development-3 development-4 development-6; do
  runs=benchmarks/results/round69/first-look/$split/time_to_target.json
  compare "$runs:race-multiples-undo-sgd-stall-adam-kept-watch" "$runs:race-multiples-undo-kept-watch"
done
