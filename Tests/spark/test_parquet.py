"""The notebook and the DLT pipeline generated for Parquet objects (`emit-notebook --format parquet`),
run in local PySpark (format("parquet") in place of cloudFiles) on the objects `ddbcdc run --format
parquet` writes from the MERGE workload, in both layouts: packed (no --schema: the item as JSON in
`_item`) and typed (--schema FILE: a column per attribute, `_rescued_data` for what did not fit).
Each stream's micro-batches go to the MERGE on DuckDB and delta-rs; the tables must equal the ones
the NDJSON objects of the same changes give, and the source items' final state. A number with more
decimal places than the schema's scale must land in the quarantine table, counted, in every layout."""
import json
import uuid
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import emit, load_notebook
from engines import DeltaEngine, DuckDBEngine, arrow_schema, normalized
from workload import generate, write_events

KEYS = ("pk", "sk")
METADATA = {"_eventName", "_eventId", "_seq", "_approxStreamTs", "_ingestTs", "is_deleted", "_ttlDelete", "_rescued_data"}
MISFIT_PRICE = "1.123456789012"  # 12 decimal places; the schema inferred before it declares fewer
LAYOUTS = ("json", "packed", "typed")


def misfit_change(records, final):
    """A MODIFY of a live key, newer than every change, whose price has more places than the schema's
    scale: it must be quarantined, so the key keeps its state."""
    key = sorted(final)[0]
    last = next(r for r in reversed(records) if (r["dynamodb"]["Keys"]["pk"]["S"], r["dynamodb"]["Keys"]["sk"]["S"]) == key)
    record = json.loads(json.dumps(last))
    ddb = record["dynamodb"]
    ddb["OldImage"] = ddb["NewImage"]
    ddb["NewImage"] = {**ddb["NewImage"], "price": {"N": MISFIT_PRICE}}
    ddb["SequenceNumber"] = str(max(int(r["dynamodb"]["SequenceNumber"]) for r in records) + 1000)
    ddb["ApproximateCreationDateTime"] = max(r["dynamodb"]["ApproximateCreationDateTime"] for r in records) + 5
    record["eventName"], record["eventID"] = "MODIFY", "f" * 32
    return key, record


@pytest.fixture(scope="module")
def landed(tmp_path_factory, ddbcdc):
    """The workload as NDJSON objects and as Parquet objects of both layouts, each written by `ddbcdc
    run` in two runs (the changes, then the misfit); the schema inferred from the first run."""
    base = tmp_path_factory.mktemp("parquet")
    records, final, stats, _ = generate(seed=11, records=300, keys=25)
    assert stats["REMOVE"] > 10 and stats["REINSERT"] > 3, stats
    key, misfit = misfit_change(records, final)
    write_events(records, base / "changes.jsonl")
    write_events([misfit], base / "misfit.jsonl")
    run = ("--quiet", "--max-records", "40", "--max-seconds", "0")
    sinks = {layout: base / layout for layout in LAYOUTS}
    ddbcdc("run", "--input", base / "changes.jsonl", "--sink", sinks["json"], *run)
    schema = base / "schema.json"
    schema.write_text(ddbcdc("schema", "--input", sinks["json"], "--format", "json").stdout)
    ddbcdc("run", "--input", base / "misfit.jsonl", "--sink", sinks["json"], *run)
    for layout, extra in (("packed", []), ("typed", ["--schema", schema])):
        for changes in ("changes.jsonl", "misfit.jsonl"):
            ddbcdc("run", "--input", base / changes, "--sink", sinks[layout], "--format", "parquet", *extra, *run)
    return {"base": base, "sinks": sinks, "schema": schema, "final": final, "misfit_key": key, "records": len(records) + 1}


def test_the_objects_are_the_layouts_the_notebook_tells_apart(landed):
    """What the rest relies on: `_item` only in packed objects, `_rescued_data` in typed ones, the
    price a DECIMAL of the schema's scale, and the misfit rescued by the writer, not rounded."""
    price = declared_price(landed)
    assert price.startswith("decimal(38,") and int(price[len("decimal(38,") : -1]) < 12, price
    packed = sorted(landed["sinks"]["packed"].rglob("*.parquet"))
    typed = sorted(landed["sinks"]["typed"].rglob("*.parquet"))
    assert len(packed) == len(typed) == len(list(landed["sinks"]["json"].rglob("*.ndjson.gz"))) > 5
    packed_names = pq.read_schema(packed[0]).names
    typed_schema = pq.read_schema(typed[0])
    assert "_item" in packed_names and "price" not in packed_names
    assert "_item" not in typed_schema.names and "_rescued_data" in typed_schema.names
    assert str(typed_schema.field("price").type) == price.replace("decimal(", "decimal128(").replace(",", ", ")
    rescued = [r for f in typed for r in pq.read_table(f, columns=["price", "_rescued_data"]).to_pylist() if r["_rescued_data"]]
    assert rescued == [{"price": None, "_rescued_data": '{"price":' + MISFIT_PRICE + "}"}]


