#!/usr/bin/env bash
# Per-function benchmarks (ordo-one's package-benchmark) of ddbcdc's hot functions: the
# transcoder, the item decoder and row-JSON encoder, the batcher, gzip, and the Parquet encoder in
# both layouts. They live in their own package, Benchmarks/, outside the library graph.
#
#   scripts/bench-functions.sh                          # every benchmark
#   scripts/bench-functions.sh --filter 'transform.*'   # arguments go to `swift package benchmark`
#   scripts/bench-functions.sh baseline update main     # keep a baseline, then later:
#   scripts/bench-functions.sh baseline compare main    # what changed, per function
#
# 1. builds ddbcdc in release mode (unless SKIP_BUILD=1) to prepare the inputs;
# 2. generates RECORDS (2,000) records with scripts/gen_events.py (seed SEED, Lambda events of 1,000)
#    into bench-data/functions/, the rows `ddbcdc transform --ingest-ts none` makes of them and the
#    schema `ddbcdc schema --format json` infers from those rows;
# 3. runs `swift package --disable-sandbox benchmark` in Benchmarks/ with those inputs
#    (DDBCDC_BENCH_EVENTS, DDBCDC_BENCH_ROWS, DDBCDC_BENCH_SCHEMA). The first build of the
#    benchmark package takes several minutes.
#
# Environment: SEED (42), RECORDS (2000), PYTHON (python3), SCRATCH_PATH (.build), SKIP_BUILD=1.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
RECORDS=${RECORDS:-2000}
PYTHON=${PYTHON:-python3}

# shellcheck source=scripts/bench-lib.sh
source scripts/bench-lib.sh
bench_build

DIR="$ROOT/bench-data/functions"
mkdir -p "$DIR"
EVENTS="$DIR/events-seed$SEED-$RECORDS.jsonl"
say "== generating $EVENTS"
"$PYTHON" scripts/gen_events.py --seed "$SEED" --records "$RECORDS" --batch-size "$BATCH" --out "$EVENTS"
say "== rows and schema with $BIN"
"$BIN" transform --input "$EVENTS" --ingest-ts none > "$DIR/rows.ndjson"
"$BIN" schema --format json --input "$DIR/rows.ndjson" > "$DIR/schema.json"

cd Benchmarks
DDBCDC_BENCH_EVENTS=$EVENTS DDBCDC_BENCH_ROWS="$DIR/rows.ndjson" DDBCDC_BENCH_SCHEMA="$DIR/schema.json" \
    exec swift package --disable-sandbox --allow-writing-to-package-directory benchmark "$@"
