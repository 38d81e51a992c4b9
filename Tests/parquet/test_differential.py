"""The Parquet objects hold exactly the NDJSON rows: a differential over the generated corpus.

scripts/gen_events.py (seed 13, PARQUET_RECORDS records, default 100,000, Lambda events of 1,000)
goes through `ddbcdc transform --ingest-ts none` -- its rows are the truth -- and through
`ddbcdc run --format parquet` three times:

  * packed (snappy): the metadata columns and `_item`, whose text must be byte-identical to the
    row's non-metadata members, in row order;
  * typed by `ddbcdc schema --format json` over the same rows (zstd, small row groups so files
    have several): every column the schema's type (38-digit decimals at the column's scale,
    nested structs, lists, maps), every value equal to the row's (decimals as values:
    1234.50 reads 1234.500000 at scale 6), nulls at every level, empty lists;
  * typed by `ddbcdc schema --numbers string --format json` over `transform --numbers string`
    rows (gzip), where every number is its exact text.

In the typed layouts an attribute either fits its column (rowjson.fits, decimal arithmetic in
Python) and is there, or it is in `_rescued_data` as its exact member text, with the column
null -- the row comes back exactly from the columns and `_rescued_data`, and the run's summary
counts as many rescued values as the rows have misfits.

Every file is read by pyarrow (`ParquetFile(p).metadata`, `read_table(p).validate(full=True)`,
the footer's codec, layout, schema hash and column types), DuckDB (`read_parquet`) and PySpark
(`spark.read.parquet`), each compared row by row with the NDJSON rows.

    DDBCDC_BIN=$PWD/.build/debug/ddbcdc .venv/bin/python -m pytest Tests/parquet -q
"""
import hashlib
import json
import os
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import METADATA, REPO, finish, parquet_files, rescued_in_summary, start
from rowjson import arrow_type, canonical, expect_row, same, schema_columns

RECORDS = int(os.environ.get("PARQUET_RECORDS", "100000"))
SEED = 13
CODEC = {"packed": "SNAPPY", "typed": "ZSTD", "string": "GZIP"}


def lines(path):
    """Lines split at \\n only (U+2028 and friends are valid unescaped inside JSON strings)."""
    return [line for line in Path(path).read_text(encoding="utf-8").split("\n") if line]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """Generates the corpus, transforms it, infers both schemas and writes the three landing zones
    (independent ddbcdc processes two at a time: the machine has two cores)."""
    tmp = tmp_path_factory.mktemp("corpus")
    events = tmp / "events.jsonl"
    import subprocess
    subprocess.run([sys.executable, str(REPO / "scripts" / "gen_events.py"), "--seed", str(SEED), "--records", str(RECORDS),
                    "--batch-size", "1000", "--out", str(events)], check=True)
    run = ["run", "--input", events, "--max-seconds", "0", "--quiet", "--format", "parquet"]
    with open(tmp / "rows.ndjson", "wb") as exact_rows, open(tmp / "rows-string.ndjson", "wb") as string_rows:
        a = start("transform", "--ingest-ts", "none", "--input", events, stdout=exact_rows)
        b = start("transform", "--ingest-ts", "none", "--numbers", "string", "--input", events, stdout=string_rows)
        finish(a, "transform")
        finish(b, "transform --numbers string")
    with open(tmp / "schema.json", "wb") as exact_schema, open(tmp / "schema-string.json", "wb") as string_schema:
        a = start("schema", "--format", "json", "--input", tmp / "rows.ndjson", stdout=exact_schema)
        b = start("schema", "--format", "json", "--numbers", "string", "--input", tmp / "rows-string.ndjson", stdout=string_schema)
        finish(a, "schema")
        finish(b, "schema --numbers string")
    a = start(*run, "--sink", tmp / "packed")
    b = start(*run, "--sink", tmp / "typed", "--schema", tmp / "schema.json", "--parquet-compression", "zstd",
              "--parquet-row-group-bytes", "1000000")
    summaries = {"packed": finish(a, "run packed"), "typed": finish(b, "run --schema")}
    c = start(*run, "--sink", tmp / "string", "--numbers", "string", "--schema", tmp / "schema-string.json",
              "--parquet-compression", "gzip")
    summaries["string"] = finish(c, "run --numbers string --schema")
    return {
        "tmp": tmp,
        "rows": {"packed": lines(tmp / "rows.ndjson"), "typed": lines(tmp / "rows.ndjson"), "string": lines(tmp / "rows-string.ndjson")},
        "schema": {"typed": tmp / "schema.json", "string": tmp / "schema-string.json"},
        "summary": summaries,
    }


