"""Shared fixtures for the proof that ddbcdc's Parquet objects are exact (issue 13).

Every reader is imported at the top: a missing pyarrow, DuckDB or PySpark, or a missing ddbcdc
binary, fails the run; nothing here skips.
"""
import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb  # noqa: F401 -- required peer: fail here when missing
import pyarrow  # noqa: F401
import pyarrow.parquet  # noqa: F401
import pyspark  # noqa: F401
import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))

# Metadata columns in the layout contract's order, and their Parquet types.
METADATA = ["_eventName", "_eventId", "_seq", "_approxStreamTs", "_ingestTs", "is_deleted", "_ttlDelete"]


def ddbcdc_binary() -> Path:
    path = Path(os.environ.get("DDBCDC_BIN", REPO / ".build" / "debug" / "ddbcdc"))
    if not path.is_file() or not os.access(path, os.X_OK):
        pytest.fail(f"ddbcdc binary not found at {path}: build it (swift build --product ddbcdc) or set DDBCDC_BIN", pytrace=False)
    return path


@pytest.fixture(scope="session")
def ddbcdc():
    """Runs ddbcdc; returns the CompletedProcess (bytes); fails the test on a non-zero exit unless check=False."""
    binary = ddbcdc_binary()

    def run(*args, check=True, stdout=None, cwd=None):
        result = subprocess.run([str(binary), *map(str, args)], stdout=stdout or subprocess.PIPE, stderr=subprocess.PIPE,
                                timeout=600, cwd=cwd)
        if check and result.returncode != 0:
            pytest.fail(f"ddbcdc {' '.join(map(str, args))} exited {result.returncode}: {result.stderr.decode(errors='replace')[-3000:]}",
                        pytrace=False)
        return result

    return run


def start(*args, stdout=None):
    """Starts ddbcdc in the background (for runs that may overlap on the machine's two cores)."""
    return subprocess.Popen([str(ddbcdc_binary()), *map(str, args)], stdout=stdout or subprocess.DEVNULL, stderr=subprocess.PIPE)


def finish(process, what):
    _, err = process.communicate(timeout=600)
    if process.returncode != 0:
        pytest.fail(f"{what} exited {process.returncode}: {err.decode(errors='replace')[-3000:]}", pytrace=False)
    return err.decode()


def rescued_in_summary(stderr):
    """The count of values that did not fit, as `run`'s summary line says it (0 when it says nothing)."""
    match = re.search(r"([\d,]+) value\(s\) that did not fit", stderr)
    return int(match.group(1).replace(",", "")) if match else 0


def parquet_files(root):
    return sorted(Path(root).rglob("*.parquet"))


@pytest.fixture(scope="session")
def spark():
    """One local Spark session for the whole run: one core, UI off, bound to 127.0.0.1."""
    from pyspark.sql import SparkSession

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master("local[1]")
        .appName("ddbcdc-parquet")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.default.parallelism", "1")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
