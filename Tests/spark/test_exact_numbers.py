"""Numbers stay exact all the way into the table. The generated notebook's own stream (local PySpark,
format("json") in place of cloudFiles) reads objects `ddbcdc run` wrote from DynamoDB changes whose
later values have larger scales, more digits, changed types and new attributes; its MERGE (from
merge_plan.json) is applied to a real Delta table by delta-rs. Every value in the table must equal the
source exactly, and every value that does not fit its declared column must be in the quarantine table
with its reason, never rounded or nulled."""
import json
import uuid
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest
from deltalake import DeltaTable, write_deltalake

from conftest import FakeDbutils, emit, load_notebook
from engines import arrow_type
from workload import plain, write_events

EPOCH0 = 1767225600
KEYS = ("pk", "sk")


class Changes:
    """DynamoDB stream records with increasing sequence numbers and times."""

    def __init__(self):
        self.records, self.seq, self.t = [], 5 * 10**20, EPOCH0

    def put(self, key, image, event="MODIFY"):
        self.seq += 1000
        self.t += 7
        full = {"pk": {"S": key}, "sk": {"S": "S"}, **image}
        self.records.append({
            "eventID": f"{self.seq:032x}", "eventName": event, "eventVersion": "1.1", "eventSource": "aws:dynamodb",
            "awsRegion": "eu-west-1", "eventSourceARN": "arn:aws:dynamodb:eu-west-1:1:table/t/stream/x",
            "dynamodb": {"ApproximateCreationDateTime": self.t, "Keys": {"pk": {"S": key}, "sk": {"S": "S"}},
                         "NewImage": full, "SequenceNumber": str(self.seq), "SizeBytes": 100,
                         "StreamViewType": "NEW_AND_OLD_IMAGES"},
        })
        return self.records[-1]


def base_image(amt, price, qty="3", w="2.5"):
    return {"amt": {"N": amt}, "price": {"N": price}, "qty": {"N": qty}, "flag": {"BOOL": True}, "name": {"S": "Zoë"},
            "meta": {"M": {"w": {"N": w}, "tag": {"S": "a"}}}, "dims": {"L": [{"N": "1.5"}, {"N": "2"}]}}


def workload():
    """(first, later, misfits, ids): the changes the schema is inferred from, the later ones, the
    (key, column, reason word) of every later value that cannot fit the inferred types, and the
    eventIDs of the changes holding them."""
    c = Changes()
    for key, amt, price in [("k1", "1.5", "19.9"), ("k2", "10", "19.9"), ("k3", "0.5", "7"), ("k4", "2", "1"),
                            ("k6", "1", "1"), ("k7", "1", "1")]:
        c.put(key, base_image(amt, price), "INSERT")
    first, c.records = c.records, []
    misfits = set()
    ids = set()

    def misfit(key, column, word):
        misfits.add((key, column, word))
        ids.add(c.records[-1]["eventID"])
    c.put("k1", base_image("1.25", "19.9"))                       # the issue's case: 1.5, then 1.25
    c.put("k2", base_image("10", "19.95"))                        # a price sampled as 19.9, then 19.95
    c.put("k2", base_image("3.1234567", "19.95"))                 # more places than the declared scale
    misfit("k2", "amt", "scale")
    c.put("k3", {**base_image("0.5", "7"), "qty": {"S": "five"}})  # a number became a string
    misfit("k3", "qty", "type")
    c.put("k4", base_image("2", "1234567890123456789012345678901234.5"))  # more integer digits than room
    misfit("k4", "price", "precision")
    c.put("k5", {**base_image("1", "1"), "flag": {"S": "yes"}}, "INSERT")  # a boolean became a string
    misfit("k5", "_rescued_data", "rescued")
    c.put("k6", base_image("1", "1", w="2.123456789"))            # a nested number with more places
    misfit("k6", "meta", "scale")
    c.put("k7", {**base_image("1", "1"), "dims": {"L": [{"N": "1.5"}, {"S": "x"}]}})  # a nested type change
    misfit("k7", "dims", "type")
    # A new attribute, and 36 significant digits that fit (a DOUBLE would keep 17).
    c.put("k8", {**base_image("1234567890123456789012345678901.12345", "0.0001"),
                 "weight": {"N": "12.3456789012345678901234567890"}}, "INSERT")
    c.put("k1", {**base_image("1.25", "19.9"), "dims": {"L": [{"N": "1.75"}, {"N": "3"}]}})
    return first, c.records, misfits, ids


