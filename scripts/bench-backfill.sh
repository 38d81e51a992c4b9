#!/usr/bin/env bash
# Benchmark: `ddbcdc backfill` of a full export from disk to a directory, against the design note's
# advice done in Python (scripts/python_backfill.py: gzip + json + boto3's TypeDeserializer into the
# same rows), same export, same run.
#
#   scripts/bench-backfill.sh
#
# 1. builds ddbcdc in release mode (swift build -c release --product ddbcdc);
# 2. generates bench-data/export-seed<SEED>-<TARGET_BYTES>/ with scripts/gen_export.py (a full
#    export, DYNAMODB_JSON, FILES data files + 2 empty ones, at least TARGET_BYTES of gzip'd data
#    files: 200 MB by default) unless it is there and was made by this generator;
# 3. times `ddbcdc backfill --export DIR --sink OUT --no-resume --quiet` RUNS times and
#    `python3 scripts/python_backfill.py --export DIR --sink OUT` PY_RUNS times, each into a fresh
#    directory (gzip level 6 for both);
# 4. checks once, untimed, that ddbcdc's objects hold exactly the export's itemCount rows;
# 5. prints, for both: median and best seconds, items/s, MB/s of the data files (compressed, as
#    they sit in S3) and of their JSON (uncompressed), CPU seconds and peak RSS (/usr/bin/time -v),
#    and the ratio.
#
# Run it on a quiet machine: the timings are wall-clock.
#
# Environment: SEED (42), TARGET_BYTES (200000000), FILES (16), RUNS (3), PY_RUNS (3), PYTHON
#              (python3, or .venv's when python3 lacks boto3), SCRATCH_PATH (.build), SKIP_BUILD=1.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

TARGET_BYTES=${TARGET_BYTES:-200000000}
FILES=${FILES:-16}
RUNS=${RUNS:-3}
PY_RUNS=${PY_RUNS:-3}
if [[ -z "${PYTHON:-}" ]]; then
    PYTHON=python3
    if ! python3 -c "import boto3" 2> /dev/null && [[ -x .venv/bin/python ]]; then PYTHON=.venv/bin/python; fi
fi

# shellcheck source=scripts/bench-lib.sh
source scripts/bench-lib.sh
bench_build

# ---- the export (cached) -----------------------------------------------------------------------
mkdir -p bench-data
CACHE="bench-data/export-seed${SEED}-${TARGET_BYTES}-${FILES}"
DIGEST=$(cat scripts/gen_export.py scripts/gen_events.py | sha256sum | cut -d' ' -f1)
if [[ -f "$CACHE/report.json" && "$(cat "$CACHE/generator" 2>/dev/null)" == "$DIGEST" ]]; then
    say "== using $CACHE"
else
    say "== generating $CACHE (a full export, at least $TARGET_BYTES bytes of data files)"
    rm -rf "$CACHE"
    mkdir -p "$CACHE"
    "$PYTHON" scripts/gen_export.py --out "$CACHE/export" --seed "$SEED" --files "$FILES" --empty-files 2 \
        --target-bytes "$TARGET_BYTES" > "$CACHE/report.json.tmp"
    mv "$CACHE/report.json.tmp" "$CACHE/report.json"
    echo "$DIGEST" > "$CACHE/generator"
