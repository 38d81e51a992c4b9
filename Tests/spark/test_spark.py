"""The generated artifacts checked by Spark itself: every SQL statement parses with Spark's parser,
the Python compiles, and the notebook's stream runs in local PySpark on objects `ddbcdc run`
wrote (format("json") standing in for cloudFiles) up to the MERGE."""
import json
import sys
import types
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, emit, load_notebook, objects, parse_identifier, parse_sql, read_rows, scala_parts, split_sql

HOSTILE = {
    "catalog": 'we"ird cat',
    "schema": "sch`ema; DROP SCHEMA x --",
    "table": "tä ble'); DROP TABLE y; -- 🚀",
    "keys": ["p'k \"q\" `b`", "s k\tünï"],
    "source": "/tmp/ddbcdc landing/pre'fix \"x\" `y` \\ ü",
}


@pytest.fixture(scope="module")
def landed(tmp_path_factory, ddbcdc):
    """Objects from the project's event generator (every DynamoDB type and its hard cases)."""
    base = tmp_path_factory.mktemp("spark")
    events = base / "events.jsonl"
    import subprocess

    subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_events.py"), "--seed", "21", "--records", "1500",
                    "--batch-size", "100", "--out", str(events)], check=True)
    sink = base / "sink"
    ddbcdc("run", "--input", events, "--sink", sink, "--quiet", "--max-records", "40", "--max-seconds", "0")
    (base / "schema.json").write_text(ddbcdc("schema", "--input", sink, "--format", "json").stdout)
    return {"base": base, "sink": sink, "schema": base / "schema.json"}


@pytest.fixture(scope="module", params=["soft", "hard"])
def artifacts(request, landed, ddbcdc):
    out = landed["base"] / f"out-{request.param}"
    files = emit(ddbcdc, out, "--source", landed["sink"], "--table", "main.cdc.fleet_devices", "--keys", "pk,sk",
                 "--schema", landed["schema"], "--delete-mode", request.param, "--grant-select", "data readers")
    return request.param, files


def test_python_compiles(artifacts):
    _, files = artifacts
    for name in ("notebook.py", "dlt_pipeline.py"):
        source = files[name].read_text(encoding="utf-8")
        compile(source, name, "exec")
        assert source.startswith("# Databricks notebook source\n")
        assert "\n# COMMAND ----------\n" in source


def test_every_sql_statement_parses_with_sparks_parser(spark, artifacts):
    mode, files = artifacts
    statements = split_sql(files["setup.sql"].read_text(encoding="utf-8"))
    kinds = []
    for statement in statements:
        if statement.startswith("GRANT "):
            # GRANT is Unity Catalog's, outside open-source Spark's grammar (it refuses it by name);
            # its parts are checked with Spark's identifier parser instead.
            head, principal = statement.rsplit(" TO ", 1)
            securable = head.split(" ON TABLE ", 1)[1]
            assert parse_identifier(spark, securable)[-1].startswith("fleet_devices")
            assert parse_identifier(spark, principal) == ["data readers"]
            kinds.append("Grant")
            continue
        kinds.append(parse_sql(spark, statement).getClass().getSimpleName())
    # The table, its quarantine table, (soft) the current-rows view and the tombstone clean-up.
    expected = ["CreateNamespace", "CreateTable", "CreateTable"] + (["CreateView", "DeleteFromTable"] if mode == "soft" else [])
    assert kinds[: len(expected)] == expected
    assert kinds.count("Grant") == (2 if mode == "soft" else 1)

    ns = load_notebook(files["notebook.py"], {"mode": "none"})
    for sql in ns["SETUP_STATEMENTS"] + [ns["DEDUPE_SQL"], ns["MERGE_SQL"]] + ([ns["CLEANUP_SQL"]] if ns["CLEANUP_SQL"] else []):
        parse_sql(spark, sql)
    merge = parse_sql(spark, ns["MERGE_SQL"])
    assert merge.getClass().getSimpleName() == "MergeIntoTable"
    assert merge.withSchemaEvolution()
    assert scala_parts(merge.targetTable().child().multipartIdentifier()) == ["main", "cdc", "fleet_devices"]
    assert merge.matchedActions().length() == (1 if mode == "soft" else 2)
    parser = spark._jsparkSession.sessionState().sqlParser()
    parser.parseTableSchema(ns["SCHEMA_HINTS"])
    parser.parseTableSchema(ns["SOURCE_SCHEMA"])
    plan = json.loads(files["merge_plan.json"].read_text())
    # merge_plan.json names every column (for engines that match * by position); the notebook's MERGE
    # is Delta's, by name, with schema evolution. Same join and clauses otherwise.
    named = parse_sql(spark, plan["merge_sql"]["spark"])
    assert named.getClass().getSimpleName() == "MergeIntoTable" and not named.withSchemaEvolution()
    assert "*" not in plan["merge_sql"]["spark"] and plan["columns"][:2] == ["pk", "sk"]
    assert named.matchedActions().length() == merge.matchedActions().length()


