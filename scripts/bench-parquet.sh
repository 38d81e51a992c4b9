#!/usr/bin/env bash
# Benchmark: `ddbcdc run --format parquet` against gzip-6 NDJSON and against pyarrow writing the
# same rows, same input, same run (issue 13's figures).
#
#   scripts/bench-parquet.sh
#
# 1. builds ddbcdc in release mode (swift build -c release --product ddbcdc);
# 2. generates bench-data/events-seed<SEED>-<RECORDS>.jsonl with scripts/gen_events.py unless it
#    is already there (200,000 records in Lambda events of 1,000, ~1.2 KB a record);
# 3. untimed: the rows, `ddbcdc transform --input F --ingest-ts none` (run leaves _ingestTs out
#    too), and the typed layout's schema, `ddbcdc schema --format json` over them;
# 4. RUNS rounds, each into fresh, empty directories, the writers interleaved so that the machine's
#    noise falls on all of them alike:
#      ddbcdc run --format json --gzip-level 6                    (the reference: gzip-6 NDJSON, level given
#                                                                  explicitly, whatever NDJSON's default)
#      ddbcdc run --format parquet [--parquet-compression zstd|gzip|none]   (packed layout)
#      ddbcdc run --format parquet --schema S [--parquet-compression zstd|gzip]  (typed layout)
#      (gzip at Parquet's default level; GZIP_LEVELS="1 2 3" adds packed and typed gzip runs at
#      each of those --parquet-gzip-level values, to choose that default by size and time)
#      pyarrow: pq.write_table of the same rows, packed-like (the metadata columns and _item, the
#      item's exact JSON text) and typed-like (pyarrow.json's own inferred types), snappy and
#      zstd, one file per batch cut as ddbcdc cuts them (2,000 rows, or the dt=/HH= partition
#      changes); only Table.from_pylist + write_table are timed (scripts/bench_parquet.py);
#    every ddbcdc run at its defaults otherwise (2,000 records, 8,000,000 bytes, --concurrency 2);
#    each round starts one writer further on in that list (the order rotates), and each writer is
#    also compared with the NDJSON run of its own round (the median of those per-round ratios,
#    "paired": the machine's speed drifts between rounds far more than within one);
# 5. DuckDB reads each landing zone of the first round, RUNS times:
#      SELECT count(*), sum(length(_seq)) FROM read_parquet('<dir>/**/*.parquet')
#      SELECT count(*), sum(length(_seq)) FROM read_json('<dir>/**/*.ndjson.gz', format = 'newline_delimited')
#    and every zone must give RECORDS rows and the NDJSON's sum;
# 6. prints seconds (median, best, spread), records/s, CPU seconds, peak RSS, the paired wall and
#    CPU ratios to NDJSON, objects and bytes (and their ratio to the NDJSON objects), DuckDB's read
#    time, and the issue's goals with pass/fail (speed goals by the paired ratios).
#
# Wall time from `date +%s.%N`; CPU time and peak RSS from `/usr/bin/time -v` (scripts/bench-lib.sh).
#
# Environment: SEED (42), RECORDS (200000), RUNS (3), PYTHON (.venv/bin/python: pyarrow and duckdb),
#              GZIP_LEVELS (none: extra Parquet gzip levels to run, e.g. "1 2 3 4 5 6"),
#              SCRATCH_PATH (.build: SwiftPM's --scratch-path), SKIP_BUILD=1 to use the built binary,
#              KEEP=DIR to leave the landing zones of the first round in DIR.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

RUNS=${RUNS:-3}
GZIP_LEVEL=6
if [[ -z "${PYTHON:-}" ]]; then
    PYTHON=python3
    [[ -x .venv/bin/python ]] && PYTHON=.venv/bin/python
fi
if ! "$PYTHON" -c "import pyarrow, duckdb" 2> /dev/null; then
    printf '%s\n' "$PYTHON cannot import pyarrow and duckdb: run scripts/setup.sh (or set PYTHON)" >&2
    exit 1
fi

# shellcheck source=scripts/bench-lib.sh
source scripts/bench-lib.sh
bench_build
bench_input

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
RESULTS="$WORK/results"
: > "$RESULTS"

bytes_under() { find "$1" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }'; }
count_under() { find "$1" -type f | wc -l; }

# ---- untimed: the rows and the typed layout's schema -------------------------------------------------
say "== ddbcdc transform --ingest-ts none and ddbcdc schema --format json (untimed)"
ROWS="$WORK/rows.ndjson"
"$BIN" transform --input "$DATA" --ingest-ts none > "$ROWS" 2> "$WORK/transform.err" \
    || { sed 's/^/!!   /' "$WORK/transform.err" >&2; exit 1; }
SCHEMA="$WORK/schema.json"
"$BIN" schema --input "$ROWS" --format json > "$SCHEMA" 2> "$WORK/schema.err" \
    || { sed 's/^/!!   /' "$WORK/schema.err" >&2; exit 1; }
NDJSON_BYTES=$(stat -c %s "$ROWS")
GZIP6_BYTES=$(gzip -6 < "$ROWS" | wc -c)

