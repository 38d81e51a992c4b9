"""Fixtures for the Lambda tests: the packaged `bootstrap` under the AWS Lambda Runtime Interface
Emulator, the strict S3 peer, the fault proxy, generated events and the `ddbcdc run` oracle.

What runs:
  * the function: the packaged binary, build/lambda/bootstrap from scripts/package-lambda.sh
    (release, static Swift runtime, stripped) -- the very file that goes in the zip. Set
    DDBCDC_BOOTSTRAP to run another build (a debug `ddbcdc` copied or linked as `bootstrap`
    works too: ddbcdc serves the Runtime API whenever it starts without arguments and
    AWS_LAMBDA_RUNTIME_API is set).
  * the oracle: `ddbcdc run` (DDBCDC_BIN, default .build/debug/ddbcdc): a different build of the
    same pipeline, reading files instead of invocations.
  * the emulator: `aws-lambda-rie` from the PyPI aws-sam-cli wheel
    (samcli/local/rapid/aws-lambda-rie-x86_64), fetched once into .test-data/ (git-ignored). Both of
    its addresses are given, on free ports of 127.0.0.1: --runtime-interface-emulator-address
    (left alone it listens on 0.0.0.0:8080) and --runtime-api-address (else 127.0.0.1:9001, which
    two runs at once would share).
  * S3: scripts/peers/s3-swift.sh, OpenStack Swift's s3api (strict SigV4, body SHA-256,
    Content-MD5, region), credentials test:tester / testing.
  * faults: Tests/s3/fault_proxy.py, in process, in front of the Swift peer.
Every server is bound to 127.0.0.1 and stopped by its PID; nothing here skips: a missing piece fails.
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
PEERS = REPO / "scripts" / "peers"
GENERATOR = REPO / "scripts" / "gen_events.py"
TEST_DATA = REPO / ".test-data"
RIE_NAME = "aws-lambda-rie-x86_64"
REGION = "us-east-1"
sys.path.insert(0, str(REPO / "Tests" / "s3"))

from fault_proxy import FaultProxy  # noqa: E402


def fail(message):
    pytest.fail(message, pytrace=False)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def read_env(path):
    values = {}
    for line in Path(path).read_text().splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


# -- the emulator --------------------------------------------------------------------------------

def fetch_rie(python=sys.executable):
    """The emulator binary, extracted once from the aws-sam-cli wheel into .test-data/."""
    target = TEST_DATA / RIE_NAME
    if target.is_file() and os.access(target, os.X_OK):
        return target
    wheels = TEST_DATA / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    found = sorted(wheels.glob("aws_sam_cli-*.whl"))
    if not found:
        result = subprocess.run([python, "-m", "pip", "download", "-q", "--disable-pip-version-check", "--no-deps",
                                 "-d", str(wheels), "aws-sam-cli"], capture_output=True, text=True)
        found = sorted(wheels.glob("aws_sam_cli-*.whl"))
        if result.returncode != 0 or not found:
            raise RuntimeError(f"pip download aws-sam-cli failed: {result.stderr[-2000:]}")
    with zipfile.ZipFile(found[-1]) as wheel:
        data = wheel.read(f"samcli/local/rapid/{RIE_NAME}")
    partial = target.with_suffix(".part")
    partial.write_bytes(data)
    partial.chmod(0o755)
    partial.replace(target)
    return target


@dataclass
class Response:
    status: int
    body: bytes
    seconds: float

    @property
    def json(self):
        return json.loads(self.body)

    def failures(self):
        """The sequence numbers of batchItemFailures (checked to be the partial batch response's shape)."""
        document = self.json
        assert isinstance(document, dict) and set(document) == {"batchItemFailures"}, self.body[:500]
        items = document["batchItemFailures"]
        assert all(isinstance(i, dict) and set(i) == {"itemIdentifier"} for i in items), items
        return [i["itemIdentifier"] for i in items]


class Emulator:
    """aws-lambda-rie running `bootstrap`, on 127.0.0.1 ports of its own."""

    def __init__(self, rie, bootstrap, env, log_path):
        self.rie, self.bootstrap, self.env, self.log_path = Path(rie), Path(bootstrap), env, Path(log_path)
        self.process = None
        self.port = self.api_port = None
        self.started_at = None

    def start(self, timeout=30):
        self.port, self.api_port = free_port(), free_port()
        while self.api_port == self.port:
            self.api_port = free_port()
        self.log = open(self.log_path, "ab")
        self.started_at = time.monotonic()
        self.process = subprocess.Popen(
            [str(self.rie), "--runtime-interface-emulator-address", f"127.0.0.1:{self.port}",
             "--runtime-api-address", f"127.0.0.1:{self.api_port}", str(self.bootstrap)],
            env=self.env, stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=self.bootstrap.parent)
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"aws-lambda-rie exited with {self.process.returncode}:\n{self.log_text()[-3000:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return self
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"aws-lambda-rie did not listen on 127.0.0.1:{self.port}:\n{self.log_text()[-3000:]}")
                time.sleep(0.005)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/2015-03-31/functions/function/invocations"

    def invoke(self, body, timeout=300):
        if isinstance(body, str):
            body = body.encode()
        request = urllib.request.Request(self.url, data=body, method="POST", headers={"Content-Type": "application/json"})
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return Response(response.status, response.read(), time.monotonic() - started)
        except urllib.error.HTTPError as error:
            return Response(error.code, error.read(), time.monotonic() - started)

    def log_text(self):
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def runtime_pids(self):
        """The PIDs of the `bootstrap` processes the emulator runs now (one while the runtime lives;
        a runtime that died and was started again has a new PID)."""
        if self.process is None:
            return []
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                parent = int(stat.rsplit(")", 1)[1].split()[1])
                if parent == self.process.pid and (entry / "exe").resolve() == self.bootstrap.resolve():
                    found.append(int(entry.name))
            except (OSError, ValueError, IndexError):
                pass
        return found

    def stop(self):
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.process = None
        self.log.close()