def declared_price(landed):
    return {f["name"]: f["type"] for f in json.loads(landed["schema"].read_text())["fields"]}["price"]


def stream_into_engines(spark, ddbcdc, landed, layout, tmp_path):
    """The generated notebook's own stream (read_changes → merge_batch: layout, exactness check,
    quarantine, dedupe) with its MERGE applied by DuckDB and delta-rs from merge_plan.json."""
    args = ["--source", landed["sinks"][layout], "--table", "lake.cdc.fleet", "--keys", "pk,sk", "--schema", landed["schema"]]
    if layout != "json":
        args += ["--format", "parquet"]
    files = emit(ddbcdc, tmp_path / f"out-{layout}", *args)
    plan = json.loads(files["merge_plan.json"].read_text())
    quarantine = "ddbcdc_quarantine_" + uuid.uuid4().hex
    ns = load_notebook(files["notebook.py"], {
        "source_format": "json" if layout == "json" else "parquet", "mode": "none",
        "checkpoint_location": str(tmp_path / f"checkpoint-{layout}"), "max_files_per_trigger": 1000 if layout == "json" else 5,
        "target_table": "`ddbcdc_parquet_target_absent`", "quarantine_table": quarantine,
    }, spark)
    # The table as setup.sql declares it: the schema's columns and the rescued-data column.
    schema = arrow_schema(json.loads(landed["schema"].read_text())).append(pa.field("_rescued_data", pa.string()))
    engines = {"duckdb": DuckDBEngine(plan, schema), "delta-rs": DeltaEngine(plan, schema, tmp_path / f"delta-{layout}")}
    merged = []

    def apply_merge(prepared, batch_id):
        rows = [row.asDict(recursive=True) for row in prepared.collect()]
        merged.append(rows)
        for engine in engines.values():
            engine.apply(rows, batch_id)

    ns["apply_merge"] = apply_merge
    query = ns["start_stream"](spark)
    query.awaitTermination(300)
    assert query.exception() is None, query.exception()
    quarantined = [r.asDict() for r in spark.table(quarantine).collect()]
    spark.sql(f"DROP TABLE {quarantine}")
    return {"engines": engines, "metrics": ns["BATCH_METRICS"], "quarantined": quarantined, "merged": merged}


@pytest.fixture(scope="module")
def streamed(spark, ddbcdc, landed, tmp_path_factory):
    base = tmp_path_factory.mktemp("streamed")
    return {layout: stream_into_engines(spark, ddbcdc, landed, layout, base) for layout in LAYOUTS}


def table(engine):
    return sorted(json.dumps(normalized(r), sort_keys=True, default=str) for r in engine.rows())


@pytest.mark.parametrize("layout", ["packed", "typed"])
@pytest.mark.parametrize("engine", ["duckdb", "delta-rs"])
def test_the_merge_of_parquet_objects_gives_the_table_ndjson_gives(streamed, landed, layout, engine):
    got = streamed[layout]["engines"][engine]
    assert table(got) == table(streamed["json"]["engines"][engine]), f"{layout} on {engine} differs from the NDJSON path"
    # …and that table is the source items' final state (the misfit change not applied).
    current = {tuple(r[k] for k in KEYS): r for r in got.rows() if not r["is_deleted"]}
    assert set(current) == set(landed["final"])
    for key, item in landed["final"].items():
        row = {k: v for k, v in current[key].items() if k not in METADATA and v is not None}
        assert normalized(row) == normalized(item), (layout, key)
    deleted = [r for r in got.rows() if r["is_deleted"]]
    assert len(deleted) > 3, "soft deletes kept as tombstones"


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_row_read_once_and_numbers_exact_at_the_merge(streamed, landed, layout):
    run = streamed[layout]
    assert sum(m["rows"] for m in run["metrics"]) == landed["records"], "every change read, once"
    if layout != "json":  # the reference takes one micro-batch; the Parquet streams several
        assert len(run["metrics"]) >= 2, "several micro-batches"
    prices = [row["price"] for batch in run["merged"] for row in batch if row.get("price") is not None]
    assert prices and all(isinstance(p, Decimal) for p in prices), "typed DECIMAL at the MERGE, never DOUBLE"
    # The workload's 34-digit prices: a DOUBLE keeps 17.
    assert any(len(p.as_tuple().digits) > 30 for p in prices)
    assert all("_item" not in row and "_ddbcdc_reader_rescued" not in row for batch in run["merged"] for row in batch)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_price_with_more_places_than_the_scale_is_quarantined_and_counted(streamed, landed, layout):
    run = streamed[layout]
    (misfit,) = run["quarantined"]
    assert tuple(json.loads(misfit["keys"])[k] for k in KEYS) == landed["misfit_key"]
    assert (misfit["column"], misfit["declared_type"], misfit["value"]) == ("price", declared_price(landed), MISFIT_PRICE)
    assert misfit["reason"].startswith("scale: 12 decimal place(s)"), misfit["reason"]
    if layout == "typed":
        assert misfit["reason"].endswith('rescued when written: {"price":' + MISFIT_PRICE + "}")
    assert sum(m["quarantined_rows"] for m in run["metrics"]) == 1
    assert [m["misfits"] for m in run["metrics"] if m["misfits"]] == [{"price": 1}]


