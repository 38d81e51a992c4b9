#!/usr/bin/env bash
# Builds ddbcdc as the `bootstrap` of a Lambda function on provided.al2023 (x86_64) and zips it:
#
#   scripts/package-lambda.sh            -> build/lambda/bootstrap, build/lambda/ddbcdc-lambda-x86_64.zip
#
# What it does: a release build of the ddbcdc-lambda product (the runtime loop and handler of
# `ddbcdc lambda`, without the command line, the notebook generator or emit-infra) in its own scratch folder (.build-lambda,
# git-ignored by .build-*) with the Swift runtime linked in (--static-swift-stdlib) and the C
# libraries the package uses (libdeflate, OpenSSL's libcrypto, zlib) and libstdc++ linked
# statically too, so the binary needs only glibc (libc, libm, the loader) and GCC's libgcc_s from
# the machine it runs on; it binds the few glibc functions that would otherwise ask for a glibc
# newer than AL2023's 2.34 to older versions (see "glibc symbol versions" below); strips it;
# copies it as build/lambda/bootstrap; zips it with mode 0755 and a fixed timestamp (the same
# binary gives the same zip). Then it reports the zip's size, the shared libraries still needed,
# and the newest GLIBC symbol version the binary asks for, against AL2023's glibc 2.34: a binary
# that needs a newer one would not load there (the script then exits with status 2).
#
# Environment: SCRATCH (default .build-lambda), OUT (default build/lambda), SWIFT (default swift),
#              SWIFT_BUILD_FLAGS (more `swift build` arguments, e.g. "-Xswiftc -Osize").
#
# arm64 (Graviton) functions need an aarch64 binary. This script builds for the machine it runs
# on; on an arm64 Linux host (with the Swift toolchain and the same apt packages) the same command
# gives build/lambda/ddbcdc-lambda-arm64.zip. Cross-building from x86_64 needs an aarch64 Swift
# SDK (a sysroot with arm64 glibc and the arm64 libdeflate/libcrypto/zlib archives, e.g. made
# with swift-sdk-generator from an AL2023 or Debian arm64 image) and
# `swift build --swift-sdk <that SDK>`; this project has not set that up.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
SWIFT=${SWIFT:-swift}
SCRATCH=${SCRATCH:-.build-lambda}
OUT=${OUT:-build/lambda}
AL2023_GLIBC=2.34
say() { printf '== %s\n' "$*" >&2; }
die() { printf 'package-lambda: %s\n' "$*" >&2; exit 1; }

case "$(uname -m)" in
x86_64) ARCH=x86_64 ;;
aarch64 | arm64) ARCH=arm64 ;;
*) die "unsupported machine $(uname -m): Lambda runs x86_64 and arm64" ;;
esac
[[ $(uname -s) == Linux ]] || die "build on Linux: the binary must be a Linux ELF executable"

# -- static C libraries -----------------------------------------------------------------------
# The package finds libdeflate, libcrypto and zlib through pkg-config, whose .pc files put
# -L/usr/lib/<multiarch> first on the link line, where the linker takes the .so. Copies of those
# .pc files pointing libdir at a folder holding only the static archives (PKG_CONFIG_PATH is
# searched first) make the same -ldeflate / -lcrypto / -lz pick the .a. libstdc++ goes there too
# (the Swift runtime is C++, and Swift's static-stdlib link line asks for -lstdc++): AL2023's own
# libstdc++ is older (GCC 11) than the one this build would otherwise ask for (GCC 12).
MULTIARCH=$(gcc -print-multiarch 2>/dev/null || echo "$(uname -m)-linux-gnu")
mkdir -p "$SCRATCH/static-libs/pkgconfig"
STATIC=$(cd "$SCRATCH/static-libs" && pwd)
for lib in deflate crypto z; do
    archive=""
    for dir in "/usr/lib/$MULTIARCH" /usr/lib64 /usr/lib /usr/local/lib; do
        [[ -f $dir/lib$lib.a ]] && { archive=$dir/lib$lib.a; break; }
    done
    [[ -n $archive ]] || die "no lib$lib.a: install the -dev package (scripts/setup.sh does)"
    ln -sf "$archive" "$STATIC/lib$lib.a"
