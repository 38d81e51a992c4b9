"""Fixtures for the S3 sink tests: the real peers, the fault proxy, generated input and ddbcdc runs.

Peers (started once per session by the project's own scripts, stopped at the end, by PID):
  * `swift`     -- scripts/peers/s3-swift.sh: OpenStack Swift's s3api, a strict S3.
  * `moto`      -- scripts/peers/moto.sh, request checks off (moto's default).
  * `moto_auth` -- a second moto server with SigV4 + IAM checks on (scripts/peers/moto_auth.py);
                   needs moto >= 5.2.4 (older ones refuse correctly signed keys with '=').
A peer that cannot start fails the tests that need it; nothing here skips.
"""
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
PEERS = REPO / "scripts" / "peers"
GENERATOR = REPO / "scripts" / "gen_events.py"
sys.path.insert(0, str(HERE))

from fault_proxy import FaultProxy  # noqa: E402
from http_stub import HttpStub  # noqa: E402

REGION = "us-east-1"
# Run settings shared by every directory and S3 run: --max-seconds 0 so that batch boundaries
# depend on the input only (never on how long S3 took), hence the same names and bytes.
DETERMINISTIC = ["--max-seconds", "0", "--quiet"]


def fail(message):
    pytest.fail(message, pytrace=False)


def read_env(path):
    values = {}
    for line in Path(path).read_text().splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


@dataclass
class Peer:
    name: str
    endpoint: str
    access_key: str
    secret_key: str
    region: str = REGION

    def client(self, endpoint=None, **overrides):
        import boto3
        from botocore.config import Config
        args = dict(endpoint_url=endpoint or self.endpoint, region_name=self.region,
                    aws_access_key_id=self.access_key, aws_secret_access_key=self.secret_key,
                    config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 3, "mode": "standard"},
                                  connect_timeout=10, read_timeout=60))
        args.update(overrides)
        return boto3.client("s3", **args)

    def credentials_env(self):
        return {"AWS_ACCESS_KEY_ID": self.access_key, "AWS_SECRET_ACCESS_KEY": self.secret_key}


def _script(args, timeout):
    try:
        return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=timeout, cwd=REPO)
    except subprocess.TimeoutExpired as error:
        fail(f"{' '.join(map(str, args))} did not finish in {timeout} s: {error.stderr}")


def _start(script, directory, what):
    if not os.access(script, os.X_OK):
        fail(f"{script} is missing or not executable")
    result = _script([script, "start", directory], timeout=600)
    if result.returncode != 0:
        fail(f"{what} did not start ({script.name} start {directory}: exit {result.returncode}):\n"
             f"{result.stdout}\n{result.stderr}")


@pytest.fixture(scope="session")
def ddbcdc():
    path = Path(os.environ.get("DDBCDC_BIN", REPO / ".build" / "debug" / "ddbcdc"))
    if not (path.is_file() and os.access(path, os.X_OK)):
        fail(f"no ddbcdc binary at {path}: build it (swift build) or set DDBCDC_BIN")
    return path


