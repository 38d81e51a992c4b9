"""The same input gives the same .parquet objects, names and bytes, on every run (as the NDJSON
path does, Tests/golden): no time, host or hash-order in a file. Both layouts, every codec, several
partitions and row groups; the second run starts in a fresh sink.

Then a change that must change the bytes does: one value in the input (so the files are not
constant), and the schema (its hash is in the footer)."""
import hashlib
import json
import sys

import pyarrow.parquet as pq
import pytest

from conftest import REPO, parquet_files

RECORDS = 3000


def listing(root):
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in parquet_files(root)}


def make_input(tmp):
    """The generator's events moved ~83 minutes apart, so objects land in several dt=/HH= partitions."""
    raw = tmp / "raw.jsonl"
    import subprocess
    subprocess.run([sys.executable, str(REPO / "scripts" / "gen_events.py"), "--seed", "29", "--records", str(RECORDS),
                    "--batch-size", "100", "--out", str(raw)], check=True)
    lines = []
    for index, line in enumerate(l for l in raw.read_text(encoding="utf-8").split("\n") if l):
        event = json.loads(line)
        for record in event["Records"]:
            record["dynamodb"]["ApproximateCreationDateTime"] += index * 5000
        lines.append(json.dumps(event, ensure_ascii=False, separators=(",", ":")))
    events = tmp / "events.jsonl"
    events.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return events


def test_same_input_same_files(tmp_path, ddbcdc):
    events = make_input(tmp_path)
    rows = tmp_path / "rows.ndjson"
    with open(rows, "wb") as out:
        ddbcdc("transform", "--ingest-ts", "none", "--input", events, stdout=out)
    schema = tmp_path / "schema.json"
    schema.write_bytes(ddbcdc("schema", "--format", "json", "--input", rows).stdout)

    runs = {}
    for codec in ("none", "snappy", "zstd", "gzip"):
        for layout in ("packed", "typed"):
            extra = ["--schema", schema] if layout == "typed" else []
            for attempt in (1, 2):
                sink = tmp_path / f"{codec}-{layout}-{attempt}"
                ddbcdc("run", "--input", events, "--sink", sink, "--format", "parquet", "--parquet-compression", codec,
                       "--max-records", "400", "--parquet-row-group-bytes", "200000", "--max-seconds", "0", "--quiet", *extra)
                runs[codec, layout, attempt] = listing(sink)
            first, second = runs[codec, layout, 1], runs[codec, layout, 2]
            assert first, f"{codec} {layout}: no .parquet objects"
            assert first == second, f"{codec} {layout}: two runs of the same input differ: {set(first.items()) ^ set(second.items())}"
            names = sorted(first)
            assert len({n.split("/")[0] for n in names}) > 1 or len({n.split("/")[1] for n in names}) > 1, \
                f"{codec} {layout}: every object in one partition; the test means several"
            assert sum(pq.ParquetFile(tmp_path / f"{codec}-{layout}-1" / n).metadata.num_rows for n in names) == RECORDS
    # names do not depend on the codec or layout (they are the NDJSON names with .parquet), the bytes do
    assert set(runs["none", "packed", 1]) == set(runs["zstd", "typed", 1])
    assert runs["none", "packed", 1] != runs["snappy", "packed", 1]
    assert runs["zstd", "packed", 1] != runs["zstd", "typed", 1]
    ndjson = tmp_path / "ndjson"
    ddbcdc("run", "--input", events, "--sink", ndjson, "--max-records", "400", "--max-seconds", "0", "--quiet")
    assert {str(p.relative_to(ndjson)).removesuffix(".ndjson.gz") for p in ndjson.rglob("*.ndjson.gz")} == \
        {n.removesuffix(".parquet") for n in runs["none", "packed", 1]}


def test_a_changed_schema_or_value_changes_the_bytes(tmp_path, ddbcdc):
    events = make_input(tmp_path)
    rows = tmp_path / "rows.ndjson"
    with open(rows, "wb") as out:
        ddbcdc("transform", "--ingest-ts", "none", "--input", events, stdout=out)
    schema = json.loads(ddbcdc("schema", "--format", "json", "--input", rows).stdout)
    (tmp_path / "a.json").write_text(json.dumps(schema, indent=2), encoding="utf-8")
    # the same columns with one more (absent from every row): the same rows, another schema
    schema["fields"].append({"name": "never_written", "type": "string", "nullable": True, "metadata": {}})
    (tmp_path / "b.json").write_text(json.dumps(schema, indent=2), encoding="utf-8")
    changed = tmp_path / "changed.jsonl"
    text = events.read_text(encoding="utf-8")
    at = text.index('"eventID":"') + len('"eventID":"')  # the first record's eventID: its row's _eventId
    changed.write_text(text[:at] + ("1" if text[at] == "0" else "0") + text[at + 1:], encoding="utf-8")
    out = {}
    for name, source, schema_file in (("a", events, "a.json"), ("b", events, "b.json"), ("changed", changed, "a.json")):
        sink = tmp_path / name
        ddbcdc("run", "--input", source, "--sink", sink, "--format", "parquet", "--schema", tmp_path / schema_file,
               "--max-records", "400", "--max-seconds", "0", "--quiet")
        out[name] = listing(sink)
    hashes = {name: {pq.ParquetFile(tmp_path / name / n).metadata.metadata[b"ddbcdc.schema.sha256"] for n in files}
              for name, files in out.items()}
    assert len(hashes["a"]) == 1 and hashes["a"] == hashes["changed"] and hashes["a"] != hashes["b"]
    assert set(out["a"]) == set(out["b"]) and all(out["a"][n] != out["b"][n] for n in out["a"])
    differing = [n for n in out["a"] if out["changed"].get(n) != out["a"][n]]
    assert len(differing) == 1, f"one changed value changes one object, not {len(differing)}"


@pytest.mark.parametrize("codec,default,other", [("gzip", "3", "9"), ("zstd", "1", "19")])
def test_parquet_codec_level_is_its_own_setting(tmp_path, ddbcdc, codec, default, other):
    """Parquet's GZIP and ZSTD levels are --parquet-gzip-level and --parquet-zstd-level (defaults:
    the fastest level no bigger than gzip -6 NDJSON, docs/parquet.md: gzip 3 for this packed
    layout, zstd 1), not NDJSON's --gzip-level: setting NDJSON's leaves the files as they were,
    giving the default changes nothing, another level changes the bytes under the same names with
    the codec's pages either way, and pyarrow reads the same rows."""
    events = make_input(tmp_path)

    def run(name, *extra):
        sink = tmp_path / name
        ddbcdc("run", "--input", events, "--sink", sink, "--format", "parquet", "--parquet-compression", codec,
               "--max-records", "400", "--max-seconds", "0", "--quiet", *extra)
        return listing(sink)

    level = f"--parquet-{codec}-level"
    baseline = run("default")
    assert run("ndjson-level-9", "--gzip-level", "9") == baseline
    assert run("given-default", level, default) == baseline
    changed = run("other", level, other)
    assert set(changed) == set(baseline) and all(changed[n] != baseline[n] for n in baseline)
    for n in baseline:
        metadata = pq.ParquetFile(tmp_path / "other" / n).metadata
        assert {metadata.row_group(0).column(c).compression for c in range(metadata.num_columns)} == {codec.upper()}
        assert pq.read_table(tmp_path / "other" / n).equals(pq.read_table(tmp_path / "default" / n))
