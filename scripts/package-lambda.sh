#!/usr/bin/env bash
# Builds ddbcdc as the `bootstrap` of a Lambda function on provided.al2023 (x86_64) and zips it:
#
#   scripts/package-lambda.sh            -> build/lambda/bootstrap, build/lambda/ddbcdc-lambda-x86_64.zip
#
# What it does: a release build of the ddbcdc-lambda product (the runtime loop and handler of
# `ddbcdc lambda`, without the command line, the notebook generator or emit-infra) in its own scratch folder (.build-lambda,
# git-ignored by .build-*) with the Swift runtime linked in (--static-swift-stdlib) and the C
# libraries the product links (those of its system-library targets: libdeflate, OpenSSL's libcrypto,
# zlib, ...) and libstdc++ linked statically too, so the binary needs only glibc (libc, libm, the loader) and GCC's libgcc_s from
# the machine it runs on; it binds the few glibc functions that would otherwise ask for a glibc
# newer than AL2023's 2.34 to older versions (see "glibc symbol versions" below); strips it;
# copies it as build/lambda/bootstrap; zips it (libdeflate's level 12) with mode 0755 and a fixed
# timestamp (the same binary gives the same zip). Then it reports the zip's size, the shared libraries still needed,
# and the newest GLIBC symbol version the binary asks for, against AL2023's glibc 2.34: a binary
# that needs a newer one would not load there, and one that needs any other shared library was
# linked wrong (the script then exits with status 2).
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
# The package finds its C libraries through pkg-config, whose .pc files put -L/usr/lib/<multiarch>
# first on the link line, where the linker takes the .so. Copies of those .pc files pointing libdir
# at a folder holding only the static archives (PKG_CONFIG_PATH is searched first) make the same
# -l flags pick the .a. Which libraries: the pkg-config names of the system-library targets that
# the product depends on, directly or through the package's other targets, read from the manifest
# (today zlib, libcrypto, libdeflate; with the Parquet writer also snappy and libzstd), so a new C
# library is covered when the product links it, and a missing archive stops the build here, not at
# run time on Lambda. (Dependencies from other packages bring no pkg-config libraries today.)
# libstdc++ goes there too: the Swift runtime is C++ (its static-stdlib link line asks for
# -lstdc++), and so is snappy; AL2023's own libstdc++ is older (GCC 11) than the one this build
# would otherwise ask for (GCC 12).
PRODUCT=ddbcdc-lambda
MULTIARCH=$(gcc -print-multiarch 2>/dev/null || echo "$(uname -m)-linux-gnu")
command -v python3 >/dev/null || die "python3 is needed (to read the manifest and to write the zip)"
command -v pkg-config >/dev/null || die "pkg-config is needed: apt-get install pkg-config (scripts/setup.sh does)"
rm -rf "$SCRATCH/static-libs"
mkdir -p "$SCRATCH/static-libs/pkgconfig"
STATIC=$(cd "$SCRATCH/static-libs" && pwd)
MANIFEST=$("$SWIFT" package dump-package) || die "swift package dump-package failed"
# One line per system library the product links: "<pkg-config name> <apt packages that provide it>".
SYSTEM_LIBS=$(python3 -c '
import json, sys
manifest, product = json.loads(sys.stdin.read()), sys.argv[1]
targets = {t["name"]: t for t in manifest["targets"]}
wanted = [p for p in manifest["products"] if p["name"] == product]
if not wanted:
    sys.exit(f"the manifest has no product {product}")
seen, stack, found = set(), list(wanted[0]["targets"]), {}
while stack:
    name = stack.pop()
    if name in seen or name not in targets:
        continue  # a product of another package
    seen.add(name)
    target = targets[name]
    if target["type"] == "system":
        if not target.get("pkgConfig"):
            sys.exit(f"system library target {name} names no pkg-config file: its archive cannot be found")
        apt = [p for provider in target.get("providers") or [] for p in provider.get("apt", [[]])[0]]
        found[target["pkgConfig"]] = " ".join(apt) or "its -dev package"
    for dependency in target["dependencies"]:
        kind, value = next(iter(dependency.items()))
        if kind in ("byName", "target"):
            stack.append(value[0])
for pc in sorted(found):
    print(pc, found[pc])
' "$PRODUCT" <<<"$MANIFEST") || die "could not list the system libraries of $PRODUCT from the manifest"
[[ -n $SYSTEM_LIBS ]] || die "the manifest names no system library for $PRODUCT (expected at least zlib, libcrypto, libdeflate)"
while read -r pc apt; do
    pcdir=$(pkg-config --variable pcfiledir "$pc" 2>/dev/null) || die "no pkg-config file $pc.pc: apt-get install $apt (scripts/setup.sh does)"
    libdir=$(pkg-config --variable libdir "$pc")
    for flag in $(pkg-config --libs-only-l "$pc"); do
        lib=${flag#-l}
        archive=""
        for dir in "$libdir" "/usr/lib/$MULTIARCH" /usr/lib64 /usr/lib /usr/local/lib; do
            [[ -f $dir/lib$lib.a ]] && { archive=$dir/lib$lib.a; break; }
        done
        [[ -n $archive ]] || die "no static archive lib$lib.a for $pc (looked in $libdir, /usr/lib/$MULTIARCH, /usr/lib64, /usr/lib, /usr/local/lib): apt-get install $apt (scripts/setup.sh does)"
        ln -sf "$archive" "$STATIC/lib$lib.a"
    done
    sed -e "s|^libdir=.*|libdir=$STATIC|" -e "s|^sharedlibdir=.*|sharedlibdir=$STATIC|" "$pcdir/$pc.pc" >"$STATIC/pkgconfig/$pc.pc"
    say "static: $pc ($(pkg-config --libs-only-l "$pc"))"
done <<<"$SYSTEM_LIBS"
STDCXX=$(gcc -print-file-name=libstdc++.a 2>/dev/null || true)
[[ -f $STDCXX ]] || die "no libstdc++.a (apt-get install libstdc++-12-dev): the binary would need a libstdc++.so.6 newer than AL2023's"
ln -sf "$STDCXX" "$STATIC/libstdc++.a"

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
# Three link options keep the binary small (measured on the stripped x86_64 bootstrap):
#  --no-export-dynamic  Swift's static-stdlib link line exports every global symbol of the
#                       package's own objects (-export-dynamic), which costs a 2.4 MB dynamic
#                       symbol table and makes each of them a root that --gc-sections must keep.
#                       Nothing looks this program's symbols up at run time.
#  -no-pie              a fixed-address executable needs no 2.2 MB of relative relocations (and
#                       the loader applies none at start-up: part of the cold start).
#  --icf=safe           one copy of functions whose code is identical (generic specializations,
#                       thunks; gold and lld): 320 KB less binary, 70 KB less zip. "safe" folds only
#                       functions whose address is never taken, so no pointer comparison can differ.
# -ffile-prefix-map: the C sources' paths (BoringSSL's function-name strings hold 265 of them)
# are written relative to the package, so the zip's size does not depend on where it is cloned.
# OpenSSL's libcrypto contributes only SHA-256 and MD5 (the Digest module calls the direct
# functions; its EVP interface would link 2.8 MB of algorithm providers).
say "swift build -c release --product $PRODUCT --static-swift-stdlib (scratch $SCRATCH)"
export PKG_CONFIG_PATH=$STATIC/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
# shellcheck disable=SC2086 # SWIFT_BUILD_FLAGS is a list of words
"$SWIFT" build -c release --product "$PRODUCT" --scratch-path "$SCRATCH" --static-swift-stdlib \
    -Xlinker -L"$STATIC" -Xlinker "$STATIC/glibc-compat.o" -Xlinker --no-export-dynamic -Xlinker -no-pie -Xlinker --icf=safe \
    -Xcc -ffile-prefix-map="$ROOT"=. \
    ${SWIFT_BUILD_FLAGS:-}
BIN=$("$SWIFT" build -c release --product "$PRODUCT" --scratch-path "$SCRATCH" --static-swift-stdlib --show-bin-path)/$PRODUCT
[[ -x $BIN ]] || die "no binary at $BIN"

# -- modules linked on demand ----------------------------------------------------------------------
# SwiftPM links every object file of every module the product depends on, and --gc-sections keeps
# whatever a Swift type's runtime records reach (conformances, metadata), so a dependency module is
# linked whole even where the bootstrap never calls it. The modules below come in through
# AsyncHTTPClient for features the function does not use (swift-configuration readers, tracing,
# SOCKS proxies, NIO's test channels, swift-algorithms); the product is linked again with their
# objects in a static archive, from which the linker takes only the files something references (as
# it does for Foundation's own archive): 765 KB less binary, 275 KB less zip. A file taken keeps
# its records as before; a file left out holds nothing the bootstrap names, and none of these
# modules declares a conformance of another module's type to another module's protocol (the one
# kind of record a dynamic cast could miss). The link command and its object list are SwiftPM's own
# (from its build manifest); a module here that the product no longer links is an error, to keep
# this list true.
LAZY_MODULES="Configuration Algorithms Tracing Instrumentation NIOSOCKS NIOEmbedded"
LAZY=$(cd "$SCRATCH" && pwd)/lazy-link
rm -rf "$LAZY"
mkdir -p "$LAZY"
python3 - "$SCRATCH" "$BIN" "$LAZY" "$LAZY_MODULES" <<'EOF' || die "could not link $PRODUCT with its on-demand modules"
import json, os, shlex, subprocess, sys
scratch, binary, lazy, modules = sys.argv[1], os.path.abspath(sys.argv[2]), sys.argv[3], sys.argv[4].split()
manifest = os.path.join(scratch, "release.yaml")
link = None
for line in open(manifest):
    line = line.strip()
    if line.startswith("args: [") and '"-emit-executable"' in line:
        args = json.loads(line[len("args: "):])
        if "-o" in args and os.path.abspath(args[args.index("-o") + 1]) == binary:
            link = args
if link is None:
    sys.exit(f"package-lambda: no link command for {binary} in {manifest}")
lists = [a for a in link if a.startswith("@") and a.endswith(".LinkFileList")]
if len(lists) != 1:
    sys.exit(f"package-lambda: the link command of {binary} has {len(lists)} object lists, expected one")
objects = shlex.split(open(lists[0][1:]).read())
build = os.path.dirname(binary)
def module(path):
    relative = os.path.relpath(path, build)
    first = relative.split(os.sep)[0]
    return first[: -len(".build")] if first.endswith(".build") else None
on_demand = [o for o in objects if module(o) in modules]
missing = sorted(set(modules) - {module(o) for o in on_demand})
if missing:
    sys.exit(f"package-lambda: {', '.join(missing)} no longer linked into the product: take them off LAZY_MODULES")
archive = os.path.join(lazy, "libddbcdc-on-demand.a")
subprocess.run(["ar", "rcs", archive, *on_demand], check=True)
kept = os.path.join(lazy, "Objects.LinkFileList")
with open(kept, "w") as f:
    f.writelines(shlex.quote(o) + "\n" for o in objects if module(o) not in modules)
output = os.path.join(lazy, os.path.basename(binary))
command = [output if a == link[link.index("-o") + 1] else "@" + kept if a == lists[0] else a for a in link]
subprocess.run([*command, "-L", lazy, "-lddbcdc-on-demand"], check=True)
print(f"== {len(on_demand)} object files of {len(modules)} modules linked on demand", file=sys.stderr)
EOF
BIN=$LAZY/$PRODUCT

mkdir -p "$OUT"
rm -f "$OUT/bootstrap"
strip --strip-all -o "$OUT/bootstrap" "$BIN"
chmod 0755 "$OUT/bootstrap"
ZIP=$OUT/ddbcdc-lambda-$ARCH.zip
rm -f "$ZIP"
# The zip's one entry is deflated by libdeflate at its strongest level (12): 3.4% smaller than
# zlib's level 9 (9,655 KB against 9,997 KB for the same bootstrap); any unzip reads it, and the
# same binary gives the same bytes. zipfile cannot take an entry already deflated, so the headers
# are written here: mode 0755 (a regular file, Unix host) and a fixed date (1980-01-01).
DEFLATE_SO=$(pkg-config --variable libdir libdeflate)/libdeflate.so
[[ -f $DEFLATE_SO ]] || DEFLATE_SO=/usr/lib/$MULTIARCH/libdeflate.so
[[ -f $DEFLATE_SO ]] || die "no libdeflate.so to deflate the zip with: apt-get install libdeflate-dev (scripts/setup.sh does)"
python3 - "$OUT/bootstrap" "$ZIP" "$DEFLATE_SO" <<'EOF'
import ctypes, struct, sys, zipfile, zlib
source, target, library = sys.argv[1:4]
data = open(source, "rb").read()
libdeflate = ctypes.CDLL(library)
libdeflate.libdeflate_alloc_compressor.restype = ctypes.c_void_p
libdeflate.libdeflate_alloc_compressor.argtypes = [ctypes.c_int]
libdeflate.libdeflate_deflate_compress_bound.restype = ctypes.c_size_t
libdeflate.libdeflate_deflate_compress_bound.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
libdeflate.libdeflate_deflate_compress.restype = ctypes.c_size_t
libdeflate.libdeflate_deflate_compress.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_void_p, ctypes.c_size_t]
compressor = libdeflate.libdeflate_alloc_compressor(12)
if not compressor:
    sys.exit("package-lambda: libdeflate_alloc_compressor(12) failed")
room = ctypes.create_string_buffer(libdeflate.libdeflate_deflate_compress_bound(compressor, len(data)))
size = libdeflate.libdeflate_deflate_compress(compressor, data, len(data), room, len(room))
if size == 0:
    sys.exit("package-lambda: libdeflate could not deflate the bootstrap")
if len(data) >= 1 << 32 or size >= 1 << 32:
    sys.exit("package-lambda: the bootstrap is too large for a zip without Zip64")
deflated = room.raw[:size]
name, crc, dos_time, dos_date = b"bootstrap", zlib.crc32(data), 0, (1 << 5) | 1  # 1980-01-01 00:00
# version needed 2.0, no flags, method 8 (deflate)
local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, dos_time, dos_date, crc, size, len(data), len(name), 0) + name
central = struct.pack(  # made by Unix, 2.0; external attributes: st_mode 0100755
    "<IHHHHHHIIIHHHHHII", 0x02014B50, (3 << 8) | 20, 20, 0, 8, dos_time, dos_date, crc, size, len(data), len(name), 0, 0, 0, 0,
    0o100755 << 16, 0) + name
end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central), len(local) + size, 0)
with open(target, "wb") as f:
    f.write(local + deflated + central + end)
# Read back: one entry, the bootstrap's bytes (zipfile checks the CRC), its mode.
with zipfile.ZipFile(target) as z:
    [info] = z.infolist()
    if info.filename != "bootstrap" or z.read(info) != data or info.external_attr >> 16 != 0o100755:
        sys.exit("package-lambda: the zip does not read back as the executable bootstrap")
EOF

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
    echo "             NEEDS LIBRARIES BEYOND GLIBC AND LIBGCC_S (a C library linked shared?): $others"
    exit 2
fi
gcc_versions=$(objdump -T "$OUT/bootstrap" | grep -oE '\(GCC_[0-9.]+\)' | tr -d '()' | sort -uV | tr '\n' ' ')
[[ -z $gcc_versions ]] || echo "libgcc_s:    symbol versions $gcc_versions(any GCC since 4.2 provides them)"
