"""The generated MERGE (merge_plan.json) executed by real engines: delta-rs on a Delta table and
DuckDB's MERGE INTO. Both take their conditions from the plan, not from this file."""
import json
from decimal import Decimal

import duckdb
import pyarrow as pa
from deltalake import CommitProperties, DeltaTable, Transaction, write_deltalake


def arrow_type(spark_type):
    """Spark's JSON type form → Arrow."""
    if isinstance(spark_type, str):
        if spark_type == "string":
            return pa.string()
        if spark_type == "boolean":
            return pa.bool_()
        if spark_type == "long":
            return pa.int64()
        if spark_type.startswith("decimal("):
            precision, scale = spark_type[len("decimal(") : -1].split(",")
            return pa.decimal128(int(precision), int(scale))
        raise ValueError(spark_type)
    kind = spark_type["type"]
    if kind == "array":
        return pa.list_(arrow_type(spark_type["elementType"]))
    if kind == "struct":
        return pa.struct([pa.field(f["name"], arrow_type(f["type"])) for f in spark_type["fields"]])
    if kind == "map":
        return pa.map_(pa.string(), arrow_type(spark_type["valueType"]))
    raise ValueError(kind)


def arrow_schema(schema_json):
    return pa.schema([pa.field(f["name"], arrow_type(f["type"])) for f in schema_json["fields"]])


def to_arrow_value(value, arrow):
    """A row value (json-parsed, numbers as Decimal) → a value Arrow takes for `arrow`."""
    if value is None:
        return None
    if pa.types.is_string(arrow):
        return value if isinstance(value, str) else (str(value) if isinstance(value, Decimal) else json.dumps(value))
    if pa.types.is_int64(arrow):
        return int(value)
    if pa.types.is_list(arrow):
        return [to_arrow_value(v, arrow.value_type) for v in value]
    if pa.types.is_struct(arrow):
        return {arrow.field(i).name: to_arrow_value(value.get(arrow.field(i).name), arrow.field(i).type) for i in range(arrow.num_fields)}
    return value


def rows_to_arrow(rows, schema):
    columns = {}
    for field in schema:
        columns[field.name] = pa.array([to_arrow_value(r.get(field.name), field.type) for r in rows], type=field.type)
    return pa.table(columns, schema=schema)