def test_job_and_bundle(artifacts):
    mode, files = artifacts
    job = json.loads(files["job.json"].read_text())
    assert job["max_concurrent_runs"] == 1 and "schedule" in job
    tasks = {t["task_key"]: t for t in job["tasks"]}
    assert tasks["merge_changes"]["notebook_task"]["base_parameters"] == {"mode": "stream"}
    assert ("cleanup_tombstones" in tasks) == (mode == "soft")
    bundle = yaml.safe_load(files["databricks.yml"].read_text())
    bundle_job = bundle["resources"]["jobs"]["ddbcdc_merge"]
    assert bundle_job["tasks"][0]["notebook_task"]["notebook_path"] == "./notebook.py"
    pipeline = bundle["resources"]["pipelines"]["ddbcdc_dlt"]
    assert pipeline["libraries"] == [{"file": {"path": "./dlt_pipeline.py"}}]
    assert (pipeline["catalog"], pipeline["schema"]) == ("main", "cdc")


def test_failure_notifications_reach_the_job_the_bundle_and_the_pipeline(ddbcdc, tmp_path):
    """--notify-email and --notify-webhook-id (each repeatable) become the job's on-failure
    notifications, in job.json and in the bundle's job, and the pipeline's failure alerts (email
    only: a pipeline takes no destination ids); none without them; a webhook URL is refused."""
    hooks = ["0481e838-0a59-4eff-9541-a4ca6f149574", "9BD4C7A3-1F0E-4B5A-8C6D-2E7F3A9B0C1D"]
    emails = ["oncall@example.com", "data+cdc@example.org"]
    base = ["--source", "s3://b/p", "--table", "main.cdc.t", "--keys", "pk"]
    files = emit(ddbcdc, tmp_path / "with", *base, "--notify-email", emails[0], "--notify-webhook-id", hooks[0],
                 "--notify-email", emails[1], "--notify-webhook-id", hooks[1])
    bundle = yaml.safe_load(files["databricks.yml"].read_text())
    for job in (json.loads(files["job.json"].read_text()), bundle["resources"]["jobs"]["ddbcdc_merge"]):
        assert job["email_notifications"] == {"on_failure": emails}
        assert job["webhook_notifications"] == {"on_failure": [{"id": hook} for hook in hooks]}
        assert job["notification_settings"] == {"no_alert_for_skipped_runs": True, "no_alert_for_canceled_runs": False}
    (alert,) = bundle["resources"]["pipelines"]["ddbcdc_dlt"]["notifications"]
    assert alert["email_recipients"] == emails and {"on-update-failure", "on-flow-failure"} <= set(alert["alerts"])

    plain = emit(ddbcdc, tmp_path / "without", *base)
    bundle = yaml.safe_load(plain["databricks.yml"].read_text())
    for job in (json.loads(plain["job.json"].read_text()), bundle["resources"]["jobs"]["ddbcdc_merge"]):
        assert not {"email_notifications", "webhook_notifications", "notification_settings"} & set(job)
    assert "notifications" not in bundle["resources"]["pipelines"]["ddbcdc_dlt"]

    refused = ddbcdc("emit-notebook", "--out", tmp_path / "refused", *base, "--notify-webhook-id",
                     "https://hooks.slack.com/services/T0/B0/x", check=False)
    assert refused.returncode == 64 and "is not a destination id" in refused.stderr, refused.stderr