@pytest.fixture(scope="module")
def landed(tmp_path_factory, ddbcdc):
    base = tmp_path_factory.mktemp("exact")
    first, later, misfits, ids = workload()
    sink = base / "sink"
    write_events(first, base / "first.jsonl", batch=3)
    ddbcdc("run", "--input", base / "first.jsonl", "--sink", sink, "--quiet", "--max-records", "3", "--max-seconds", "0")
    inferred = ddbcdc("schema", "--input", sink, "--format", "json")
    (base / "schema.json").write_text(inferred.stdout)
    write_events(later, base / "later.jsonl", batch=2)
    ddbcdc("run", "--input", base / "later.jsonl", "--sink", sink, "--quiet", "--max-records", "2", "--max-seconds", "0")
    return {"base": base, "sink": sink, "schema": base / "schema.json", "warnings": inferred.stderr,
            "records": first + later, "misfits": misfits, "misfit_ids": ids}


def test_schema_gives_headroom_and_warns_where_scales_vary(landed):
    fields = {f["name"]: f["type"] for f in json.loads(landed["schema"].read_text())["fields"]}
    assert fields["amt"] == "decimal(38,5)"  # scale 1 seen, 4 more declared
    assert fields["qty"] == "decimal(38,4)"
    assert "column `amt`: observed scales vary from 0 to 1" in landed["warnings"]
    assert "column `price`" in landed["warnings"] and "column `qty`" not in landed["warnings"]


def delta_table_like_setup_sql(path, table_schema):
    """The target as setup.sql declares it: keys NOT NULL, Change Data Feed on."""
    fields = [pa.field(f["name"], arrow_type(f["type"]), nullable=f["name"] not in KEYS) for f in table_schema["fields"]]
    schema = pa.schema(fields)
    write_deltalake(str(path), schema.empty_table(), configuration={"delta.enableChangeDataFeed": "true"})


def delta_merge(path, plan):
    """apply_merge for the local run: the notebook's prepared batch, merged into the Delta table by
    delta-rs with the plan's clauses (new columns added, as MERGE WITH SCHEMA EVOLUTION does)."""
    def apply(prepared, batch_id):
        source = prepared.toArrow()
        merger = DeltaTable(str(path)).merge(source, predicate=plan["on"]["spark"], source_alias="s", target_alias="t",
                                             merge_schema=True)
        for clause in plan["clauses"]:
            condition = clause["condition"]["spark"] if clause["condition"] else None
            if (clause["when"], clause["then"]) == ("matched", "update_all"):
                merger = merger.when_matched_update_all(predicate=condition)
            elif (clause["when"], clause["then"]) == ("matched", "delete"):
                merger = merger.when_matched_delete(predicate=condition)
            else:
                merger = merger.when_not_matched_insert_all(predicate=condition)
        merger.execute()
    return apply


