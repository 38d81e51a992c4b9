"""`ddbcdc stream --until-caught-up` on a real table's stream (moto): every change lands exactly
once, each row is its record, and the generated MERGE over the objects equals the table."""
from conftest import (Workload, check_converges, check_rows_match_records, dir_objects, event_counts, read_stream,
                      rows_of)


def test_every_change_lands_exactly_once_and_the_merge_equals_the_table(moto, make_table, stream, ddbcdc_run, tmp_path):
    table = make_table()
    workload = Workload(moto.client("dynamodb"), table, seed=11, keys=240).populate(200).run(300)
    # The workload covers what the test claims, or the test proves less than it says.
    assert all(workload.counts[kind] >= 5 for kind in workload.counts), workload.counts

    records = read_stream(moto, table)
    kinds = {r["eventName"] for r in records}
    assert kinds == {"INSERT", "MODIFY", "REMOVE"}, kinds
    assert len(records) == workload.stream_records == 500 + workload.counts["upsert"]

    sink = tmp_path / "sink"
    # Small objects: the rows spread over many objects, which the MERGE then takes shuffled.
    stream.run(table, sink, "--max-records", "37")
    objects = dir_objects(sink)
    assert len(objects) >= len(records) // 37
    counts = event_counts(rows_of(objects))
    twice = sorted(e for e, n in counts.items() if n > 1)
    assert not twice, f"{len(twice)} changes landed more than once, e.g. {twice[:3]}"
    missing = sorted({r["eventID"] for r in records} - set(counts))
    assert not missing, f"{len(missing)} of {len(records)} changes are not in the sink, e.g. {missing[:3]}"
    check_rows_match_records(objects, records)

    state = check_converges(ddbcdc_run, objects, moto, table, tmp_path)
    assert len(state) > 50 and len(workload.touched - set(state)) > 20, "live and deleted keys both"