# The ddbcdc writers: label, then run's options beyond --input, --sink and --quiet.
WRITERS=(
    "json|--format json --gzip-level $GZIP_LEVEL"
    "parquet-packed-snappy|--format parquet"
    "parquet-packed-zstd|--format parquet --parquet-compression zstd"
    "parquet-packed-gzip|--format parquet --parquet-compression gzip"
    "parquet-packed-none|--format parquet --parquet-compression none"
    "parquet-typed-snappy|--format parquet --schema $SCHEMA"
    "parquet-typed-zstd|--format parquet --schema $SCHEMA --parquet-compression zstd"
    "parquet-typed-gzip|--format parquet --schema $SCHEMA --parquet-compression gzip"
)
for level in ${GZIP_LEVELS:-}; do
    WRITERS+=("parquet-packed-gzip-$level|--format parquet --parquet-compression gzip --parquet-gzip-level $level")
    WRITERS+=("parquet-typed-gzip-$level|--format parquet --schema $SCHEMA --parquet-compression gzip --parquet-gzip-level $level")
done

# ---- timed rounds ----------------------------------------------------------------------------------
for ((i = 1; i <= RUNS; i++)); do
    say "== round $i of $RUNS"
    # Each round starts one writer further on, so no writer always runs first or after the same one.
    for ((k = 0; k < ${#WRITERS[@]}; k++)); do
        writer=${WRITERS[(k + i - 1) % ${#WRITERS[@]}]}
        label=${writer%%|*}
        read -r -a options <<< "${writer#*|}"
        out="$WORK/$i/$label"
        mkdir -p "$out"
        bench_time "$label" "$out.err" "$BIN" run --input "$DATA" --sink "$out" "${options[@]}" --quiet
        echo "$label $BENCH_T0 $BENCH_T1 $BENCH_RSS $BENCH_CPU $(count_under "$out") $(bytes_under "$out")" >> "$RESULTS"
    done
    "$PYTHON" scripts/bench_parquet.py pyarrow "$ROWS" "$WORK/$i" "$RESULTS" ""
    # keep the first round's landing zones for DuckDB; the others only take disk space
    if ((i > 1)); then rm -rf "${WORK:?}/$i"; fi
done

# ---- DuckDB reads of the first round's landing zones -----------------------------------------------------
say "== DuckDB reads, $RUNS each"
ZONES=("json=$WORK/1/json/**/*.ndjson.gz")
for writer in "${WRITERS[@]:1}"; do
    label=${writer%%|*}
    ZONES+=("$label=$WORK/1/$label/**/*.parquet")
done
for label in pyarrow-packed-snappy pyarrow-packed-zstd pyarrow-typed-snappy pyarrow-typed-zstd; do
    ZONES+=("$label=$WORK/1/$label/*.parquet")
done
"$PYTHON" scripts/bench_parquet.py duckdb "$RUNS" "$RESULTS" "${ZONES[@]}"

# ---- report ------------------------------------------------------------------------------------
"$PYTHON" - "$WORK/info.json" "$RECORDS" "$INPUT_BYTES" "$NDJSON_BYTES" "$GZIP6_BYTES" "$RUNS" \
    "$(tail -n 1 "$WORK/1/parquet-typed-snappy.err" 2> /dev/null || true)" "${GZIP_LEVELS:-}" <<'EOF'
import json, sys
path, records, input_bytes, ndjson_bytes, gzip6_bytes, runs, typed_summary, levels = sys.argv[1:9]
variants = [
    ("json", "ddbcdc run --format json (gzip-6 NDJSON)"),
    ("parquet-packed-snappy", "ddbcdc parquet packed snappy"),
    ("parquet-packed-zstd", "ddbcdc parquet packed zstd"),
    ("parquet-packed-gzip", "ddbcdc parquet packed gzip (default level)"),
    ("parquet-packed-none", "ddbcdc parquet packed none"),
    ("parquet-typed-snappy", "ddbcdc parquet typed snappy"),
    ("parquet-typed-zstd", "ddbcdc parquet typed zstd"),
    ("parquet-typed-gzip", "ddbcdc parquet typed gzip (default level)"),
] + [
    (f"parquet-{layout}-gzip-{level}", f"ddbcdc parquet {layout} gzip level {level}")
    for level in levels.split() for layout in ("packed", "typed")
] + [
    ("pyarrow-packed-snappy", "pyarrow packed-like snappy"),
    ("pyarrow-packed-zstd", "pyarrow packed-like zstd"),
    ("pyarrow-typed-snappy", "pyarrow typed-like snappy"),
    ("pyarrow-typed-zstd", "pyarrow typed-like zstd"),
]
notes = []
if typed_summary:
    notes.append(f"ddbcdc typed snappy, first round: {typed_summary}")
json.dump({"records": int(records), "input_bytes": int(input_bytes), "ndjson_bytes": int(ndjson_bytes),
           "gzip6_bytes": int(gzip6_bytes), "runs": int(runs), "variants": variants, "notes": notes}, open(path, "w"))
EOF
echo
bench_machine
echo "load average before the report: $(cut -d' ' -f1-3 /proc/loadavg)"
"$PYTHON" scripts/bench_parquet.py report "$RESULTS" "$WORK/info.json"
if [[ -n "${KEEP:-}" ]]; then
    mkdir -p "$KEEP"
    cp -r "$WORK/1/." "$KEEP/"
    cp "$SCHEMA" "$RESULTS" "$KEEP/"
fi
