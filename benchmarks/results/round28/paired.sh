#!/usr/bin/env bash
# Round 28: round 27's variant (race-multiples-undo-stall-each: a stall steps down only the copy that stalled) and
# the recommended setup, both run on seeds 5-9 of the 52 tasks kept aside through held-out-16 (fresh seeds: no
# selector had run on them), judged by the rule written before those runs (benchmarks README, "Selection, round 28").
# Run from the repository's root: bash benchmarks/results/round28/paired.sh > benchmarks/results/round28/paired.txt
set -euo pipefail
R=benchmarks/results
V=race-multiples-undo-stall-each
FRESH="$R/round28/fresh/time_to_target.json"
compare() { echo "\$ python -m benchmarks.suite.paired $1 $2"; python -m benchmarks.suite.paired "$1" "$2"; echo; }
echo "## The rule: the 52 tasks kept aside through held-out-16, three candidates, seeds 5-9, both in the same runs"
compare "$FRESH:$V" "$FRESH:race-multiples-undo"
echo "## Secondary (not deciding): seeds 0-9 pooled (seeds 0-4: round 27's runs of the variant, the recommended"
echo "## setup's AMD runs of rounds 24-27)"
REC_AMD="$R/round24/seen-recommended/time_to_target.json+$R/round24/held-out-13/time_to_target.json+$R/round25/held-out-14/time_to_target.json+$R/round26/held-out-15/time_to_target.json+$R/round27/held-out-16/time_to_target.json"
VAR_AMD="$R/round27/seen/time_to_target.json+$R/round27/held-out-16/time_to_target.json"
compare "$FRESH+$VAR_AMD:$V" "$FRESH+$REC_AMD:race-multiples-undo"
echo "## A replication on the same fresh seeds: the recommended switch against Adam alone (seeds 5-9, 52 tasks; seeds"
echo "## 0-4's figure is round 27's paired.txt: 0.571x, 0.471-0.692, targets 17 against 3)"
compare "$FRESH:race-multiples-undo" "$R/round28/fresh-adam/time_to_target.json:adam"
