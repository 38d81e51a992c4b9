"""Shared fixtures for the checks of the generated Databricks artifacts (ddbcdc emit-notebook).

Every peer is imported at the top: a missing module or a missing ddbcdc binary fails the run,
it never skips.
"""
import gzip
import json
import os
import subprocess
import sys
import tempfile
import types
from decimal import Decimal
from pathlib import Path

import deltalake  # noqa: F401 -- required peer: fail here when missing
import duckdb  # noqa: F401
import pyarrow  # noqa: F401
import pyspark  # noqa: F401
import pytest
import yaml  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))


def ddbcdc_binary() -> Path:
    path = Path(os.environ.get("DDBCDC_BIN", ROOT / ".build" / "debug" / "ddbcdc"))
    if not path.is_file() or not os.access(path, os.X_OK):
        pytest.fail(f"ddbcdc binary not found at {path}: build it (swift build) or set DDBCDC_BIN", pytrace=False)
    return path


@pytest.fixture(scope="session")
def ddbcdc():
    """Runs ddbcdc with arguments; returns stdout; fails the test on a non-zero exit."""
    binary = ddbcdc_binary()

    def run(*args, check=True):
        result = subprocess.run([str(binary), *map(str, args)], capture_output=True, text=True, timeout=300)
        if check and result.returncode != 0:
            pytest.fail(f"ddbcdc {' '.join(map(str, args))} exited {result.returncode}: {result.stderr}", pytrace=False)
        return result

    return run


@pytest.fixture(scope="session")
def spark():
    """One local Spark session for the whole run: one core, UI off, bound to 127.0.0.1."""
    from pyspark.sql import SparkSession

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    session = (
        SparkSession.builder.master("local[1]")
        .appName("ddbcdc-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.default.parallelism", "1")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "1g")
        # Managed tables (the notebook's quarantine table) in a fresh folder, not the working directory.
        .config("spark.sql.warehouse.dir", tempfile.mkdtemp(prefix="ddbcdc-spark-warehouse-"))
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def parse_sql(spark, sql):
    """Spark's own parser; raises ParseException on a syntax error."""
    return spark._jsparkSession.sessionState().sqlParser().parsePlan(sql)


def parse_identifier(spark, text):
    """A (multi-part) identifier as Spark's parser reads it, as a Python list of parts."""
    seq = spark._jsparkSession.sessionState().sqlParser().parseMultipartIdentifier(text)
    return [seq.apply(i) for i in range(seq.length())]


def scala_parts(seq):
    if isinstance(seq, (list, tuple)):
        return list(seq)
    return [seq.apply(i) for i in range(seq.length())]


def split_sql(text):
    """Splits a SQL script at `;` outside quotes, identifiers and comments."""
    statements, current, i, n = [], [], 0, len(text)
    while i < n:
        c = text[i]
        if c == "-" and text.startswith("--", i):
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
            continue
        if c in "'`\"":
            j = i + 1
            while j < n:
                if c == "'" and text[j] == "\\":
                    j += 2
                    continue
                if text[j] == c:
                    if c != "'" and j + 1 < n and text[j + 1] == c:
                        j += 2
                        continue
                    break
                j += 1
            current.append(text[i : j + 1])
            i = j + 1
            continue
        if c == ";":
            statement = "".join(current).strip()
            if statement:
                statements.append(statement)
            current = []
        else:
            current.append(c)
        i += 1
    tail = "".join(current).strip()
    if tail:
        statements.append(tail)
    return statements


class FakeDbutils:
    """What a generated notebook uses of Databricks' dbutils, recorded: widgets (none is defined, so
    get raises as Databricks does for a missing one), jobs.taskValues.set and notebook.exit."""

    def __init__(self):
        self.task_values, self.exit_values = {}, []
        self.widgets = types.SimpleNamespace(get=self._no_widget)
        self.jobs = types.SimpleNamespace(taskValues=types.SimpleNamespace(set=self._set_task_value))
        self.notebook = types.SimpleNamespace(exit=self.exit_values.append)

    @staticmethod
    def _no_widget(name):
        raise ValueError(f"InputWidgetNotDefined: no widget named {name}")

    def _set_task_value(self, key, value):
        json.dumps(value)  # a task value must be JSON
        self.task_values[key] = value


def load_notebook(path, overrides, spark=None, dbutils=None):
    """Executes a generated notebook's cells in a fresh namespace (DDBCDC_OVERRIDES applied; without
    `dbutils` the notebook runs as it does outside Databricks)."""
    source = Path(path).read_text(encoding="utf-8")
    namespace = {"__name__": "ddbcdc_notebook", "DDBCDC_OVERRIDES": dict(overrides)}
    if spark is not None:
        namespace["spark"] = spark
    if dbutils is not None:
        namespace["dbutils"] = dbutils
    exec(compile(source, str(path), "exec"), namespace)
    return namespace


def read_rows(paths):
    """Rows of .ndjson.gz objects, numbers as Decimal (exact)."""
    rows = []
    for path in paths:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    rows.append(json.loads(line, parse_float=Decimal, parse_int=Decimal))
    return rows


def objects(sink):
    return sorted(Path(sink).rglob("*.ndjson.gz"))


def emit(ddbcdc, out, *args):
    ddbcdc("emit-notebook", "--out", out, *args)
    return {p.name: p for p in Path(out).iterdir()}