class FakeDLT(types.ModuleType):
    """Records what the DLT pipeline declares; runs nothing of Databricks."""

    def __init__(self):
        super().__init__("dlt")
        self.views, self.tables, self.flows, self.expectations = {}, [], [], []

    def view(self, name, comment=None):
        def register(function):
            self.views[name] = function
            return function
        return register

    def table(self, name, comment=None):
        def register(function):
            self.tables.append({"name": name, "query": function})
            return function
        return register

    def expect_all_or_drop(self, expectations):
        def register(function):
            self.expectations.append(("drop", expectations, function))
            return function
        return register

    def expect_all_or_fail(self, expectations):
        def register(function):
            self.expectations.append(("fail", expectations, function))
            return function
        return register

    def create_streaming_table(self, **kwargs):
        self.tables.append(kwargs)

    def create_auto_cdc_flow(self, **kwargs):
        self.flows.append(kwargs)


@pytest.mark.parametrize("scd", ["1", "2"])
def test_dlt_pipeline_declares_auto_cdc_and_its_view_runs(spark, landed, ddbcdc, scd, monkeypatch):
    out = landed["base"] / f"dlt-{scd}"
    files = emit(ddbcdc, out, "--source", landed["sink"], "--table", "main.cdc.fleet_devices", "--keys", "pk,sk",
                 "--schema", landed["schema"], "--scd-type", scd)
    fake = FakeDLT()
    monkeypatch.setitem(sys.modules, "dlt", fake)
    ns = load_notebook(files["dlt_pipeline.py"], {"source_format": "json"}, spark)
    (flow,) = fake.flows
    streaming = [t for t in fake.tables if "query" not in t]
    assert flow["target"] == streaming[0]["name"] == "`main`.`cdc`.`fleet_devices_dlt`"
    assert [t["name"] for t in fake.tables if "query" in t] == ["`main`.`cdc`.`fleet_devices_dlt_quarantine`"]
    assert [(kind, list(e.values())) for kind, e, _ in fake.expectations] == [("drop", ["size(__ddbcdc_misfits) = 0"])]
    assert flow["except_column_list"] == ["__ddbcdc_misfits"]
    assert parse_identifier(spark, flow["target"]) == ["main", "cdc", "fleet_devices_dlt"]
    assert flow["stored_as_scd_type"] == int(scd)
    assert [str(k) for k in flow["keys"]] == ["Column<'pk'>", "Column<'sk'>"]
    assert str(flow["sequence_by"]) == "Column<'_seq'>"
    assert "is_deleted" in str(flow["apply_as_deletes"])
    assert streaming[0]["table_properties"]["pipelines.cdc.tombstoneGCThresholdInSeconds"] == str(30 * 86400)
    # The pipeline reads its raw view by name (spark.readStream.table), which only DLT resolves: here
    # the view's function stands in for it.
    ns["checked_changes"] = lambda: ns["with_misfits"](ns["ddbcdc_raw_changes"](), ns["TABLE_SCHEMA"], "_rescued_data")
    stream = ns["ddbcdc_changes"]()
    assert stream.isStreaming and "_seq" in stream.columns and "__ddbcdc_misfits" in stream.columns


