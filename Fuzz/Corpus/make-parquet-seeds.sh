#!/usr/bin/env bash
# Writes Parquet seeds for the parquet target into the folder given (scripts/fuzz.sh passes
# .build-fuzz/seeds/parquet): pyarrow's files of Tests/parquet/pyarrow_reader_files.py that fit
# the fuzzer's input size (every codec, dictionary and plain, nested, data page v2, empty), so the
# repository holds no binaries. Needs the project's Python with pyarrow (DDBCDC_PYTHON or .venv).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=${1:?usage: make-parquet-seeds.sh FOLDER}
PYTHON=${DDBCDC_PYTHON:-$ROOT/.venv/bin/python}
[[ -x $PYTHON ]] || { echo "make-parquet-seeds.sh: no Python at $PYTHON (scripts/setup.sh makes .venv)" >&2; exit 1; }
mkdir -p "$OUT"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$PYTHON" "$ROOT/Tests/parquet/pyarrow_reader_files.py" "$work"
# Files above the fuzzer's 16 KiB would be cut; small pyarrow files of the same shapes instead.
"$PYTHON" - "$work" <<'PY'
import sys, pyarrow as pa, pyarrow.parquet as pq
out = sys.argv[1]
for name in ["flat", "nested"]:
    table = pq.read_table(f"{out}/{name}-snappy-dict.parquet").slice(0, 12)
    for codec in ["none", "snappy", "gzip", "zstd"]:
        for dictionary in [True, False]:
            pq.write_table(table, f"{out}/seed-{name}-{codec}-{dictionary}.parquet", compression=codec,
                           use_dictionary=dictionary, data_page_size=128, row_group_size=5)
PY
find "$work" -name '*.parquet' -size -16k -exec cp {} "$OUT/" \;
