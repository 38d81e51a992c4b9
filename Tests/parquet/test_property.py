"""Property test: random nested item shapes, typed Parquet, read back exactly by pyarrow.

A seeded generator makes TABLES tables of SHAPES random top-level attributes each (every
attribute one shape: S, N, B, BOOL, NULL, SS, NS, BS, maps as structs or as data-keyed maps,
lists, nested several levels; numbers of random precision, scale and exponent form; member
names with quotes, backslashes, control characters, NFC and NFD forms, emoji). For each table:

  1. items that follow the shapes (random nulls at every level, empty lists and maps, missing
     members) and items that do not: a string where a number was, a new attribute, a struct
     member the earlier items never had -- as Lambda events;
  2. `ddbcdc transform --ingest-ts none` over all of them: the rows, the truth;
  3. `ddbcdc schema --format json` over the rows of the conforming items only, then the schema
     changed at random: a DECIMAL(38,s) narrowed to a smaller precision (INT32 and INT64
     storage) or scale (values with more places no longer fit), or an integral one to LONG;
  4. `ddbcdc run --format parquet --schema` over all the events (small objects).

Then, in this one process, pyarrow reads every file (validate(full=True)) and must give exactly
the rows: each attribute in its column when it fits its declared type (rowjson.fits: decimal
arithmetic in Python), otherwise in `_rescued_data` as its exact member text, never rounded or
dropped; the run's summary counts every rescued value. The generator must have produced every
kind of misfit at least once, or the test fails (a generator that stopped making them would
prove nothing).
"""
import json
import os
import random
import subprocess
import sys
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyarrow.parquet as pq

from conftest import ddbcdc_binary, parquet_files, rescued_in_summary
from rowjson import METADATA, Num, arrow_type, canonical, decimal_fits, expect_row, loads, members, same, schema_columns

SEED = int(os.environ.get("PARQUET_PROPERTY_SEED", "20261130"))
TABLES = int(os.environ.get("PARQUET_PROPERTY_TABLES", "24"))
SHAPES = 48  # top-level attributes (shapes) per table
ITEMS, MISFITS = 24, 8  # conforming items per table, then items that do not conform

NAMES = [
    "a", "Alpha", "alpha_2", "quote\"d", "back\\slash", "tab\there", "new\nline", "caf\u00e9", "cafe\u0301", "名前", "🚀 rocket",
    "ünïcødé", "dots.in.name", "sp ace", "x" * 40, "emoji👩🏽\u200d🔧", "\u2028sep", "ctl\u0001", "percent%", "Ω",
]


