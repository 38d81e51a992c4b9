#!/usr/bin/env bash
# Builds the libFuzzer targets of Fuzz/Targets into .build-fuzz and runs each for a bounded time
# from its seed corpus; exits non-zero on the first crash, sanitizer report or broken invariant,
# keeping the input under .build-fuzz/crashes/TARGET and printing it.
#
#   scripts/fuzz.sh                  every target, FUZZ_SECONDS (default 60) each
#   scripts/fuzz.sh reader 600       one target for 10 minutes
#   FUZZ_SECONDS=0 scripts/fuzz.sh   build, then only replay the seeds and regressions
#
# Environment: FUZZ_SECONDS, FUZZ_ARGS (more libFuzzer flags, e.g. "-fork=2 -only_ascii=1").
# See Fuzz/README.md for longer local runs.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
say() { printf '== %s\n' "$*" >&2; }

TARGETS=(transcoder reader gunzip parquet rows)
if (($# >= 1)) && [[ $1 != all ]]; then
    [[ " ${TARGETS[*]} " == *" $1 "* ]] || { echo "unknown target '$1'; targets: ${TARGETS[*]}" >&2; exit 2; }
    TARGETS=("$1")
fi
SECONDS_EACH=${2:-${FUZZ_SECONDS:-60}}
OUT=.build-fuzz

# zlib's headers for the gzip target, the codecs' for the parquet target (scripts/setup.sh installs them too).
missing=()
for package in zlib1g-dev libsnappy-dev libzstd-dev libdeflate-dev; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
    say "apt-get install ${missing[*]}"
    SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# libFuzzer itself ships with the Swift toolchain (clang's compiler-rt); without it nothing can run.
SWIFTC=$(command -v swiftc)
TOOLCHAIN=$(dirname "$(dirname "$(readlink -f "$SWIFTC")")")
if ! compgen -G "$TOOLCHAIN/lib/clang/*/lib/linux/libclang_rt.fuzzer-$(uname -m).a" >/dev/null; then
    echo "no libFuzzer runtime (libclang_rt.fuzzer-$(uname -m).a) in $TOOLCHAIN/lib/clang; a Swift toolchain from swift.org has it" >&2
    exit 1
fi

# The package's settings (Package.swift): Swift 6 mode and its upcoming features. Each library
# module is compiled on its own with the package's name, so `package` symbols stay visible and
# `import DDBTypes` means what it means in the package; every object is instrumented for
# coverage and AddressSanitizer.
FLAGS=(-swift-version 6 -enable-upcoming-feature ExistentialAny -enable-upcoming-feature MemberImportVisibility
    -enable-upcoming-feature InternalImportsByDefault -package-name ddbcdc -parse-as-library
    -sanitize=fuzzer,address -O -g -I "$OUT/modules")
mkdir -p "$OUT/modules" "$OUT/bin"
# A change of flags rebuilds everything.
[[ -f $OUT/flags && $(cat "$OUT/flags") == "${FLAGS[*]}" ]] || printf '%s' "${FLAGS[*]}" >"$OUT/flags"

# Rebuilds $1 (a module or an executable) when any of the following files is newer.
stale() {
    local product=$1; shift
    [[ -e $product ]] || return 0
    local file
    for file in "$@"; do [[ $file -nt $product ]] && return 0; done
    return 1
}
# A module is also rebuilt when a module built before it was: it may import it, and an object
# compiled against an older layout of a type overruns it (AddressSanitizer saw exactly that).
EARLIER=()
module() {
    local name=$1; shift
    local extra=()
    [[ $1 == -* ]] && { extra=("$1"); shift; }
    local sources=("$@")
    if stale "$OUT/modules/$name.o" "${sources[@]}" "$OUT/flags" "${EARLIER[@]}"; then
        say "swiftc $name (fuzzer, address)"
        swiftc "${FLAGS[@]}" "${extra[@]}" -module-name "$name" -wmo -emit-module -emit-module-path "$OUT/modules/$name.swiftmodule" \
            -c "${sources[@]}" -o "$OUT/modules/$name.o"
        touch "$OUT/modules/$name.o"  # swiftc leaves an unchanged object's time as it was
    fi
    EARLIER+=("$OUT/modules/$name.o")
}
module DDBTypes Sources/DDBTypes/*.swift
module StreamNormalize Sources/StreamNormalize/*.swift
# The gzip input path and the parallel reader: Pipeline's GunzipSource and ParallelReader and what
# they use from ProcessKit (IOError, StopRequest), without the rest, which needs swift-system,
# ServiceLifecycle, S3Sink and AsyncHTTPClient.
FLAGS+=(-I Sources/CZlib)
# (Part of a module: its warnings, such as imports only the other files use, are not this one's.)
module ProcessKit -suppress-warnings Sources/ProcessKit/IOError.swift Sources/ProcessKit/StopRequest.swift
module Pipeline -suppress-warnings Sources/Pipeline/IO/GunzipSource.swift Sources/Pipeline/Engine/ParallelReader.swift
# The Parquet module whole (reader and writer), against snappy, zstd and libdeflate.
FLAGS+=(-I Sources/CSnappy -I Sources/CZstd -I Sources/CLibdeflate)
mapfile -t PARQUET_SOURCES < <(find Sources/Parquet -name '*.swift' | sort)
module Parquet "${PARQUET_SOURCES[@]}"
# ddbcdc's rows into Parquet (ParquetRows), with what it uses: SparkTypes, and Digest over libcrypto.
FLAGS+=(-I Sources/CLibcrypto)
module SparkTypes Sources/SparkTypes/*.swift
module Digest Sources/Digest/*.swift
module ParquetRows Sources/ParquetRows/*.swift

declare -A OBJECTS=(
    [transcoder]="DDBTypes"
    [reader]="DDBTypes StreamNormalize ProcessKit Pipeline"
    [gunzip]="DDBTypes StreamNormalize ProcessKit Pipeline"
    [parquet]="Parquet"
    [rows]="DDBTypes StreamNormalize SparkTypes Digest Parquet ParquetRows"
)
declare -A LIBRARIES=([transcoder]="" [reader]="-lz" [gunzip]="-lz" [parquet]="-lsnappy -lzstd -ldeflate" [rows]="-lsnappy -lzstd -ldeflate -lcrypto")
for target in "${TARGETS[@]}"; do
    objects=()
    for name in ${OBJECTS[$target]}; do objects+=("$OUT/modules/$name.o"); done
    if stale "$OUT/bin/$target" "Fuzz/Targets/$target.swift" "${objects[@]}" "$OUT/flags"; then
        say "swiftc Fuzz/Targets/$target.swift"
        # The toolchain's lld: gold warns about every AddressSanitizer helper symbol.
        # shellcheck disable=SC2086  # a list of -l flags
        swiftc "${FLAGS[@]}" -use-ld=lld -module-name "Fuzz_$target" "Fuzz/Targets/$target.swift" "${objects[@]}" ${LIBRARIES[$target]} \
            -o "$OUT/bin/$target"
        touch "$OUT/bin/$target"
    fi
done

# Seeds: copies of the committed corpus (libFuzzer may write into any corpus folder it is given,
# and the repository's must stay as committed), and for gunzip gzip files made from the reader's
# seeds (Fuzz/Corpus/make-gzip-seeds.sh).
for target in "${TARGETS[@]}"; do
    rm -rf "$OUT/seeds/$target"
    mkdir -p "$OUT/seeds/$target"
    [[ -d Fuzz/Corpus/$target ]] && cp Fuzz/Corpus/"$target"/* "$OUT/seeds/$target/"
done
if [[ " ${TARGETS[*]} " == *" gunzip "* ]]; then Fuzz/Corpus/make-gzip-seeds.sh "$OUT/seeds/gunzip"; fi
if [[ " ${TARGETS[*]} " == *" parquet "* ]]; then Fuzz/Corpus/make-parquet-seeds.sh "$OUT/seeds/parquet"; fi

# Swift's own crash backtracer reads memory AddressSanitizer guards and reports itself: leave
# traps to libFuzzer's handler, which saves the input.
export SWIFT_BACKTRACE=enable=no
status=0
for target in "${TARGETS[@]}"; do
    corpus=$OUT/corpus/$target           # what the fuzzer learns; kept between local runs
    crashes=$OUT/crashes/$target
    mkdir -p "$corpus" "$crashes"
    seeds=("$OUT/seeds/$target")
    # Inputs larger than max_len are cut: enough for every seed and for events of dozens of
    # records, small enough that one input takes milliseconds (the reader's test reads each input
    # four times in small chunks) and the fuzzer makes thousands of tries a second.
    max_len=16384
    [[ $target == reader ]] && max_len=8192
    args=(-max_len=$max_len -dict=Fuzz/ddb.dict -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$crashes/")
    # Known reproducers must stay fixed: replay them first (each is a file, not a folder).
    regressions=()
    [[ -d Fuzz/Regressions/$target ]] && while IFS= read -r -d '' file; do regressions+=("$file"); done \
        < <(find "Fuzz/Regressions/$target" -type f ! -name '*.md' -print0 | sort -z)
    log=$OUT/$target.log
    if ((${#regressions[@]})); then
        say "$target: replaying ${#regressions[@]} regression input(s)"
        if ! "$OUT/bin/$target" "${args[@]}" "${regressions[@]}" >"$log" 2>&1; then
            tail -n 40 "$log" >&2
            echo "$target: a regression input fails again (see above; full log $log)" >&2
            status=1
            continue
        fi
    fi
    say "$target: fuzzing ${SECONDS_EACH}s from ${seeds[*]}"
    # -runs=0 with no time still replays every seed once, which is the check FUZZ_SECONDS=0 asks for.
    budget=(-max_total_time="$SECONDS_EACH")
    ((SECONDS_EACH > 0)) || budget=(-runs=0)
    marker=$OUT/.started-$target
    touch "$marker"
    # shellcheck disable=SC2086  # FUZZ_ARGS is a list of flags
    if "$OUT/bin/$target" "${args[@]}" "${budget[@]}" ${FUZZ_ARGS:-} "$corpus" "${seeds[@]}" >"$log" 2>&1; then
        grep -E '^(stat::number_of_executed_units|stat::new_units_added|#[0-9]+ +DONE)' "$log" >&2 || true
    else
        status=1
        grep -v -E '^#[0-9]+ +(NEW|REDUCE|pulse|INITED|RELOAD)' "$log" | tail -n 60 >&2
        for crash in "$crashes"/*; do
            [[ -f $crash && $crash -nt $marker ]] || continue
            echo "$target: failing input $crash ($(wc -c <"$crash") bytes), base64:" >&2
            head -c 4096 "$crash" | base64 -w 120 >&2
            echo "replay: $OUT/bin/$target $crash" >&2
        done
        echo "$target: FAILED (full log $log)" >&2
    fi
done
exit $status
