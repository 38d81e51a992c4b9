"""Damaged exports (scripts/gen_export.py's --damage): each fault gives a clear error naming the
data file (and the line, for lines that are not rows), the exit status of the contract, and no row
of a failed file anywhere in the sink (every object is opened). The other files land; once the
export is repaired, a second run (same resume file) lands the failed file too.
"""
import base64
import json
import re
import shutil

import pytest

import gen_export
from conftest import check_rows, error_entries, expected_rows, sink_rows

FIVE_MINUTES = 300_000
EXIT_DATA_ERROR = 65  # some lines set aside in _errors
EXIT_IO_ERROR = 74  # a data file failed verification or could not be read
WHY = {
    "md5": r"md5|checksum",
    "count": r"count",
    "truncated": r"gzip|truncat|end of (file|stream|data)|unexpected end|corrupt",
    "missing": r"not found|no such|missing|does not exist|404",
}


def backfill(ddbcdc, report, sink, cwd, expect):
    result = ddbcdc("backfill", "--export", report["exportDir"], "--sink", sink, "--max-records", "25", "--quiet",
                    "--resume-file", cwd / "resume.json", expect=expect, cwd=cwd)
    return result, result.stdout + result.stderr


@pytest.mark.parametrize("kind", ["md5", "count", "truncated", "missing"])
def test_a_file_that_fails_verification_lands_no_row_and_is_read_again_once_repaired(ddbcdc, make_export, tmp_path, kind):
    report = make_export(items=160, files=4, empty_files=2)
    pristine = tmp_path / "pristine"
    shutil.copytree(report["exportDir"], pristine)
    expected = expected_rows(report, FIVE_MINUTES)
    bad = gen_export.damage(report, kind)
    sink = tmp_path / "sink"

    result, output = backfill(ddbcdc, report, sink, tmp_path, EXIT_IO_ERROR)
    assert bad in output, f"the error does not name {bad}:\n{output}"
    line = next(l for l in output.split("\n") if bad in l)
    assert re.search(WHY[kind], output, re.IGNORECASE), f"the error does not say why ({WHY[kind]}):\n{output}"
    rows = sink_rows(sink)
    from_bad = [row["_eventId"] for _, row in rows if f"/{bad}/" in row["_eventId"]]
    assert not from_bad, f"rows of the failed file {bad} reached the sink: {from_bad[:3]} ({line})"
    others = {k: v for k, v in expected.items() if f"/{bad}/" not in k}
    assert len(others) < len(expected)
    check_rows(sink, others)  # every other file landed, exactly
    assert not error_entries(sink), "a file that fails verification is not a set of bad lines"

    # Repaired: the second run reads what is missing and lands everything.
    shutil.rmtree(report["exportDir"])
    shutil.copytree(pristine, report["exportDir"])
    backfill(ddbcdc, report, sink, tmp_path, 0)
    check_rows(sink, expected)


def test_malformed_lines_go_to_errors_with_file_and_line_and_the_rest_lands(ddbcdc, make_export, tmp_path):
    report = make_export(items=160, files=4, empty_files=2)
    expected = expected_rows(report, FIVE_MINUTES)
    bad = gen_export.damage(report, "malformed")
    bad_lines = report["badLines"][bad]
    raw = {}
    for name, number, line in _raw_lines(report):
        if name == bad and number in bad_lines:
            raw[number] = line
    sink = tmp_path / "sink"

    _, output = backfill(ddbcdc, report, sink, tmp_path, EXIT_DATA_ERROR)
    good = {k: v for k, v in expected.items() if not any(k == f"{report['exportId']}/{bad}/{n}" for n in bad_lines)}
    assert len(good) == len(expected) - 3
    check_rows(sink, good)
    entries = error_entries(sink)
    assert len(entries) == 3, entries
    for number in bad_lines:
        naming = [e for e in entries if e.get("input", "").endswith(bad) and e.get("line") == number]
        assert len(naming) == 1, f"no _errors entry names {bad} line {number}: {entries}"
        entry = naming[0]
        # The raw line is kept exactly: as JSON when it is JSON, else as base64 of its bytes.
        if "rawBase64" in entry:
            held = base64.b64decode(entry["rawBase64"]).decode()
            assert held == raw[number], f"the _errors entry of line {number} holds {held[:80]!r}, not the raw line"
        else:
            assert json.loads(raw[number]) == entry["record"], f"the _errors entry of line {number} does not hold the raw line"
    assert re.search(r"\b3\b", output), f"the summary does not count the 3 lines set aside:\n{output}"


def test_an_ion_export_is_refused_with_a_clear_error_and_writes_nothing(ddbcdc, make_export, tmp_path):
    report = make_export(items=30, files=2, empty_files=1)
    gen_export.damage(report, "ion")
    sink = tmp_path / "sink"
    result = ddbcdc("backfill", "--export", report["exportDir"], "--sink", sink, "--quiet", expect=None, cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode not in (0, 65), f"an ION export exited {result.returncode}:\n{output}"
    assert "ION" in output and "DYNAMODB_JSON" in output, output
    assert not sink.exists() or not [p for p in sink.rglob("*") if p.is_file()], "an ION export wrote objects"


def test_a_missing_export_is_66(ddbcdc, tmp_path):
    result = ddbcdc("backfill", "--export", tmp_path / "AWSDynamoDB" / "01767312000123-deadbeef", "--sink", tmp_path / "sink",
                    "--quiet", expect=66, cwd=tmp_path)
    assert "01767312000123-deadbeef" in result.stdout + result.stderr


def _raw_lines(report):
    import gzip
    for f in report["files"]:
        with gzip.open(f["path"], "rt", encoding="utf-8", newline="\n") as handle:
            for number, line in enumerate(handle.read().split("\n"), 1):
                if line:
                    yield f["name"], number, line


def _strings(value):
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _text(value):
    import json
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
