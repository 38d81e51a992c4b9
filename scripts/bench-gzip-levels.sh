#!/usr/bin/env bash
# Benchmark: which libdeflate level keeps the promise "objects no bigger than gzip -6 would make,
# as fast as possible"? Bytes and CPU of each level against GNU gzip -6 of the very same rows.
#
#   scripts/bench-gzip-levels.sh
#
# 1. builds ddbcdc in release mode and generates the benchmark input (as bench-run.sh does);
# 2. runs `ddbcdc run --input F --sink DIR --gzip-level L --concurrency 1 --quiet` for each level
#    L of LEVELS, RUNS rounds with the levels interleaved (the machine's load falls on all alike),
#    and takes the median CPU seconds (user + system) of each. Level 0 stores: what a level costs
#    over level 0 is what its compression costs. The objects are batches as `run` makes them
#    (2,000 records or 8,000,000 bytes);
# 3. unpacks the level-0 objects into one NDJSON file per object and compresses each with GNU
#    `gzip -6 -n` (the reference of the promise: the same rows in the same batches), timing it;
#    also the rows as one stream with `gzip -6` and, when pigz is installed, `pigz -p2 -6` (the
#    2-core reference);
# 4. prints a table: per level, object bytes, bytes against gzip -6 of the same batches, CPU seconds
#    of compression and the NDJSON MB compressed per CPU second.
#
# Environment: SEED (42), RECORDS (200000), RUNS (3), LEVELS ("0 3 4 5 6"; 0 is always added),
#              PYTHON (python3), SCRATCH_PATH (.build), SKIP_BUILD=1 to use the built binary.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

RUNS=${RUNS:-3}
LEVELS=${LEVELS:-"0 3 4 5 6"}
[[ " $LEVELS " == *" 0 "* ]] || LEVELS="0 $LEVELS"
PYTHON=${PYTHON:-python3}