fi
read -r EXPORT ITEMS COMPRESSED UNCOMPRESSED < <("$PYTHON" -c '
import json, sys
r = json.load(open(sys.argv[1]))
print(r["exportDir"], r["items"], r["compressedBytes"], r["uncompressedBytes"])' "$CACHE/report.json")

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
RESULTS="$WORK/results"
: > "$RESULTS"

# time_run LABEL OUTDIR COMMAND... : one run into the fresh OUTDIR; appends "LABEL t0 t1 rss_kb cpu_s" to RESULTS.
time_run() {
    local label=$1 out=$2; shift 2
    rm -rf "$out"
    mkdir -p "$out"
    bench_time "$label" "$out.err" "$@"
    echo "$label $BENCH_T0 $BENCH_T1 $BENCH_RSS $BENCH_CPU" >> "$RESULTS"
}

say "== ddbcdc backfill, $RUNS runs"
for ((i = 1; i <= RUNS; i++)); do
    time_run ddbcdc "$WORK/ddbcdc-$i" "$BIN" backfill --export "$EXPORT" --sink "$WORK/ddbcdc-$i" \
        --resume-file "$WORK/resume-$i.json" --no-resume --gzip-level 6 --quiet
    if ((i > 1)); then rm -rf "$WORK/ddbcdc-$i"; fi
done
say "== scripts/python_backfill.py, $PY_RUNS run(s)"
for ((i = 1; i <= PY_RUNS; i++)); do
    time_run python "$WORK/python-$i" "$PYTHON" scripts/python_backfill.py --export "$EXPORT" --sink "$WORK/python-$i" --gzip-level 6
    rm -rf "$WORK/python-$i"
done

say "== checking ddbcdc's objects (untimed)"
ROWS=$(find "$WORK/ddbcdc-1" -type f -name '*.ndjson.gz' -not -path '*/_errors/*' -print0 | xargs -0 -r zcat | wc -l)
ERRORS=$(find "$WORK/ddbcdc-1" -path '*/_errors/*' -type f | wc -l)

echo
bench_machine
"$PYTHON" - "$RESULTS" "$ITEMS" "$COMPRESSED" "$UNCOMPRESSED" "$HAVE_TIME" "$ROWS" "$ERRORS" "$FILES" <<'EOF'
import statistics
import sys
from decimal import Decimal

results, items, compressed, uncompressed, have_time, rows, errors, files = sys.argv[1:9]
items, compressed, uncompressed, rows = int(items), int(compressed), int(uncompressed), int(rows)
runs = {}
for line in open(results):
    label, t0, t1, rss, cpu = line.split()
    runs.setdefault(label, []).append({"s": float(Decimal(t1) - Decimal(t0)), "rss": None if rss == "-" else int(rss),
                                       "cpu": None if cpu == "-" else float(cpu)})
print(f"export: {items:,} items in {files} data files (+2 empty): {compressed / 1e6:.1f} MB gzip'd, "
      f"{uncompressed / 1e6:.1f} MB of JSON lines; gzip level 6 out for both; MB = 10^6 bytes")
print()
header = ["tool", "runs", "median s", "best s", "items/s", "MB/s gzip'd", "MB/s JSON"]
if have_time == "1":
    header += ["CPU s", "peak RSS MiB"]
table, medians = [], {}
for label, name in (("ddbcdc", "ddbcdc backfill"), ("python", "python_backfill.py (boto3)")):
    if label not in runs:
        continue
    secs = [r["s"] for r in runs[label]]
    med = statistics.median(secs)
    medians[label] = med
    row = [name, str(len(secs)), f"{med:.2f}", f"{min(secs):.2f}", f"{items / med:,.0f}", f"{compressed / med / 1e6:.1f}",
           f"{uncompressed / med / 1e6:.1f}"]
    if have_time == "1":
        cpus = [r["cpu"] for r in runs[label] if r["cpu"] is not None]
        rss = [r["rss"] for r in runs[label] if r["rss"] is not None]
        row += [f"{statistics.median(cpus):.2f}" if cpus else "-", f"{max(rss) / 1024:.1f}" if rss else "-"]
    table.append(row)
widths = [max(len(h), *(len(r[i]) for r in table)) for i, h in enumerate(header)]
print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths)) + " |")
print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
for r in table:
    print("| " + " | ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))) + " |")
print()
if "ddbcdc" in medians and "python" in medians:
    print(f"ratio: ddbcdc backfill's items/s is {medians['python'] / medians['ddbcdc']:.1f}x the Python reference's (medians)")
check = "ok" if rows == items and errors == "0" else "MISMATCH"
print(f"rows: ddbcdc's objects hold {rows:,} rows of {items:,} items, {errors} _errors object(s): {check}")
if have_time != "1":
    print("peak RSS and CPU: not measured (/usr/bin/time is absent)")
if check != "ok":
    sys.exit(1)
EOF