def run_notebook(spark, ddbcdc, landed, tmp_path, *extra, on_misfit=None):
    files = emit(ddbcdc, tmp_path / "out", "--source", landed["sink"], "--table", "main.cdc.exact", "--keys", "pk,sk",
                 "--schema", landed["schema"], *extra)
    plan = json.loads(files["merge_plan.json"].read_text())
    # A managed table of the local session: a fresh name each run, dropped by the test.
    quarantine = "ddbcdc_quarantine_" + uuid.uuid4().hex
    overrides = {"source_format": "json", "mode": "none", "checkpoint_location": str(tmp_path / "checkpoint"),
                 "max_files_per_trigger": 2, "target_table": "`ddbcdc_exact_target_absent`",
                 "quarantine_table": quarantine}
    if on_misfit:
        overrides["on_misfit"] = on_misfit
    dbutils = FakeDbutils()
    ns = load_notebook(files["notebook.py"], overrides, spark, dbutils)
    delta = tmp_path / "delta"
    delta_table_like_setup_sql(delta, json.loads(ns["TABLE_SCHEMA_JSON"]))
    # Auto Loader (addNewColumns, inferColumnTypes false) adds a new attribute as STRING; a plain
    # file stream reads only the columns it is given, so the test names it.
    ns["SOURCE_SCHEMA"] += ", `weight` STRING"
    ns["apply_merge"] = delta_merge(delta, plan)
    # The job's task as the notebook's last cell runs it (mode "stream"), but for setup.sql's
    # statements, whose catalog names the local session does not have.
    ns["ensure_table"] = lambda session: None
    queries = []
    start_stream = ns["start_stream"]
    ns["start_stream"] = lambda session: queries.append(start_stream(session)) or queries[-1]
    ns["SETTINGS"]["mode"] = "stream"
    try:
        ns["run_task"](spark)
    except Exception:  # noqa: BLE001 -- a failed stream raises here; query.exception() holds it
        pass
    (query,) = queries
    return ns, query, delta, quarantine, dbutils


def quarantined_here(spark, quarantine):
    """The quarantine table's entries and the changes they hold (distinct rows of a batch)."""
    rows = spark.table(quarantine).collect()
    return len(rows), len({(r["batch_id"], r["row_json"]) for r in rows})


def expected_state(records, misfit_ids):
    """Per key, the newest change whose every value fits: what the table must hold."""
    state = {}
    for record in records:
        if record["eventID"] not in misfit_ids:
            image = record["dynamodb"]["NewImage"]
            state[image["pk"]["S"]] = {name: plain(av) for name, av in image.items()}
    return state


def test_notebook_stream_keeps_every_number_exact_and_quarantines_every_misfit(spark, ddbcdc, landed, tmp_path):
    ns, query, delta, quarantine, dbutils = run_notebook(spark, ddbcdc, landed, tmp_path)
    assert query.exception() is None, query.exception()

    table = DeltaTable(str(delta))
    types = {f.name: str(f.type) for f in table.to_pyarrow_table().schema}
    assert types["amt"] == "decimal128(38, 5)" and types["weight"] in ("string", "large_string", "string_view")
    rows = {r["pk"]: r for r in table.to_pyarrow_table().to_pylist()}
    expected = expected_state(landed["records"], landed["misfit_ids"])
    assert set(rows) == set(expected)
    assert rows["k1"]["amt"] == Decimal("1.25") and rows["k1"]["dims"] == [Decimal("1.75"), Decimal("3")]
    assert rows["k2"]["price"] == Decimal("19.95")
    assert rows["k8"]["amt"] == Decimal("1234567890123456789012345678901.12345")
    assert rows["k8"]["weight"] == "12.3456789012345678901234567890", "a new attribute keeps its exact text"
    for key, item in expected.items():
        row = rows[key]
        for name, value in item.items():
            got = row[name]
            if name == "meta":
                got = {k: v for k, v in got.items() if v is not None}
            if name == "weight":
                got = Decimal(got)
            assert got == value, (key, name, got, value)
            if isinstance(value, Decimal):
                assert str(got.normalize()) == str(value.normalize()), (key, name)  # same digits, nothing rounded

    assert sum(m["rows"] for m in ns["BATCH_METRICS"]) == len(landed["records"]), "every row read, once"

    got = spark.table(quarantine).collect()
    found = {(json.loads(r["keys"])["pk"], r["column"]) for r in got}
    assert found == {(k, c) for k, c, _ in landed["misfits"]}
    for r in got:
        word = next(w for k, c, w in landed["misfits"] if (k, c) == (json.loads(r["keys"])["pk"], r["column"]))
        assert r["reason"].startswith(word) or word in r["reason"], (r["column"], r["reason"])
        assert r["order_key"] and json.loads(r["row_json"])["pk"] == json.loads(r["keys"])["pk"]
    by_value = {(json.loads(r["keys"])["pk"], r["column"]): r["value"] for r in got}
    assert by_value[("k2", "amt")] == "3.1234567" and by_value[("k4", "price")] == "1234567890123456789012345678901234.5"
    assert by_value[("k3", "qty")] == "five"
    assert sum(m["quarantined_rows"] for m in ns["BATCH_METRICS"]) == len(landed["misfits"])
    counted = {}
    for m in ns["BATCH_METRICS"]:
        for column, n in m["misfits"].items():
            counted[column] = counted.get(column, 0) + n
    assert counted == {c: 1 for _, c, _ in landed["misfits"]}
    # The job's output: the run's counts as task values and as the notebook's exit value, the same as
    # the quarantine table holds (entries over several micro-batches; here one misfit per change).
    entries, changes = quarantined_here(spark, quarantine)
    assert (entries, changes) == (len(landed["misfits"]), len(landed["misfit_ids"]))
    assert dbutils.task_values == {"quarantined": entries, "quarantined_changes": changes}
    assert [json.loads(value) for value in dbutils.exit_values] == [dbutils.task_values]
    spark.sql(f"DROP TABLE {quarantine}")


