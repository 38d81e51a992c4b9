#!/usr/bin/env bash
# Benchmark: `ddbcdc transform` against the reference Python transform, same input, same run.
#
#   scripts/bench-transform.sh
#
# 1. builds ddbcdc in release mode (swift build -c release --product ddbcdc);
# 2. generates bench-data/events-seed<SEED>-<RECORDS>.jsonl with scripts/gen_events.py
#    (200,000 records in Lambda events of 1,000, ~1.2 KB a record) unless it is already there;
# 3. checks once, untimed, that ddbcdc turns every record into a row;
# 4. times `ddbcdc transform --input F --ingest-ts 0 > /dev/null` RUNS times (median and best),
#    with its default --parse-threads (the machine's cores) and with --parse-threads 1,
#    alternating, and `python3 scripts/python_transform.py --input F --out /dev/null` PY_RUNS times;
# 5. prints input MB, seconds, input MB/s, records/s, input MB per CPU second (the one-thread
#    run's is the issue's "transform MB/s per core"), peak RSS and the ratios, then the goal rows.
#
# Single process, no CPU pinning. The Python is single-threaded.
# Wall time comes from `date +%s.%N`; peak RSS from `/usr/bin/time -v` when it exists.
#
# Environment: SEED (42), RECORDS (200000), RUNS (5), PY_RUNS (2),
#              SCRATCH_PATH (.build: SwiftPM's --scratch-path), SKIP_BUILD=1 to use the built binary.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

RUNS=${RUNS:-5}
PY_RUNS=${PY_RUNS:-2}
PYTHON=${PYTHON:-python3}

# shellcheck source=scripts/bench-lib.sh
source scripts/bench-lib.sh
bench_build
bench_input

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# ---- check once, untimed ---------------------------------------------------------------------
DDBCDC_ARGS=(transform --input "$DATA" --ingest-ts 0)
NOTE=""
set +e
ROWS=$("$BIN" "${DDBCDC_ARGS[@]}" 2> "$WORK/check.err" | wc -l)
STATUS=${PIPESTATUS[0]}
set -e
if [[ $STATUS -ne 0 || $ROWS -ne $RECORDS ]]; then
    say "!! ddbcdc transform exited $STATUS after $ROWS of $RECORDS rows:"
    sed 's/^/!!   /' "$WORK/check.err" >&2
    ERRORS_FILE="bench-data/ddbcdc-errors.ndjson"
    DDBCDC_ARGS+=(--skip-invalid --errors "$ERRORS_FILE")
    "$BIN" "${DDBCDC_ARGS[@]}" > /dev/null 2> "$WORK/check.err" || true
    SET_ASIDE=$(wc -l < "$ERRORS_FILE")
    NOTE="ddbcdc rejected $SET_ASIDE record(s) (see $ERRORS_FILE); it was timed with --skip-invalid --errors"
    say "!! $NOTE"
fi

# ---- timing ------------------------------------------------------------------------------------
RESULTS="$WORK/results"
: > "$RESULTS"

# time_run LABEL COMMAND... : one run, output discarded; appends "LABEL seconds rss_kb".
time_run() {
    local label=$1; shift
    bench_time "$label" "$WORK/run.err" "$@"
    echo "$label $BENCH_T0 $BENCH_T1 $BENCH_RSS $BENCH_CPU" >> "$RESULTS"
}

say "== ddbcdc transform, $RUNS runs each with its default --parse-threads and with 1, alternating"
for ((i = 1; i <= RUNS; i++)); do
    time_run ddbcdc "$BIN" "${DDBCDC_ARGS[@]}"
    time_run ddbcdc1 "$BIN" "${DDBCDC_ARGS[@]}" --parse-threads 1
done

PY_NOTE=""
if "$PYTHON" -c "import boto3" 2> /dev/null; then
    say "== scripts/python_transform.py, $PY_RUNS run(s)"
    for ((i = 1; i <= PY_RUNS; i++)); do
        time_run python "$PYTHON" scripts/python_transform.py --input "$DATA" --out /dev/null --ingest-ts 0
    done
