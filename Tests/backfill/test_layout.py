"""`ddbcdc backfill` over exports from scripts/gen_export.py, into a directory sink: every data line
becomes exactly one row, with the metadata the design fixes (DESIGN "Backfill and the stream") and
the item exactly as boto3's TypeDeserializer reads the same line (numbers compared as Decimals),
in the dt=/HH= partition of its `_seq` time.

The expectations are computed here from the export's own files, independently of ddbcdc.
"""
import gzip
import random

import pytest

import gen_export
from conftest import ZEROS, check_rows, expected_rows, sink_rows

FIVE_MINUTES = 300_000
# 2026-01-02T00:04:30.123Z: an overlap of 5 or 10 minutes moves the rows into the previous day's
# last hour, no overlap keeps them in dt=2026-01-02/HH=00.
NEAR_MIDNIGHT = (gen_export.EPOCH0 + 86400 + 270) * 1000 + 123


def test_full_export_every_item_one_insert_row_exactly(ddbcdc, make_export, tmp_path):
    report = make_export(items=150, files=4, empty_files=2)
    assert sum(1 for f in report["files"] if f["itemCount"] == 0) == 2
    sink = tmp_path / "sink"
    ddbcdc("backfill", "--export", report["exportDir"], "--sink", sink, "--max-records", "40", "--quiet", cwd=tmp_path)
    expected = expected_rows(report, FIVE_MINUTES)
    assert len(expected) == 150
    rows = check_rows(sink, expected)
    seqs = {row["_seq"] for _, row in rows}
    # exportTime 2026-01-02T00:00:00.123Z − 5 min → 2026-01-01T23:55:00 → − 1 ms
    assert seqs == {"1767311699999-" + ZEROS}, seqs


def test_parquet_objects_hold_the_same_rows_as_ndjson(ddbcdc, make_export, tmp_path):
    report = make_export(items=90, files=3, empty_files=1)
    ndjson, parquet = tmp_path / "ndjson", tmp_path / "parquet"
    ddbcdc("backfill", "--export", report["exportDir"], "--sink", ndjson, "--max-records", "40", "--quiet", cwd=tmp_path)
    ddbcdc("backfill", "--export", report["exportDir"], "--sink", parquet, "--max-records", "40", "--quiet", "--format", "parquet",
           "--resume-file", tmp_path / "parquet.resume.json", cwd=tmp_path)
    rows = check_rows(parquet, expected_rows(report, FIVE_MINUTES))
    assert all(str(path).endswith(".parquet") for path, _ in rows)
    assert [row for _, row in rows] == [row for _, row in sink_rows(ndjson)]


def test_full_export_with_data_file_keys_without_the_s3_prefix(ddbcdc, make_export, tmp_path):
    report = make_export(items=60, files=3, empty_files=1, bare_keys=True)
    assert not report["summary"]["manifestFilesS3Key"].startswith(report["summary"]["s3Prefix"])
    sink = tmp_path / "sink"
    ddbcdc("backfill", "--export", report["exportDir"], "--sink", sink, "--quiet", cwd=tmp_path)
    check_rows(sink, expected_rows(report, FIVE_MINUTES))


@pytest.mark.parametrize("overlap,overlap_ms,partition", [
    ("0s", 0, ("2026-01-02", "00")),
    ("300s", FIVE_MINUTES, ("2026-01-01", "23")),
    ("10m", 600_000, ("2026-01-01", "23")),
])
def test_overlap_moves_the_seq_time_and_the_partition(ddbcdc, make_export, tmp_path, overlap, overlap_ms, partition):
    report = make_export(items=40, files=2, empty_files=1, export_time=NEAR_MIDNIGHT)
    sink = tmp_path / "sink"
    ddbcdc("backfill", "--export", report["exportDir"], "--sink", sink, "--overlap", overlap, "--quiet", cwd=tmp_path)
    rows = check_rows(sink, expected_rows(report, overlap_ms))
    want = {0: "1767312269999", FIVE_MINUTES: "1767311969999", 600_000: "1767311669999"}[overlap_ms]
    assert {row["_seq"][:13] for _, row in rows} == {want}
    assert {(p.parent.parent.name, p.parent.name) for p, _ in rows} == {(f"dt={partition[0]}", f"HH={partition[1]}")}


