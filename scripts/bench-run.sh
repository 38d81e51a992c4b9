#!/usr/bin/env bash
# Benchmark: `ddbcdc run` against the design note's Python Lambda handler, same input, same run.
#
#   scripts/bench-run.sh
#
# 1. builds ddbcdc in release mode (swift build -c release --product ddbcdc);
# 2. generates bench-data/events-seed<SEED>-<RECORDS>.jsonl with scripts/gen_events.py
#    (200,000 records in Lambda events of 1,000, ~1.2 KB a record) unless it is already there;
# 3. times `ddbcdc run --input F --sink DIR --quiet` (at ddbcdc's default gzip level, or
#    --gzip-level GZIP_LEVEL when set) RUNS times and
#    `python3 scripts/python_handler.py --input F --out-dir DIR --gzip-level 6` PY_RUNS times,
#    each into a fresh, empty directory (both at their default flush thresholds: 2,000 records,
#    8,000,000 bytes, 15 s);
# 4. checks once, untimed, that ddbcdc's objects hold exactly RECORDS rows (zcat | wc -l), and
#    measures `ddbcdc transform --input F --ingest-ts none | gzip -6 | wc -c` -- the same NDJSON
#    rows (run leaves _ingestTs out too) gzipped whole by GNU gzip -6 -- to compare with the
#    total size of ddbcdc's objects ("output no larger than gzip -6 of the same NDJSON");
#    when pigz is installed, times `pigz -p2 -6` of those rows PIGZ_RUNS times: compression alone
#    on both cores, the reference for what two cores can do;
# 5. prints seconds (median, best), records/s, CPU seconds, peak RSS, objects and their bytes,
#    the ratio, the size comparison, and the goal rows of issue 16.
#
# ddbcdc run compresses and writes objects on --concurrency 2 threads (its default) while it
# reads; the Python handler is single-threaded. The CPU column shows what each used.
# Wall time comes from `date +%s.%N`; CPU time and peak RSS from `/usr/bin/time -v` when it exists.
#
# Environment: SEED (42), RECORDS (200000), RUNS (3), PY_RUNS (1), PIGZ_RUNS (3), GZIP_LEVEL
#              (unset: ddbcdc's default), PYTHON (python3, or .venv's
#              when python3 lacks boto3), SCRATCH_PATH (.build: SwiftPM's --scratch-path),
#              SKIP_BUILD=1 to use the built binary.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

RUNS=${RUNS:-3}
PY_RUNS=${PY_RUNS:-1}
GZIP_LEVEL=${GZIP_LEVEL:-}
PIGZ_RUNS=${PIGZ_RUNS:-3}
LEVEL_ARGS=()
[[ -n $GZIP_LEVEL ]] && LEVEL_ARGS=(--gzip-level "$GZIP_LEVEL")
if [[ -z "${PYTHON:-}" ]]; then
    PYTHON=python3
    if ! python3 -c "import boto3" 2> /dev/null && [[ -x .venv/bin/python ]]; then PYTHON=.venv/bin/python; fi
fi

# shellcheck source=scripts/bench-lib.sh
source scripts/bench-lib.sh
bench_build
bench_input

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# ---- timing ------------------------------------------------------------------------------------
RESULTS="$WORK/results"
: > "$RESULTS"

# bytes_under DIR: total size of the regular files under DIR; count_under DIR: how many.
bytes_under() { find "$1" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }'; }
count_under() { find "$1" -type f | wc -l; }

# time_run LABEL OUTDIR COMMAND... : one run writing under the fresh OUTDIR; appends
# "LABEL t0 t1 rss_kb cpu_s objects bytes" to RESULTS and keeps the command's stderr in OUTDIR.err.
time_run() {
    local label=$1 out=$2; shift 2
    rm -rf "$out"
    mkdir -p "$out"
    bench_time "$label" "$out.err" "$@"
    echo "$label $BENCH_T0 $BENCH_T1 $BENCH_RSS $BENCH_CPU $(count_under "$out") $(bytes_under "$out")" >> "$RESULTS"
}

say "== ddbcdc run, $RUNS runs"
for ((i = 1; i <= RUNS; i++)); do
    time_run ddbcdc "$WORK/ddbcdc-$i" "$BIN" run --input "$DATA" --sink "$WORK/ddbcdc-$i" "${LEVEL_ARGS[@]}" --quiet
    # keep the first run's objects for the checks below; the others only take disk space
    if ((i > 1)); then rm -rf "$WORK/ddbcdc-$i"; fi
done

