#!/usr/bin/env bash
# Round 71: held-out-53, run once with every default frozen (benchmarks/results/round71/RULE.md), seeds 0-4 and 5-9,
# three candidates and five: the recommended switch's standing on the split alone, with three candidates and with five,
# which candidate's copies it ran most, run by run, and the first duel with another family after the race on each run;
# then the kept-watch contender (what selectors.recommended composes since round 49) against round 10's guard, run by
# run in each of the four runs, its own standing on the split, every run where the two differ, and each task's lowest
# training loss over the recommended switch's runs (round 50's same_runs.py, given the four runs); last, each task's
# median seconds to target, compile included, for every contender (round 52's seconds.py).
# Run from the repository's root:
# bash benchmarks/results/round71/held_out_53.sh > benchmarks/results/round71/held_out_53.txt
set -euo pipefail
source benchmarks/results/run_files.sh
blind_round_report held-out-53 round71/held-out-53
seconds_report round71/held-out-53
