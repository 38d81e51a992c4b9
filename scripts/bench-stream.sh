#!/usr/bin/env bash
# Benchmark: `ddbcdc stream`'s poller (StreamPoller) reading the in-process fake DynamoDB Streams
# (FakeStreams) at 1,000-record pages, against the engine over the same pages from a file (what
# `ddbcdc run --input FILE` does), in one process; checkpoint write latency; memory.
#
#   scripts/bench-stream.sh
#
# 1. builds Benchmarks/StreamPoller in release mode (swift build -c release --product ddbcdc-stream-bench);
# 2. runs it RUNS times; each run, in a fresh scratch folder:
#    - fills a FakeStreams with RECORDS records (~500 bytes of record JSON each, NEW_AND_OLD_IMAGES)
#      in SHARDS root shards, then closes the shards (so the poller reads each to its end and stops
#      exactly there: no empty answers counted, no poll interval waited);
#    - runs StreamPoller until caught up (8 readers, 1,000-record pages) into a directory: gzip 6,
#      2,000 rows / 8 MB objects, a FileCheckpointStore and FileLock as `ddbcdc stream --sink DIR`;
#    - reads the same pages with a plain GetRecords loop into one file of concatenated GetRecords
#      answers (the fake's own cost), then runs the Engine with FileRecords over that file (=
#      `ddbcdc run`), and the same through the generic Engine.run (as another module calls it);
#    - times SAVES FileCheckpointStore.save calls of a SHARDS-shard checkpoint;
#    - reads VmRSS/VmHWM (/proc/self/status) after filling the fake and after the poller, and
#      samples VmRSS while SHARDS open shards receive OPEN_RECORDS records as the poller reads;
#    and checks that the poller and the engine wrote the same number of rows (exit 1 otherwise);
# 3. prints each run's tables, then the medians over the runs.
#
# Wall and CPU seconds (getrusage) are of the process, measured around each step: run it on a quiet
# machine. The fake holds every record in memory, so the poller's own memory is what grows beyond it.
# RSS counts memory freed into glibc's per-thread malloc arenas too: with writer, readers and
# encoders on several threads the open-shard figure drifts up with the records written even when
# nothing is live; MALLOC_ARENA_MAX=1 (passed through) keeps one arena and shows the live growth.
#
# Environment: RECORDS (1000000), SHARDS (100), OPEN_RECORDS (200000), SAVES (200), SEED (42),
#              RUNS (3), SCRATCH_PATH (.build: SwiftPM's --scratch-path), SKIP_BUILD=1, PYTHON (python3),
#              MALLOC_ARENA_MAX (unset).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

RECORDS=${RECORDS:-1000000}
SHARDS=${SHARDS:-100}
OPEN_RECORDS=${OPEN_RECORDS:-200000}
SAVES=${SAVES:-200}
SEED=${SEED:-42}
RUNS=${RUNS:-3}
SCRATCH_PATH=${SCRATCH_PATH:-.build}
PYTHON=${PYTHON:-python3}

# shellcheck source=scripts/bench-lib.sh
source scripts/bench-lib.sh
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    say "== swift build -c release --product ddbcdc-stream-bench --scratch-path $SCRATCH_PATH"
    swift build -c release --product ddbcdc-stream-bench --scratch-path "$SCRATCH_PATH" >&2
fi
BENCH="$SCRATCH_PATH/release/ddbcdc-stream-bench"
[[ -x "$BENCH" ]] || { say "no release binary at $BENCH"; exit 1; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

for ((i = 1; i <= RUNS; i++)); do
    say "== run $i of $RUNS"
    echo "### run $i"
    "$BENCH" --records "$RECORDS" --shards "$SHARDS" --open-records "$OPEN_RECORDS" --saves "$SAVES" --seed "$SEED" \
        --work "$WORK/run-$i" --summary "$WORK/summary-$i.json"
    rm -rf "$WORK/run-$i"
    echo
done

bench_machine
echo "command: ${MALLOC_ARENA_MAX:+MALLOC_ARENA_MAX=$MALLOC_ARENA_MAX }RUNS=$RUNS RECORDS=$RECORDS SHARDS=$SHARDS OPEN_RECORDS=$OPEN_RECORDS SAVES=$SAVES SEED=$SEED scripts/bench-stream.sh"
"$PYTHON" - "$WORK"/summary-*.json <<'EOF'
import json
import statistics
import sys

runs = [json.load(open(path)) for path in sys.argv[1:]]
def med(key):
    return statistics.median(r[key] for r in runs)
records = runs[0]["records"]
print(f"medians of {len(runs)} run(s); {records:,} records in {runs[0]['shards']} shards, "
      f"{runs[0]['recordBytes'] // records} bytes of record JSON each")
print()
rows = [("StreamPoller (fake → objects)", "poller"), ("Engine + FileRecords (= ddbcdc run)", "run")]
if all("genericWall" in r for r in runs):
    rows.append(("Engine + FileRecords, generic Engine.run", "generic"))
rows.append(("fake alone (plain GetRecords loop → file)", "loop"))
table = []
for name, key in rows:
    wall, cpu = med(key + "Wall"), med(key + "CPU")
    table.append([name, f"{wall:.2f}", f"{min(r[key + 'Wall'] for r in runs):.2f}", f"{cpu:.2f}", f"{records / wall:,.0f}"])
header = ["path", "median s", "best s", "CPU s", "records/s"]
widths = [max(len(h), *(len(r[i]) for r in table)) for i, h in enumerate(header)]
print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths)) + " |")
print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
for r in table:
    print("| " + " | ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))) + " |")
print()
print(f"poller / run: {med('pollerWall') / med('runWall'):.2f}x the wall time, {med('pollerCPU') / med('runCPU'):.2f}x the CPU (medians)")
print(f"checkpoint save ({runs[0]['shards']} shards, {runs[0]['checkpointBytes']:,} bytes): median {med('saveMedianMillis'):.3f} ms, "
      f"p99 {med('saveP99Millis'):.3f} ms (medians over runs)")
mib = lambda kb: kb / 1024
print(f"memory: VmHWM {mib(med('hwmFilledKB')):.0f} MiB after filling the fake, {mib(med('hwmPollerKB')):.0f} MiB after the poller "
      f"(+{mib(med('hwmPollerKB') - med('hwmFilledKB')):.0f} MiB)")
if all("openWall" in r for r in runs):
    print(f"open shards: {runs[0]['openRecords']:,} records into {runs[0]['shards']} open shards while polled: VmRSS "
          f"{mib(med('openStartRssKB')):.0f} → at most {mib(med('openPeakRssKB')):.0f} MiB; growth beyond the fake's records "
          f"at most {med('openMaxOverheadMiB'):.0f} MiB (median of the runs' maxima)")
ok = all(r["rowsMatch"] for r in runs)
print(f"rows: {'ok' if ok else 'MISMATCH'} (poller = run = records written, every run)")
if not ok:
    sys.exit(1)
EOF