PY_NOTE=""
if "$PYTHON" -c "import boto3" 2> /dev/null; then
    say "== scripts/python_handler.py, $PY_RUNS run(s)"
    for ((i = 1; i <= PY_RUNS; i++)); do
        time_run python "$WORK/python-$i" "$PYTHON" scripts/python_handler.py --input "$DATA" --out-dir "$WORK/python-$i" --gzip-level 6
    done
else
    PY_NOTE="python handler not run: boto3 is not importable by $PYTHON"
fi

# ---- checks, untimed -----------------------------------------------------------------------------
say "== checking ddbcdc's objects and gzip -6 of the same NDJSON (untimed)"
CHECK="$WORK/ddbcdc-1"
OBJECT_ROWS=$(find "$CHECK" -type f -name '*.ndjson.gz' -print0 | sort -z | xargs -0 zcat | wc -l)
ERROR_OBJECTS=$(find "$CHECK" -path '*/_errors/*' -type f | wc -l)
if ! "$BIN" transform --input "$DATA" --ingest-ts none > "$WORK/rows.ndjson" 2> "$WORK/transform.err"; then
    say "!! ddbcdc transform failed:"
    sed 's/^/!!   /' "$WORK/transform.err" >&2
    exit 1
fi
NDJSON_BYTES=$(stat -c %s "$WORK/rows.ndjson")
GZIP6_BYTES=$(gzip -6 -c "$WORK/rows.ndjson" | wc -c)
PIGZ_NOTE=""
if command -v pigz > /dev/null; then
    say "== pigz -p2 -6 of the same rows, $PIGZ_RUNS runs"
    for ((i = 1; i <= PIGZ_RUNS; i++)); do
        bench_time pigz "$WORK/pigz.err" pigz -p2 -6 -c "$WORK/rows.ndjson"
        echo "pigz $BENCH_T0 $BENCH_T1 $BENCH_RSS $BENCH_CPU 1 0" >> "$RESULTS"
    done
else
    PIGZ_NOTE="pigz not installed (apt-get install pigz): no 2-core compression reference"
fi
rm -f "$WORK/rows.ndjson"
PY_ROWS_ON_DISK=-
if [[ -d "$WORK/python-1" ]]; then
    PY_ROWS_ON_DISK=$(find "$WORK/python-1" -type f -name '*.ndjson.gz' -print0 | xargs -0 -r zcat | wc -l)
fi
PY_SUMMARY=$(tail -n 1 "$WORK/python-1.err" 2> /dev/null || true)
DDBCDC_SUMMARY=$(tail -n 1 "$WORK/ddbcdc-1.err" 2> /dev/null || true)

# ---- report ------------------------------------------------------------------------------------
echo
bench_machine
echo "load: $(uptime | sed 's/.*load average/load average/')"
"$PYTHON" - "$RESULTS" "$INPUT_BYTES" "$RECORDS" "$HAVE_TIME" "$OBJECT_ROWS" "$ERROR_OBJECTS" "$NDJSON_BYTES" \
    "$GZIP6_BYTES" "$PY_ROWS_ON_DISK" "$PY_SUMMARY" "$DDBCDC_SUMMARY" "$PY_NOTE" "${GZIP_LEVEL:+level $GZIP_LEVEL}" "$PIGZ_NOTE" <<'EOF'
import json
import statistics
import sys
from decimal import Decimal

(results, input_bytes, records, have_time, object_rows, error_objects, ndjson_bytes, gzip6_bytes,
 py_rows_on_disk, py_summary, ddbcdc_summary, py_note, level, pigz_note) = sys.argv[1:15]
input_bytes, records, object_rows = int(input_bytes), int(records), int(object_rows)
ndjson_bytes, gzip6_bytes = int(ndjson_bytes), int(gzip6_bytes)
runs = {}
for line in open(results):
    label, t0, t1, rss, cpu, objects, size = line.split()
    runs.setdefault(label, []).append({
        "s": float(Decimal(t1) - Decimal(t0)), "rss": None if rss == "-" else int(rss),
        "cpu": None if cpu == "-" else float(cpu), "objects": int(objects), "bytes": int(size)})
try:
    py = json.loads(py_summary) if py_summary else None
except ValueError:
    py = None


print(f"input: {input_bytes / 1e6:.1f} MB, {records:,} records ({input_bytes / records:,.0f} B/record); "
      f"ddbcdc at {level or 'its default gzip level'}, the Python handler at gzip level 6; MB = 10^6 bytes")
print()
header = ["tool", "runs", "median s", "best s", "records/s (median)", "records/s (best)"]
if have_time == "1":
    header += ["CPU s (median)", "peak RSS MB"]