# shellcheck source=scripts/bench-lib.sh
source scripts/bench-lib.sh
bench_build
bench_input
[[ $HAVE_TIME == 1 ]] || { say "this benchmark needs /usr/bin/time (GNU time) for CPU seconds"; exit 1; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
RESULTS="$WORK/results"
: > "$RESULTS"

bytes_under() { find "$1" -type f -name '*.ndjson.gz' -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }'; }
count_under() { find "$1" -type f -name '*.ndjson.gz' | wc -l; }

# ---- libdeflate through ddbcdc run, levels interleaved ------------------------------------------
for ((round = 1; round <= RUNS; round++)); do
    say "== round $round of $RUNS: ddbcdc run --gzip-level L --concurrency 1 for L in $LEVELS"
    for level in $LEVELS; do
        out="$WORK/level-$level"
        rm -rf "$out"
        mkdir -p "$out"
        bench_time "level $level" "$WORK/run.err" "$BIN" run --input "$DATA" --sink "$out" --gzip-level "$level" --concurrency 1 --quiet
        echo "level$level $BENCH_CPU $(count_under "$out") $(bytes_under "$out")" >> "$RESULTS"
        # keep level 0's objects (the rows, batch by batch) for GNU gzip; the others only take disk
        [[ $level == 0 ]] || rm -rf "$out"
    done
done

# ---- GNU gzip -6 (and pigz) on the same rows ----------------------------------------------------
say "== unpacking level 0's objects into one NDJSON file per object"
mkdir -p "$WORK/rows"
index=0
while IFS= read -r -d '' object; do
    index=$((index + 1))
    zcat "$object" > "$WORK/rows/$(printf '%05d' "$index").ndjson"
done < <(find "$WORK/level-0" -type f -name '*.ndjson.gz' -print0 | sort -z)
rm -rf "$WORK/level-0"
ROWS_FILES=("$WORK"/rows/*.ndjson)
NDJSON_BYTES=$(cat "${ROWS_FILES[@]}" | wc -c)
ROW_COUNT=$(cat "${ROWS_FILES[@]}" | wc -l)

for ((round = 1; round <= RUNS; round++)); do
    say "== round $round of $RUNS: GNU gzip -6 -n per object, gzip -6 and pigz -p2 -6 of all rows"
    # -c with several files writes one gzip member per file: exactly gzip -6 -n of each batch.
    bench_time "gzip -6 per object" "$WORK/gzip.err" bash -c 'gzip -6 -n -c -- "$@" > "$0"' "$WORK/per-object.gz" "${ROWS_FILES[@]}"
    echo "gzip6-batches $BENCH_CPU ${#ROWS_FILES[@]} $(stat -c %s "$WORK/per-object.gz")" >> "$RESULTS"
    cat "${ROWS_FILES[@]}" > "$WORK/all.ndjson"
    bench_time "gzip -6 whole" "$WORK/gzip.err" bash -c 'gzip -6 -n -c -- "$1" > "$0"' "$WORK/whole.gz" "$WORK/all.ndjson"
    echo "gzip6-whole $BENCH_CPU 1 $(stat -c %s "$WORK/whole.gz")" >> "$RESULTS"
    if command -v pigz > /dev/null; then
        bench_time "pigz -p2 -6 whole" "$WORK/gzip.err" bash -c 'pigz -p2 -6 -n -c -- "$1" > "$0"' "$WORK/pigz.gz" "$WORK/all.ndjson"
        echo "pigz6-whole $BENCH_CPU 1 $(stat -c %s "$WORK/pigz.gz")" >> "$RESULTS"
    fi
    rm -f "$WORK/all.ndjson"
done

# ---- report ------------------------------------------------------------------------------------
echo
bench_machine
echo "load: $(uptime | sed 's/.*load average/load average/')"
"$PYTHON" - "$RESULTS" "$INPUT_BYTES" "$RECORDS" "$NDJSON_BYTES" "$ROW_COUNT" "$LEVELS" <<'EOF'
import statistics
import sys

results, input_bytes, records, ndjson_bytes, row_count, levels = sys.argv[1:7]
input_bytes, records, ndjson_bytes, row_count = int(input_bytes), int(records), int(ndjson_bytes), int(row_count)
runs = {}
for line in open(results):
    label, cpu, objects, size = line.split()
    runs.setdefault(label, []).append((float(cpu), int(objects), int(size)))

def cpu(label): return statistics.median(c for c, _, _ in runs[label])
def size(label): return runs[label][0][2]
def objects(label): return runs[label][0][1]

reference = size("gzip6-batches")
base = cpu("level0")
print(f"rows: {row_count:,} rows, {ndjson_bytes:,} bytes of NDJSON in {objects('gzip6-batches')} objects "
      f"(batches as `ddbcdc run` makes them, from {input_bytes / 1e6:.1f} MB of events); MB = 10^6 bytes")
print(f"CPU: medians of {len(runs['level0'])} rounds; a libdeflate level's compression CPU is its `run` CPU minus level 0's "
      f"({base:.2f} s: reading, transcoding, CRC, writing)")
print()
header = ["compressor", "object bytes", "vs gzip -6 (same batches)", "compression CPU s", "NDJSON MB per CPU s"]
rows = []
for level in levels.split():
    if level == "0":
        continue
    label = f"level{level}"
    compression = cpu(label) - base
    rows.append([f"libdeflate {level} (ddbcdc --gzip-level {level})", f"{size(label):,}",
                 f"{(size(label) / reference - 1) * 100:+.1f}%", f"{compression:.2f}",
                 f"{ndjson_bytes / 1e6 / compression:.0f}" if compression > 0 else "-"])
for label, name in (("gzip6-batches", "GNU gzip -6 -n, per object"), ("gzip6-whole", "GNU gzip -6 -n, all rows as one stream"),
                    ("pigz6-whole", "pigz -p2 -6, all rows as one stream (CPU of both cores)")):
    if label not in runs:
        continue
    rows.append([name, f"{size(label):,}", f"{(size(label) / reference - 1) * 100:+.1f}%", f"{cpu(label):.2f}",
                 f"{ndjson_bytes / 1e6 / cpu(label):.0f}"])
widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths)) + " |")
print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
for r in rows:
    print("| " + " | ".join((c.ljust(w) if i == 0 else c.rjust(w)) for i, (c, w) in enumerate(zip(r, widths))) + " |")
print()
keeping = [l for l in levels.split() if l != "0" and size(f"level{l}") <= reference]
if keeping:
    fastest = min(keeping, key=lambda l: cpu(f"level{l}"))
    print(f"promise (no bigger than gzip -6 of the same batches, as fast as possible): level {fastest} "
          f"is the cheapest level here that keeps it; levels that keep it: {', '.join(keeping)}")
else:
    print("promise: no level measured here keeps it")
if "pigz6-whole" not in runs:
    print("pigz: not installed (apt-get install pigz), its row is left out")
EOF
