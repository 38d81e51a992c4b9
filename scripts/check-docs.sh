#!/usr/bin/env bash
# The DocC catalogs of the library products: every article's Swift code is run by a test, and every
# catalog builds without a warning.
#
# 1. Each ```swift block of Sources/<Module>/<Module>.docc/<Article>.md must appear verbatim (line
#    by line, indentation aside) in Tests/<Module>Tests/<Article>Tests.swift, which runs it and
#    checks what the article says it gives: an article and its test cannot drift apart.
# 2. Every catalog builds with `docc convert --warnings-as-errors`: a broken symbol link, an
#    unknown topic or a doc comment whose parameter list is wrong fails.
#
# By default step 2 takes the public symbol graphs of all modules from one
# `swift package dump-symbol-graph` (one build, ~20 s) and runs the toolchain's `docc` on each
# catalog (~2 s each). `--plugin` builds them instead as `swift package generate-documentation`
# (swift-docc-plugin, what publishing uses) does: the same docc, the same public graphs, but one
# build per target, two to four times slower here.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

# The library products, each with a catalog Sources/<Module>/<Module>.docc.
MODULES=(DDBTypes Timekeeping StreamNormalize NDJSONBuffer AWSCore S3Sink DynamoExport DynamoStreams SparkTypes SparkPlan Parquet)

echo "== article code blocks against their tests" >&2
python3 - "${MODULES[@]}" <<'PY'
import pathlib, re, sys

def lines(text):
    """The non-blank lines of `text`, each without its indentation or trailing spaces."""
    return [line.strip() for line in text.splitlines() if line.strip()]

def contains(haystack, needle):
    return any(haystack[i:i + len(needle)] == needle for i in range(len(haystack) - len(needle) + 1))

problems, checked = [], 0
for module in sys.argv[1:]:
    catalog = pathlib.Path("Sources", module, module + ".docc")
    if not catalog.is_dir():
        problems.append(f"{catalog}: missing (every library product has a catalog)")
        continue
    for article in sorted(catalog.rglob("*.md")):
        blocks = re.findall(r"^```swift\n(.*?)^```", article.read_text(), re.S | re.M)
        if not blocks:
            continue
        test = pathlib.Path("Tests", module + "Tests", article.stem + "Tests.swift")
        if not test.is_file():
            problems.append(f"{article}: has {len(blocks)} swift block(s) but no test file {test} running them")
            continue
        test_lines = lines(test.read_text())
        for number, block in enumerate(blocks, 1):
            checked += 1
            if not contains(test_lines, lines(block)):
                first = lines(block)[0] if lines(block) else ""
                problems.append(f"{article}: swift block {number} (starting `{first}`) is not in {test} verbatim")
for problem in problems:
    print("error: " + problem, file=sys.stderr)
if problems:
    sys.exit(1)
print(f"{checked} swift blocks found verbatim in their tests", file=sys.stderr)
PY

if [[ "${1:-}" == "--plugin" ]]; then
    echo "== swift package generate-documentation --warnings-as-errors (${MODULES[*]})" >&2
    targets=()
    for module in "${MODULES[@]}"; do targets+=(--target "$module"); done
    swift package --disable-sandbox generate-documentation "${targets[@]}" --warnings-as-errors
    exit
fi

echo "== swift package dump-symbol-graph, then docc convert --warnings-as-errors (${MODULES[*]})" >&2
dumped=$(swift package dump-symbol-graph --minimum-access-level public 2>&1) || { echo "$dumped" >&2; exit 1; }
graphs=$(sed -n 's/^Files written to //p' <<<"$dumped")
[[ -d "$graphs" ]] || { echo "$dumped" >&2; echo "error: no symbol graph folder in dump-symbol-graph's output" >&2; exit 1; }
OUT="$ROOT/.build/docs-check"
for module in "${MODULES[@]}"; do
    # The module's own graph and its extensions of other modules' types (Module@Other), alone.
    rm -rf "$OUT/graphs/$module" "$OUT/$module.doccarchive"
    mkdir -p "$OUT/graphs/$module"
    cp "$graphs/$module.symbols.json" "$OUT/graphs/$module/"
    for extension in "$graphs/$module"@*.symbols.json; do
        [[ -e "$extension" ]] && cp "$extension" "$OUT/graphs/$module/"
    done
    if ! docc convert "Sources/$module/$module.docc" --additional-symbol-graph-dir "$OUT/graphs/$module" \
        --fallback-display-name "$module" --fallback-bundle-identifier "$module" \
        --output-path "$OUT/$module.doccarchive" --warnings-as-errors >"$OUT/$module.log" 2>&1; then
        cat "$OUT/$module.log" >&2
        echo "error: the $module catalog does not build without warnings (above)" >&2
        exit 1
    fi
    echo "$module: no warnings" >&2
done
