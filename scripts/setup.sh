#!/usr/bin/env bash
# Installs what building and testing ddbcdc needs on a fresh Debian machine with the Swift
# toolchain: Debian packages (as root, through apt-get) and a Python virtualenv (.venv) with the
# test peers from PyPI. Safe to run again: it only installs what is missing.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
say() { printf '== %s\n' "$*" >&2; }

# Debian packages: the C libraries the package links (headers and pkg-config files), and pigz,
# the 2-core gzip reference of scripts/bench-run.sh and bench-gzip-levels.sh.
APT_PACKAGES=(zlib1g-dev libssl-dev libdeflate-dev libsnappy-dev libzstd-dev pkg-config pigz)
missing=()
for package in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
    say "apt-get install ${missing[*]}"
    SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The strict S3 peer for Tests/s3 and Tests/lambda: OpenStack Swift's S3 API (Debian packages,
# --no-install-recommends; never python3-swiftclient, whose /usr/bin/swift shadows the toolchain).
scripts/peers/s3-swift.sh install

# Python test peers, in a virtualenv that can see the system's packages.
PYTHON=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
    say "creating .venv"
    "$PYTHON" -m venv --system-site-packages .venv
fi
# pyspark (Spark's SQL parser, the generated stream code), deltalake (delta-rs: the MERGE on a real
# Delta table) and duckdb (MERGE INTO, 1.4 and later) check the generated Databricks artifacts.
# moto (DynamoDB Streams and a lenient S3) signs checks on the raw path from 5.2.4 on. awslambdaric
# (the Python runtime interface client) runs the design note's handler under the emulator for
# scripts/bench-lambda-cost.sh.
PIP_PACKAGES=(boto3 pytest 'moto[server]>=5.2.4' cryptography cfn-lint 'pyspark>=4.0,<5' 'deltalake>=1.6,<2' 'duckdb>=1.4' pyarrow pyyaml awslambdaric)
if ! .venv/bin/python -c 'import boto3, pytest, cryptography, cfnlint, pyspark, deltalake, duckdb, pyarrow, yaml, awslambdaric, flask, flask_cors, moto.server, importlib.metadata as m, sys; sys.exit(tuple(int(x) for x in m.version("moto").split(".")[:3]) < (5, 2, 4))' 2>/dev/null; then
    say "pip install ${PIP_PACKAGES[*]}"
    .venv/bin/pip install -q --disable-pip-version-check "${PIP_PACKAGES[@]}"
fi

# The AWS SigV4 test suite ships in botocore's source distribution (not committed here).
SUITE=.test-data/aws4_testsuite
if [[ ! -d $SUITE ]]; then
    say "fetching the AWS SigV4 test suite (botocore sdist)"
    mkdir -p .test-data/sdist
    VERSION=$(.venv/bin/python -c 'import botocore; print(botocore.__version__)')
    .venv/bin/pip download -q --disable-pip-version-check --no-binary :all: --no-deps -d .test-data/sdist "botocore==$VERSION"
    tar -xzf .test-data/sdist/botocore-"$VERSION".tar.gz -C .test-data/sdist "botocore-$VERSION/tests/unit/auth/aws4_testsuite"
    mv .test-data/sdist/botocore-"$VERSION"/tests/unit/auth/aws4_testsuite "$SUITE"
    rm -rf .test-data/sdist
fi