class Gen:
    """Random DynamoDB shapes and values (AttributeValue JSON)."""

    def __init__(self, rng):
        self.rng = rng

    def shape(self, depth=0):
        r = self.rng
        leaves = ["S", "N", "N", "B", "BOOL", "NULL", "SS", "NS", "BS"]
        if depth >= 4 or r.random() < 0.35 + 0.1 * depth:
            kind = r.choice(leaves)
            if kind == "N":
                # a number column: how many places and digits its values have, and in what form
                return ("N", r.randint(0, 12), r.randint(1, 20), r.random() < 0.3)
            return (kind,)
        kind = r.choice(["M", "M", "L", "DATA"])
        if kind == "M":
            names = r.sample(NAMES, r.randint(1, 5))
            return ("M", [(n, self.shape(depth + 1)) for n in names])
        if kind == "L":
            return ("L", self.shape(depth + 1))
        return ("DATA", self.shape(depth + 1))  # a map keyed by data (k0001, …)

    def number(self, places, digits, exponent_form):
        r = self.rng
        c = r.random()
        if c < 0.05:
            return r.choice(["0", "-0", "0.000", "-0.0", "100", "1E+2", "1.0e1"])
        integer = "".join(r.choice("0123456789") for _ in range(r.randint(1, max(1, digits - places))))
        integer = integer.lstrip("0") or "0"
        fraction = "".join(r.choice("0123456789") for _ in range(r.randint(0, places)))
        sign = "-" if r.random() < 0.3 else ""
        if exponent_form and integer != "0":
            # the same value written as d.ddd E±x (DynamoDB keeps the text it was given)
            mantissa = integer + fraction
            exponent = len(integer) - 1
            text = mantissa[0] + ("." + mantissa[1:] if len(mantissa) > 1 else "")
            return f"{sign}{text}{r.choice('Ee')}{'+' if r.random() < 0.5 else ''}{exponent}"
        if r.random() < 0.1:
            fraction += "0" * r.randint(1, 3)  # trailing zeros as written
        return sign + integer + ("." + fraction if fraction else "")

    def value(self, shape, depth=0):
        r = self.rng
        if depth > 0 and r.random() < 0.08:
            return {"NULL": True}
        kind = shape[0]
        if kind == "S":
            return {"S": r.choice(["", "plain", "ünï 🚀", "quote \" and \\", "ctl \u0001\t\n", "\u2028", "caf\u00e9", "e\u0301"])}
        if kind == "N":
            return {"N": self.number(*shape[1:])}
        if kind == "B":
            import base64
            return {"B": base64.b64encode(bytes(r.randrange(256) for _ in range(r.randint(0, 12)))).decode()}
        if kind == "BOOL":
            return {"BOOL": r.random() < 0.5}
        if kind == "NULL":
            return {"NULL": True}
        if kind == "SS":
            return {"SS": r.sample(["a", "b", "ü", "🚀", "Z", "a b"], r.randint(1, 4))}
        if kind == "NS":
            values = {Num(self.number(3, 8, False)): None for _ in range(r.randint(1, 4))}
            unique = []
            for v in values:  # NS members are distinct as numbers
                if all(v != u for u in unique):
                    unique.append(v)
            return {"NS": [v.text for v in unique]}
        if kind == "BS":
            return {"BS": [c for c in r.sample(["AA==", "AQI=", "/w==", "AAECAw=="], r.randint(1, 3))]}
        if kind == "M":
            present = [(n, s) for n, s in shape[1] if r.random() < 0.8]
            return {"M": {n: self.value(s, depth + 1) for n, s in present}}
        if kind == "L":
            return {"L": [self.value(shape[1], depth + 1) for _ in range(r.choice([0, 0, 1, 2, 3, 5]))]}
        if kind == "DATA":
            return {"M": {f"k{r.randrange(10000):04d}": self.value(shape[1], depth + 1) for _ in range(r.choice([0, 1, 2, 4]))}}
        raise ValueError(kind)


def event(table, items, start):
    records = []
    for i, item in enumerate(items):
        seq = start + i
        records.append({
            "eventID": f"{table:08x}{seq:024x}", "eventName": "INSERT", "eventVersion": "1.1", "eventSource": "aws:dynamodb",
            "awsRegion": "eu-west-1", "eventSourceARN": "arn:aws:dynamodb:eu-west-1:1:table/prop/stream/2026-01-01T00:00:00.000",
            "dynamodb": {"ApproximateCreationDateTime": 1767225600 + seq, "Keys": {"pk": item["pk"]}, "NewImage": item,
                         "SequenceNumber": str(10 ** 20 + seq), "SizeBytes": 100, "StreamViewType": "NEW_IMAGE"},
        })
    return json.dumps({"Records": records}, ensure_ascii=False, separators=(",", ":"))


