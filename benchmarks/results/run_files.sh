# The run files the standing and the start-trials diagnostic read (sourced by benchmarks/results/round30/*.sh, from
# the repository's root): every split kept aside from the design, seeds 0-4 and 5-9, three candidates and five.
R=benchmarks/results
# Three candidates, seeds 0-4: validation and held-out through held-out-7 as re-run in round 19, then each blind
# split's own run.
K3="$R/round19/seen/*/time_to_target.json+$R/round2[0-5]/held-out-?/time_to_target.json"
K3="$K3+$R/round2[0-9]/held-out-??/time_to_target.json"
# Five candidates, seeds 0-4: the switch's runs of round 22 (validation, held-out through held-out-9) and each later
# split's; Adam at 3e-4 from the splits' own five-candidate runs (the fixed candidates do not depend on the set they
# are in); the other four from K3.
K5_SWITCH="$R/round22/recommended-marked-5c/time_to_target.json+$R/round2[0-9]/held-out-*-5c/time_to_target.json"
A34="$R/selection_round3/validation/large/time_to_target.json+$R/stall/held-out/large/time_to_target.json"
A34="$A34+$R/round9/held-out-2/large/time_to_target.json+$R/round10/held-out-3/large_fixed/time_to_target.json"
A34="$A34+$R/round11/held-out-4/large/time_to_target.json+$R/round12/held-out-5/large/time_to_target.json"
A34="$A34+$R/round13/held-out-6/large/time_to_target.json+$R/round16/held-out-7/large/time_to_target.json"
A34="$A34+$R/round2[0-9]/held-out-*-5c/time_to_target.json"
# Seeds 5-9, which no selector was designed on, all on the AMD EPYC: the recommended switch and Adam through
# held-out-16 from round 28, SGD, RMSProp, the tuned baseline and the five-candidate runs from round 29, and
# held-out-17 from round 30 (every contender in one file per candidate set).
H17="$R/round30/held-out-17-fresh/time_to_target.json"
H17_5C="$R/round30/held-out-17-fresh-5c/time_to_target.json"
FRESH_REC="$R/round28/fresh/time_to_target.json+$H17"
FRESH_ADAM="$R/round28/fresh-adam/time_to_target.json+$H17"
FRESH_SR="$R/round29/fresh-sgd-rmsprop/time_to_target.json+$H17"
FRESH_BASELINE="$R/round29/fresh-baseline/time_to_target.json+$H17"
F5="$R/round29/fresh-5c/time_to_target.json+$H17_5C"
# A split run once on both seed sets, added to the sets above from its four run files (seeds 0-4 three candidates,
# five; seeds 5-9 three, five): with_split RUN RUN_5C RUN_FRESH RUN_FRESH_5C.
with_split() {
  K3="$K3+$1" K5_SWITCH="$K5_SWITCH+$2" A34="$A34+$2" FRESH_REC="$FRESH_REC+$3" FRESH_ADAM="$FRESH_ADAM+$3"
  FRESH_SR="$FRESH_SR+$3" FRESH_BASELINE="$FRESH_BASELINE+$3" F5="$F5+$4"
}
# The four run files of a split run once on both seed sets, from its folder DIR: DIR (seeds 0-4, three candidates),
# DIR-5c (five), DIR-fresh and DIR-fresh-5c (seeds 5-9), as NAME, NAME_5C, NAME_FRESH and NAME_FRESH_5C:
# split_runs NAME DIR.
split_runs() {
  declare -g "$1=$2/time_to_target.json" "$1_5C=$2-5c/time_to_target.json" "$1_FRESH=$2-fresh/time_to_target.json" \
    "$1_FRESH_5C=$2-fresh-5c/time_to_target.json"
}
# Round 31: held-out-18, run once with every default frozen, seeds 0-4 and 5-9, three candidates and five. The round-31
# scripts add them to the sets above (round 30's read the sets as they are).
split_runs H18 "$R/round31/held-out-18"
with_held_out_18() { with_split "$H18" "$H18_5C" "$H18_FRESH" "$H18_FRESH_5C"; }
# Round 35: held-out-19, run once with every default frozen (the recommended switch, round 35's variant beside it),
# seeds 0-4 and 5-9, three candidates and five. The round-35 scripts add them to the sets above.
split_runs H19 "$R/round35/held-out-19"
with_held_out_19() { with_split "$H19" "$H19_5C" "$H19_FRESH" "$H19_FRESH_5C"; }
# Round 37: held-out-20, run once with every default frozen (the recommended switch, round 36's variant beside it),
# seeds 0-4 and 5-9, three candidates and five. The round-37 scripts add them to the sets above.
split_runs H20 "$R/round37/held-out-20"
with_held_out_20() { with_split "$H20" "$H20_5C" "$H20_FRESH" "$H20_FRESH_5C"; }
# Round 38: held-out-21, run once with every default frozen (the recommended switch, round 37's option beside it),
# seeds 0-4 and 5-9, three candidates and five. The round-38 scripts add them to the sets above.
split_runs H21 "$R/round38/held-out-21"
with_held_out_21() { with_split "$H21" "$H21_5C" "$H21_FRESH" "$H21_FRESH_5C"; }
# Round 39: held-out-22, run once with every default frozen (the recommended switch, round 38's variant beside it),
# seeds 0-4 and 5-9, three candidates and five. The round-39 scripts add them to the sets above.
split_runs H22 "$R/round39/held-out-22"
with_held_out_22() { with_split "$H22" "$H22_5C" "$H22_FRESH" "$H22_FRESH_5C"; }
# Round 40: held-out-23, run once with every default frozen (the recommended switch alone), seeds 0-4 and 5-9, three
# candidates and five. The round-40 scripts add them to the sets above.
split_runs H23 "$R/round40/held-out-23"
with_held_out_23() { with_split "$H23" "$H23_5C" "$H23_FRESH" "$H23_FRESH_5C"; }
# Round 41: held-out-24, run once with every default frozen (the recommended switch alone), seeds 0-4 and 5-9, three
# candidates and five. The round-41 scripts add them to the sets above.
split_runs H24 "$R/round41/held-out-24"
with_held_out_24() { with_split "$H24" "$H24_5C" "$H24_FRESH" "$H24_FRESH_5C"; }
# Round 42: held-out-25, run once with every default frozen (the recommended switch alone), seeds 0-4 and 5-9, three
# candidates and five. The round-42 scripts add them to the sets above.
split_runs H25 "$R/round42/held-out-25"
with_held_out_25() { with_split "$H25" "$H25_5C" "$H25_FRESH" "$H25_FRESH_5C"; }
# Round 43: held-out-26, run once with every default frozen (the recommended switch alone), seeds 0-4 and 5-9, three
# candidates and five. The round-43 scripts add them to the sets above.
split_runs H26 "$R/round43/held-out-26"
with_held_out_26() { with_split "$H26" "$H26_5C" "$H26_FRESH" "$H26_FRESH_5C"; }
# Round 44: held-out-27, run once with every default frozen (the recommended switch alone), seeds 0-4 and 5-9, three
# candidates and five, on an Intel Xeon (every contender of a run in its file). The round-44 scripts add them to the
# sets above.
split_runs H27 "$R/round44/held-out-27"
with_held_out_27() { with_split "$H27" "$H27_5C" "$H27_FRESH" "$H27_FRESH_5C"; }
# Round 45: held-out-28, run once with every default frozen (the recommended switch alone), seeds 0-4 and 5-9, three
# candidates and five, on an Intel Xeon. The round-45 scripts add them to the sets above.
split_runs H28 "$R/round45/held-out-28"
with_held_out_28() { with_split "$H28" "$H28_5C" "$H28_FRESH" "$H28_FRESH_5C"; }
# Round 46: held-out-29, run once with every default frozen (the recommended switch alone), seeds 0-4 and 5-9, three
# candidates and five, on an Intel Xeon. The round-46 scripts add them to the sets above.
split_runs H29 "$R/round46/held-out-29"
with_held_out_29() { with_split "$H29" "$H29_5C" "$H29_FRESH" "$H29_FRESH_5C"; }
# Round 48: held-out-30, run once with every default frozen (the recommended switch, round 33's trials-duels-guarded
# beside it), seeds 0-4 and 5-9, three candidates and five, on an Intel Xeon. The round-48 scripts add them to the sets
# above.
split_runs H30 "$R/round48/held-out-30"
with_held_out_30() { with_split "$H30" "$H30_5C" "$H30_FRESH" "$H30_FRESH_5C"; }
# Round 49: held-out-31, run once (benchmarks/results/round49/RULE.md; trials-duels-guarded and
# race-multiples-undo-kept-watch beside the recommended switch), seeds 0-4 and 5-9, three candidates and five, on an
# Intel Xeon.
split_runs H31 "$R/round49/held-out-31"
with_held_out_31() { with_split "$H31" "$H31_5C" "$H31_FRESH" "$H31_FRESH_5C"; }
# Round 50: held-out-32, run once (benchmarks/results/round50/RULE.md; round 10's guard and the kept-watch contender,
# which selectors.recommended composes since round 49), seeds 0-4 and 5-9, three candidates and five, on an Intel Xeon.
split_runs H32 "$R/round50/held-out-32"
with_held_out_32() { with_split "$H32" "$H32_5C" "$H32_FRESH" "$H32_FRESH_5C"; }
# Round 51: held-out-33, run once (benchmarks/results/round51/RULE.md; round 10's guard and the kept-watch contender),
# seeds 0-4 and 5-9, three candidates and five, on an Intel Xeon.
split_runs H33 "$R/round51/held-out-33"
with_held_out_33() { with_split "$H33" "$H33_5C" "$H33_FRESH" "$H33_FRESH_5C"; }
# Round 52: held-out-34, run once (benchmarks/results/round52/RULE.md; round 10's guard and the kept-watch contender),
# seeds 0-4 and 5-9, three candidates and five, on an Intel Xeon.
split_runs H34 "$R/round52/held-out-34"
with_held_out_34() { with_split "$H34" "$H34_5C" "$H34_FRESH" "$H34_FRESH_5C"; }
# Round 53: held-out-35, run once (benchmarks/results/round53/RULE.md; round 10's guard and the kept-watch contender),
# seeds 0-4 and 5-9, three candidates and five, on an AMD EPYC with jax 0.12.1.
split_runs H35 "$R/round53/held-out-35"
with_held_out_35() { with_split "$H35" "$H35_5C" "$H35_FRESH" "$H35_FRESH_5C"; }
# Round 54: held-out-36, run once (benchmarks/results/round54/RULE.md; round 10's guard and the kept-watch contender),
# seeds 0-4 and 5-9, three candidates and five, on an AMD EPYC with jax 0.12.1.
split_runs H36 "$R/round54/held-out-36"
with_held_out_36() { with_split "$H36" "$H36_5C" "$H36_FRESH" "$H36_FRESH_5C"; }
# Round 55: held-out-37, run once (benchmarks/results/round55/RULE.md; round 10's guard and the kept-watch contender),
# seeds 0-4 and 5-9, three candidates and five, on an AMD EPYC with jax 0.12.1.
split_runs H37 "$R/round55/held-out-37"
with_held_out_37() { with_split "$H37" "$H37_5C" "$H37_FRESH" "$H37_FRESH_5C"; }
# Round 56: held-out-38, run once (benchmarks/results/round56/RULE.md; round 10's guard, the kept-watch contender and
# round 55's late duels), seeds 0-4 and 5-9, three candidates and five, on an AMD EPYC with jax 0.12.1.
split_runs H38 "$R/round56/held-out-38"
with_held_out_38() { with_split "$H38" "$H38_5C" "$H38_FRESH" "$H38_FRESH_5C"; }
# Round 57: held-out-39, run once (benchmarks/results/round57/RULE.md; round 10's guard and the kept-watch contender),
# seeds 0-4 and 5-9, three candidates and five, on an AMD EPYC with jax 0.12.1.
split_runs H39 "$R/round57/held-out-39"
with_held_out_39() { with_split "$H39" "$H39_5C" "$H39_FRESH" "$H39_FRESH_5C"; }
# Round 58: held-out-40, run once (benchmarks/results/round58/RULE.md; round 10's guard and the kept-watch contender),
# seeds 0-4 and 5-9, three candidates and five, on an AMD EPYC with jax 0.12.1.
split_runs H40 "$R/round58/held-out-40"
with_held_out_40() { with_split "$H40" "$H40_5C" "$H40_FRESH" "$H40_FRESH_5C"; }
# Round 59: held-out-41, run once (benchmarks/results/round59/RULE.md; round 10's guard and the kept-watch contender),
# seeds 0-4 and 5-9, three candidates and five, on an AMD EPYC with jax 0.12.1.
split_runs H41 "$R/round59/held-out-41"
with_held_out_41() { with_split "$H41" "$H41_5C" "$H41_FRESH" "$H41_FRESH_5C"; }
# Round 60: held-out-42, run once (benchmarks/results/round60/RULE.md; round 10's guard and the kept-watch contender),
# seeds 0-4 and 5-9, three candidates and five, on an AMD EPYC with jax 0.12.1.
split_runs H42 "$R/round60/held-out-42"
with_held_out_42() { with_split "$H42" "$H42_5C" "$H42_FRESH" "$H42_FRESH_5C"; }
# Round 61: held-out-43, run once (benchmarks/results/round61/RULE.md; round 10's guard and the kept-watch contender),
# seeds 0-4 and 5-9, three candidates and five, on an AMD EPYC with jax 0.12.1.
split_runs H43 "$R/round61/held-out-43"
with_held_out_43() { with_split "$H43" "$H43_5C" "$H43_FRESH" "$H43_FRESH_5C"; }
# Round 62: held-out-44, run once (benchmarks/results/round62/RULE.md; round 10's guard and the kept-watch contender),
# seeds 0-4 and 5-9, three candidates and five, on an AMD EPYC with jax 0.12.1.
split_runs H44 "$R/round62/held-out-44"
with_held_out_44() { with_split "$H44" "$H44_5C" "$H44_FRESH" "$H44_FRESH_5C"; }
# Round 63: held-out-45, run once (benchmarks/results/round63/RULE.md; round 10's guard and the kept-watch contender),
# seeds 0-4 and 5-9, three candidates and five, on an AMD EPYC with jax 0.12.1.
split_runs H45 "$R/round63/held-out-45"
with_held_out_45() { with_split "$H45" "$H45_5C" "$H45_FRESH" "$H45_FRESH_5C"; }
# Round 64: held-out-46, run once (benchmarks/results/round64/RULE.md; round 10's guard and the kept-watch contender),
# seeds 0-4 and 5-9, three candidates and five, on an AMD EPYC with jax 0.12.1.
split_runs H46 "$R/round64/held-out-46"
with_held_out_46() { with_split "$H46" "$H46_5C" "$H46_FRESH" "$H46_FRESH_5C"; }
# Round 65: held-out-47, run once (benchmarks/results/round65/RULE.md; round 10's guard and the kept-watch contender),
# seeds 0-4 and 5-9, three candidates and five, on an AMD EPYC with jax 0.12.1.
split_runs H47 "$R/round65/held-out-47"
with_held_out_47() { with_split "$H47" "$H47_5C" "$H47_FRESH" "$H47_FRESH_5C"; }
# Round 66: held-out-48, run once (benchmarks/results/round66/RULE.md; round 10's guard and the kept-watch contender),
# seeds 0-4 and 5-9, three candidates and five, on an AMD EPYC with jax 0.12.1.
split_runs H48 "$R/round66/held-out-48"
with_held_out_48() { with_split "$H48" "$H48_5C" "$H48_FRESH" "$H48_FRESH_5C"; }
# Round 67: held-out-49, run once (benchmarks/results/round67/RULE.md; round 10's guard and the kept-watch contender),
# seeds 0-4 and 5-9, three candidates and five, on an AMD EPYC with jax 0.12.1.
split_runs H49 "$R/round67/held-out-49"
with_held_out_49() { with_split "$H49" "$H49_5C" "$H49_FRESH" "$H49_FRESH_5C"; }
# Round 68: held-out-50, run once (benchmarks/results/round68/RULE.md; round 10's guard and the kept-watch contender),
# seeds 0-4 and 5-9, three candidates and five, on an AMD EPYC with jax 0.12.1.
split_runs H50 "$R/round68/held-out-50"
with_held_out_50() { with_split "$H50" "$H50_5C" "$H50_FRESH" "$H50_FRESH_5C"; }
# Round 69: held-out-51, run once (benchmarks/results/round69/RULE.md; round 10's guard and the kept-watch contender),
# seeds 0-4 and 5-9, three candidates and five, on an AMD EPYC with jax 0.12.1.
split_runs H51 "$R/round69/held-out-51"
with_held_out_51() { with_split "$H51" "$H51_5C" "$H51_FRESH" "$H51_FRESH_5C"; }
# Round 70: held-out-52, run once (benchmarks/results/round70/RULE.md; round 10's guard and the kept-watch contender),
# seeds 0-4 and 5-9, three candidates and five, on an AMD EPYC with jax 0.12.1.
split_runs H52 "$R/round70/held-out-52"
with_held_out_52() { with_split "$H52" "$H52_5C" "$H52_FRESH" "$H52_FRESH_5C"; }
# Round 71: held-out-53, run once (benchmarks/results/round71/RULE.md; round 10's guard and the kept-watch contender),
# seeds 0-4 and 5-9, three candidates and five, on an AMD EPYC with jax 0.12.1.
split_runs H53 "$R/round71/held-out-53"
with_held_out_53() { with_split "$H53" "$H53_5C" "$H53_FRESH" "$H53_FRESH_5C"; }
# Every blind split run once since round 31, held-out-18 through held-out-N, added to the sets above:
# with_held_out_through N.
with_held_out_through() {
  local split
  for split in $(seq 18 "$1"); do "with_held_out_$split"; done
}
# A development trial's runs (rounds 53 and 54): the five development splits' run files under DIR, seeds 0-4 and 5-9, as
# FILES for compare: development_runs DIR sets seeds_0_4 and seeds_5_9.
development_runs() {
  local split
  seeds_0_4=$1/development/time_to_target.json
  seeds_5_9=$1/development-fresh/time_to_target.json
  for split in development-2 development-3 development-4 development-5; do
    seeds_0_4+="+$1/$split/time_to_target.json"
    seeds_5_9+="+$1/$split-fresh/time_to_target.json"
  done
}
# The tasks of stored runs, comma-separated for --tasks (round 55's checks on earlier splits): split_tasks FOLDER...,
# each a folder under benchmarks/results/ holding a time_to_target.json.
split_tasks() {
  local folder tasks=""
  for folder in "$@"; do
    tasks+=$(python -c "import json, sys; print(','.join(json.load(open(sys.argv[1]))['tasks']))" \
      "$R/$folder/time_to_target.json"),
  done
  echo "${tasks%,}"
}
# Round 55's late duels beside the recommended switch, three candidates, seeds 0-4, on two sets of tasks at a time, into
# FOLDER/a and FOLDER/b (FOLDER under benchmarks/results): late_duels_in_halves FOLDER TASKS_A TASKS_B.
late_duels_in_halves() {
  local contenders=race-multiples-undo-kept-watch,race-multiples-undo-late-duels-kept-watch
  python -m benchmarks.suite --no-progress --split all --tasks "$2" --contenders "$contenders" --out "$R/$1/a" &
  python -m benchmarks.suite --no-progress --split all --tasks "$3" --contenders "$contenders" --out "$R/$1/b" &
  wait
}
# A paired comparison, printed after its command (the rounds' scripts): compare A B, each FILES:CONTENDER.
compare() { echo "\$ python -m benchmarks.suite.paired $1 $2"; python -m benchmarks.suite.paired "$1" "$2"; echo; }
# Round 41's first duels (benchmarks/diagnostics/first_duels.py), printed after their command: duels ARGS.
duels() { echo "\$ python -m benchmarks.diagnostics.first_duels $*"; python -m benchmarks.diagnostics.first_duels "$@"; echo; }
# A blind split's report (rounds 37 and 38): VARIANT against the recommended switch, run by run, in each of the split's
# four runs, then the recommended switch's standing on the split alone, seeds 0-4 and 5-9:
# blind_split_report VARIANT SPLIT RUN RUN_FRESH RUN_5C RUN_FRESH_5C.
blind_split_report() {
  local variant=$1 split=$2 run
  shift 2
  for run in "$@"; do
    echo "## $run"
    compare "$run:$variant" "$run:race-multiples-undo"
  done
  split_standing "$split" "$1" "$2"
}
# The recommended switch's standing on a blind split alone, three candidates, seeds 0-4 and 5-9:
# split_standing SPLIT RUN RUN_FRESH.
split_standing() {
  echo "## The recommended switch on $1 alone, three candidates, seeds 0-4 and 5-9"
  three_standing race-multiples-undo "$2" "$3"
}
# SWITCH's standing against the three fixed candidates and the tuned baseline, in each run file RUN:
# three_standing SWITCH RUN...
three_standing() {
  local switch=$1 run
  shift
  for run in "$@"; do
    echo "\$ python -m benchmarks.suite.standing --switch $run:$switch --fixed $run:adam,sgd,rmsprop --baseline $run:adamw-cosine"
    python -m benchmarks.suite.standing --switch "$run:$switch" --fixed "$run:adam,sgd,rmsprop" \
      --baseline "$run:adamw-cosine"
    echo
  done
}
# SWITCH's standing against the five fixed candidates in each folder's five-candidate run (FOLDER-5c), the tuned
# baseline from its three-candidate run (FOLDER): five_standing SWITCH FOLDER...
five_standing() {
  local switch=$1 five three
  shift
  for three in "$@"; do
    five="$three-5c/time_to_target.json"
    three="$three/time_to_target.json"
    echo "\$ python -m benchmarks.suite.standing --switch $five:$switch --fixed $five:adam,adam-3e-4,adam-3e-3,sgd,rmsprop --baseline $three:adamw-cosine"
    python -m benchmarks.suite.standing --switch "$five:$switch" \
      --fixed "$five:adam,adam-3e-4,adam-3e-3,sgd,rmsprop" --baseline "$three:adamw-cosine"
    echo
  done
}
# A blind split run alone (rounds 40 and 41): the recommended switch's standing on it, three candidates and five, seeds
# 0-4 and 5-9, then the candidate whose copies it ran most, run by run, from the split's four run files in FOLDER
# (under benchmarks/results): alone_split_report SPLIT FOLDER.
alone_split_report() {
  split_standing "$1" "$R/$2/time_to_target.json" "$R/$2-fresh/time_to_target.json"
  echo "## The same with five candidates (the tuned baseline from the three-candidate run of the same seeds)"
  five_standing race-multiples-undo "$R/$2" "$R/$2-fresh"
  echo "\$ python benchmarks/results/picks.py $2"
  python benchmarks/results/picks.py "$2"
}
# A blind split run alone, from round 42: alone_split_report's lines, then each of the four runs' first duel with
# another family after the race, run by run: alone_split_duels SPLIT FOLDER.
alone_split_duels() {
  local run
  alone_split_report "$1" "$2"
  echo
  echo "## The first duel with another family after the race, run by run (benchmarks/diagnostics/first_duels.py)"
  for run in "$R/$2" "$R/$2-fresh"; do
    duels --runs --switch "$run/time_to_target.json:race-multiples-undo" --fixed "$run/time_to_target.json:adam,sgd,rmsprop"
  done
  for run in "$R/$2-5c" "$R/$2-fresh-5c"; do
    duels --runs --switch "$run/time_to_target.json:race-multiples-undo" \
      --fixed "$run/time_to_target.json:adam,adam-3e-4,adam-3e-3,sgd,rmsprop"
  done
}
# Round 41's diagnostic (benchmarks/diagnostics/first_duels.py) over the sets above as they are when it is called: the
# recommended switch's first duel with another family after the race, three candidates and five, seeds 0-4 and 5-9.
first_duels_report() {
  FIVE_NOTE=" (the first duel with another candidate: Adam at another rate counts)" over_the_four_sets duels
}
# Round 70's reading of the same duels: how the runs came out, by whether the challenger took over (first_duels.py
# --outcomes), over the four sets: duel_outcomes_report.
duel_outcomes_report() {
  FIVE_NOTE=" (the first duel with another candidate: Adam at another rate counts)" over_the_four_sets duels --outcomes
}
# Round 71's count of how the runs with no duel against another family after the race came out, by whether the race
# ended on the best family (benchmarks/diagnostics/first_duels.py --undueled), over the four sets: undueled_report.
undueled_report() {
  FIVE_NOTE=" (no duel with another candidate: Adam at another rate counts)" over_the_four_sets duels --undueled
}
# COMMAND ARGS run over the four sets above as they are when it is called, three candidates and five, seeds 0-4 and 5-9,
# each under its heading (FIVE_NOTE, if set, added to the five-candidate ones): over_the_four_sets COMMAND [ARGS...].
over_the_four_sets() {
  local command=$1
  shift
  echo "## Seeds 0-4"
  "$command" "$@" --switch "$K3:race-multiples-undo" --fixed "$K3:adam,sgd,rmsprop"
  echo "## Seeds 5-9"
  "$command" "$@" --switch "$FRESH_REC:race-multiples-undo" --fixed "$FRESH_ADAM:adam" --fixed "$FRESH_SR:sgd,rmsprop"
  echo "## Five candidates, seeds 0-4${FIVE_NOTE-}"
  "$command" "$@" --switch "$K5_SWITCH:race-multiples-undo" --fixed "$K3+$A34:adam,adam-3e-3,sgd,rmsprop" \
    --fixed "$A34:adam-3e-4"
  echo "## Five candidates, seeds 5-9"
  "$command" "$@" --switch "$F5:race-multiples-undo" --fixed "$FRESH_ADAM:adam" --fixed "$FRESH_SR:sgd,rmsprop" \
    --fixed "$F5:adam-3e-4,adam-3e-3"
}
# Round 44's reading of the shortfalls (benchmarks/diagnostics/train_ahead.py), printed after its command, over the
# four sets, each task listed: train_ahead_report.
ahead() { echo "\$ python -m benchmarks.diagnostics.train_ahead $*"; python -m benchmarks.diagnostics.train_ahead "$@"; echo; }
train_ahead_report() { over_the_four_sets ahead --each-task; }
# Where the recommended switch stands against the goals of issue 11 over the sets above as they are when it is called
# (the standing scripts of rounds 31, 35, 37 and 38 add their blind splits first): three candidates and five, seeds 0-4
# and 5-9, by steps, by seconds, and with Prodigy as the baseline.
standing_report() {
  run() { echo "\$ python -m benchmarks.suite.standing $*"; python -m benchmarks.suite.standing "$@"; echo; }
  echo "## Three candidates (Adam 1e-3, SGD with momentum, RMSProp), the tuned baseline AdamW + warmup + cosine"
  run --switch "$K3:race-multiples-undo" --fixed "$K3:adam,sgd,rmsprop" --baseline "$K3:adamw-cosine"
  echo "## The same by seconds, compile included: each split's contenders ran side by side in one session (its own file)"
  run --clock seconds --switch "$K3:race-multiples-undo" --fixed "$K3:adam,sgd,rmsprop" --baseline "$K3:adamw-cosine"
  echo "## The same, with Prodigy untuned as the baseline"
  run --switch "$K3:race-multiples-undo" --fixed "$K3:adam,sgd,rmsprop" --baseline "$K3:prodigy-cosine"
  echo "## Five candidates (Adam at 3e-4, 1e-3 and 3e-3, SGD with momentum, RMSProp)"
  run --switch "$K5_SWITCH:race-multiples-undo" --fixed "$K3+$A34:adam,adam-3e-3,sgd,rmsprop" --fixed "$A34:adam-3e-4" \
    --baseline "$K3:adamw-cosine"
  echo "## Seeds 5-9, three candidates, the tuned baseline"
  run --switch "$FRESH_REC:race-multiples-undo" --fixed "$FRESH_ADAM:adam" --fixed "$FRESH_SR:sgd,rmsprop" \
    --baseline "$FRESH_BASELINE:adamw-cosine"
  echo "## Seeds 5-9, five candidates"
  run --switch "$F5:race-multiples-undo" --fixed "$FRESH_ADAM:adam" --fixed "$FRESH_SR:sgd,rmsprop" \
    --fixed "$F5:adam-3e-4,adam-3e-3" --baseline "$FRESH_BASELINE:adamw-cosine"
}
# Round 45's reading (benchmarks/diagnostics/train_lead.py), printed after its command, over the four sets, each task
# listed: train_lead_report.
lead() { echo "\$ python -m benchmarks.diagnostics.train_lead $*"; python -m benchmarks.diagnostics.train_lead "$@"; echo; }
train_lead_report() { over_the_four_sets lead --each-task; }
# Round 66's count of when the best candidate's lead settles against the recommended switch's last decision, at half the
# budget (benchmarks/diagnostics/train_lead.py's --when-settled), over the four sets: when_settled_report.
when_settled_report() { over_the_four_sets lead --when-settled; }
# Round 52's reading (benchmarks/diagnostics/late_targets.py), printed after its command, over the four sets, each task
# listed: late_targets_report.
late() { echo "\$ python -m benchmarks.diagnostics.late_targets $*"; python -m benchmarks.diagnostics.late_targets "$@"; echo; }
late_targets_report() { over_the_four_sets late --each-task; }
# Round 52's reading (benchmarks/diagnostics/race_agrees.py), printed after its command, over the four sets:
# race_agrees_report.
agrees() { echo "\$ python -m benchmarks.diagnostics.race_agrees $*"; python -m benchmarks.diagnostics.race_agrees "$@"; echo; }
race_agrees_report() { over_the_four_sets agrees; }
# Round 63's bound on a selector that commits once (benchmarks/diagnostics/commit_bound.py), printed after its command,
# over the four sets: commit_bound_report.
bound() { echo "\$ python -m benchmarks.diagnostics.commit_bound $*"; python -m benchmarks.diagnostics.commit_bound "$@"; echo; }
commit_bound_report() { over_the_four_sets bound; }
# Round 30's reading (benchmarks/diagnostics/start_trials.py), printed after its command, over the four sets as they are
# when it is called, every split kept aside through held-out-N (Prodigy, which only the splits through held-out-18 ran,
# left out; rounds 56 and 57): start_trials_report N.
trials() { echo "\$ python -m benchmarks.diagnostics.start_trials $*"; python -m benchmarks.diagnostics.start_trials "$@"; echo; }
start_trials_report() {
  echo "## Every split kept aside (validation, held-out through held-out-$1), three candidates, seeds 0-4"
  trials --fixed "$K3:adam,sgd,rmsprop" --switch "$K3:race-multiples-undo,adam,sgd,rmsprop,adamw-cosine" \
    --baseline "$K3:adamw-cosine"
  echo "## The same splits, three candidates, seeds 5-9"
  trials --fixed "$FRESH_ADAM:adam" --fixed "$FRESH_SR:sgd,rmsprop" --switch "$FRESH_REC:race-multiples-undo" \
    --switch "$FRESH_ADAM:adam" --switch "$FRESH_SR:sgd,rmsprop" --switch "$FRESH_BASELINE:adamw-cosine" \
    --baseline "$FRESH_BASELINE:adamw-cosine"
  echo "## Every split kept aside, five candidates (Adam at 3e-4, 1e-3 and 3e-3, SGD with momentum, RMSProp), seeds 0-4"
  trials --fixed "$K3+$A34:adam,adam-3e-3,sgd,rmsprop" --fixed "$A34:adam-3e-4" \
    --switch "$K5_SWITCH:race-multiples-undo" --baseline "$K3:adamw-cosine"
  echo "## The same splits, five candidates, seeds 5-9"
  trials --fixed "$FRESH_ADAM:adam" --fixed "$FRESH_SR:sgd,rmsprop" --fixed "$F5:adam-3e-4,adam-3e-3" \
    --switch "$F5:race-multiples-undo" --baseline "$FRESH_BASELINE:adamw-cosine"
}
# Rounds 50 and 51: the kept-watch contender (what selectors.recommended composes since round 49) against round 10's
# guard, run by run in each of a blind split's four runs, then its own standing on the split, three candidates and
# five: kept_watch_report SPLIT FOLDER (FOLDER under benchmarks/results, as alone_split_duels takes it).
kept_watch_report() {
  local variant=race-multiples-undo-kept-watch run
  echo
  echo "## $variant against race-multiples-undo, run by run, in each of the four runs"
  for run in "$R/$2" "$R/$2-fresh" "$R/$2-5c" "$R/$2-fresh-5c"; do
    compare "$run/time_to_target.json:$variant" "$run/time_to_target.json:race-multiples-undo"
  done
  echo "## $variant on $1 alone, three candidates, seeds 0-4 and 5-9"
  three_standing "$variant" "$R/$2/time_to_target.json" "$R/$2-fresh/time_to_target.json"
  echo "## The same with five candidates (the tuned baseline from the three-candidate run of the same seeds)"
  five_standing "$variant" "$R/$2" "$R/$2-fresh"
}
# Round 52's seconds.py given a blind split's four runs, after its command: each task's median seconds to target,
# compile included, for every contender: seconds_report FOLDER (FOLDER under benchmarks/results).
seconds_report() {
  local folders=() suffix
  for suffix in "" -fresh -5c -fresh-5c; do folders+=("$R/$1$suffix"); done
  echo
  echo "## Each task's median seconds to target, compile included, every contender (round 52's seconds.py)"
  echo "\$ python benchmarks/results/round52/seconds.py ${folders[*]}"
  python benchmarks/results/round52/seconds.py "${folders[@]}"
}
# Rounds 51 to 53: a blind split's report, alone_split_duels' and kept_watch_report's lines, then round 50's
# same_runs.py given the split's four runs: blind_round_report SPLIT FOLDER (FOLDER under benchmarks/results).
blind_round_report() {
  local folders=() suffix
  alone_split_duels "$1" "$2"
  kept_watch_report "$1" "$2"
  echo
  echo "## race-multiples-undo-kept-watch against race-multiples-undo in every stored field but the clock, and the lowest training losses"
  for suffix in "" -fresh -5c -fresh-5c; do folders+=("$R/$2$suffix"); done
  echo "\$ python benchmarks/results/round50/same_runs.py ${folders[*]}"
  python benchmarks/results/round50/same_runs.py "${folders[@]}"
}