class Truth:
    """What every reader must give for one landing zone, derived from the NDJSON rows only."""

    def __init__(self, corpus, layout):
        self.layout = layout
        self.root = corpus["tmp"] / layout
        self.files = parquet_files(self.root)
        rows = corpus["rows"][layout]
        assert len(rows) == RECORDS, f"transform wrote {len(rows)} rows for {RECORDS} records"
        self.columns = None
        if layout != "packed":
            schema = json.loads(corpus["schema"][layout].read_text(encoding="utf-8"))
            self.columns = [(n, t) for n, t in schema_columns(schema) if n not in METADATA]
            self.schema_hash = hashlib.sha256(corpus["schema"][layout].read_bytes()).hexdigest()
        self.by_event = {}
        self.rescued = 0
        for index, line in enumerate(rows):
            row = self.expect(line)
            event = row["_eventId"]
            assert event not in self.by_event, f"eventID {event} twice in the corpus"
            self.by_event[event] = (index, row)
        self.summary = corpus["summary"][layout]

    def expect(self, line):
        row, rescued = expect_row(line, self.columns)
        self.rescued += rescued
        return row

    def names(self):
        return METADATA + (["_item"] if self.columns is None else [n for n, _ in self.columns] + ["_rescued_data"])

    def check(self, reader, rows):
        """Compares a reader's rows ({column: value}, one file after another) with the truth."""
        seen = set()
        mismatches = []
        types = dict(self.columns or [])
        for got in rows:
            event = got["_eventId"]
            assert event in self.by_event, f"{reader}: a row with an eventID the input does not have: {event!r}"
            assert event not in seen, f"{reader}: eventID {event} twice"
            seen.add(event)
            index, want = self.by_event[event]
            for name, value in want.items():
                have = got[name]
                if name in types:
                    have = canonical(types[name], have)
                if not same(value, have):
                    mismatches.append(f"row {index + 1} ({event}) column {name!r}: {reader} gives {have!r}, the NDJSON row {value!r}")
                    break
            if len(mismatches) >= 5:
                break
        assert not mismatches, f"{self.layout}: {len(mismatches)}+ rows differ:\n" + "\n".join(mismatches)
        assert len(seen) == len(self.by_event), f"{reader} read {len(seen)} rows, the NDJSON has {len(self.by_event)}"


@pytest.fixture(scope="module", params=["packed", "typed", "string"])
def truth(request, corpus):
    return Truth(corpus, request.param)


def test_pyarrow_reads_every_file_exactly(truth):
    assert len(truth.files) >= RECORDS // 2000, f"{truth.layout}: {len(truth.files)} files for {RECORDS} rows of 2,000 per object"
    def rows():
        for path in truth.files:
            # The footer and every page must be what pyarrow's own reader takes, with the run's codec.
            meta = pq.ParquetFile(path).metadata
            kv = {k.decode(): v.decode() for k, v in (meta.metadata or {}).items()}
            assert kv["ddbcdc.layout"] == ("packed" if truth.columns is None else "typed"), path
            if truth.columns is not None:
                assert kv["ddbcdc.schema.sha256"] == json_hash(truth), path
            for g in range(meta.num_row_groups):
                group = meta.row_group(g)
                for c in range(group.num_columns):
                    assert group.column(c).compression == CODEC[truth.layout], f"{path}: row group {g} column {c}"
            table = pq.read_table(path)
            table.validate(full=True)
            assert table.column_names == truth.names(), path
            check_arrow_types(truth, table.schema)
            previous = -1
            for row in table.to_pylist():
                # rows stay in input order inside an object
                index = truth.by_event[row["_eventId"]][0]
                assert index > previous, f"{path}: rows out of input order"
                previous = index
                yield row
    truth.check("pyarrow", rows())
    if truth.layout == "typed":
        # several row groups per file (--parquet-row-group-bytes 1000000): the footer's offsets hold
        assert max(pq.ParquetFile(p).metadata.num_row_groups for p in truth.files) > 1


def json_hash(truth):
    """The schema hash the layout contract names: SHA-256 of the schema file's canonical JSON, as
    `ddbcdc schema --format json` wrote it (its own output is canonical: sorted, two-space indented)."""
    return truth.schema_hash


def check_arrow_types(truth, schema):
    want = [pa.string(), pa.string(), pa.string(), pa.int64(), pa.int64(), pa.bool_(), pa.bool_()]
    want += [pa.string()] if truth.columns is None else [arrow_type(t) for _, t in truth.columns] + [pa.string()]
    got = [f.type for f in schema]
    for name, w, g in zip(truth.names(), want, got):
        # map_ equality in pyarrow compares the key/value field names too; compare by structure
        assert str(w).replace("entries", "key_value") == str(g).replace("entries", "key_value"), f"{truth.layout}: column {name}: {g}, not {w}"


def test_duckdb_reads_every_file_exactly(truth):
    con = duckdb.connect()
    glob = str(truth.root / "**" / "*.parquet")
    cursor = con.execute(f"SELECT * FROM read_parquet('{glob}', hive_partitioning = false)")
    names = [d[0] for d in cursor.description]
    assert names == truth.names()

    def rows():
        while batch := cursor.fetchmany(5000):
            for values in batch:
                yield dict(zip(names, values))
    truth.check("DuckDB", rows())


def test_spark_reads_every_file_exactly(truth, spark):
    df = spark.read.option("recursiveFileLookup", "true").parquet(str(truth.root))
    assert df.columns == truth.names()

    def rows():
        for row in df.toLocalIterator():
            yield row.asDict(recursive=False)
    truth.check("PySpark", rows())


def test_rescued_values_are_counted(truth):
    """The run's summary counts exactly the attributes the rows do not fit their columns with."""
    if truth.layout == "packed":
        assert rescued_in_summary(truth.summary) == 0
    else:
        assert rescued_in_summary(truth.summary) == truth.rescued, truth.summary
