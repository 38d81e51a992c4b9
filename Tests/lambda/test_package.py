"""The deployment package scripts/package-lambda.sh makes: what is in the zip, what the binary
needs from the machine, its size against the goal, and how `bootstrap` behaves outside Lambda."""

import os
import platform
import stat
import subprocess
import zipfile

import pytest

ZIP_GOAL_BYTES = 10_000_000  # the goal for the zipped function
GLIBC_AND_GCC = {"libc.so.6", "libm.so.6", "libdl.so.2", "libpthread.so.0", "librt.so.1",
                 "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1", "libgcc_s.so.1"}


@pytest.fixture(scope="module")
def package(bootstrap):
    arch = {"x86_64": "x86_64", "aarch64": "arm64"}[platform.machine()]
    path = bootstrap.parent / f"ddbcdc-lambda-{arch}.zip"
    if not path.is_file():
        pytest.fail(f"no {path}: run scripts/package-lambda.sh")
    return path


def test_the_zip_holds_only_the_executable_bootstrap(package, bootstrap):
    with zipfile.ZipFile(package) as z:
        entries = z.infolist()
        assert [e.filename for e in entries] == ["bootstrap"]
        mode = entries[0].external_attr >> 16
        assert stat.S_ISREG(mode) and stat.S_IMODE(mode) == 0o755
        assert z.read("bootstrap") == bootstrap.read_bytes()


def test_the_zip_is_within_the_size_goal(package):
    assert package.stat().st_size <= ZIP_GOAL_BYTES, f"{package.stat().st_size:,} bytes"


def test_the_binary_needs_only_glibc_and_libgcc(bootstrap):
    dynamic = subprocess.run(["readelf", "-d", str(bootstrap)], capture_output=True, text=True, check=True).stdout
    needed = {line.split("[")[1].rstrip("]") for line in dynamic.splitlines() if "(NEEDED)" in line}
    assert needed and needed <= GLIBC_AND_GCC, needed
    symbols = subprocess.run(["objdump", "-T", str(bootstrap)], capture_output=True, text=True, check=True).stdout
    words = (word.strip("()") for word in symbols.split())
    versions = {tuple(int(p) for p in word[len("GLIBC_"):].split("."))
                for word in words if word.startswith("GLIBC_") and word[6:7].isdigit()}
    assert max(versions) <= (2, 34), "provided.al2023 has glibc 2.34"


def test_outside_lambda_the_bootstrap_says_what_it_needs(bootstrap):
    env = {k: v for k, v in os.environ.items() if k != "AWS_LAMBDA_RUNTIME_API"}
    alone = subprocess.run([str(bootstrap)], env=env, capture_output=True, text=True, timeout=30)
    assert alone.returncode == 64
    assert "AWS_LAMBDA_RUNTIME_API is not set" in alone.stderr
    extra = subprocess.run([str(bootstrap), "serve"], env=env, capture_output=True, text=True, timeout=30)
    assert extra.returncode == 64 and "unexpected argument 'serve'" in extra.stderr
    usage = subprocess.run([str(bootstrap), "--help"], env=env, capture_output=True, text=True, timeout=30)
    assert usage.returncode == 0 and "S3_BUCKET (required)" in usage.stdout
