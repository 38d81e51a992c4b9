#!/usr/bin/env bash
# Two builds of ddbcdc side by side, in one run: did a change make `run` or `transform` slower?
#
#   scripts/bench-compare.sh BEFORE_BIN AFTER_BIN
#
# e.g. build the commit before a change into another folder and compare it with today's:
#   git worktree add /tmp/before <commit> && (cd /tmp/before && swift build -c release --product ddbcdc)
#   swift build -c release --product ddbcdc
#   scripts/bench-compare.sh /tmp/before/.build/release/ddbcdc .build/release/ddbcdc
#
# 1. wall and CPU seconds and peak RSS of `run --input F --sink DIR --quiet` and of
#    `transform --input F --ingest-ts none`, RUNS times each, the two binaries alternating so that
#    the machine's load falls on both alike; medians printed;
# 2. with valgrind, instructions per 2,000 records past start-up (the difference between the first
#    4 and the first 2 events of F): repeatable whatever the load, so small changes show.
# F is bench-data/events-seed<SEED>-<RECORDS>.jsonl (made as scripts/bench-run.sh makes it).
#
# Environment: SEED (42), RECORDS (200000), RUNS (5), PYTHON (python3).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
[[ $# -eq 2 ]] || { sed -n '2,8p' "$0" >&2; exit 2; }
BEFORE=$(realpath "$1") AFTER=$(realpath "$2")
SEED=${SEED:-42} RECORDS=${RECORDS:-200000} RUNS=${RUNS:-5} PYTHON=${PYTHON:-python3}
DATA=bench-data/events-seed$SEED-$RECORDS.jsonl
if [[ ! -s $DATA ]]; then
    mkdir -p bench-data
    "$PYTHON" scripts/gen_events.py --seed "$SEED" --records "$RECORDS" --batch-size 1000 --out "$DATA.tmp"
    mv "$DATA.tmp" "$DATA"
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

median() { sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }

for command in run transform; do
    for which in before after; do : > "$WORK/$command-$which"; done
    for _ in $(seq "$RUNS"); do
        for which in before after; do
            bin=$BEFORE; [[ $which == after ]] && bin=$AFTER
            rm -rf "$WORK/out"
            if [[ $command == run ]]; then
                /usr/bin/time -f "%e %U %M" -o "$WORK/t" "$bin" run --input "$DATA" --sink "$WORK/out" --quiet 2>/dev/null || true
            else
                /usr/bin/time -f "%e %U %M" -o "$WORK/t" "$bin" transform --input "$DATA" --ingest-ts none > /dev/null
            fi
            cat "$WORK/t" >> "$WORK/$command-$which"
        done
    done
    for which in before after; do
        printf '%-9s %-6s median wall %6.3f s  CPU %6.3f s  peak RSS %6.1f MB  (%s runs)\n' "$command" "$which" \
            "$(cut -d' ' -f1 "$WORK/$command-$which" | median)" "$(cut -d' ' -f2 "$WORK/$command-$which" | median)" \
            "$(cut -d' ' -f3 "$WORK/$command-$which" | median | awk '{print $1 / 1024}')" "$RUNS"
    done
done

if command -v valgrind > /dev/null; then
    head -2 "$DATA" > "$WORK/two.jsonl"
    head -4 "$DATA" > "$WORK/four.jsonl"
    instructions() {  # binary, arguments...
        valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null | sed -n 's/.*Collected : //p'
    }
    for which in before after; do
        bin=$BEFORE; [[ $which == after ]] && bin=$AFTER
        # callgrind cannot read the toolchain's DWARF 5 debug info: count a copy without it.
        objcopy --strip-debug "$bin" "$WORK/ddbcdc-$which"
        for command in run transform; do
            if [[ $command == run ]]; then
                two=$(rm -rf "$WORK/o"; instructions "$WORK/ddbcdc-$which" run --input "$WORK/two.jsonl" --sink "$WORK/o" --quiet)
                four=$(rm -rf "$WORK/o"; instructions "$WORK/ddbcdc-$which" run --input "$WORK/four.jsonl" --sink "$WORK/o" --quiet)
            else
                two=$(instructions "$WORK/ddbcdc-$which" transform --input "$WORK/two.jsonl" --ingest-ts none)
                four=$(instructions "$WORK/ddbcdc-$which" transform --input "$WORK/four.jsonl" --ingest-ts none)
            fi
            printf '%-9s %-6s instructions per 2,000 records past start-up %12s  (start-up and first 2,000: %s)\n' \
                "$command" "$which" "$(( ${four//,/} - ${two//,/} ))" "$two"
        done
    done
fi