else
    PY_NOTE="python transform not run: boto3 is not importable by $PYTHON"
fi

# ---- report ------------------------------------------------------------------------------------
echo
bench_machine
echo "load: $(uptime | sed 's/.*load average/load average/')"
"$PYTHON" - "$RESULTS" "$INPUT_BYTES" "$RECORDS" "$HAVE_TIME" "$NOTE" "$PY_NOTE" <<'EOF'
import statistics
import sys
from decimal import Decimal

results, input_bytes, records, have_time, note, py_note = sys.argv[1:7]
input_bytes, records = int(input_bytes), int(records)
runs = {}
for line in open(results):
    label, t0, t1, rss, cpu = line.split()
    runs.setdefault(label, []).append((float(Decimal(t1) - Decimal(t0)), None if rss == "-" else int(rss),
                                       None if cpu == "-" else float(cpu)))

print(f"input: {input_bytes / 1e6:.1f} MB, {records:,} records ({input_bytes / records:,.0f} B/record); MB = 10^6 bytes")
print()
header = ["tool", "runs", "input MB", "median s", "best s", "MB/s (median)", "records/s (median)", "records/s (best)"]
if have_time == "1":
    header += ["MB per CPU s (median)", "peak RSS MB"]
rows = []
medians = {}
for label, name in (("ddbcdc", "ddbcdc transform (all cores)"), ("ddbcdc1", "ddbcdc transform --parse-threads 1"),
                    ("python", "python_transform.py (boto3)")):
    if label not in runs:
        continue
    secs = [s for s, _, _ in runs[label]]
    med, best = statistics.median(secs), min(secs)
    medians[label] = (med, best)
    row = [name, str(len(secs)), f"{input_bytes / 1e6:.1f}", f"{med:.3f}", f"{best:.3f}",
           f"{input_bytes / 1e6 / med:.1f}", f"{records / med:,.0f}", f"{records / best:,.0f}"]
    if have_time == "1":
        rss = [r for _, r, _ in runs[label] if r is not None]
        cpus = [c for _, _, c in runs[label] if c]
        per_core = input_bytes / 1e6 / statistics.median(cpus) if cpus else None
        if label == "ddbcdc1":
            goal_per_core = per_core
        if label == "ddbcdc":
            goal_rss = max(rss) / 1024 if rss else None
        row += [f"{per_core:.1f}" if per_core else "-", f"{max(rss) / 1024:.1f}" if rss else "-"]
    rows.append(row)
widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths)) + " |")
print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
for r in rows:
    print("| " + " | ".join((c.ljust(w) if i == 0 else c.rjust(w)) for i, (c, w) in enumerate(zip(r, widths))) + " |")
print()
if "ddbcdc" in medians and "python" in medians:
    (dm, db), (pm, pb) = medians["ddbcdc"], medians["python"]
    print(f"ratio: ddbcdc is {pm / dm:.1f}x the Python transform's speed (median vs median), {pb / db:.1f}x (best vs best)")
if "ddbcdc" in medians and "ddbcdc1" in medians:
    print(f"all cores: {medians['ddbcdc1'][0] / medians['ddbcdc'][0]:.2f}x the speed of one parse thread (median vs median)")
if have_time == "1" and "ddbcdc" in medians:
    print()
    print("| goal (issue 16) | now | goal |")
    print("|---|---|---|")
    print(f"| `transform`, MB/s per core (input MB per CPU second of --parse-threads 1, median) | {goal_per_core:.0f} | >= 600 |")
    print(f"| peak RSS | {goal_rss:.1f} MB | <= 64 MiB |")
if have_time != "1":
    print("peak RSS and CPU: not measured (/usr/bin/time is absent)")
for n in (note, py_note):
    if n:
        print(f"note: {n}")
EOF