def incremental_changes(seed, count, from_ms, to_ms):
    """Last writes of `count` devices inside [from_ms, to_ms): inserts, updates and deletes."""
    rng = random.Random(seed)
    changes = []
    for iid in range(count):
        keys = gen_export.key_of(gen_export.device(seed, iid))
        micros = from_ms * 1000 + rng.randrange((to_ms - from_ms) * 1000)
        c = rng.random()
        old = gen_export.device(seed, iid, 1) if c >= 0.3 else None
        new = gen_export.device(seed, iid, 2) if c < 0.75 else None
        changes.append({"keys": keys, "old": old, "new": new, "micros": micros})
    # Writes in the same second, and in the same millisecond, as another: the sequence part orders them.
    changes[1]["micros"] = changes[0]["micros"] + 1
    changes[2]["micros"] = changes[0]["micros"] // 1_000_000 * 1_000_000
    return changes


@pytest.mark.parametrize("overlap,overlap_ms", [(None, FIVE_MINUTES), ("0s", 0)])
def test_incremental_export_upserts_and_tombstones_both_timestamp_spellings(ddbcdc, tmp_path, overlap, overlap_ms):
    to_ms = NEAR_MIDNIGHT
    from_ms = to_ms - 3 * 3600 * 1000
    changes = incremental_changes(5, 90, from_ms, to_ms)
    report = gen_export.write_incremental_export(tmp_path / "export", changes, from_ms, to_ms, seed=5, files=3,
                                                 empty_files=1, timestamp="mixed", bare_keys=True)
    assert "exportTime" not in report["summary"] and report["summary"]["exportType"] == "INCREMENTAL_EXPORT"
    sink = tmp_path / "sink"
    args = ["--overlap", overlap] if overlap else []
    ddbcdc("backfill", "--export", report["exportDir"], "--sink", sink, "--quiet", *args, cwd=tmp_path)
    expected = expected_rows(report, overlap_ms)
    rows = check_rows(sink, expected)
    tombstones = [row for _, row in rows if row["is_deleted"]]
    assert len(tombstones) > 10 and len(tombstones) < len(rows) - 30
    assert all(row["_eventName"] == "REMOVE" for row in tombstones)
    # Several hours of writes: several partitions, each row in its own (check_rows checked which).
    assert len({p.parent for p, _ in rows}) >= 3
    # The two spellings of WriteTimestampMicros were both there.
    lines = [line for f in report["files"] for line in gzip.open(f["path"], "rt", encoding="utf-8")]
    assert any('"WriteTimestampMicros":{"N":' in l for l in lines) and any('"WriteTimestampMicros":1' in l for l in lines)


def test_export_row_sorts_between_stream_records_of_adjacent_seconds(ddbcdc, make_export, tmp_path):
    """An export row's time ends in 999 ms and a stream record's in 000: with no overlap, the export
    taken in second S sorts below every stream record of second S (a write in the export's own
    second wins) and above every one of second S − 1."""
    report = make_export(items=5, files=1, empty_files=0, export_time=NEAR_MIDNIGHT)
    sink = tmp_path / "sink"
    ddbcdc("backfill", "--export", report["exportDir"], "--sink", sink, "--overlap", "0s", "--quiet", cwd=tmp_path)
    seq = sink_rows(sink)[0][1]["_seq"]
    second = NEAR_MIDNIGHT // 1000
    stream_same = f"{second * 1000:013d}-{1:040d}"
    stream_before = f"{(second - 1) * 1000:013d}-{10**39:040d}"
    assert stream_before < seq < stream_same
