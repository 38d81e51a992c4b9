"""Helpers of scripts/bench-parquet.sh (run from there, with .venv's Python: pyarrow and duckdb).

  bench_parquet.py pyarrow ROWS OUT_ROOT RESULTS LABEL_SUFFIX
      pyarrow writing the same rows as Parquet: ROWS is `ddbcdc transform --ingest-ts none`
      output. Reading and preparing the rows is not timed; for each variant (packed-like and
      typed-like, snappy and zstd) only building the Arrow tables and pq.write_table are, one
      file per batch (batches cut like ddbcdc's: a new one at 2,000 rows or when the dt=/HH=
      partition of _approxStreamTs changes). Appends "LABEL wall_s cpu_s objects bytes" lines
      to RESULTS and leaves the files under OUT_ROOT/<variant>.
  bench_parquet.py duckdb RUNS RESULTS NAME=GLOB...
      DuckDB reading each landing zone: `SELECT count(*), sum(length(_seq))` over
      read_parquet(GLOB) (a .parquet glob) or read_json(GLOB) (an .ndjson.gz glob), once untimed
      (the result is kept) and RUNS times timed, each in a fresh connection. Appends
      "read NAME seconds count sum" lines to RESULTS.
  bench_parquet.py report RESULTS INFO_JSON
      Prints the tables and the goals.
"""

import json
import os
import pickle
import resource
import statistics
import sys
import time
from datetime import datetime, timezone

BATCH_ROWS = 2000
META = ["_eventName", "_eventId", "_seq", "_approxStreamTs", "_ingestTs", "is_deleted", "_ttlDelete"]


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def members(line, decoder, scanstring):
    """The top-level members of a JSON object line as (key, exact value text), in order."""
    out = []
    i = line.index("{") + 1
    n = len(line)
    while True:
        while line[i] in " \t":
            i += 1
        if line[i] == "}":
            return out
        key, i = scanstring(line, i + 1)
        i = line.index(":", i) + 1
        while line[i] in " \t":
            i += 1
        _, end = decoder.raw_decode(line, i)
        out.append((key, line[i:end]))
        i = end
        while i < n and line[i] in " \t":
            i += 1
        if line[i] == ",":
            i += 1
        elif line[i] == "}":
            return out


def writable(type_):
    """Whether Parquet can hold an inferred type: no struct without fields, no null-typed child."""
    import pyarrow as pa

    if pa.types.is_null(type_):
        return False
    if pa.types.is_struct(type_):
        return type_.num_fields > 0 and all(writable(type_.field(i).type) for i in range(type_.num_fields))
    if pa.types.is_list(type_) or pa.types.is_large_list(type_):
        return writable(type_.value_type)
    return True


