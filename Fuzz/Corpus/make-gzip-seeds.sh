#!/usr/bin/env bash
# Writes gzip seeds for the gunzip target into the folder given (scripts/fuzz.sh passes
# .build-fuzz/seeds/gunzip), made from the reader's committed seeds, so the repository holds no
# compressed binaries: single and concatenated members, every level, stored blocks, a cut file, a
# bad CRC, trailing garbage and an empty file.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${1:?usage: make-gzip-seeds.sh FOLDER}
mkdir -p "$OUT"
READER=$HERE/reader
event=$READER/lambda-event.json
ndjson=$READER/ndjson-records.jsonl

gzip -9cn <"$event" >"$OUT/event.gz"
gzip -1cn <"$ndjson" >"$OUT/ndjson-fast.gz"
{ gzip -cn <"$event"; gzip -cn <"$ndjson"; } >"$OUT/two-members.gz"
# Level 0: stored blocks (python's gzip writes them; gzip(1) has no level 0).
python3 -c 'import gzip, sys; sys.stdout.buffer.write(gzip.compress(sys.stdin.buffer.read(), compresslevel=0, mtime=0))' <"$ndjson" >"$OUT/stored.gz"
size=$(wc -c <"$OUT/event.gz")
head -c $((size / 2)) "$OUT/event.gz" >"$OUT/truncated.gz"
head -c $((size - 8)) "$OUT/event.gz" >"$OUT/no-trailer.gz"
# Flip the first CRC byte (8 bytes from the end).
python3 -c 'import sys; b = bytearray(sys.stdin.buffer.read()); b[-8] ^= 0xFF; sys.stdout.buffer.write(b)' <"$OUT/event.gz" >"$OUT/bad-crc.gz"
{ cat "$OUT/event.gz"; printf 'garbage after the member\n'; } >"$OUT/trailing-garbage.gz"
printf '' | gzip -cn >"$OUT/empty-member.gz"
# Only the magic number and a header: the shortest inputs that take the gzip path.
printf '\x1f\x8b' >"$OUT/magic-only.gz"
head -c 10 "$OUT/event.gz" >"$OUT/header-only.gz"