@pytest.mark.parametrize("layout", ["packed", "typed"])
def test_dlt_pipeline_reads_either_layout_and_its_expectation_drops_what_the_quarantine_keeps(
        spark, ddbcdc, landed, layout, tmp_path, monkeypatch):
    import sys

    from test_spark import FakeDLT

    files = emit(ddbcdc, tmp_path / "out", "--source", landed["sinks"][layout], "--table", "lake.cdc.fleet", "--keys", "pk,sk",
                 "--schema", landed["schema"], "--format", "parquet")
    fake = FakeDLT()
    monkeypatch.setitem(sys.modules, "dlt", fake)
    ns = load_notebook(files["dlt_pipeline.py"], {"source_format": "parquet"}, spark)
    (_, expectations, _), = fake.expectations
    (quarantine,) = [t for t in fake.tables if "query" in t]
    kept, quarantined = [], []

    def each_batch(raw, _):
        # DLT resolves the raw view by name (spark.readStream.table); here each micro-batch of the
        # raw view's own stream stands in for it, and the pipeline's two queries run on it.
        ns["checked_changes"] = lambda: ns["checked_layout"](raw, ns["TABLE_SCHEMA"])
        changes = ns["ddbcdc_changes"]()
        for condition in expectations.values():
            changes = changes.filter(condition)  # what expect_all_or_drop keeps
        kept.extend(changes.collect())
        quarantined.extend(quarantine["query"]().collect())

    raw = ns["ddbcdc_raw_changes"]()
    assert raw.isStreaming
    query = (raw.writeStream.foreachBatch(each_batch).option("checkpointLocation", str(tmp_path / "checkpoint"))
             .trigger(availableNow=True).start())
    query.awaitTermination(300)
    assert query.exception() is None, query.exception()

    assert len(kept) == landed["records"] - 1
    assert all(isinstance(r["price"], Decimal) for r in kept if r["price"] is not None)
    assert "_item" not in kept[0].asDict() and "qty" in kept[0].asDict()
    assert [(tuple(json.loads(r["keys"])[k] for k in KEYS), r["column"], r["value"]) for r in quarantined] == [
        (landed["misfit_key"], "price", MISFIT_PRICE)]


def batch(spark, rows, schema):
    return spark.createDataFrame(rows, schema)


@pytest.fixture(scope="module")
def notebook(ddbcdc, landed, tmp_path_factory):
    files = emit(ddbcdc, tmp_path_factory.mktemp("nb") / "out", "--source", "/tmp/absent", "--table", "lake.cdc.fleet",
                 "--keys", "pk,sk", "--schema", landed["schema"], "--format", "parquet")
    return load_notebook(files["notebook.py"], {"mode": "none", "target_table": "`ddbcdc_parquet_target_absent`"})


PACKED = ("_eventName string, _eventId string, _seq string, _approxStreamTs bigint, _ingestTs bigint, "
          "is_deleted boolean, _ttlDelete boolean, _item string")


def packed_row(item, seq="1"):
    return ("MODIFY", "e" + seq, seq, 1767225600000, None, False, False, item)


