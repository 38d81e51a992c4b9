#!/usr/bin/env python3
"""Deterministic generator of DynamoDB exports to S3, in AWS's documented layout (ddbcdc's own
test data for `ddbcdc backfill`).

Writes, under --out, what an export with S3 prefix P leaves in its bucket:

    <out>/AWSDynamoDB/<ExportId>/_started                    empty, as AWS writes it
    <out>/AWSDynamoDB/<ExportId>/manifest-summary.json       one JSON object (below)
    <out>/AWSDynamoDB/<ExportId>/manifest-summary.checksum   MD5 (hex) of manifest-summary.json
    <out>/AWSDynamoDB/<ExportId>/manifest-files.json         JSON lines, one per data file
    <out>/AWSDynamoDB/<ExportId>/manifest-files.checksum     MD5 (hex) of manifest-files.json
    <out>/AWSDynamoDB/<ExportId>/data/<26 chars>.json.gz     gzip'd JSON lines, several files,
                                                             some of them empty (itemCount 0:
                                                             AWS writes one file per partition,
                                                             empty partitions included)

The export folder (the one to give `ddbcdc backfill --export`) is <out>/AWSDynamoDB/<ExportId>;
the generator prints it (with the rest of its report, as JSON) on standard output.

manifest-summary.json: version, exportArn, startTime, endTime, tableArn, tableId, exportTime
(full) or exportFromTime + exportToTime (incremental), s3Bucket, s3Prefix, s3SseAlgorithm,
s3SseKmsKeyId, manifestFilesS3Key, billedSizeBytes, itemCount, outputFormat (DYNAMODB_JSON),
exportType (FULL_EXPORT | INCREMENTAL_EXPORT) and, for incremental exports, outputView
(NEW_AND_OLD_IMAGES). manifest-files.json lines: itemCount, md5Checksum (base64 of the MD5 of
the .json.gz bytes), etag (as S3 gives a one-part multipart upload: hex MD5 of the part's MD5,
"-1"), dataFileS3Key (with the s3Prefix in front, as AWS writes it, or without: --bare-keys).

Data lines:
  full export          {"Item":{...}}
  incremental export   {"Metadata":{"WriteTimestampMicros":{"N":"…"}},"Keys":{…},
                        "NewImage":{…},"OldImage":{…}}   (no OldImage for an insert, no
                        NewImage for a delete; --timestamp bare writes the timestamp as a bare
                        JSON number, --timestamp mixed alternates the two spellings)

Items are scripts/gen_events.py's devices: every DynamoDB type (S N B BOOL NULL SS NS BS M L),
nested maps and lists, 38-digit numbers and the range limits, unicode, control characters,
binary. Items go to data files by an MD5 of their key (a partition's hashed key space).

Damage, for the bad-input tests (--damage KIND, applied to data file --damage-file, an index in
manifest-files.json; the manifests stay otherwise consistent so that only the named fault is
there):
  md5         the manifest's md5Checksum is another file's (the data is intact)
  count       the manifest's itemCount is one more than the lines
  truncated   the gzip loses its last bytes (its trailer and some data); the manifest's MD5 is
              of the truncated bytes, so only the gzip itself is wrong
  missing     the manifest names the file, the file is not there
  malformed   three lines are not rows: a line cut short, an unknown type tag, a B that is not
              base64 (lines 2, 4 and 6 of the file, 1-based; the report lists them); MD5 and
              itemCount (= lines) agree with the file
  ion         the summary's outputFormat is ION (the data files hold ION text, .ion.gz)

--manifests-for DIR writes only the two manifests, for data files already under DIR/data (moto's
ExportTableToPointInTime writes a single <uuid>.gz data file and no manifest: this makes its
output a readable export).

--target-bytes N writes items until the data files hold at least N bytes (compressed), streaming
(memory stays bounded whatever N is): the benchmark's export.

The same arguments give byte-identical output (gzip without a timestamp; random.Random seeded
with integers only). Standard library only. As a module, write_full_export /
write_incremental_export / damage take items from the caller (the convergence tests).

    python3 scripts/gen_export.py --out /tmp/exp --seed 7 --items 5000 --files 6 --empty-files 2
    python3 scripts/gen_export.py --out /tmp/inc --seed 7 --type incremental --items 800 --timestamp mixed
    python3 scripts/gen_export.py --out bench-data/export --seed 42 --target-bytes 200_000_000
"""
import argparse
import base64
import gzip
import hashlib
import json
import os
import random
import sys
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_events import EPOCH0, make_image  # noqa: E402  (the same devices as the stream events)

