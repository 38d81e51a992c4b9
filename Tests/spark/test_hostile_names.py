"""Hostile names (quotes, backticks, spaces, unicode, SQL and Python metacharacters in catalog,
schema, table, key columns and the landing path) produce artifacts that still parse and that
target exactly the intended objects: checked by Spark's parser, by running the notebook's stream
on a landing folder of that name with key columns of those names, and by DuckDB executing the
generated MERGE against a table of that three-part name."""
import gzip
import json

import pyarrow as pa
import pytest

from conftest import emit, load_notebook, parse_identifier, parse_sql, scala_parts, split_sql
from engines import DuckDBEngine, arrow_schema

CATALOG, SCHEMA, TABLE = 'we"ird cat', "sch`ema; DROP SCHEMA x --", "tä ble'); DROP TABLE y; -- 🚀\u202e"
KEYS = ["p'k \"q\" `b`", "s k\tünï.x"]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, ddbcdc):
    base = tmp_path_factory.mktemp("hostile")
    landing = base / "landing pre'fix \"x\" `y` \\ ü {z}"
    folder = landing / "dt=2026-01-01" / "HH=00"
    folder.mkdir(parents=True)
    rows = []
    for i, (event, seq) in enumerate([("INSERT", 1), ("MODIFY", 3), ("INSERT", 2), ("REMOVE", 4), ("MODIFY", 5)]):
        key = i % 2
        rows.append({KEYS[0]: f"a'{key}", KEYS[1]: "b`\"", "val'ue": str(i), "_eventName": event, "_eventId": f"e{i}",
                     "_seq": f"1767225600{seq:03d}-{seq:040d}", "_approxStreamTs": 1767225600000 + seq,
                     "is_deleted": event == "REMOVE", "_ttlDelete": False})
    with gzip.open(folder / "batch.ndjson.gz", "wt", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    schema = base / "schema.json"
    schema.write_text(ddbcdc("schema", "--input", landing, "--format", "json").stdout)
    config = base / "config.json"
    config.write_text(json.dumps({
        "source": str(landing),
        "table": ".".join("`" + p.replace("`", "``") + "`" for p in (CATALOG, SCHEMA, TABLE)),
        "keys": KEYS, "schema": str(schema), "grant_select": ["team `x`'s \"readers\""],
        "app_id": "app'\"\\id", "job_name": "job \"name\"\n--", "notebook_path": "/Workspace/a b/'c'",
    }, ensure_ascii=False))
    files = emit(ddbcdc, base / "out", "--config", config)
    return {"base": base, "landing": landing, "files": files, "rows": rows, "schema": schema}


def name_of(node):
    """The name parts of an unresolved identifier or relation in a parsed plan."""
    for method in ("nameParts", "multipartIdentifier"):
        try:
            return scala_parts(getattr(node, method)())
        except Exception:
            continue
    raise AssertionError(f"no name in {node.getClass().getSimpleName()}")


def test_python_reads_back_the_names(hostile):
    for name in ("notebook.py", "dlt_pipeline.py"):
        compile(hostile["files"][name].read_text(encoding="utf-8"), name, "exec")
    ns = load_notebook(hostile["files"]["notebook.py"], {"mode": "none"})
    assert ns["SETTINGS"]["source_path"] == str(hostile["landing"])
    assert ns["SETTINGS"]["app_id"] == "app'\"\\id"
    assert ns["KEY_COLUMNS"] == KEYS
    job = json.loads(hostile["files"]["job.json"].read_text())
    assert job["name"] == "job \"name\"\n--"
    assert job["tasks"][0]["notebook_task"]["notebook_path"] == "/Workspace/a b/'c'"
    import yaml

    bundle = yaml.safe_load(hostile["files"]["databricks.yml"].read_text())
    assert bundle["resources"]["pipelines"]["ddbcdc_dlt"]["catalog"] == CATALOG
    # No name leaks raw into a comment or Markdown line (where a line break could end it).
    for line in hostile["files"]["notebook.py"].read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            assert "\u202e" not in line and "\t" not in line


def test_sql_parses_and_targets_the_intended_objects(spark, hostile):
    ns = load_notebook(hostile["files"]["notebook.py"], {"mode": "none"})
    assert parse_identifier(spark, ns["SETTINGS"]["target_table"]) == [CATALOG, SCHEMA, TABLE]
    merge = parse_sql(spark, ns["MERGE_SQL"])
    assert scala_parts(merge.targetTable().child().multipartIdentifier()) == [CATALOG, SCHEMA, TABLE]
    condition = merge.mergeCondition().sql()
    for key in KEYS:
        assert key.replace("`", "``") in condition
    statements = split_sql(hostile["files"]["setup.sql"].read_text(encoding="utf-8"))
    for statement in statements:
        if statement.startswith("GRANT"):
            head, principal = statement.rsplit(" TO ", 1)
            assert parse_identifier(spark, principal) == ["team `x`'s \"readers\""]
            assert parse_identifier(spark, head.split(" ON TABLE ", 1)[1])[:2] == [CATALOG, SCHEMA]
            continue
        plan = parse_sql(spark, statement)
        name = plan.getClass().getSimpleName()
        if name == "CreateTable" and scala_parts(name_of(plan.name()))[-1].endswith("_quarantine"):
            assert scala_parts(name_of(plan.name())) == [CATALOG, SCHEMA, TABLE + "_quarantine"]
        elif name == "CreateTable":
            assert scala_parts(name_of(plan.name())) == [CATALOG, SCHEMA, TABLE]
            assert list(plan.tableSpec().properties().get("delta.enableChangeDataFeed").get()) == list("true")
        if name == "CreateView":
            assert scala_parts(name_of(plan.child())) == [CATALOG, SCHEMA, TABLE + "_current"]
        if name == "DeleteFromTable":
            assert scala_parts(name_of(plan.table())) == [CATALOG, SCHEMA, TABLE]
    for sql in ns["SETUP_STATEMENTS"] + [ns["DEDUPE_SQL"], ns["CLEANUP_SQL"]]:
        parse_sql(spark, sql)
    spark._jsparkSession.sessionState().sqlParser().parseTableSchema(ns["SCHEMA_HINTS"])


def test_stream_reads_the_hostile_path_and_keys(spark, hostile, tmp_path):
    ns = load_notebook(hostile["files"]["notebook.py"], {
        "source_format": "json", "mode": "none", "checkpoint_location": str(tmp_path / "checkpoint 'x'"),
        "target_table": "`ddbcdc_no_such_table`",
    }, spark)
    prepared = []
    ns["apply_merge"] = lambda df, batch_id: prepared.extend(df.collect())
    query = ns["start_stream"](spark)
    query.awaitTermination(120)
    assert query.exception() is None
    got = sorted((r[KEYS[0]], r[KEYS[1]], r["_seq"], r["val'ue"]) for r in prepared)
    assert got == [("a'0", "b`\"", "1767225600005-" + "5".zfill(40), "4"), ("a'1", "b`\"", "1767225600004-" + "4".zfill(40), "3")]


def test_duckdb_runs_the_merge_on_the_hostile_table(hostile):
    plan = json.loads(hostile["files"]["merge_plan.json"].read_text())
    assert plan["target"] == [CATALOG, SCHEMA, TABLE] and plan["keys"] == KEYS
    # The table as setup.sql declares it: the observed columns and the rescued-data column, which the
    # plan's explicit column lists name.
    schema = arrow_schema(json.loads(hostile["schema"].read_text())).append(pa.field("_rescued_data", pa.string()))
    engine = DuckDBEngine(plan, schema)
    for batch_id, row in enumerate(reversed(hostile["rows"])):
        engine.apply([row], batch_id)
    live = {(r[KEYS[0]], r["_seq"]) for r in engine.rows() if not r["is_deleted"]}
    assert live == {("a'0", "1767225600005-" + "5".zfill(40))}