def normalized(value):
    """For comparison: Decimals by value, dicts without None members, lists in order."""
    if isinstance(value, dict):
        return {k: normalized(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [normalized(v) for v in value]
    if isinstance(value, Decimal):
        return value.normalize() if value != 0 else Decimal(0)
    return value


class DuckDBEngine:
    """The target table in DuckDB, under the plan's three-part name (catalog = attached database)."""

    def __init__(self, plan, schema):
        self.plan, self.schema = plan, schema
        self.con = duckdb.connect()
        catalog, database_schema, _ = plan["target"]
        q = lambda name: '"' + name.replace('"', '""') + '"'  # noqa: E731
        self.con.execute(f"ATTACH ':memory:' AS {q(catalog)}")
        self.con.execute(f"CREATE SCHEMA {q(catalog)}.{q(database_schema)}")
        self.target = ".".join(q(p) for p in plan["target"])
        empty = rows_to_arrow([], schema)
        self.con.register("ddbcdc_empty", empty)
        self.con.execute(f"CREATE TABLE {self.target} AS SELECT * FROM ddbcdc_empty")
        self.con.unregister("ddbcdc_empty")

    def apply(self, rows, batch_id, reorder=False):
        batch = rows_to_arrow(rows, self.schema)
        if reorder:
            # The batch's columns in another order than the table's: the plan must match by name.
            batch = batch.select(list(reversed(batch.column_names)))
        self.con.register("ddbcdc_batch", batch)
        self.con.execute("CREATE OR REPLACE TEMP TABLE ddbcdc_changes AS " + self.plan["dedupe_sql"]["ansi"])
        self.con.execute(self.plan["merge_sql"]["ansi"])
        self.con.unregister("ddbcdc_batch")

    def rows(self):
        return self.con.sql(f"SELECT * FROM {self.target}").to_arrow_table().to_pylist()


class DeltaEngine:
    """The target as a real Delta table written by delta-rs; the MERGE built from the plan's clauses
    (Spark-dialect conditions, which delta-rs parses), committed with an app transaction
    (txnAppId/txnVersion): a batch id already committed is skipped, as Delta does."""

    def __init__(self, plan, schema, path, app_id="ddbcdc:test", like_setup_sql=False, skip_untaken_tombstones=False):
        self.plan, self.schema, self.path, self.app_id = plan, schema, str(path), app_id
        self.skip_untaken_tombstones = skip_untaken_tombstones
        table_schema = schema
        if like_setup_sql:
            # As setup.sql creates it: key columns NOT NULL (Change Data Feed on, as always here).
            table_schema = pa.schema([f.with_nullable(f.name not in plan["keys"]) for f in schema])
        write_deltalake(self.path, table_schema.empty_table(), configuration={"delta.enableChangeDataFeed": "true"})
        self.skipped = 0
        self.skipped_ids = []

    def apply(self, rows, batch_id):
        table = DeltaTable(self.path)
        committed = table.transaction_version(self.app_id)
        if committed is not None and committed >= batch_id:
            self.skipped += 1
            self.skipped_ids.append((batch_id, committed))
            return
        duck = duckdb.connect()
        duck.register("ddbcdc_batch", rows_to_arrow(rows, self.schema))
        deduped = duck.sql(self.plan["dedupe_sql"]["ansi"]).to_arrow_table()
        if self.skip_untaken_tombstones and self.plan["delete_mode"] == "hard":
            # The variant delta-rs needs (see test_delta_rs_fails_a_merge_with_a_row_no_clause_takes): a
            # tombstone of a key the table lacks is taken by no clause, so leaving it out changes nothing.
            duck.register("ddbcdc_deduped", deduped)
            duck.register("ddbcdc_target_keys", table.to_pyarrow_table(columns=list(self.plan["keys"])))
            on = self.plan["on"]["ansi"]
            deleted = f'{self.plan["source_alias"]}."' + self.plan["deleted_column"].replace('"', '""') + '"'
            deduped = duck.sql(
                f'SELECT s.* FROM ddbcdc_deduped AS s WHERE NOT {deleted} '
                f'OR EXISTS (SELECT 1 FROM ddbcdc_target_keys AS t WHERE {on})').to_arrow_table()
        merger = table.merge(
            deduped,
            predicate=self.plan["on"]["spark"],
            source_alias=self.plan["source_alias"],
            target_alias=self.plan["target_alias"],
            commit_properties=CommitProperties(app_transactions=[Transaction(app_id=self.app_id, version=batch_id)]),
        )
        columns = self.plan.get("columns")
        named = None
        if columns:
            # The plan's explicit column list (what merge_plan.json's statements name).
            named = {"`" + c.replace("`", "``") + "`": f'{self.plan["source_alias"]}.`' + c.replace("`", "``") + "`" for c in columns}
        for clause in self.plan["clauses"]:
            condition = clause["condition"]["spark"] if clause["condition"] else None
            action = (clause["when"], clause["then"])
            if action == ("matched", "update_all"):
                merger = merger.when_matched_update(named, predicate=condition) if named else merger.when_matched_update_all(predicate=condition)
            elif action == ("matched", "delete"):
                merger = merger.when_matched_delete(predicate=condition)
            elif action == ("not_matched", "insert_all"):
                merger = (merger.when_not_matched_insert(named, predicate=condition) if named
                          else merger.when_not_matched_insert_all(predicate=condition))
            else:
                raise AssertionError(f"unknown clause {clause}")
        merger.execute()

    def rows(self):
        return DeltaTable(self.path).to_pyarrow_table().to_pylist()