def prepare(rows_path):
    """The batches, the packed-like rows and schema, the typed-like rows and schema (untimed)."""
    import json.decoder
    import pyarrow as pa

    # ---- untimed: the rows, the batches, the packed-like rows and the typed-like rows ----
    decoder = json.JSONDecoder()
    scanstring = json.decoder.scanstring
    packed_rows = []
    partitions = []
    with open(rows_path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            row = {name: None for name in META}
            item = []
            for key, text in members(line, decoder, scanstring):
                if key in row and row[key] is None:
                    row[key] = json.loads(text)
                else:
                    item.append(json.dumps(key, ensure_ascii=False) + ":" + text)
            row["_item"] = "{" + ",".join(item) + "}"
            packed_rows.append(row)
            ts = row["_approxStreamTs"]
            partitions.append(datetime.fromtimestamp(ts / 1000, timezone.utc).strftime("%Y-%m-%d/%H") if ts is not None else "")
    batches = []
    start = 0
    for i in range(1, len(packed_rows) + 1):
        if i == len(packed_rows) or i - start == BATCH_ROWS or partitions[i] != partitions[start]:
            batches.append((start, i))
            start = i
    packed_schema = pa.schema(
        [("_eventName", pa.string()), ("_eventId", pa.string()), ("_seq", pa.string()), ("_approxStreamTs", pa.int64()),
         ("_ingestTs", pa.int64()), ("is_deleted", pa.bool_()), ("_ttlDelete", pa.bool_()), ("_item", pa.string())])
    # pyarrow's own types: pa.array's inference over each top-level column of all the rows (one
    # schema for every file; json.loads values, so numbers with a fraction are doubles). pyarrow.json
    # cannot read this corpus (an attribute changes type from row to row) and pa.array cannot type
    # such a column either: those columns are kept as their JSON text (STRING), whole, much as
    # ddbcdc rescues an attribute that does not fit.
    parsed = []
    order = {}
    with open(rows_path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                row = json.loads(line)
                parsed.append(row)
                for key in row:
                    order.setdefault(key, len(order))
    names = META + [k for k in sorted(order, key=order.get) if k not in META]
    fields, text_columns = [], []
    for name in names:
        values = [row.get(name) for row in parsed]
        if name in META:
            fields.append(packed_schema.field(name))
            continue
        try:
            array = pa.array(values)
            if pa.types.is_null(array.type):
                array = pa.array(values, type=pa.string())
            if not writable(array.type):
                raise TypeError(f"{name}: {array.type} cannot be written to Parquet")
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError):
            text_columns.append(name)
            array = pa.array([None if v is None else json.dumps(v, ensure_ascii=False) for v in values], type=pa.string())
        fields.append(pa.field(name, array.type))
    typed_schema = pa.schema(fields)
    for row in parsed:
        for name in text_columns:
            if row.get(name) is not None:
                row[name] = json.dumps(row[name], ensure_ascii=False)
    typed_rows = parsed
    print(f"   pyarrow typed-like: {len(names)} columns, kept as JSON text: {', '.join(text_columns) or 'none'}", file=sys.stderr)
    assert len(typed_rows) == len(packed_rows)
    return batches, packed_rows, packed_schema, typed_rows, typed_schema


def pyarrow_main(rows_path, out_root, results, suffix):
    import pyarrow as pa
    import pyarrow.parquet as pq

    # The prepared rows are kept beside ROWS for the next rounds (pickle loads faster than preparing).
    cache = rows_path + ".pyarrow.pickle"
    if os.path.exists(cache):
        with open(cache, "rb") as f:
            batches, packed_rows, packed_schema, typed_rows, typed_schema = pickle.load(f)
    else:
        batches, packed_rows, packed_schema, typed_rows, typed_schema = prepare(rows_path)
        with open(cache, "wb") as f:
            pickle.dump((batches, packed_rows, packed_schema, typed_rows, typed_schema), f, protocol=pickle.HIGHEST_PROTOCOL)

    variants = [
        ("packed", "snappy", packed_rows, packed_schema),
        ("packed", "zstd", packed_rows, packed_schema),
        ("typed", "snappy", typed_rows, typed_schema),
        ("typed", "zstd", typed_rows, typed_schema),
    ]
    with open(results, "a") as out:
        for layout, codec, rows, schema in variants:
            directory = os.path.join(out_root, f"pyarrow-{layout}-{codec}")
            os.makedirs(directory, exist_ok=True)
            paths = [os.path.join(directory, f"{n:05d}.parquet") for n in range(len(batches))]
            # ---- timed: the tables and write_table ----
            c0, t0 = cpu_seconds(), time.perf_counter()
            for (a, b), path in zip(batches, paths):
                table = pa.Table.from_pylist(rows[a:b], schema=schema)
                pq.write_table(table, path, compression=codec)
            t1, c1 = time.perf_counter(), cpu_seconds()
            size = sum(os.path.getsize(p) for p in paths)
            out.write(f"pyarrow-{layout}-{codec}{suffix} {t1 - t0:.6f} {c1 - c0:.3f} {len(paths)} {size}\n")
            print(f"   pyarrow {layout} {codec}: {t1 - t0:.3f} s", file=sys.stderr)


def duckdb_main(runs, results, zones):
    import duckdb

    with open(results, "a") as out:
        for zone in zones:
            name, glob = zone.split("=", 1)
            if glob.endswith(".parquet"):
                source = f"read_parquet('{glob}')"
            else:
                source = f"read_json('{glob}', format = 'newline_delimited')"
            query = f"SELECT count(*), sum(length(_seq)) FROM {source}"
            con = duckdb.connect()
            expected = con.execute(query).fetchone()
            con.close()
            for _ in range(runs):
                con = duckdb.connect()
                t0 = time.perf_counter()
                got = con.execute(query).fetchone()
                t1 = time.perf_counter()
                con.close()
                assert got == expected, (name, got, expected)
                out.write(f"read {name} {t1 - t0:.6f} {got[0]} {got[1]}\n")
            print(f"   duckdb {name}: {expected[0]} rows", file=sys.stderr)


def table(header, rows, left=1):
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print("| " + " | ".join((c.ljust(w) if i < left else c.rjust(w)) for i, (c, w) in enumerate(zip(r, widths))) + " |")


def report_main(results, info_path):
    info = json.load(open(info_path))
    records = info["records"]
    runs, reads = {}, {}
    for line in open(results):
        parts = line.split()
        if parts[0] == "read":
            reads.setdefault(parts[1], []).append((float(parts[2]), int(parts[3]), int(parts[4])))
            continue
        label, t0, t1, rss, cpu, objects, size = parts if len(parts) == 7 else (parts[0], "0", parts[1], "-", parts[2], parts[3], parts[4])
        runs.setdefault(label, []).append({
            "s": float(t1) - float(t0), "rss": None if rss == "-" else int(rss), "cpu": None if cpu == "-" else float(cpu),
            "objects": int(objects), "bytes": int(size)})

    names = info["variants"]
    base = runs["json"]
    base_s = statistics.median(x["s"] for x in base)
    base_bytes = base[0]["bytes"]
    base_read = statistics.median(x[0] for x in reads["json"])
    print(f"input: {info['input_bytes'] / 1e6:.1f} MB, {records:,} records; rows (transform --ingest-ts none): "
          f"{info['ndjson_bytes']:,} bytes of NDJSON; MB = 10^6 bytes; medians of {info['runs']} runs")
    print()
    header = ["writer", "median s", "best s", "spread", "records/s", "CPU s", "peak RSS MB", "paired wall", "paired CPU",
              "objects", "bytes", "vs gzip-6", "DuckDB read s", "read spread"]
    rows = []

    def paired(label, key):
        """The median over rounds of this writer's figure over the NDJSON run's of the same round
        (the k-th run of every writer is round k's), or None."""
        ratios = [r[key] / b[key] for r, b in zip(runs[label], base) if r[key] is not None and b[key]]
        return statistics.median(ratios) if ratios else None

    for label, title in names:
        r = runs[label]
        secs = [x["s"] for x in r]
        med = statistics.median(secs)
        cpus = [x["cpu"] for x in r if x["cpu"] is not None]
        rss = [x["rss"] for x in r if x["rss"] is not None]
        rd = [x[0] for x in reads.get(label, [])]
        ddbcdc_run = label != "json" and not label.startswith("pyarrow")
        paired_s, paired_cpu = (paired(label, "s"), paired(label, "cpu")) if ddbcdc_run else (None, None)
        rows.append([
            title, f"{med:.3f}", f"{min(secs):.3f}", f"{(max(secs) - min(secs)) / med * 100:.0f}%",
            f"{records / med:,.0f}", f"{statistics.median(cpus):.2f}" if cpus else "-",
            f"{max(rss) / 1024:.0f}" if rss else "-",
            f"{paired_s:.3f}x" if paired_s else "-", f"{paired_cpu:.3f}x" if paired_cpu else "-",
            f"{r[0]['objects']:,}", f"{r[0]['bytes']:,}",
            f"{r[0]['bytes'] / base_bytes:.3f}x", f"{statistics.median(rd):.3f}" if rd else "-",
            f"{(max(rd) - min(rd)) / statistics.median(rd) * 100:.0f}%" if rd else "-"])
    table(header, rows)
    print()
    print("pyarrow rows: only Table.from_pylist + pq.write_table are timed (reading, parsing and preparing the rows "
          "are not); its CPU s is the process's over that section; its records/s is not end to end. "
          "ddbcdc rows: `ddbcdc run` end to end (parse the Lambda events, transform, encode, compress, write), "
          "CPU and peak RSS from /usr/bin/time -v.")
    print(f"gzip -6 of the whole NDJSON (`transform --ingest-ts none | gzip -6`, one stream): {info['gzip6_bytes']:,} bytes "
          f"({info['gzip6_bytes'] / base_bytes:.3f}x the NDJSON objects)")
    print()

    # Goals
    goal_rows = []
    for label, title in names:
        if not label.startswith("parquet-"):
            continue
        # Judged by the paired ratio: each run against the NDJSON run of its own round.
        med, ratio = statistics.median(x["s"] for x in runs[label]), paired(label, "s")
        goal_rows.append(["faster end to end than gzip-6 NDJSON (wall, paired)", title,
                          f"{ratio:.3f}x ({med:.3f} s vs {base_s:.3f} s)", "pass" if ratio < 1 else "FAIL"])
    # On a shared machine wall time is the noisier measure; CPU seconds say what the work costs.
    base_cpu = [x["cpu"] for x in base if x["cpu"] is not None]
    for label, title in names:
        cpus = [x["cpu"] for x in runs[label] if x["cpu"] is not None]
        if label.startswith("parquet-") and cpus and base_cpu:
            cpu, bcpu, ratio = statistics.median(cpus), statistics.median(base_cpu), paired(label, "cpu")
            goal_rows.append(["less CPU end to end than gzip-6 NDJSON (paired)", title,
                              f"{ratio:.3f}x ({cpu:.2f} s vs {bcpu:.2f} s)", "pass" if ratio < 1 else "FAIL"])
    for label, title in names:
        if label.startswith("parquet-") and "zstd" in label:
            b = runs[label][0]["bytes"]
            goal_rows.append(["with ZSTD smaller than the gzip-6 NDJSON objects", title,
                              f"{b:,} vs {base_bytes:,} B ({b / base_bytes:.3f}x)", "pass" if b < base_bytes else "FAIL"])
    # Parquet's GZIP level is chosen as the fastest whose files are no bigger than the gzip-6 NDJSON objects.
    for label, title in names:
        if label.startswith("parquet-") and "gzip" in label:
            b = runs[label][0]["bytes"]
            goal_rows.append(["with GZIP no bigger than the gzip-6 NDJSON objects", title,
                              f"{b:,} vs {base_bytes:,} B ({b / base_bytes:.3f}x)", "pass" if b <= base_bytes else "FAIL"])
    for label, title in names:
        if label.startswith("parquet-") and label in reads:
            rd = statistics.median(x[0] for x in reads[label])
            goal_rows.append(["faster to read in DuckDB", title, f"{rd:.3f} s vs {base_read:.3f} s",
                              "pass" if rd < base_read else "FAIL"])
    table(["goal", "ddbcdc run", "figures (medians)", "result"], goal_rows, left=2)
    print()

    # The landing zones hold the rows.
    problems = []
    for name, r in reads.items():
        count, total = r[0][1], r[0][2]
        if count != records:
            problems.append(f"{name}: DuckDB counts {count:,} rows, not {records:,}")
        if total != reads["json"][0][2]:
            problems.append(f"{name}: sum(length(_seq)) is {total:,}, the NDJSON objects' {reads['json'][0][2]:,}")
    print(f"rows: every landing zone read by DuckDB holds {records:,} rows with the same sum(length(_seq))" if not problems
          else "rows: MISMATCH\n  " + "\n  ".join(problems))
    for line in info.get("notes", []):
        print(f"note: {line}")
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "pyarrow":
        pyarrow_main(*sys.argv[2:6])
    elif command == "duckdb":
        duckdb_main(int(sys.argv[2]), sys.argv[3], sys.argv[4:])
    elif command == "report":
        report_main(sys.argv[2], sys.argv[3])
    else:
        sys.exit(f"unknown command {command}")