done
for pc in libdeflate libcrypto zlib; do
    source_pc=$(pkg-config --variable pcfiledir "$pc" 2>/dev/null)/$pc.pc
    [[ -f $source_pc ]] || die "no $pc.pc: install the -dev package (scripts/setup.sh does)"
    sed -e "s|^libdir=.*|libdir=$STATIC|" -e "s|^sharedlibdir=.*|sharedlibdir=$STATIC|" "$source_pc" >"$STATIC/pkgconfig/$pc.pc"
done
STDCXX=$(gcc -print-file-name=libstdc++.a 2>/dev/null || true)
if [[ -f $STDCXX ]]; then
    ln -sf "$STDCXX" "$STATIC/libstdc++.a"
else
    say "no libstdc++.a (apt-get install libstdc++-12-dev): the binary will need libstdc++.so.6 at run time"
fi

# -- glibc symbol versions ---------------------------------------------------------------------
# A program linked here binds each glibc function to the newest version this machine's glibc has
# (Debian 12: 2.36). AL2023 has 2.34, and the loader refuses a binary that asks for a newer
# version. Three references need one: hypot and hypotf (from Foundation and the Glibc overlay;
# glibc 2.35 added new versions beside the old ones), and arc4random (2.36; from the static
# libstdc++'s std::random_device). This object defines them in the executable: hypot/hypotf call
# the old versions, arc4random reads getrandom(2) (glibc 2.25). libgcc stays shared
# (libgcc_s.so.1): its static unwinder would ask for _dl_find_object (glibc 2.35).
cat >"$STATIC/glibc-compat.c" <<'CEOF'
#include <stdint.h>
#include <sys/random.h>
#include <sys/types.h>

#if defined(__x86_64__)
__asm__(".symver ddbcdc_old_hypot, hypot@GLIBC_2.2.5");
__asm__(".symver ddbcdc_old_hypotf, hypotf@GLIBC_2.2.5");
#elif defined(__aarch64__)
__asm__(".symver ddbcdc_old_hypot, hypot@GLIBC_2.17");
__asm__(".symver ddbcdc_old_hypotf, hypotf@GLIBC_2.17");
#endif
double ddbcdc_old_hypot(double, double);
float ddbcdc_old_hypotf(float, float);

double hypot(double x, double y) { return ddbcdc_old_hypot(x, y); }
float hypotf(float x, float y) { return ddbcdc_old_hypotf(x, y); }

uint32_t arc4random(void) {
    uint32_t value;
    while (getrandom(&value, sizeof value, 0) != (ssize_t)sizeof value) {
    }
    return value;
}
CEOF
cc -O2 -fPIC -c "$STATIC/glibc-compat.c" -o "$STATIC/glibc-compat.o"

# -- size --------------------------------------------------------------------------------------
# Two link options keep the binary small (measured on the stripped x86_64 bootstrap):
#  --no-export-dynamic  Swift's static-stdlib link line exports every global symbol of the
#                       package's own objects (-export-dynamic), which costs a 2.4 MB dynamic
#                       symbol table and makes each of them a root that --gc-sections must keep.
#                       Nothing looks this program's symbols up at run time.
#  -no-pie              a fixed-address executable needs no 2.2 MB of relative relocations (and
#                       the loader applies none at start-up: part of the cold start).
# -ffile-prefix-map: the C sources' paths (BoringSSL's function-name strings hold 265 of them)
# are written relative to the package, so the zip's size does not depend on where it is cloned.
# OpenSSL's libcrypto contributes only SHA-256 and MD5 (the Digest module calls the direct
# functions; its EVP interface would link 2.8 MB of algorithm providers).
PRODUCT=ddbcdc-lambda
say "swift build -c release --product $PRODUCT --static-swift-stdlib (scratch $SCRATCH)"
export PKG_CONFIG_PATH=$STATIC/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
# shellcheck disable=SC2086 # SWIFT_BUILD_FLAGS is a list of words
"$SWIFT" build -c release --product "$PRODUCT" --scratch-path "$SCRATCH" --static-swift-stdlib \
    -Xlinker -L"$STATIC" -Xlinker "$STATIC/glibc-compat.o" -Xlinker --no-export-dynamic -Xlinker -no-pie \
    -Xcc -ffile-prefix-map="$ROOT"=. \
    ${SWIFT_BUILD_FLAGS:-}
