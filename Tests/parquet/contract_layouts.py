"""Writes ddbcdc rows (NDJSON, as `ddbcdc transform`/`run` write them) as Parquet objects in the
layout contract of issue 13, with pyarrow: the peer `ddbcdc schema` is tested against
(Tests/ddbcdcTests/SchemaParquetTests.swift) until `run --format parquet` writes them itself.

    python contract_layouts.py ROWS.ndjson OUT_DIR packed [ROWS_PER_FILE]
    python contract_layouts.py ROWS.ndjson OUT_DIR typed SCHEMA.json [ROWS_PER_FILE]

packed: the metadata columns, then `_item` (the row's other members as their JSON text).
typed: the metadata columns, the schema's other columns (Spark types mapped as the contract says:
DECIMAL on INT32/INT64/FIXED_LEN_BYTE_ARRAY(16), 3-level lists, maps, structs), then
`_rescued_data`: a top-level attribute whose value does not fit its declared type (or that the
schema does not have) goes there whole, its column null.
"""

import decimal
import json
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

METADATA = [("_eventName", pa.string()), ("_eventId", pa.string()), ("_seq", pa.string()),
            ("_approxStreamTs", pa.int64()), ("_ingestTs", pa.int64()), ("is_deleted", pa.bool_()),
            ("_ttlDelete", pa.bool_())]
NAMES = {name for name, _ in METADATA}


class Misfit(Exception):
    pass


def arrow_type(spark):
    if isinstance(spark, str):
        if spark == "string":
            return pa.string()
        if spark == "boolean":
            return pa.bool_()
        if spark == "long":
            return pa.int64()
        if spark == "timestamp":
            return pa.timestamp("ms", tz="UTC")
        if spark.startswith("decimal("):
            p, s = (int(x) for x in spark[8:-1].split(","))
            return pa.decimal128(p, s)
        raise ValueError(spark)
    if spark["type"] == "array":
        return pa.list_(arrow_type(spark["elementType"]))
    if spark["type"] == "map":
        return pa.map_(pa.string(), arrow_type(spark["valueType"]))
    if spark["type"] == "struct":
        return pa.struct([(f["name"], arrow_type(f["type"])) for f in spark["fields"]])
    raise ValueError(spark)


def convert(value, t):
    """The row-JSON value as an Arrow value of type t, or Misfit."""
    if value is None:
        return None
    if pa.types.is_string(t):
        if not isinstance(value, str):
            raise Misfit()
        return value
    if pa.types.is_boolean(t):
        if not isinstance(value, bool):
            raise Misfit()
        return value
    if pa.types.is_int64(t) or pa.types.is_timestamp(t):
        if isinstance(value, bool) or not isinstance(value, decimal.Decimal) or value != value.to_integral_value():
            raise Misfit()
        return int(value)
    if pa.types.is_decimal(t):
        if isinstance(value, bool) or not isinstance(value, decimal.Decimal):
            raise Misfit()
        scaled = value.scaleb(t.scale)
        if scaled != scaled.to_integral_value() or abs(scaled) >= 10 ** t.precision:
            raise Misfit()
        return value.quantize(decimal.Decimal(1).scaleb(-t.scale))
    if pa.types.is_list(t):
        if not isinstance(value, list):
            raise Misfit()
        return [convert(v, t.value_type) for v in value]
    if pa.types.is_map(t):
        if not isinstance(value, dict):
            raise Misfit()
        return [(k, convert(v, t.item_type)) for k, v in value.items()]
    if pa.types.is_struct(t):
        if not isinstance(value, dict) or any(k not in {f.name for f in t} for k in value):
            raise Misfit()
        return {f.name: convert(value.get(f.name), f.type) for f in t}
    raise ValueError(t)


def main():
    rows_path, out, layout = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    rows = [json.loads(line, parse_float=decimal.Decimal, parse_int=decimal.Decimal)
            for line in rows_path.read_text().splitlines() if line.strip()]
    if layout == "typed":
        spark = json.loads(Path(sys.argv[4]).read_text())
        per_file = int(sys.argv[5]) if len(sys.argv) > 5 else 1000
        fields = [(f["name"], arrow_type(f["type"])) for f in spark["fields"] if f["name"] not in NAMES]
        schema = pa.schema(METADATA + fields + [("_rescued_data", pa.string())])
        layout_meta = {"ddbcdc.layout": "typed"}
    else:
        per_file = int(sys.argv[4]) if len(sys.argv) > 4 else 1000
        schema = pa.schema(METADATA + [("_item", pa.string())])
        layout_meta = {"ddbcdc.layout": "packed"}
    raw_texts = [line for line in rows_path.read_text().splitlines() if line.strip()]
    columns = {name: [] for name in schema.names}
    for row, raw in zip(rows, raw_texts):
        for name, t in METADATA:
            value = row.get(name)
            columns[name].append(int(value) if isinstance(value, decimal.Decimal) else value)
        if layout == "packed":
            # The row's own text for the item's members: exact numbers, member order kept.
            columns["_item"].append(item_text(raw, set(row) - NAMES))
            continue
        rescued = []
        for name, t in fields:
            if name not in row:
                columns[name].append(None)
                continue
            try:
                columns[name].append(convert(row[name], t))
            except Misfit:
                columns[name].append(None)
                rescued.append(name)
        known = {name for name, _ in fields} | NAMES
        rescued += [k for k in row if k not in known]
        order = [k for k in row if k in rescued]
        columns["_rescued_data"].append(item_text(raw, set(order)) if order else None)
    table = pa.table(columns, schema=schema).replace_schema_metadata(layout_meta)
    out.mkdir(parents=True, exist_ok=True)
    for index, start in enumerate(range(0, len(rows), per_file)):
        part = out / f"dt=2026-01-0{index % 9 + 1}" / "HH=00"
        part.mkdir(parents=True, exist_ok=True)
        pq.write_table(table.slice(start, per_file), part / f"batch-{index:04d}.parquet", compression="snappy",
                       store_decimal_as_integer=True)


def item_text(raw, names):
    """The members of the row text `raw` named in `names`, as one JSON object's text, exactly as written."""
    decoder = json.JSONDecoder()
    pieces = []
    i = raw.index("{") + 1
    while True:
        while raw[i] in " \t\r\n,":
            i += 1
        if raw[i] == "}":
            break
        key, end = decoder.raw_decode(raw, i)
        j = raw.index(":", end) + 1
        while raw[j] in " \t\r\n":
            j += 1
        _, value_end = decoder.raw_decode(raw, j)
        if key in names:
            pieces.append(raw[i:value_end])
        i = value_end
    return "{" + ",".join(pieces) + "}"

main()