@pytest.fixture(scope="session")
def swift(tmp_path_factory):
    directory = tmp_path_factory.mktemp("swift-peer")
    script = PEERS / "s3-swift.sh"
    _start(script, directory, "the Swift S3 peer (run scripts/peers/s3-swift.sh install)")
    try:
        env = read_env(directory / "env")
        yield Peer("swift", env["S3_ENDPOINT"], env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"])
    finally:
        _script([script, "stop", directory], timeout=60)


@pytest.fixture(scope="session")
def moto(tmp_path_factory):
    directory = tmp_path_factory.mktemp("moto-peer")
    script = PEERS / "moto.sh"
    _start(script, directory, "moto server (pip install 'moto[server]')")
    try:
        env = read_env(directory / "env")
        yield Peer("moto", env["S3_ENDPOINT"], env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"])
    finally:
        _script([script, "stop", directory], timeout=60)


@pytest.fixture(scope="session")
def moto_auth(tmp_path_factory):
    directory = tmp_path_factory.mktemp("moto-auth-peer")
    script = PEERS / "moto.sh"
    _start(script, directory, "moto server (pip install 'moto[server]')")
    try:
        result = _script([script, "enable-auth", directory], timeout=120)
        if result.returncode != 0:
            fail(f"moto.sh enable-auth failed:\n{result.stdout}\n{result.stderr}")
        env = read_env(directory / "auth-env")
        peer = Peer("moto-auth", env["S3_ENDPOINT"], env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"])
        _require_hive_keys(peer)
        yield peer
    finally:
        _script([script, "stop", directory], timeout=60)


def _require_hive_keys(peer):
    """moto before 5.2.4 recomputed SigV4 over the decoded path and refused correctly signed
    requests for keys with '=' (every dt=/HH= key); fail here, clearly, rather than in every test."""
    client = peer.client()
    client.create_bucket(Bucket="ddbcdc-hive-key-check")
    try:
        client.put_object(Bucket="ddbcdc-hive-key-check", Key="pfx/dt=2026-01-01/HH=00/check", Body=b"x")
    except Exception as error:  # noqa: BLE001 - reported
        import moto
        fail(f"moto {moto.__version__} with auth on refuses a boto3-signed PUT of a key with '=' ({error}); "
             f"moto >= 5.2.4 signs the raw path: pip install 'moto[server]>=5.2.4' (scripts/setup.sh)")
    client.delete_object(Bucket="ddbcdc-hive-key-check", Key="pfx/dt=2026-01-01/HH=00/check")
    client.delete_bucket(Bucket="ddbcdc-hive-key-check")


@pytest.fixture
def fault_proxy():
    """Factory: fault_proxy(peer, plan) -> a started FaultProxy in front of the peer, stopped after the test."""
    started = []

    def make(peer, plan=None):
        proxy = FaultProxy(peer.endpoint, plan).start()
        started.append(proxy)
        return proxy

    yield make
    for proxy in started:
        proxy.stop()


@pytest.fixture
def http_stub():
    """Factory: http_stub(answer=None) -> a started HttpStub (http_stub.py), stopped after the test."""
    started = []

    def make(answer=None):
        stub = HttpStub(answer).start()
        started.append(stub)
        return stub

    yield make
    for stub in started:
        stub.stop()


# -- input --------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def inputs(tmp_path_factory):
    """Generated Lambda events, made once: inputs(records) -> path (seed 3, events of 100)."""
    directory = tmp_path_factory.mktemp("events")
    made = {}

    def make(records, seed=3):
        if (records, seed) not in made:
            path = directory / f"events-{seed}-{records}.jsonl"
            result = subprocess.run([sys.executable, str(GENERATOR), "--seed", str(seed), "--records", str(records),
                                     "--batch-size", "100", "--out", str(path)], capture_output=True, text=True)
            if result.returncode != 0:
                fail(f"gen_events.py failed: {result.stderr}")
            made[(records, seed)] = path
        return made[(records, seed)]

    return make


@pytest.fixture(scope="session")
def invalid_input(tmp_path_factory):
    """Two records that cannot become rows: they go to <prefix>/_errors/<hex>.ndjson (a key without '=')."""
    path = tmp_path_factory.mktemp("invalid") / "invalid.json"
    record = ('{{"eventID":"{id}","eventName":"INSERT","eventSource":"aws:dynamodb","dynamodb":'
              '{{"ApproximateCreationDateTime":1767225600,"Keys":{{"pk":{v}}},"NewImage":{{"pk":{v}}},'
              '"SequenceNumber":"{seq}"}}}}')
    records = [record.format(id="bad-tag", v='{"X":"a"}', seq="100000000000000000001"),
               record.format(id="bad-number", v='{"N":"1E+999"}', seq="100000000000000000002")]
    path.write_text('{"Records":[' + ",".join(records) + "]}\n")
    return path


# -- running ddbcdc -----------------------------------------------------------------------------

def clean_env(home, extra=None):
    """The process environment without anything that could steer ddbcdc's settings or credentials
    chain (no profiles, no IMDS, no container endpoint), plus `extra`."""
    drop = re.compile(r"^(AWS_|S3_|MAX_RECORDS$|MAX_PAYLOAD_BYTES$|MAX_SECONDS$|GZIP_LEVEL$)")
    env = {k: v for k, v in os.environ.items() if not drop.match(k)}
    env.update({"HOME": str(home), "AWS_CONFIG_FILE": str(home / "no-config"),
                "AWS_SHARED_CREDENTIALS_FILE": str(home / "no-credentials"), "AWS_EC2_METADATA_DISABLED": "true"})
    env.update(extra or {})
    return env


@dataclass
class Run:
    args: list
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    def describe(self):
        return f"ddbcdc {' '.join(self.args)}\nexit {self.returncode} after {self.seconds:.1f} s\nstderr:\n{self.stderr[-4000:]}"

    @property
    def durable_status(self):
        """The status of a run that wrote everything it read: 65 when its summary counts records
        set aside (kept in _errors), else 0."""
        match = re.search(r", (\d+) set aside", self.stderr)
        return 65 if match and int(match.group(1)) > 0 else 0


@pytest.fixture
def run_ddbcdc(ddbcdc, tmp_path):
    home = tmp_path / "home"
    home.mkdir()

    def run(args, env=None, timeout=600):
        args = [str(a) for a in args]
        started = time.monotonic()
        try:
            result = subprocess.run([str(ddbcdc), *args], capture_output=True, text=True, timeout=timeout,
                                    env=clean_env(home, env), stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as error:
            fail(f"ddbcdc {' '.join(args)} was still running after {timeout} s (it must end on its own)\n"
                 f"stderr so far: {error.stderr}")
        return Run(args, result.returncode, result.stdout, result.stderr, time.monotonic() - started)

    return run


@pytest.fixture
def directory_objects(run_ddbcdc, tmp_path):
    """directory_objects(input, prefix, args) -> {key: bytes} of `ddbcdc run --sink DIR --prefix prefix`,
    keys relative to DIR (so they start with the prefix), as S3 keys would be."""
    counter = [0]

    def make(input_path, prefix, args=()):
        counter[0] += 1
        sink = tmp_path / f"dir-sink-{counter[0]}"
        run = run_ddbcdc(["run", "--input", input_path, "--sink", sink, "--prefix", prefix, *DETERMINISTIC, *args])
        if run.returncode != run.durable_status:
            fail("the directory run failed:\n" + run.describe())
        objects = {path.relative_to(sink).as_posix(): path.read_bytes() for path in sink.rglob("*") if path.is_file()}
        if not objects:
            fail("the directory run wrote no object:\n" + run.describe())
        shutil.rmtree(sink)
        return objects

    return make