def misfit(gen, shapes, item, kinds):
    """Changes one conforming item so that at least one attribute cannot fit what the conforming
    items let `ddbcdc schema` infer; records which kind of misfit it made."""
    r = gen.rng
    choice = r.choice(["string-for-number", "new-attribute", "new-struct-member"])
    if choice == "string-for-number":
        numbers = [n for n, s in shapes if s[0] == "N"]
        if numbers:
            item[r.choice(numbers)] = {"S": "12.5"}
            kinds.add(choice)
            return
        choice = "new-attribute"
    if choice == "new-struct-member":
        structs = [n for n, s in shapes if s[0] == "M"]
        if structs:
            name = r.choice(structs)
            inner = item.get(name, {"M": {}})
            if "M" in inner:
                inner["M"]["never seen before"] = {"N": "1"}
                item[name] = inner
                kinds.add(choice)
                return
        choice = "new-attribute"
    item[f"new attribute {r.randrange(1000)}"] = {"N": "7"}
    kinds.add("new-attribute")


def narrow(rng, t, counts):
    """The schema type `t` changed at random the way a user's schema may differ from the data:
    DECIMAL(38,s) to fewer digits (INT32/INT64 storage) or places, or LONG."""
    kind = t["type"] if isinstance(t, dict) else t
    if isinstance(t, str) and t.startswith("decimal("):
        p, s = map(int, t[len("decimal("):-1].split(","))
        c = rng.random()
        if c < 0.25 and s <= 9:
            p = rng.randint(max(1, s), 9)
            counts["int32"] += 1
        elif c < 0.45 and s <= 18:
            p = rng.randint(max(10, s), 18)
            counts["int64"] += 1
        elif c < 0.6 and s > 0:
            s = rng.randint(0, s - 1)
            counts["narrower-scale"] += 1
        elif c < 0.7:
            counts["long"] += 1
            return "long"
        return f"decimal({p},{s})"
    if kind == "struct":
        return {**t, "fields": [{**f, "type": narrow(rng, f["type"], counts)} for f in t["fields"]]}
    if kind == "array":
        return {**t, "elementType": narrow(rng, t["elementType"], counts)}
    if kind == "map":
        return {**t, "valueType": narrow(rng, t["valueType"], counts)}
    return t


def make_table(index, tmp, seed):
    """Writes one table's events; runs transform, schema (conforming rows) and run --schema."""
    rng = random.Random(seed * 7919 + index)
    gen = Gen(rng)
    shapes = []
    for i in range(SHAPES):
        name = f"c{i}_{rng.choice(NAMES)}"
        if rng.random() < 0.2:
            name = unicodedata.normalize(rng.choice(["NFC", "NFD"]), name)
        shapes.append((name, gen.shape()))
    items = []
    for k in range(ITEMS + MISFITS):
        item = {"pk": {"S": f"p{index}-{k}"}}
        for name, shape in shapes:
            if rng.random() < 0.85:
                item[name] = gen.value(shape)
        items.append(item)
    kinds = set()
    for item in items[ITEMS:]:
        misfit(gen, shapes, item, kinds)
    directory = tmp / f"t{index}"
    directory.mkdir()
    events = directory / "events.jsonl"
    events.write_text("\n".join(event(index, items[i:i + 10], i) for i in range(0, len(items), 10)) + "\n", encoding="utf-8")
    binary = str(ddbcdc_binary())

    def run(*args, stdout=subprocess.PIPE):
        result = subprocess.run([binary, *map(str, args)], stdout=stdout, stderr=subprocess.PIPE)
        assert result.returncode == 0, f"table {index}: ddbcdc {args[0]} exited {result.returncode}: {result.stderr.decode(errors='replace')[-2000:]}"
        return result

    rows = run("transform", "--ingest-ts", "none", "--input", events).stdout.decode("utf-8")
    lines = [line for line in rows.split("\n") if line]
    assert len(lines) == len(items)
    (directory / "conforming.ndjson").write_text("\n".join(lines[:ITEMS]) + "\n", encoding="utf-8")
    schema = json.loads(run("schema", "--format", "json", "--input", directory / "conforming.ndjson").stdout)
    counts = {"int32": 0, "int64": 0, "narrower-scale": 0, "long": 0}
    schema["fields"] = [{**f, "type": narrow(rng, f["type"], counts)} if f["name"] not in METADATA and rng.random() < 0.5 else f
                        for f in schema["fields"]]
    (directory / "schema.json").write_text(json.dumps(schema, ensure_ascii=False, indent=2), encoding="utf-8")
    summary = run("run", "--input", events, "--sink", directory / "out", "--format", "parquet", "--schema", directory / "schema.json",
                  "--max-records", "16", "--max-seconds", "0", "--quiet").stderr.decode()
    return {"lines": lines, "schema": schema, "summary": summary, "out": directory / "out", "kinds": kinds, "counts": counts}