header += ["objects", "object MB"]
rows, medians = [], {}
for label, name in (("ddbcdc", "ddbcdc run"), ("python", "python_handler.py (boto3)"),
                    ("pigz", "pigz -p2 -6 of the rows (compression alone, 2 cores)")):
    if label not in runs:
        continue
    r = runs[label]
    secs = [x["s"] for x in r]
    med, best = statistics.median(secs), min(secs)
    medians[label] = (med, best)
    row = [name, str(len(r)), f"{med:.3f}", f"{best:.3f}", f"{records / med:,.0f}", f"{records / best:,.0f}"]
    if have_time == "1":
        cpus = [x["cpu"] for x in r if x["cpu"] is not None]
        rss = [x["rss"] for x in r if x["rss"] is not None]
        row += [f"{statistics.median(cpus):.2f}" if cpus else "-", f"{max(rss) / 1024:.1f}" if rss else "-"]
    if label == "pigz":
        row += ["-", "-"]
    elif label == "python" and py:
        # objects PUT (a key written twice counts twice: S3 keeps the last) and their bytes
        row += [f"{py['objects_put']:,}", f"{py['put_bytes'] / 1e6:.2f}"]
    else:
        row += [f"{r[0]['objects']:,}", f"{r[0]['bytes'] / 1e6:.2f}"]
    rows.append(row)
widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths)) + " |")
print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
for r in rows:
    print("| " + " | ".join((c.ljust(w) if i == 0 else c.rjust(w)) for i, (c, w) in enumerate(zip(r, widths))) + " |")
print()
if "ddbcdc" in medians and "python" in medians:
    (dm, db), (pm, pb) = medians["ddbcdc"], medians["python"]
    print(f"ratio: ddbcdc run's records/s is {pm / dm:.1f}x the Python handler's (median vs median), "
          f"{pb / db:.1f}x (best vs best)")
if "ddbcdc" in runs:
    objects_bytes = runs["ddbcdc"][0]["bytes"]
    verdict = "no larger" if objects_bytes <= gzip6_bytes else "LARGER"
    print(f"size: ddbcdc's {runs['ddbcdc'][0]['objects']} objects hold {objects_bytes:,} bytes; "
          f"`ddbcdc transform --ingest-ts none | gzip -6` of the same {ndjson_bytes:,} bytes of NDJSON is "
          f"{gzip6_bytes:,} bytes: the objects are {verdict} ({(objects_bytes / gzip6_bytes - 1) * 100:+.1f}%)")
    check = "ok" if object_rows == records and error_objects == "0" else "MISMATCH"
    print(f"rows: the objects of the first ddbcdc run hold {object_rows:,} rows (zcat | wc -l) of {records:,}, "
          f"{error_objects} _errors object(s): {check}")
if "ddbcdc" in runs:
    dm = medians["ddbcdc"][0]
    print()
    print("| goal (issue 16) | now | goal |")
    print("|---|---|---|")
    ratio = f" ({medians['python'][0] / dm:.1f}x the note's Python)" if "python" in medians else ""
    size_ok = "<=" if runs["ddbcdc"][0]["bytes"] <= gzip6_bytes else ">"
    print(f"| `run` end to end, records/s, output {size_ok} `gzip -6` bytes of the same rows | {records / dm:,.0f}{ratio} | >= 300k (>= 20x) |")
    if "pigz" in medians:
        print(f"| (reference) `pigz -p2 -6` alone on the same rows, records/s | {records / medians['pigz'][0]:,.0f} | - |")
    rss = [x["rss"] for x in runs["ddbcdc"] if x["rss"] is not None]
    if rss:
        print(f"| peak RSS | {max(rss) / 1024:.1f} MB | <= 64 MiB |")
if ddbcdc_summary:
    print(f"ddbcdc summary: {ddbcdc_summary}")
if py:
    print(f"python handler: {py['rows']:,} rows in {py['objects_put']} PutObjects, {py['ndjson_bytes']:,} bytes of NDJSON "
          f"(ensure_ascii, no _seq/_eventId/is_deleted) -> {py['put_bytes']:,} bytes; {py['key_collisions']} PutObjects "
          f"reused a key (names are batch_<epoch s>_<count>), so its directory holds {py['objects_on_disk']} objects "
          f"and {py_rows_on_disk} rows")
if have_time != "1":
    print("peak RSS and CPU: not measured (/usr/bin/time is absent)")
for note in (py_note, pigz_note):
    if note:
        print(f"note: {note}")
if "ddbcdc" in runs and (object_rows != records or error_objects != "0"):
    sys.exit(1)
EOF
