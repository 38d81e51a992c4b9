#!/usr/bin/env bash
# The whole test suite, from a fresh clone: set-up, build, Swift tests, then the Python tests
# that check ddbcdc against real peers (boto3's TypeDeserializer, …).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

scripts/setup.sh
echo "== swift build --build-tests" >&2
swift build --build-tests
echo "== swift test" >&2
AWS4_TESTSUITE_DIR="$ROOT/.test-data/aws4_testsuite" DDBCDC_PYTHON="$ROOT/.venv/bin/python" swift test --skip-build --skip DeadlineTests
echo "== swift test --filter DeadlineTests (wall-clock deadlines, on their own: other suites' process waits would starve them)" >&2
swift test --skip-build --filter DeadlineTests
echo "== pytest Tests/golden (objects byte-identical to the fixture)" >&2
DDBCDC_BIN="$ROOT/.build/debug/ddbcdc" .venv/bin/python -m pytest Tests/golden -q
echo "== scripts/check-docs.sh (DocC catalogs build without warnings; article code = its tests)" >&2
scripts/check-docs.sh
echo "== pytest Tests/differential" >&2
DDBCDC_BIN="$ROOT/.build/debug/ddbcdc" .venv/bin/python -m pytest Tests/differential -q
echo "== pytest Tests/spark (Spark's parser and local PySpark, delta-rs, DuckDB)" >&2
DDBCDC_BIN="$ROOT/.build/debug/ddbcdc" .venv/bin/python -m pytest Tests/spark -q
echo "== pytest Tests/readers (PySpark and DuckDB read ddbcdc run's objects)" >&2
DDBCDC_BIN="$ROOT/.build/debug/ddbcdc" .venv/bin/python -m pytest Tests/readers -q
echo "== pytest Tests/parquet (Parquet objects: the generated corpus and random shapes read back exactly by pyarrow, DuckDB and PySpark; rescued values; determinism)" >&2
DDBCDC_BIN="$ROOT/.build/debug/ddbcdc" .venv/bin/python -m pytest Tests/parquet -q
echo "== pytest Tests/backfill (generated exports: rows, bad input, resume, convergence with the stream on DuckDB and delta-rs)" >&2
DDBCDC_BIN="$ROOT/.build/debug/ddbcdc" .venv/bin/python -m pytest Tests/backfill -q
echo "== pytest Tests/stream (ddbcdc stream against moto: every change once by eventID, MERGE on DuckDB = the table, checkpoints, SIGKILL/SIGTERM, the lock)" >&2
DDBCDC_BIN="$ROOT/.build/debug/ddbcdc" .venv/bin/python -m pytest Tests/stream -q
echo "== pytest Tests/s3 (Swift's s3api, moto with and without auth, fault proxy)" >&2
DDBCDC_BIN="$ROOT/.build/debug/ddbcdc" .venv/bin/python -m pytest Tests/s3 -q
echo "== package the Lambda bootstrap, then pytest Tests/lambda (Runtime Interface Emulator, cfn-lint)" >&2
scripts/package-lambda.sh
DDBCDC_BIN="$ROOT/.build/debug/ddbcdc" .venv/bin/python -m pytest Tests/lambda -q
echo "== scripts/fuzz.sh (libFuzzer + ASan: transcoder, reader, gunzip, parquet, rows; FUZZ_SECONDS each, 60 by default)" >&2
scripts/fuzz.sh
