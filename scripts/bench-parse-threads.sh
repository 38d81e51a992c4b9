#!/usr/bin/env bash
# Benchmark: `ddbcdc run` with one parse thread against several, on the corpus as one file and as
# a directory of files (one Lambda event each, as events kept one per object are), same run.
#
#   scripts/bench-parse-threads.sh
#
# 1. builds ddbcdc in release mode and generates the corpus as bench-run.sh does;
# 2. splits it into bench-data/events-seed<SEED>-<RECORDS>.d/ (one event, ~1.2 MB, per .json
#    file) unless that is there;
# 3. for each setting in SETTINGS (default: gzip level 6, level 1, level 0, Parquet snappy) and
#    each input (the file, the directory), times `ddbcdc run --input X --sink DIR --quiet
#    --parse-threads N` for N = 1 and THREADS, alternating, RUNS times each;
# 4. checks that both thread counts wrote the same objects (diff -r), and prints median wall s /
#    CPU s / peak RSS MB per cell and the gain.
#
# Environment: SEED (42), RECORDS (200000), RUNS (3), THREADS (2), SETTINGS (a ;-separated list
#              of run options), BASELINE_BIN (optional: another build's ddbcdc, timed with
#              THREADS as well, e.g. the commit before a change), SCRATCH_PATH (.build),
#              SKIP_BUILD=1 to use the built binary.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

RUNS=${RUNS:-3}
THREADS=${THREADS:-2}
SETTINGS=${SETTINGS:-"--gzip-level 6;--gzip-level 1;--gzip-level 0;--format parquet --parquet-compression snappy"}
BASELINE_BIN=${BASELINE_BIN:-}
PYTHON=${PYTHON:-python3}

# shellcheck source=scripts/bench-lib.sh
source scripts/bench-lib.sh
bench_build
bench_input

FILES="${DATA%.jsonl}.d"
if [[ ! -s "$FILES/.complete" || "$FILES/.complete" -ot "$DATA" ]]; then
    say "== splitting $DATA into $FILES/ (one event per file)"
    rm -rf "$FILES"
    mkdir -p "$FILES"
    split -l 1 -d -a 5 --additional-suffix=.json "$DATA" "$FILES/event-"
    date > "$FILES/.complete"
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
RESULTS="$WORK/results"
: > "$RESULTS"

IFS=';' read -r -a settings <<< "$SETTINGS"
bench_machine
for setting in "${settings[@]}"; do
    read -r -a options <<< "$setting"
    for input in "$DATA" "$FILES"; do
        kind=file
        [[ -d $input ]] && kind=directory
        say "== run $setting, $kind"
        for ((i = 1; i <= RUNS; i++)); do
            labels=("1" "$THREADS")
            [[ -n $BASELINE_BIN ]] && labels+=("baseline")
            for label in "${labels[@]}"; do
                bin=$BIN threads=$label
                [[ $label == baseline ]] && bin=$BASELINE_BIN threads=$THREADS
                out="$WORK/out-$label"
                rm -rf "$out"
                bench_time "$label threads" "$out.err" "$bin" run --input "$input" --sink "$out" --quiet --parse-threads "$threads" "${options[@]}"
                echo "$setting|$kind|$label|$(awk -v a="$BENCH_T0" -v b="$BENCH_T1" 'BEGIN { printf "%.3f", b - a }')|$BENCH_CPU|$BENCH_RSS" >> "$RESULTS"
            done
            diff -r "$WORK/out-1" "$WORK/out-$THREADS" > /dev/null || { say "!! objects differ between 1 and $THREADS threads ($setting, $kind)"; exit 1; }
        done
    done
done

# The median of a column of numbers.
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
cell() {  # setting kind label -> "wall / cpu / rss"
    local rows
    rows=$(awk -F'|' -v s="$1" -v k="$2" -v l="$3" '$1 == s && $2 == k && $3 == l' "$RESULTS")
    printf '%s / %s / %.1f' "$(cut -d'|' -f4 <<< "$rows" | median)" "$(cut -d'|' -f5 <<< "$rows" | median)" \
        "$(cut -d'|' -f6 <<< "$rows" | median | awk '{ print $1 / 1000 }')"
}
echo
echo "median wall s / CPU s / peak RSS MB of $RUNS interleaved runs, $RECORDS records"
header="| \`run\` with | input | \`--parse-threads 1\` | \`--parse-threads $THREADS\` | gain |"
rule="|---|---|---|---|---:|"
if [[ -n $BASELINE_BIN ]]; then
    header="| \`run\` with | input | \`--parse-threads 1\` | \`--parse-threads $THREADS\` | baseline, $THREADS | gain | over baseline |"
    rule="|---|---|---|---|---|---:|---:|"
fi
echo "$header"
echo "$rule"
for setting in "${settings[@]}"; do
    for kind in file directory; do
        one=$(cell "$setting" "$kind" 1)
        many=$(cell "$setting" "$kind" "$THREADS")
        gain=$(awk -v a="${one%% *}" -v b="${many%% *}" 'BEGIN { printf "%.2f×", a / b }')
        if [[ -n $BASELINE_BIN ]]; then
            base=$(cell "$setting" "$kind" baseline)
            over=$(awk -v a="${base%% *}" -v b="${many%% *}" 'BEGIN { printf "%.2f×", a / b }')
            echo "| \`$setting\` | $kind | $one | $many | $base | $gain | $over |"
        else
            echo "| \`$setting\` | $kind | $one | $many | $gain |"
        fi
    done
done