REGION = "eu-west-1"
ACCOUNT = "210987654321"
TABLE = "fleet-devices"
TABLE_ARN = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{TABLE}"
BASE32 = "abcdefghijklmnopqrstuvwxyz234567"
DAMAGE_KINDS = ("md5", "count", "truncated", "missing", "malformed", "ion")


def dumps(obj):
    """Compact UTF-8 JSON, non-ASCII raw (control characters escaped), as AWS writes data lines."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def iso(ms):
    """2026-01-01T00:00:00.123Z from epoch milliseconds."""
    dt = datetime.fromtimestamp(ms // 1000, tz=timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + f".{ms % 1000:03d}Z"


def key_of(item, key_names=("pk", "sk")):
    return {k: item[k] for k in key_names if k in item}


def md5_of_file(path):
    digest = hashlib.md5()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest


class _Counting:
    """A binary file that counts the bytes written through it (the compressed size so far)."""

    def __init__(self, path):
        self.handle = open(path, "wb")
        self.written = 0

    def write(self, data):
        self.written += len(data)
        return self.handle.write(data)

    def flush(self):
        self.handle.flush()

    def close(self):
        self.handle.close()


class ExportWriter:
    """Writes one export: data files (streamed, several open at once), then the manifests.

    `files` data files receive lines (by an MD5 of the key, or round robin), `empty_files` more
    get none; their order in manifest-files.json is shuffled with the seed so empty files sit
    between full ones."""

    def __init__(self, out, *, seed, export_ms, files=4, empty_files=1, s3_prefix="exports/fleet",
                 bare_keys=False, s3_bucket="fleet-exports", export_id=None, suffix=".json.gz"):
        self.rng = random.Random(seed * 7919 + 3)
        self.export_ms = export_ms
        self.export_id = export_id or f"{export_ms:014d}-{self.rng.getrandbits(32):08x}"
        self.root = Path(out) / "AWSDynamoDB" / self.export_id
        (self.root / "data").mkdir(parents=True, exist_ok=False)
        (self.root / "_started").write_bytes(b"")
        self.s3_prefix, self.bare_keys, self.s3_bucket = s3_prefix, bare_keys, s3_bucket
        names = set()
        while len(names) < files + empty_files:
            names.add("".join(self.rng.choice(BASE32) for _ in range(26)) + suffix)
        names = sorted(names)
        self.rng.shuffle(names)
        self.names = names  # manifest order
        self.full = names[:files]
        self.empty = names[files:]
        self.rng.shuffle(self.names)
        self.counts = dict.fromkeys(self.names, 0)
        self.raw = {name: _Counting(self.root / "data" / name) for name in self.names}
        self.gz = {name: gzip.GzipFile(filename="", mode="wb", fileobj=self.raw[name], mtime=0, compresslevel=6)
                   for name in self.names}
        self.uncompressed = 0
        self.next_round = 0

    def add(self, line_obj, key=None):
        """Appends one data line, to the file its key hashes to (round robin without a key)."""
        if key is not None:
            h = int.from_bytes(hashlib.md5(dumps(key).encode("utf-8")).digest()[:8], "big")
            name = self.full[h % len(self.full)]
        else:
            name = self.full[self.next_round % len(self.full)]
            self.next_round += 1
        data = (dumps(line_obj) + "\n").encode("utf-8")
        self.gz[name].write(data)
        self.counts[name] += 1
        self.uncompressed += len(data)
        return name, self.counts[name]

    def compressed_bytes(self):
        return sum(r.written for r in self.raw.values())

    def s3_key(self, relative):
        key = f"AWSDynamoDB/{self.export_id}/{relative}"
        return key if self.bare_keys or not self.s3_prefix else f"{self.s3_prefix}/{key}"

    def finish(self, summary_times, export_type, output_format="DYNAMODB_JSON", output_view=None):
        for name in self.names:
            self.gz[name].close()
            self.raw[name].close()
        lines = []
        files = []
        billed = 0
        for name in self.names:
            path = self.root / "data" / name
            digest = md5_of_file(path)
            size = path.stat().st_size
            billed += size
            entry = {"itemCount": self.counts[name], "md5Checksum": base64.b64encode(digest.digest()).decode("ascii"),
                     "etag": hashlib.md5(digest.digest()).hexdigest() + "-1", "dataFileS3Key": self.s3_key(f"data/{name}")}
            lines.append(dumps(entry))
            files.append({"name": name, "path": str(path), "itemCount": self.counts[name], "bytes": size})
        manifest_files = ("\n".join(lines) + "\n").encode("utf-8")
        (self.root / "manifest-files.json").write_bytes(manifest_files)
        (self.root / "manifest-files.checksum").write_text(hashlib.md5(manifest_files).hexdigest())
        end_ms = max(self.export_ms, summary_times.get("_end", self.export_ms)) + 4 * 60 * 1000 + self.rng.randint(0, 59_999)
        summary = {
            "version": "2023-08-01" if export_type == "INCREMENTAL_EXPORT" else "2020-06-30",
            "exportArn": f"{TABLE_ARN}/export/{self.export_id}",
            "startTime": iso(summary_times.get("_start", self.export_ms)),
            "endTime": iso(end_ms),
            "tableArn": TABLE_ARN,
            "tableId": "%08x-%04x-%04x-%04x-%012x" % (self.rng.getrandbits(32), self.rng.getrandbits(16),
                                                     self.rng.getrandbits(16), self.rng.getrandbits(16),
                                                     self.rng.getrandbits(48)),
        }
        summary.update({k: v for k, v in summary_times.items() if not k.startswith("_")})
        summary.update({
            "s3Bucket": self.s3_bucket,
            "s3Prefix": self.s3_prefix or None,
            "s3SseAlgorithm": "AES256",
            "s3SseKmsKeyId": None,
            "manifestFilesS3Key": self.s3_key("manifest-files.json"),
            "billedSizeBytes": billed,
            "itemCount": sum(self.counts.values()),
            "outputFormat": output_format,
        })
        if output_view:
            summary["outputView"] = output_view
        summary["exportType"] = export_type
        text = json.dumps(summary, indent=None, separators=(",", ":")).encode("utf-8")
        (self.root / "manifest-summary.json").write_bytes(text)
        (self.root / "manifest-summary.checksum").write_text(hashlib.md5(text).hexdigest())
        return {"exportId": self.export_id, "exportDir": str(self.root), "summary": summary, "files": files,
                "items": summary["itemCount"], "uncompressedBytes": self.uncompressed, "compressedBytes": billed,
                "badLines": {}}


def write_full_export(out, items, export_ms, *, seed=1, files=4, empty_files=1, s3_prefix="exports/fleet",
                      bare_keys=False, key_names=("pk", "sk"), export_id=None):
    """A full export of `items` (DynamoDB JSON images, in any order) taken at `export_ms`."""
    writer = ExportWriter(out, seed=seed, export_ms=export_ms, files=files, empty_files=empty_files,
                          s3_prefix=s3_prefix, bare_keys=bare_keys, export_id=export_id)
    for item in items:
        writer.add({"Item": item}, key_of(item, key_names))
    return writer.finish({"_start": export_ms, "exportTime": iso(export_ms)}, "FULL_EXPORT")


def incremental_line(change, timestamp="N"):
    """One incremental export line from {"keys", "old", "new", "micros"} (old/new None when absent)."""
    micros = change["micros"]
    line = {"Metadata": {"WriteTimestampMicros": {"N": str(micros)} if timestamp == "N" else micros},
            "Keys": change["keys"]}
    if change.get("new") is not None:
        line["NewImage"] = change["new"]
    if change.get("old") is not None:
        line["OldImage"] = change["old"]
    return line


def write_incremental_export(out, changes, from_ms, to_ms, *, seed=1, files=3, empty_files=1, timestamp="N",
                             s3_prefix="exports/fleet", bare_keys=False, export_id=None):
    """An incremental export of `changes` (each the last write of one item inside [from_ms, to_ms)).
    `timestamp`: "N" ({"N":"…"}), "bare" (a JSON number) or "mixed" (alternating)."""
    writer = ExportWriter(out, seed=seed, export_ms=to_ms, files=files, empty_files=empty_files,
                          s3_prefix=s3_prefix, bare_keys=bare_keys, export_id=export_id)
    for index, change in enumerate(changes):
        spelling = timestamp if timestamp != "mixed" else ("N" if index % 2 == 0 else "bare")
        writer.add(incremental_line(change, spelling), change["keys"])
    return writer.finish({"_start": to_ms, "exportFromTime": iso(from_ms), "exportToTime": iso(to_ms)},
                         "INCREMENTAL_EXPORT", output_view="NEW_AND_OLD_IMAGES")


def _rewrite_manifest(root, change):
    """Applies `change(entries)` to manifest-files.json (and its checksum)."""
    path = Path(root) / "manifest-files.json"
    entries = [json.loads(l) for l in path.read_text(encoding="utf-8").split("\n") if l]
    change(entries)
    data = ("\n".join(dumps(e) for e in entries) + "\n").encode("utf-8")
    path.write_bytes(data)
    (Path(root) / "manifest-files.checksum").write_text(hashlib.md5(data).hexdigest())
    return entries


def _data_path(root, entry):
    return Path(root) / "data" / entry["dataFileS3Key"].rsplit("/", 1)[1]


def damage(report, kind, file_index=None):
    """Damages an export written by this module in one way (see the module's doc); returns the
    name of the damaged data file (and records bad lines in report["badLines"])."""
    root = Path(report["exportDir"])
    entries = [json.loads(l) for l in (root / "manifest-files.json").read_text(encoding="utf-8").split("\n") if l]
    if file_index is None:  # the first file with at least 7 items
        file_index = next(i for i, e in enumerate(entries) if e["itemCount"] >= 7)
    entry = entries[file_index]
    path = _data_path(root, entry)
    name = path.name
    if kind == "md5":
        other = next(e for e in entries if e["md5Checksum"] != entry["md5Checksum"])

        def change(es):
            es[file_index]["md5Checksum"] = other["md5Checksum"]
        _rewrite_manifest(root, change)
    elif kind == "count":
        def change(es):
            es[file_index]["itemCount"] += 1
        _rewrite_manifest(root, change)
    elif kind == "truncated":
        data = path.read_bytes()
        data = data[: max(10, len(data) - 8 - max(16, len(data) // 4))]
        path.write_bytes(data)

        def change(es):
            digest = hashlib.md5(data).digest()
            es[file_index]["md5Checksum"] = base64.b64encode(digest).decode("ascii")
            es[file_index]["etag"] = hashlib.md5(digest).hexdigest() + "-1"
        _rewrite_manifest(root, change)
    elif kind == "missing":
        path.unlink()
    elif kind == "malformed":
        lines = gzip.decompress(path.read_bytes()).decode("utf-8").split("\n")[:-1]
        assert len(lines) >= 7, "a malformed-lines file needs at least 7 lines"
        lines[1] = lines[1][: len(lines[1]) // 2]  # cut short: not JSON
        lines[3] = lines[3].replace('{"S":', '{"Q":', 1) if '{"S":' in lines[3] else '{"Item":{"pk":{"Q":"x"}}}'
        lines[5] = '{"Item":{"pk":{"S":"bad-binary"},"sk":{"S":"b"},"blob":{"B":"%%not base64%%"}}}'
        data = gzip.compress(("\n".join(lines) + "\n").encode("utf-8"), compresslevel=6, mtime=0)
        path.write_bytes(data)

        def change(es):
            digest = hashlib.md5(data).digest()
            es[file_index]["md5Checksum"] = base64.b64encode(digest).decode("ascii")
            es[file_index]["etag"] = hashlib.md5(digest).hexdigest() + "-1"
        _rewrite_manifest(root, change)
        report["badLines"][name] = [2, 4, 6]
    elif kind == "ion":
        summary = json.loads((root / "manifest-summary.json").read_text(encoding="utf-8"))
        summary["outputFormat"] = "ION"
        text = json.dumps(summary, separators=(",", ":")).encode("utf-8")
        (root / "manifest-summary.json").write_bytes(text)
        (root / "manifest-summary.checksum").write_text(hashlib.md5(text).hexdigest())
        for e in entries:  # ION text in .ion.gz files, as an ION export has
            p = _data_path(root, e)
            ion_name = p.name.replace(".json.gz", ".ion.gz")
            lines = gzip.decompress(p.read_bytes()).decode("utf-8").split("\n")[:-1]
            data = gzip.compress("".join("$ion_1_0 " + l.replace('"Item":', "Item:") + "\n" for l in lines).encode("utf-8"),
                                 mtime=0)
            p.unlink()
            (p.parent / ion_name).write_bytes(data)

        def change(es):
            for e in es:
                e["dataFileS3Key"] = e["dataFileS3Key"].replace(".json.gz", ".ion.gz")
                digest = hashlib.md5((root / "data" / e["dataFileS3Key"].rsplit("/", 1)[1]).read_bytes()).digest()
                e["md5Checksum"] = base64.b64encode(digest).decode("ascii")
                e["etag"] = hashlib.md5(digest).hexdigest() + "-1"
        _rewrite_manifest(root, change)
        name = None
    else:
        raise ValueError(f"unknown damage {kind!r}; one of {', '.join(DAMAGE_KINDS)}")
    report.setdefault("damaged", []).append({"kind": kind, "file": name, "index": file_index})
    return name


def write_manifests(export_dir, export_ms, *, s3_prefix="", s3_bucket="fleet-exports", seed=1):
    """Writes manifest-summary.json and manifest-files.json for data files already under
    `export_dir`/data (any name: moto's ExportTableToPointInTime writes one `<uuid>.gz` and no
    manifest at all), counting their lines; returns the report."""
    root = Path(export_dir)
    rng = random.Random(seed)
    entries, files, total, billed = [], [], 0, 0
    for path in sorted((root / "data").iterdir()):
        data = path.read_bytes()
        count = sum(1 for line in gzip.decompress(data).split(b"\n") if line.strip())
        digest = hashlib.md5(data).digest()
        key = f"AWSDynamoDB/{root.name}/data/{path.name}"
        entries.append(dumps({"itemCount": count, "md5Checksum": base64.b64encode(digest).decode("ascii"),
                              "etag": hashlib.md5(digest).hexdigest() + "-1",
                              "dataFileS3Key": f"{s3_prefix}/{key}" if s3_prefix else key}))
        files.append({"name": path.name, "path": str(path), "itemCount": count, "bytes": len(data)})
        total += count
        billed += len(data)
    text = ("\n".join(entries) + "\n").encode("utf-8")
    (root / "manifest-files.json").write_bytes(text)
    files_key = f"AWSDynamoDB/{root.name}/manifest-files.json"
    summary = {"version": "2020-06-30", "exportArn": f"{TABLE_ARN}/export/{root.name}", "startTime": iso(export_ms),
               "endTime": iso(export_ms + 60_000), "tableArn": TABLE_ARN,
               "tableId": "%08x-0000-4000-8000-%012x" % (rng.getrandbits(32), rng.getrandbits(48)),
               "exportTime": iso(export_ms), "s3Bucket": s3_bucket, "s3Prefix": s3_prefix or None,
               "s3SseAlgorithm": "AES256", "s3SseKmsKeyId": None,
               "manifestFilesS3Key": f"{s3_prefix}/{files_key}" if s3_prefix else files_key,
               "billedSizeBytes": billed, "itemCount": total, "outputFormat": "DYNAMODB_JSON", "exportType": "FULL_EXPORT"}
    (root / "manifest-summary.json").write_bytes(json.dumps(summary, separators=(",", ":")).encode("utf-8"))
    return {"exportId": root.name, "exportDir": str(root), "summary": summary, "files": files, "items": total,
            "compressedBytes": billed, "badLines": {}}


# --------------------------------------------------------------------------------------------
# the command
# --------------------------------------------------------------------------------------------
def device(seed, iid, version=1):
    return make_image(seed, iid, version, None)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", help="where AWSDynamoDB/<ExportId>/ goes (created)")
    p.add_argument("--manifests-for", metavar="EXPORT_DIR",
                   help="write only the manifests for the data files under EXPORT_DIR/data (e.g. moto's export, "
                        "which has none), with --export-time and --s3-prefix")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--type", choices=("full", "incremental"), default="full")
    p.add_argument("--items", type=int, default=1000, help="items (full) or changed items (incremental)")
    p.add_argument("--files", type=int, default=4, help="data files that hold items")
    p.add_argument("--empty-files", type=int, default=2, help="data files with no items (itemCount 0)")
    p.add_argument("--export-time", type=int, default=(EPOCH0 + 86400) * 1000 + 123,
                   help="exportTime (full) / exportToTime (incremental), epoch ms")
    p.add_argument("--window", type=int, default=3600, help="incremental: seconds between exportFromTime and exportToTime")
    p.add_argument("--timestamp", choices=("N", "bare", "mixed"), default="N",
                   help="incremental: WriteTimestampMicros as {\"N\":\"…\"}, a bare number, or alternating")
    p.add_argument("--s3-prefix", default="exports/fleet")
    p.add_argument("--bare-keys", action="store_true", help="dataFileS3Key and manifestFilesS3Key without the s3Prefix")
    p.add_argument("--damage", action="append", default=[], choices=DAMAGE_KINDS)
    p.add_argument("--damage-file", type=int, help="index in manifest-files.json of the file to damage")
    p.add_argument("--target-bytes", type=lambda s: int(s.replace("_", "")),
                   help="full export: write items until the data files hold this many bytes (gzip)")
    args = p.parse_args(argv)
    if args.manifests_for:
        report = write_manifests(args.manifests_for, args.export_time, s3_prefix=args.s3_prefix, seed=args.seed)
        json.dump({k: v for k, v in report.items() if k != "summary"}, sys.stdout, indent=1)
        sys.stdout.write("\n")
        return
    if not args.out:
        p.error("--out is required (or --manifests-for)")

    if args.type == "full":
        writer = ExportWriter(args.out, seed=args.seed, export_ms=args.export_time, files=args.files,
                              empty_files=args.empty_files, s3_prefix=args.s3_prefix, bare_keys=args.bare_keys)
        iid = 0
        while True:
            if args.target_bytes is None and iid >= args.items:
                break
            # the compressed size grows as zlib emits output: close enough to stop at the target
            if args.target_bytes is not None and iid % 256 == 0 and writer.compressed_bytes() >= args.target_bytes:
                break
            item = device(args.seed, iid)
            writer.add({"Item": item}, key_of(item))
            iid += 1
        report = writer.finish({"_start": args.export_time, "exportTime": iso(args.export_time)}, "FULL_EXPORT")
    else:
        rng = random.Random(args.seed * 31 + 7)
        to_ms = args.export_time
        from_ms = to_ms - args.window * 1000
        changes = []
        for iid in range(args.items):
            keys = key_of(device(args.seed, iid))
            micros = from_ms * 1000 + rng.randrange(args.window * 10**6)
            kind = rng.random()
            old = device(args.seed, iid, 1) if kind >= 0.3 else None  # 30 % inserts
            new = device(args.seed, iid, 2) if kind < 0.8 else None  # 20 % deletes
            changes.append({"keys": keys, "old": old, "new": new, "micros": micros})
        report = write_incremental_export(args.out, changes, from_ms, to_ms, seed=args.seed, files=args.files,
                                          empty_files=args.empty_files, timestamp=args.timestamp,
                                          s3_prefix=args.s3_prefix, bare_keys=args.bare_keys)
    for kind in args.damage:
        damage(report, kind, args.damage_file)
    json.dump({k: v for k, v in report.items() if k != "summary"}, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