BIN=$("$SWIFT" build -c release --product "$PRODUCT" --scratch-path "$SCRATCH" --static-swift-stdlib --show-bin-path)/$PRODUCT
[[ -x $BIN ]] || die "no binary at $BIN"

mkdir -p "$OUT"
rm -f "$OUT/bootstrap"
strip --strip-all -o "$OUT/bootstrap" "$BIN"
chmod 0755 "$OUT/bootstrap"
ZIP=$OUT/ddbcdc-lambda-$ARCH.zip
rm -f "$ZIP"
if command -v python3 >/dev/null; then
    # zipfile with an explicit entry: mode 0755 (a regular file, Unix host) and a fixed date.
    python3 - "$OUT/bootstrap" "$ZIP" <<'EOF'
import sys, zipfile
source, target = sys.argv[1], sys.argv[2]
info = zipfile.ZipInfo("bootstrap", date_time=(1980, 1, 1, 0, 0, 0))
info.create_system = 3                  # Unix: the high 16 bits of external_attr are st_mode
info.external_attr = (0o100755 << 16)
info.compress_type = zipfile.ZIP_DEFLATED
with open(source, "rb") as f, zipfile.ZipFile(target, "w") as z:
    z.writestr(info, f.read(), compresslevel=9)
EOF
elif command -v zip >/dev/null; then
    touch -d @315532800 "$OUT/bootstrap"
    (cd "$OUT" && zip -q -9 -X "$(basename "$ZIP")" bootstrap)
else
    die "neither python3 nor zip is installed"
fi

# -- report --------------------------------------------------------------------------------------
bytes() { stat -c %s "$1"; }
mb() { awk -v b="$1" 'BEGIN { printf "%.2f MB (%d bytes)", b / 1000000, b }'; }
echo "bootstrap:   $OUT/bootstrap, $(mb "$(bytes "$OUT/bootstrap")") stripped"
echo "zip:         $ZIP, $(mb "$(bytes "$ZIP")")"
echo "needs:       $(readelf -d "$OUT/bootstrap" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')"
echo "ldd:"
ldd "$OUT/bootstrap" | sed 's/^/             /'
NEWEST=$(objdump -T "$OUT/bootstrap" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -1)
echo "glibc:       newest symbol version GLIBC_$NEWEST; AL2023 (provided.al2023) has glibc $AL2023_GLIBC"
if [[ $(printf '%s\n%s\n' "$NEWEST" "$AL2023_GLIBC" | sort -V | tail -1) == "$AL2023_GLIBC" ]]; then
    echo "             the binary loads there (every versioned glibc symbol it uses exists in $AL2023_GLIBC)"
else
    echo "             WOULD NOT LOAD on AL2023: symbols newer than $AL2023_GLIBC:"
    objdump -T "$OUT/bootstrap" | grep -E "GLIBC_[0-9.]+" | awk -v max="$AL2023_GLIBC" '
        { match($0, /GLIBC_[0-9.]+/); v = substr($0, RSTART + 6, RLENGTH - 6); print v, $NF }' |
        while read -r version symbol; do
            [[ $(printf '%s\n%s\n' "$version" "$AL2023_GLIBC" | sort -V | tail -1) != "$AL2023_GLIBC" ]] && echo "               $symbol@GLIBC_$version"
        done
    exit 2
fi
others=$(readelf -d "$OUT/bootstrap" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' |
    grep -vE '^(libc\.so\.6|libm\.so\.6|libdl\.so\.2|libpthread\.so\.0|librt\.so\.1|ld-linux-x86-64\.so\.2|ld-linux-aarch64\.so\.1|libgcc_s\.so\.1)$' || true)
if [[ -n $others ]]; then
    echo "note:        needs libraries beyond glibc and libgcc_s (check that provided.al2023 has them): $others"
fi
gcc_versions=$(objdump -T "$OUT/bootstrap" | grep -oE '\(GCC_[0-9.]+\)' | tr -d '()' | sort -uV | tr '\n' ' ')
[[ -z $gcc_versions ]] || echo "libgcc_s:    symbol versions $gcc_versions(any GCC since 4.2 provides them)"