def test_the_issues_case_1_5_then_1_25_reaches_the_merge_exactly(spark, ddbcdc, tmp_path):
    """Generated from objects where amt was 1.5, the notebook's stream must hand 1.25 to the MERGE as
    1.25 (Spark's JSON reader into DECIMAL(38,1) gives 1.3)."""
    c = Changes()
    c.put("a", {"amt": {"N": "1.5"}}, "INSERT")
    write_events(c.records, tmp_path / "first.jsonl")
    sink = tmp_path / "sink"
    ddbcdc("run", "--input", tmp_path / "first.jsonl", "--sink", sink, "--quiet", "--max-seconds", "0")
    (tmp_path / "schema.json").write_text(ddbcdc("schema", "--input", sink, "--format", "json").stdout)
    c.records = []
    c.put("a", {"amt": {"N": "1.25"}})
    c.put("b", {"amt": {"N": "19.95"}}, "INSERT")
    write_events(c.records, tmp_path / "later.jsonl")
    ddbcdc("run", "--input", tmp_path / "later.jsonl", "--sink", sink, "--quiet", "--max-seconds", "0")
    files = emit(ddbcdc, tmp_path / "out", "--source", sink, "--table", "main.cdc.amounts", "--keys", "pk,sk",
                 "--schema", tmp_path / "schema.json")
    ns = load_notebook(files["notebook.py"], {"source_format": "json", "mode": "none", "target_table": "`ddbcdc_absent`",
                                              "checkpoint_location": str(tmp_path / "checkpoint")}, spark)
    merged = []
    ns["apply_merge"] = lambda prepared, batch_id: merged.extend(prepared.collect())
    query = ns["start_stream"](spark)
    query.awaitTermination(300)
    assert query.exception() is None
    newest = {}
    for row in merged:
        if row["_seq"] > newest.get(row["pk"], ("", None))[0]:
            newest[row["pk"]] = (row["_seq"], row["amt"])
    assert {pk: amt for pk, (_, amt) in newest.items()} == {"a": Decimal("1.25"), "b": Decimal("19.95")}