def test_a_packed_items_numbers_keep_their_exact_text_and_new_members_are_read_as_text(spark, notebook):
    """Spark's from_json would read 1.2345678901234567890 into a STRING as a DOUBLE's digits: the
    item's members are cut from its text instead. A member the schema lacks becomes a STRING column
    in the notebook's micro-batch (as Auto Loader adds one for NDJSON), a misfit in the pipeline."""
    ns = notebook
    item = ('{"pk":"a","sk":"b","price":123456789012345678901234567890.1234,"qty":7,'
            '"meta":{"color":"r\\u00e9d","dims":[1.50,2E+1]},"active":true,"extra":{"n":1.2345678901234567890}}')
    df = batch(spark, [packed_row(item)], PACKED)
    table = ns["table_schema"](spark)
    (row,) = ns["checked_layout"](df, table, new_members=True).collect()
    assert row["price"] == "123456789012345678901234567890.1234"
    assert row["meta"] == '{"color":"r\\u00e9d","dims":[1.50,2E+1]}', "a nested value's JSON as written"
    assert row["active"] is True and row["extra"] == '{"n":1.2345678901234567890}'
    assert row["__ddbcdc_misfits"] == [] and row["_rescued_data"] is None
    typed = ns["typed"](ns["checked_layout"](df, table, new_members=True), table).collect()[0]
    assert typed["price"] == Decimal("123456789012345678901234567890.1234")
    assert typed["meta"]["dims"] == [Decimal("1.5"), Decimal("20")]

    (row,) = ns["checked_layout"](df, table).collect()
    assert "extra" not in row.asDict()
    assert [(m["column"], m["value"]) for m in row["__ddbcdc_misfits"]] == [("extra", '{"n":1.2345678901234567890}')]


def test_a_packed_item_that_is_not_of_its_declared_types_is_rescued(spark, notebook):
    ns = notebook
    table = ns["table_schema"](spark)
    rows = [packed_row('{"pk":"a","sk":"b","active":"yes"}', "1"), packed_row("not json", "2"), packed_row(None, "3")]
    checked = {r["_seq"]: r for r in ns["checked_layout"](batch(spark, rows, PACKED), table).collect()}
    assert [m["column"] for m in checked["1"]["__ddbcdc_misfits"]] == ["_rescued_data"]
    assert checked["1"]["_rescued_data"] == '{"pk":"a","sk":"b","active":"yes"}'
    assert checked["2"]["_rescued_data"] == "not json" and checked["2"]["__ddbcdc_misfits"][0]["column"] == "_rescued_data"
    assert [m["column"] for m in checked["3"]["__ddbcdc_misfits"]] == ["_item"], "a row without _item is not merged as empty"


def test_a_typed_rows_rescued_attributes_are_one_misfit_each(spark, notebook):
    ns = notebook
    table = ns["table_schema"](spark)
    schema = ("_eventName string, _eventId string, _seq string, _approxStreamTs bigint, _ingestTs bigint, is_deleted boolean, "
              "_ttlDelete boolean, pk string, sk string, qty decimal(38,4), _rescued_data string")
    rescued = '{"qty":"five","colour":[1.25]}'
    df = batch(spark, [("MODIFY", "e1", "1", 1, None, False, False, "a", "b", None, rescued),
                       ("MODIFY", "e2", "2", 1, None, False, False, "c", "d", Decimal("7.5"), None)], schema)
    checked = {r["_seq"]: r for r in ns["checked_layout"](df, table).collect()}
    misfits = checked["1"]["__ddbcdc_misfits"]
    assert [(m["column"], m["value"]) for m in misfits] == [("qty", "five"), ("colour", "[1.25]")]
    assert misfits[0]["reason"].startswith("type: a string where decimal(38,") and misfits[0]["reason"].endswith(rescued)
    assert misfits[1]["reason"].startswith("not in the schema") and misfits[1]["declared_type"] == ""
    assert checked["2"]["__ddbcdc_misfits"] == [] and checked["2"]["qty"] == Decimal("7.5")


@pytest.mark.parametrize("text,members", [
    ('{"a":1.50,"b":"x\\"y","c":[1E+2,{"d":null}]}', [("a", "1.50"), ("b", "x\"y"), ("c", '[1E+2,{"d":null}]')]),
    (' { "a" : -0.0 , "b" : true } ', [("a", "-0.0"), ("b", "true")]),
    ("{}", []),
])
def test_json_members_cut_each_value_from_the_text(notebook, text, members):
    got = notebook["json_members"](text)
    assert [(name, notebook["_value_text"](raw, value)) for name, raw, value in got] == members


@pytest.mark.parametrize("text", ["", "[1]", '{"a":1', '{"a":1}x', '{"a" 1}', "null"])
def test_json_members_refuse_what_is_not_one_object(notebook, text):
    assert notebook["json_members"](text) is None