def lambda_env(home, extra=None):
    """A clean environment for the function: nothing from this process's AWS settings or profiles,
    no instance metadata, and what Lambda itself would set."""
    drop = re.compile(r"^(AWS_|S3_|MAX_RECORDS$|MAX_PAYLOAD_BYTES$|MAX_SECONDS$|GZIP_LEVEL$|DDBCDC_|_X_AMZN)")
    env = {k: v for k, v in os.environ.items() if not drop.match(k)}
    env.update({"HOME": str(home), "AWS_CONFIG_FILE": str(home / "no-config"),
                "AWS_SHARED_CREDENTIALS_FILE": str(home / "no-credentials"), "AWS_EC2_METADATA_DISABLED": "true",
                "AWS_LAMBDA_FUNCTION_NAME": "ddbcdc-test", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
                "AWS_LAMBDA_FUNCTION_TIMEOUT": "60"})
    for name, value in (extra or {}).items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = str(value)
    return env


@pytest.fixture(scope="session")
def rie():
    try:
        return fetch_rie()
    except Exception as error:  # noqa: BLE001 - reported as the failure
        fail(f"no aws-lambda-rie: {error}")


@pytest.fixture(scope="session")
def bootstrap():
    path = Path(os.environ.get("DDBCDC_BOOTSTRAP", REPO / "build" / "lambda" / "bootstrap"))
    if not (path.is_file() and os.access(path, os.X_OK)):
        fail(f"no bootstrap at {path}: run scripts/package-lambda.sh (or set DDBCDC_BOOTSTRAP)")
    return path


@pytest.fixture(scope="session")
def ddbcdc():
    path = Path(os.environ.get("DDBCDC_BIN", REPO / ".build" / "debug" / "ddbcdc"))
    if not (path.is_file() and os.access(path, os.X_OK)):
        fail(f"no ddbcdc binary at {path}: build it (swift build) or set DDBCDC_BIN")
    return path


@pytest.fixture
def emulator(rie, bootstrap, tmp_path):
    """emulator(env) -> a started Emulator running the bootstrap with lambda_env(env); stopped after the test."""
    started = []
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)

    def make(env=None, binary=None):
        log = tmp_path / f"rie-{len(started) + 1}.log"
        em = Emulator(rie, binary or bootstrap, lambda_env(home, env), log)
        started.append(em)
        try:
            return em.start()
        except RuntimeError as error:
            fail(str(error))

    yield make
    for em in started:
        em.stop()


# -- S3 ----------------------------------------------------------------------------------------

@dataclass
class Peer:
    endpoint: str
    access_key: str
    secret_key: str
    region: str = REGION

    def client(self, endpoint=None):
        import boto3
        from botocore.config import Config
        return boto3.client("s3", endpoint_url=endpoint or self.endpoint, region_name=self.region,
                            aws_access_key_id=self.access_key, aws_secret_access_key=self.secret_key,
                            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 3, "mode": "standard"}))

    def new_bucket(self, purpose):
        name = f"ddbcdc-{purpose}-{uuid.uuid4().hex[:10]}"
        self.client().create_bucket(Bucket=name)
        return name

    def objects(self, bucket, prefix=""):
        client = self.client()
        found = {}
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                found[item["Key"]] = client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
        return found

    def function_env(self, bucket, prefix="", endpoint=None, **extra):
        env = {"S3_BUCKET": bucket, "S3_PREFIX": prefix, "AWS_REGION": self.region,
               "AWS_ENDPOINT_URL_S3": endpoint or self.endpoint,
               "AWS_ACCESS_KEY_ID": self.access_key, "AWS_SECRET_ACCESS_KEY": self.secret_key}
        env.update(extra)
        return env


