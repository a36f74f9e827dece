#!/usr/bin/env bash
# Round 65's trial of a reading only where the race is close (benchmarks/results/round65/RULE_DEV.md): round 64's third
# reading, its runs used where the race's standing opens the gate, the recommended switch's elsewhere, on the
# development splits (seeds 0-4 and 5-9) and on held-out-37 to held-out-45 (seeds 0-4). Needs race_margin.json
# (race_margin.py's docstring). Run from the repository's root:
# bash benchmarks/results/round65/gated_reading.sh > benchmarks/results/round65/gated_reading.txt
set -euo pipefail
source benchmarks/results/run_files.sh
development_runs "$R/round64/dev-reading-1x-short"
third_0_4=$seeds_0_4 third_5_9=$seeds_5_9
development_runs "$R/round53/dev-steps"
third_seen=$R/round64/seen-reading-1x-short/held-out-37/time_to_target.json recommended_seen=$H37
for n in 38 39 40 41 42 43 44 45; do
  third_seen+="+$R/round64/seen-reading-1x-short/held-out-$n/time_to_target.json"
  recommended_seen+="+$(eval echo "\$H$n")"
done
python benchmarks/results/round65/gated_reading.py --margins "$R/round65/race_margin.json" \
  --set development-seeds-0-4 "$seeds_0_4" "$third_0_4" --set development-seeds-5-9 "$seeds_5_9" "$third_5_9" \
  --set seen-held-out-37-45 "$recommended_seen" "$third_seen"
