"""`ddbcdc stream --format parquet`: the same changes as the NDJSON objects, in Parquet objects of the
packed layout that pyarrow validates; each row is its record, once."""
from conftest import Workload, check_rows_match_records, dir_objects, event_counts, read_stream, rows_of


def test_parquet_objects_hold_the_ndjson_rows_every_change_once(moto, make_table, stream, tmp_path):
    table = make_table()
    Workload(moto.client("dynamodb"), table, seed=23, keys=60).populate(60).run(90)
    records = read_stream(moto, table)

    ndjson, parquet = tmp_path / "ndjson", tmp_path / "parquet"
    stream.run(table, ndjson, "--max-records", "25")
    stream.run(table, parquet, "--max-records", "25", "--format", "parquet", "--parquet-compression", "zstd")

    objects = dir_objects(parquet)
    names = sorted(objects)
    assert names and all(n.endswith(".parquet") for n in names), names[:3]
    # The same batches, so the same names but for the suffix.
    assert [n[: -len(".parquet")] for n in names] == [n[: -len(".ndjson.gz")] for n in sorted(dir_objects(ndjson))]
    counts = event_counts(rows_of(objects))
    assert sorted(counts) == sorted(r["eventID"] for r in records) and set(counts.values()) == {1}
    check_rows_match_records(objects, records)
    assert rows_of(objects) == rows_of(dir_objects(ndjson))