def _script(args, timeout):
    try:
        return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=timeout, cwd=REPO)
    except subprocess.TimeoutExpired as error:
        fail(f"{' '.join(map(str, args))} did not finish in {timeout} s: {error.stderr}")


@pytest.fixture(scope="session")
def s3(tmp_path_factory):
    """The Swift S3 peer (scripts/peers/s3-swift.sh), started once, stopped at the end."""
    directory = tmp_path_factory.mktemp("swift-peer")
    script = PEERS / "s3-swift.sh"
    if not os.access(script, os.X_OK):
        fail(f"{script} is missing or not executable")
    result = _script([script, "start", directory], timeout=600)
    if result.returncode != 0:
        fail(f"the Swift S3 peer did not start (run scripts/peers/s3-swift.sh install):\n{result.stdout}\n{result.stderr}")
    try:
        env = read_env(directory / "env")
        yield Peer(env["S3_ENDPOINT"], env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"], env.get("AWS_REGION", REGION))
    finally:
        _script([script, "stop", directory], timeout=60)


@pytest.fixture
def fault_proxy():
    """fault_proxy(peer, plan) -> a started FaultProxy in front of the peer, stopped after the test."""
    started = []

    def make(peer, plan=None):
        proxy = FaultProxy(peer.endpoint, plan).start()
        started.append(proxy)
        return proxy

    yield make
    for proxy in started:
        proxy.stop()


# -- events and the oracle -----------------------------------------------------------------------

@pytest.fixture(scope="session")
def generated(tmp_path_factory):
    """generated(records, batch, seed) -> the path of gen_events.py's output (one event a line), made once."""
    directory = tmp_path_factory.mktemp("events")
    made = {}

    def make(records=2000, batch=200, seed=5):
        key = (records, batch, seed)
        if key not in made:
            path = directory / f"events-{seed}-{records}-{batch}.jsonl"
            result = subprocess.run([sys.executable, str(GENERATOR), "--seed", str(seed), "--records", str(records),
                                     "--batch-size", str(batch), "--out", str(path)], capture_output=True, text=True)
            if result.returncode != 0:
                fail(f"gen_events.py failed: {result.stderr}")
            made[key] = path
        return made[key]

    return make


def event_lines(path):
    return [line for line in Path(path).read_bytes().split(b"\n") if line.strip()]


@pytest.fixture
def run_oracle(ddbcdc, tmp_path):
    """run_oracle(event_bytes_list, prefix, max_records, extra=(more run options)) -> {key: bytes}:
    `ddbcdc run` over each event on its own (an event is what one invocation gets), with the
    function's batching (--max-records, --max-seconds 0: boundaries from the input alone), into one
    directory."""
    counter = [0]
    home = tmp_path / "oracle-home"
    home.mkdir(exist_ok=True)

    def run(events, prefix, max_records=2000, whole=False, extra=()):
        counter[0] += 1
        sink = tmp_path / f"oracle-{counter[0]}"
        inputs = tmp_path / f"oracle-in-{counter[0]}"
        inputs.mkdir()
        files = []
        if whole:
            files.append(inputs / "all.jsonl")
            files[0].write_bytes(b"\n".join(events) + b"\n")
        else:
            for index, event in enumerate(events):
                files.append(inputs / f"event-{index:05d}.json")
                files[-1].write_bytes(event)
        env = lambda_env(home)
        for file in files:
            result = subprocess.run([str(ddbcdc), "run", "--input", str(file), "--sink", str(sink), "--prefix", prefix,
                                     "--max-records", str(max_records), "--max-seconds", "0", "--quiet", *map(str, extra)],
                                    capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, timeout=600)
            if result.returncode != 0:
                fail(f"ddbcdc run --input {file} failed ({result.returncode}):\n{result.stderr[-3000:]}")
        objects = {p.relative_to(sink).as_posix(): p.read_bytes() for p in sink.rglob("*") if p.is_file()} if sink.exists() else {}
        shutil.rmtree(sink, ignore_errors=True)
        shutil.rmtree(inputs, ignore_errors=True)
        return objects

    return run