def test_stream_runs_in_local_pyspark_up_to_the_merge(spark, landed, ddbcdc, tmp_path):
    """The notebook's own read_changes → foreachBatch → prepare_batch on real objects; the MERGE is
    captured (and parsed) instead of run, as open-source Spark has no Delta here."""
    files = emit(ddbcdc, tmp_path / "out", "--source", landed["sink"], "--table", "main.cdc.fleet_devices", "--keys", "pk,sk",
                 "--schema", landed["schema"])
    # A local stand-in for the target (no Unity Catalog or Delta here): the observed columns plus two
    # the batches never carry, which align_to_target must add as NULLs for UPDATE SET *.
    from pyspark.sql.types import DecimalType, StructType

    ns = load_notebook(files["notebook.py"], {"mode": "none"})
    spark.sql("DROP TABLE IF EXISTS ddbcdc_local_target")
    declared = StructType.fromJson(json.loads(ns["TABLE_SCHEMA_JSON"])).add("removed attr", DecimalType(38, 2))
    spark.createDataFrame([], declared).write.format("parquet").saveAsTable("ddbcdc_local_target")
    ns = load_notebook(files["notebook.py"], {
        "source_format": "json", "mode": "none", "checkpoint_location": str(tmp_path / "checkpoint"),
        "max_files_per_trigger": 8, "target_table": "`ddbcdc_local_target`",
    }, spark)
    raw_batches, prepared_batches, merges = [], [], []
    original_prepare = ns["prepare_batch"]

    def recording_prepare(batch_df):
        raw_batches.append([(r["pk"], r["sk"], r["_seq"]) for r in batch_df.select("pk", "sk", "_seq").collect()])
        return original_prepare(batch_df)

    def capture_merge(prepared, batch_id):
        prepared_batches.append(prepared.collect())
        merges.append((batch_id, parse_sql(spark, ns["MERGE_SQL"]).getClass().getSimpleName()))

    ns["prepare_batch"], ns["apply_merge"] = recording_prepare, capture_merge
    query = ns["start_stream"](spark)
    query.awaitTermination(240)
    assert query.exception() is None

    all_files = objects(landed["sink"])
    expected_rows = read_rows(all_files)
    assert len(raw_batches) == len(prepared_batches) >= (len(all_files) + 7) // 8
    assert sum(len(b) for b in raw_batches) == len(expected_rows), "every row of every object, once"
    for raw, prepared in zip(raw_batches, prepared_batches):
        newest = {}
        for pk, sk, seq in raw:
            newest[(pk, sk)] = max(newest.get((pk, sk), ""), seq)
        keys = [(r["pk"], r["sk"]) for r in prepared]
        assert len(keys) == len(set(keys)) == len(newest), "one row per key"
        assert {(r["pk"], r["sk"]): r["_seq"] for r in prepared} == newest, "the highest _seq of each key"
    assert all(kind == "MergeIntoTable" for _, kind in merges)

    # dt=/HH= folders are not columns; numbers arrive exact (DECIMAL where they fit, text where not).
    columns = prepared_batches[0][0].asDict().keys()
    assert "dt" not in columns and "HH" not in columns
    assert all(r["removed attr"] is None and r["_rescued_data"] is None for b in prepared_batches for r in b)
    by_event = {r["_eventId"]: r for batch in prepared_batches for r in batch}
    checked = 0
    for row in expected_rows:
        got = by_event.get(row["_eventId"])
        if got is None:
            continue
        for name in ("temp_c", "battery_pct", "updated_at"):
            if row.get(name) is not None:
                assert got[name] == row[name], (name, got[name], row[name])
                checked += 1
        if row.get("calibration") is not None:
            assert Decimal(got["calibration"]) == row["calibration"]  # the exact text, as STRING
            checked += 1
    assert checked > 100


@pytest.mark.parametrize("mode", ["soft", "hard", "parquet"])
def test_checked_in_expected_artifacts_compile_and_parse(spark, mode):
    """The golden files the Swift tests compare against are themselves valid: Python compiles, SQL parses."""
    expected = ROOT / "Tests" / "SparkPlanTests" / "Expected" / mode
    for name in ("notebook.py", "dlt_pipeline.py"):
        compile((expected / name).read_text(encoding="utf-8"), name, "exec")
    for statement in split_sql((expected / "setup.sql").read_text(encoding="utf-8")):
        if not statement.startswith("GRANT "):
            parse_sql(spark, statement)
    plan = json.loads((expected / "merge_plan.json").read_text())
    assert parse_sql(spark, plan["merge_sql"]["spark"]).getClass().getSimpleName() == "MergeIntoTable"
    parse_sql(spark, plan["dedupe_sql"]["spark"])
    json.loads((expected / "job.json").read_text())
    yaml.safe_load((expected / "databricks.yml").read_text())