def test_random_shapes_read_back_exactly(tmp_path):
    with ThreadPoolExecutor(max_workers=2) as pool:
        tables = list(pool.map(lambda i: make_table(i, tmp_path, SEED), range(TABLES)))
    kinds = set()
    counts = {}
    rescued_kinds = set()
    decimals_checked = 0
    for index, table in enumerate(tables):
        kinds |= table["kinds"]
        for k, v in table["counts"].items():
            counts[k] = counts.get(k, 0) + v
        columns = [(n, t) for n, t in schema_columns(table["schema"]) if n not in METADATA]
        types = dict(columns)
        want = {}
        rescued = 0
        for line in table["lines"]:
            row, n = expect_row(line, columns)
            rescued += n
            want[row["_eventId"]] = row
            for name, _, value in members(line):
                if name in METADATA:
                    continue
                if name not in types:
                    rescued_kinds.add("no-column")
                elif row[name] is None and loads(value) is not None:
                    rescued_kinds.add(types[name][0])
        assert rescued_in_summary(table["summary"]) == rescued, f"table {index}: the summary does not count {rescued} rescued values: {table['summary']}"
        files = parquet_files(table["out"])
        assert len(files) == -(-len(table["lines"]) // 16), f"table {index}: {len(files)} files"
        seen = 0
        for path in files:
            meta = pq.ParquetFile(path).metadata
            assert meta.metadata[b"ddbcdc.layout"] == b"typed"
            parquet_schema = pq.ParquetFile(path).schema
            table_read = pq.read_table(path)
            table_read.validate(full=True)
            names = METADATA + [n for n, _ in columns] + ["_rescued_data"]
            assert table_read.column_names == names, f"table {index}: columns {table_read.column_names}"
            for (name, t), field in zip(columns, table_read.schema[len(METADATA):]):
                assert str(field.type).replace("entries", "key_value") == str(arrow_type(t)).replace("entries", "key_value"), \
                    f"table {index} column {name!r}: {field.type}, not {arrow_type(t)}"
            for leaf in range(len(parquet_schema)):
                column = parquet_schema.column(leaf)
                if column.logical_type.type == "DECIMAL":
                    p = column.logical_type.to_json()
                    precision = json.loads(p)["precision"]
                    physical = "INT32" if precision <= 9 else "INT64" if precision <= 18 else "FIXED_LEN_BYTE_ARRAY"
                    assert column.physical_type == physical, f"table {index}: {column.path}: {column.physical_type} for precision {precision}"
                    decimals_checked += 1
            for got in table_read.to_pylist():
                expected_row = want.pop(got["_eventId"])
                for name, value in expected_row.items():
                    have = canonical(types[name], got[name]) if name in types else got[name]
                    assert same(value, have), f"table {index} row {got['_eventId']} column {name!r}: pyarrow {have!r}, the NDJSON row {value!r}"
                seen += 1
        assert not want, f"table {index}: {len(want)} rows missing from the Parquet files"
    # The generator made every kind of misfit and every narrowing, or the test proved less than it says.
    assert kinds == {"string-for-number", "new-attribute", "new-struct-member"}, kinds
    assert all(v > 0 for v in counts.values()), counts
    assert {"no-column", "decimal", "struct", "long"} <= rescued_kinds, rescued_kinds
    assert decimals_checked > 0
