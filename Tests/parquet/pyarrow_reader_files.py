"""Parquet files written by pyarrow for the Swift reader's tests (Tests/ParquetTests/ParquetReaderTests.swift).

    python pyarrow_reader_files.py OUT_DIR

Writes OUT_DIR/<name>.parquet and OUT_DIR/expected.jsonl: one line per file,
{"name": ..., "rows": [[value per top-level column] per row], "error": null}, each value as
pyarrow reads it in the reader's physical terms: null, {"b": bool}, {"i": int}, {"x": hex bytes},
{"d": "exact decimal text"}, {"l": [...]} (lists; maps as lists of {"g": [key, value]}),
{"g": [...]} (structs). Files pyarrow writes with features the reader refuses carry "error".
Data is random from a fixed seed: the same files every run.
"""

import decimal
import json
import random
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq


def encode(scalar, t):
    if not scalar.is_valid:
        return None
    if pa.types.is_boolean(t):
        return {"b": scalar.as_py()}
    if pa.types.is_timestamp(t):
        return {"i": scalar.value}
    if pa.types.is_integer(t):
        return {"i": scalar.as_py()}
    if pa.types.is_decimal(t):
        return {"d": format(scalar.as_py(), "f")}
    if pa.types.is_string(t):
        return {"x": scalar.as_py().encode().hex()}
    if pa.types.is_binary(t) or pa.types.is_fixed_size_binary(t):
        return {"x": scalar.as_py().hex()}
    if pa.types.is_map(t):
        return {"l": [{"g": [encode(e["key"], t.key_type), encode(e["value"], t.item_type)]} for e in scalar.values]}
    if pa.types.is_list(t):
        return {"l": [encode(v, t.value_type) for v in scalar.values]}
    if pa.types.is_struct(t):
        return {"g": [encode(scalar[f.name], f.type) for f in t]}
    raise TypeError(f"no encoding for {t}")


def rows_of(table):
    columns = [table.column(i) for i in range(table.num_columns)]
    types = [f.type for f in table.schema]
    return [[encode(c[r], t) for c, t in zip(columns, types)] for r in range(table.num_rows)]


rng = random.Random(13)


def maybe(value, p=0.2):
    return None if rng.random() < p else value


def text():
    return "".join(rng.choice(["a", "b", "é", "渡", "🚀", " ", '"', "\\", "\n"]) for _ in range(rng.randint(0, 12)))


def dec(digits, scale):
    unscaled = rng.randint(-(10**digits - 1), 10**digits - 1)
    return decimal.Decimal(unscaled).scaleb(-scale)


FLAT = pa.schema([
    ("flag", pa.bool_()),
    ("small", pa.int32()),
    ("big", pa.int64()),
    ("name", pa.string()),
    ("blob", pa.binary()),
    ("d9", pa.decimal128(9, 2)),
    ("d18", pa.decimal128(18, 4)),
    ("d38", pa.decimal128(38, 10)),
    ("ts", pa.timestamp("ms", tz="UTC")),
    ("fixed", pa.binary(3)),
    pa.field("must", pa.int64(), nullable=False),
])


def flat_table(n):
    few = [text() for _ in range(5)]  # repeated strings: dictionary pages
    rows = {
        "flag": [maybe(rng.random() < 0.5) for _ in range(n)],
        "small": [maybe(rng.randint(-2**31, 2**31 - 1)) for _ in range(n)],
        "big": [maybe(rng.randint(-2**63, 2**63 - 1)) for _ in range(n)],
        "name": [maybe(rng.choice(few)) for _ in range(n)],
        "blob": [maybe(bytes(rng.randrange(256) for _ in range(rng.randint(0, 9)))) for _ in range(n)],
        "d9": [maybe(dec(9, 2)) for _ in range(n)],
        "d18": [maybe(dec(18, 4)) for _ in range(n)],
        "d38": [maybe(dec(38, 10)) for _ in range(n)],
        "ts": [maybe(rng.randint(0, 4_000_000_000_000)) for _ in range(n)],
        "fixed": [maybe(bytes(rng.randrange(256) for _ in range(3))) for _ in range(n)],
        "must": [rng.randint(-5, 5) for _ in range(n)],
    }
    return pa.table(rows, schema=FLAT)


ELEMENT = pa.struct([("c", pa.string()), ("d", pa.bool_())])
NESTED = pa.schema([
    ("ints", pa.list_(pa.int64())),
    ("grid", pa.list_(pa.list_(pa.string()))),
    ("rec", pa.struct([("a", pa.int64()), ("b", pa.list_(ELEMENT))])),
    ("tags", pa.map_(pa.string(), pa.int64())),
    ("prices", pa.map_(pa.string(), pa.list_(pa.decimal128(38, 3)))),
    pa.field("strict", pa.list_(pa.field("element", pa.int32(), nullable=False)), nullable=False),
])


def nested_table(n):
    def ints():
        return maybe([maybe(rng.randint(-100, 100)) for _ in range(rng.randint(0, 4))])

    def grid():
        return maybe([maybe([maybe(text()) for _ in range(rng.randint(0, 3))]) for _ in range(rng.randint(0, 3))])

    def rec():
        return maybe({
            "a": maybe(rng.randint(0, 10**12)),
            "b": maybe([maybe({"c": maybe(text()), "d": maybe(rng.random() < 0.5)}) for _ in range(rng.randint(0, 3))]),
        })

    def tags():
        return maybe([(f"k{i}", maybe(rng.randint(-9, 9))) for i in range(rng.randint(0, 3))])

    def prices():
        return maybe([(text(), maybe([maybe(dec(20, 3)) for _ in range(rng.randint(0, 2))])) for _ in range(rng.randint(0, 2))])

    rows = {
        "ints": [ints() for _ in range(n)],
        "grid": [grid() for _ in range(n)],
        "rec": [rec() for _ in range(n)],
        "tags": [tags() for _ in range(n)],
        "prices": [prices() for _ in range(n)],
        "strict": [[rng.randint(0, 9) for _ in range(rng.randint(0, 3))] for _ in range(n)],
    }
    return pa.table(rows, schema=NESTED)


def main():
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    flat, nested = flat_table(700), nested_table(400)
    lines = []

    def write(name, table, error=None, **options):
        pq.write_table(table, out / f"{name}.parquet", **options)
        lines.append({"name": name, "rows": None if error else rows_of(pq.read_table(out / f"{name}.parquet")), "error": error})

    for codec in ["none", "snappy", "gzip", "zstd"]:
        for dictionary in [True, False]:
            suffix = f"{codec}-{'dict' if dictionary else 'plain'}"
            # Small pages and row groups: several of each per column.
            options = dict(compression=codec, use_dictionary=dictionary, data_page_size=512, row_group_size=300, write_batch_size=50,
                           data_page_version="1.0", write_statistics=True)
            write(f"flat-{suffix}", flat, **options)
            write(f"nested-{suffix}", nested, **options)
    # A dictionary that outgrows its limit: pyarrow falls back to PLAIN mid-chunk.
    write("flat-fallback", flat, dictionary_pagesize_limit=64, data_page_size=256, write_batch_size=16)
    # Decimals stored as INT32/INT64 where precision allows (what ddbcdc writes for p <= 18).
    write("flat-decimal-ints", flat, store_decimal_as_integer=True)
    write("empty", flat.slice(0, 0))
    write("small", nested.slice(0, 5), compression="snappy")
    write("v2", flat.slice(0, 10), data_page_version="2.0", error="unsupported")
    (out / "expected.jsonl").write_text("".join(json.dumps(line, separators=(",", ":")) + "\n" for line in lines))


main()
