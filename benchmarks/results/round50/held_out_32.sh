#!/usr/bin/env bash
# Round 50: held-out-32, run once with every default frozen (benchmarks/results/round50/RULE.md), seeds 0-4 and 5-9,
# three candidates and five: the recommended switch's standing on the split alone, with three candidates and with five,
# which candidate's copies it ran most, run by run, and the first duel with another family after the race on each run;
# then the kept-watch contender (what selectors.recommended composes since round 49) against round 10's guard, run by
# run in each of the four runs, its own standing on the split, and every run where the two differ.
# Run from the repository's root:
# bash benchmarks/results/round50/held_out_32.sh > benchmarks/results/round50/held_out_32.txt
set -euo pipefail
source benchmarks/results/run_files.sh
alone_split_duels held-out-32 round50/held-out-32
kept_watch_report held-out-32 round50/held-out-32