def test_on_misfit_fail_stops_the_stream_after_quarantining(spark, ddbcdc, landed, tmp_path):
    ns, query, delta, quarantine, dbutils = run_notebook(spark, ddbcdc, landed, tmp_path, "--on-misfit", "fail")
    error = query.exception()
    assert error is not None and "do not fit their columns" in str(error), error
    assert spark.table(quarantine).count() >= 1
    # A failed run still tells its counts (task values), and does not end as if it had finished.
    entries, changes = quarantined_here(spark, quarantine)
    assert dbutils.task_values == {"quarantined": entries, "quarantined_changes": changes} and dbutils.exit_values == []
    failed = ns["BATCH_METRICS"][-1]
    assert failed["quarantined_rows"] >= 1
    # The failed batch was not merged: the table holds no change of that batch.
    assert all(m["quarantined_rows"] == 0 for m in ns["BATCH_METRICS"][:-1])
    spark.sql(f"DROP TABLE {quarantine}")


@pytest.mark.parametrize("value,scale,fits", [
    ("1.25", 1, False), ("1.50", 1, True), ("1E+2", 1, True), ("1.5E-1", 1, False), ("1.5E-1", 2, True), ("0.000", 0, True),
    ("-0", 0, True), ("12345678901234567890123456789012345678", 0, True), ("123456789012345678901234567890123456789", 0, False),
    ("1234567890123456789012345678901234.5", 5, False), ("123456789012345678901234567890123.12345", 5, True),
])
def test_decimal_fit_check_is_exact(ddbcdc, landed, tmp_path, value, scale, fits):
    files = emit(ddbcdc, tmp_path / "out", "--source", "/tmp/x", "--table", "a.b.c", "--keys", "pk")
    ns = load_notebook(files["notebook.py"], {"mode": "none"})
    reason = ns["decimal_misfit"](Decimal(value), 38, scale)
    assert (reason is None) == fits, reason


def collect_stream(df, checkpoint):
    rows = []
    query = (df.writeStream.foreachBatch(lambda batch, _: rows.extend(batch.collect()))
             .option("checkpointLocation", str(checkpoint)).trigger(availableNow=True).start())
    query.awaitTermination(300)
    assert query.exception() is None, query.exception()
    return rows


def test_dlt_pipeline_types_exactly_and_its_expectation_drops_what_the_quarantine_keeps(spark, ddbcdc, landed, tmp_path, monkeypatch):
    import sys

    from test_spark import FakeDLT

    files = emit(ddbcdc, tmp_path / "out", "--source", landed["sink"], "--table", "main.cdc.exact", "--keys", "pk,sk",
                 "--schema", landed["schema"])
    fake = FakeDLT()
    monkeypatch.setitem(sys.modules, "dlt", fake)
    ns = load_notebook(files["dlt_pipeline.py"], {"source_format": "json"}, spark)
    # DLT resolves the raw view by name; here its function stands in for it.
    ns["checked_changes"] = lambda: ns["with_misfits"](ns["ddbcdc_raw_changes"](), ns["TABLE_SCHEMA"], "_rescued_data")
    (kind, expectations, _), = fake.expectations
    assert kind == "drop"
    changes = ns["ddbcdc_changes"]()
    for condition in expectations.values():
        changes = changes.filter(condition)  # what expect_all_or_drop keeps
    kept = collect_stream(changes, tmp_path / "c1")
    (quarantine,) = [t for t in fake.tables if "query" in t]
    quarantined = collect_stream(quarantine["query"](), tmp_path / "c2")

    assert len(kept) == len(landed["records"]) - len(landed["misfit_ids"])
    by_event = {r["eventID"]: r["dynamodb"]["NewImage"] for r in landed["records"]}
    for row in kept:
        image = by_event[row["_eventId"]]
        for name in ("amt", "price", "qty"):
            assert row[name] == Decimal(image[name]["N"]), (name, row[name], image[name])
        assert row["meta"]["w"] == Decimal(image["meta"]["M"]["w"]["N"])
    assert any(row["amt"] == Decimal("1.25") for row in kept)
    assert {(json.loads(r["keys"])["pk"], r["column"]) for r in quarantined} == {(k, c) for k, c, _ in landed["misfits"]}
