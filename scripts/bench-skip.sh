#!/usr/bin/env bash
# Benchmark: JSONCursor.skipValue against the recursive skipValue it replaced, same input, same
# process, passes interleaved.
#
#   scripts/bench-skip.sh
#
# 1. takes the previous skipValue from git (REF: the parent of the commit that added
#    Sources/DDBTypes/JSONCursor+Skip.swift) as `previousSkipValue`, next to the current sources
#    of DDBTypes (the string, number and literal reads it calls are theirs);
# 2. compiles both with a small driver (swiftc -O -wmo, the release build's optimisation, no
#    -Ounchecked) into $SCRATCH/bench-skip;
# 3. reads bench-data/events-seed<SEED>-<RECORDS>.jsonl (made by scripts/gen_events.py as
#    bench-transform.sh makes it) and skips every line (a Lambda event of BATCH records: strings,
#    nested objects, the DynamoDB JSON of every image) ROUNDS times with each, alternating;
# 4. checks that both end every line at the same byte, and prints each pass and the medians in MB/s.
#
# Environment: SEED (42), RECORDS (200000), ROUNDS (7), REF (see 1), PYTHON (python3),
#              SCRATCH (.build).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

ROUNDS=${ROUNDS:-7}
PYTHON=${PYTHON:-python3}
SCRATCH=${SCRATCH:-.build}
source scripts/bench-lib.sh

if [[ -z "${REF:-}" ]]; then
    added=$(git log --diff-filter=A --format=%H -- Sources/DDBTypes/JSONCursor+Skip.swift | tail -1)
    [[ -n "$added" ]] || { say "no commit adds Sources/DDBTypes/JSONCursor+Skip.swift: set REF"; exit 1; }
    REF="$added^"
fi

bench_input
work="$SCRATCH/bench-skip"
mkdir -p "$work"

# The previous skipValue, renamed, in an extension of the current JSONCursor.
{
    echo "extension JSONCursor {"
    git show "$REF:Sources/DDBTypes/JSONCursor.swift" \
        | sed -n '/Skips one JSON value of any kind/,/^    }$/p' | sed 's/skipValue/previousSkipValue/g'
    echo "}"
} > "$work/Previous.swift"
grep -q "mutating func previousSkipValue" "$work/Previous.swift" || { say "no skipValue in JSONCursor.swift at $REF"; exit 1; }

cat > "$work/main.swift" <<'EOF'
import Foundation

let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: CommandLine.arguments[1])))
let rounds = Int(CommandLine.arguments[2])!
var starts = [0]
for index in bytes.indices where bytes[index] == 0x0A { starts.append(index + 1) }
if starts.last == bytes.count { starts.removeLast() }

/// Skips every line once; the sum of the end positions, so that both readings can be compared.
func pass(previous: Bool) -> (seconds: Double, ends: Int) {
    var ends = 0
    let start = DispatchTime.now().uptimeNanoseconds
    bytes.withUnsafeBufferPointer { buffer in
        for lineStart in starts {
            var cursor = JSONCursor(buffer, at: lineStart)
            do throws(DDBError) {
                if previous { try cursor.previousSkipValue() } else { try cursor.skipValue() }
            } catch {
                fatalError("line at byte \(lineStart): \(error)")
            }
            ends &+= cursor.pos
        }
    }
    return (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, ends)
}

let megabytes = Double(bytes.count) / 1e6
var times: [String: [Double]] = [:]
for round in 1...rounds {
    let previous = pass(previous: true)
    let current = pass(previous: false)
    precondition(previous.ends == current.ends, "the two skips end lines at different bytes")
    print(String(format: "round %d: previous %.0f MB/s, current %.0f MB/s", round, megabytes / previous.seconds, megabytes / current.seconds))
    times["previous", default: []].append(previous.seconds)
    times["current", default: []].append(current.seconds)
}
func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
let previous = median(times["previous"]!), current = median(times["current"]!)
print(String(format: "median of %d: previous %.0f MB/s, current %.0f MB/s: %.2fx (%.1f MB of events)",
    rounds, megabytes / previous, megabytes / current, previous / current, megabytes))
EOF

say "== swiftc -O -wmo: DDBTypes + skipValue of $(git rev-parse --short "$REF") + driver"
swiftc -O -wmo -package-name ddbcdc -module-name SkipBench \
    Sources/DDBTypes/*.swift "$work/Previous.swift" "$work/main.swift" -o "$work/bench-skip" 2> "$work/build.log" \
    || { cat "$work/build.log" >&2; say "the driver did not build"; exit 1; }

bench_machine
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
"$work/bench-skip" "$DATA" "$ROUNDS"
