#!/usr/bin/env bash
# Benchmark: the cost of wide items. `ddbcdc transform` over records whose NewImage holds
# 10^2, 10^3, 10^4 and 10^5 attributes (three-character names, small numbers: a 10^5-attribute
# item is a legal DynamoDB item of about 400 KB), against the reference Python transform
# (scripts/python_transform.py: json + boto3's TypeDeserializer) on the same files, same run.
#
#   scripts/bench-attributes.sh
#
# The point is the shape, not the speed: the per-attribute cost must stay flat as items widen
# (duplicate names are checked in O(n log n); a pairwise check made a 10^5-attribute record cost
# 9-21 s). Each file holds about 20 MB of JSON: RECORDS_PER_FILE = 2,000,000 / attributes records.
#
# Environment: RUNS (3), PY_RUNS (1), SCRATCH_PATH (.build), SKIP_BUILD=1, PYTHON.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

RUNS=${RUNS:-3}
PY_RUNS=${PY_RUNS:-1}
SCRATCH_PATH=${SCRATCH_PATH:-.build}
PYTHON=${PYTHON:-python3}
# shellcheck source=scripts/bench-lib.sh
source scripts/bench-lib.sh
bench_build

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p bench-data
RESULTS="$WORK/results"
: > "$RESULTS"

for ATTRIBUTES in 100 1000 10000 100000; do
    RECORDS=$((2000000 / ATTRIBUTES))
    DATA="bench-data/wide-$ATTRIBUTES.jsonl"
    if [[ ! -s $DATA ]]; then
        "$PYTHON" - "$ATTRIBUTES" "$RECORDS" "$DATA" <<'PY'
import json, string, sys
attributes, records, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
alphabet = string.ascii_letters + string.digits
names = [alphabet[i // 3844] + alphabet[i // 62 % 62] + alphabet[i % 62] for i in range(attributes)]
with open(path, "w") as out:
    for n in range(records):
        image = {"pk": {"S": f"k{n}"}}
        image.update({name: {"N": str(i % 1000)} for i, name in enumerate(names[1:])})
        record = {"eventID": f"e{n}", "eventName": "INSERT", "eventSource": "aws:dynamodb",
                  "dynamodb": {"ApproximateCreationDateTime": 1767225600 + n, "Keys": {"pk": {"S": f"k{n}"}},
                               "NewImage": image, "SequenceNumber": str(10**20 + n)}}
        out.write(json.dumps({"Records": [record]}, separators=(",", ":")) + "\n")
PY
    fi
    say "== $ATTRIBUTES attributes: $RECORDS records, $(stat -c %s "$DATA") bytes"
    for ((i = 1; i <= RUNS; i++)); do
        bench_time "ddbcdc $ATTRIBUTES" "$WORK/run.err" "$BIN" transform --input "$DATA" --ingest-ts 0
        echo "ddbcdc $ATTRIBUTES $RECORDS $BENCH_T0 $BENCH_T1" >> "$RESULTS"
    done
    for ((i = 1; i <= PY_RUNS; i++)); do
        bench_time "python $ATTRIBUTES" "$WORK/run.err" "$PYTHON" scripts/python_transform.py --input "$DATA" --out /dev/null --ingest-ts 0
        echo "python $ATTRIBUTES $RECORDS $BENCH_T0 $BENCH_T1" >> "$RESULTS"
    done
done

echo
bench_machine
"$PYTHON" - "$RESULTS" <<'PY'
import statistics, sys
from decimal import Decimal
runs = {}
for line in open(sys.argv[1]):
    tool, attributes, records, t0, t1 = line.split()
    runs.setdefault((tool, int(attributes), int(records)), []).append(float(Decimal(t1) - Decimal(t0)))
print("| attributes per item | records | ddbcdc median s | ddbcdc ns per attribute | python s | python ns per attribute | ratio |")
print("|---:|---:|---:|---:|---:|---:|---:|")
for attributes in sorted({a for _, a, _ in runs}):
    (records,) = {r for _, a, r in runs if a == attributes}
    d = statistics.median(runs[("ddbcdc", attributes, records)])
    p = statistics.median(runs.get(("python", attributes, records), [float("nan")]))
    total = attributes * records
    print(f"| {attributes:,} | {records:,} | {d:.3f} | {d / total * 1e9:.0f} | {p:.2f} | {p / total * 1e9:.0f} | {p / d:.1f}x |")
PY
