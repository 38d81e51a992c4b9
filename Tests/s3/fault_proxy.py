#!/usr/bin/env python3
"""A fault-injecting HTTP/1.1 proxy for S3 tests: sits on 127.0.0.1 in front of an S3 peer and,
per a scripted plan, answers errors, resets connections, stalls, or forwards.

Use it in process (the tests do):

    proxy = FaultProxy("http://127.0.0.1:UPSTREAM_PORT", plan).start()
    proxy.endpoint            # http://127.0.0.1:PORT -- give this to the client as its endpoint
    proxy.set_plan(other)     # a new plan; its rule counters start from zero
    proxy.log                 # one Entry per request: what it was and what the proxy did
    proxy.entries("put")      # the same, for some operations only
    proxy.clear_log()         # forget the log and the attempt counts
    proxy.stop()

or as a process:

    fault_proxy.py --upstream http://127.0.0.1:8090 [--plan plan.json | --plan '{"rules": ...}']
                   [--port 0] [--port-file F] [--log-file F.jsonl]

It forwards the client's bytes unchanged (the Host header included, so SigV4 signatures made for
the proxy's address verify at the peer), one fresh upstream connection per request, and keeps
the client's connection alive as the peer's answer allows.

## The plan

    {"seed": 7,
     "rules": [
        {"op": "put", "attempt": [1], "action": "500"},
        {"op": ["upload_part", "complete_mpu"], "probability": 0.3, "action": "reset", "limit": 10},
        {"header": "X-Amz-Security-Token", "action": "expired-token"},
        {"method": "PUT", "path": "/bucket/pfx/dt=", "nth": [2, 5], "action": "stall", "seconds": 30},
        {"every": 3, "action": "503-slowdown"}
     ]}

For each request the rules are tried in order; the first rule that matches *and* fires decides
what happens; when none does, the request is forwarded. A rule matches when all its filters do:

    op        S3 operation (or a list): put, upload_part, create_mpu, complete_mpu, abort_mpu,
              list_parts, get, head, delete, create_bucket, head_bucket, list_objects,
              list_multipart_uploads, delete_bucket, delete_objects, list_buckets, other
    method    HTTP method (or a list)
    path      regular expression searched in the percent-decoded path (/bucket/key)
    query     regular expression searched in the raw query string
    header    a header name the request carries (case-insensitive)
    attempt   list of attempt numbers: the request's attempt is how many times this proxy has
              seen the same operation + key + partNumber (bucket and uploadId aside), counting this one, so
              [1, 2] hits the first two tries of every object and lets the third through
    key_sample a fraction in [0, 1]: only that share of object keys (chosen by a hash of the seed,
              the rule's index and the key -- the same keys in every run) is eligible

and then it fires when all its triggers do (a rule without triggers fires on every match):

    nth         list of 1-based positions among the requests this rule has matched
    every       fires on every k-th matched request
    probability fires with this probability; the draw is a hash of the seed, the rule's index,
                the request's identity and its attempt, so it does not depend on the order in
                which concurrent requests arrive
    limit       fires at most this many times in all

Actions:

    forward            pass the request to the peer and its answer back (useful to exempt requests)
    500                HTTP 500, S3 <Error><Code>InternalError</Code>...
    503-slowdown       HTTP 503, S3 <Error><Code>SlowDown</Code>...
    expired-token      HTTP 400, S3 <Error><Code>ExpiredToken</Code>...
    error              HTTP "status" (500) with S3 error "code" and "message" of the rule's own
    200-internal-error HTTP 200 whose body is an S3 <Error><Code>InternalError</Code>: how S3 may answer
                       CompleteMultipartUpload when it failed after the 200 went out (not forwarded)
    redirect           HTTP "status" (307) with "Location: <location>", where {path} and {query} in
                       "location" stand for the request's raw path and query; with "code", an S3
                       error body ("message", and "endpoint" as <Endpoint>); "headers" adds headers
                       (e.g. {"x-amz-bucket-region": "eu-west-1"}, as S3's 301 PermanentRedirect has)
    reset              read the whole request, then close with a TCP RST, no answer
    reset-mid-request  read the head and about half of the body (per "fraction"), then RST
    drop-response      forward (the peer does the work) but RST instead of answering: a lost reply
    cut-response       forward, then send the peer's head and the first "fraction" (0.5) of its body
                       and close the connection: the Content-Length promised more (a connection lost
                       mid-download, which the client sees as an error)
    truncate-response  the same, but the head loses its Content-Length (and says Connection: close),
                       so the body ends where the connection does: the client sees a complete answer
                       that is shorter than the range it asked for
    stall              read the request, answer nothing for "seconds" (60) or until the client
                       hangs up, then close

An error answer carries "Connection: close", and the proxy closes the connection after it.
"""
import argparse
import asyncio
import base64
import hashlib
import json
import os
import re
import signal
import socket
import struct
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Optional
from urllib.parse import parse_qs, unquote, urlsplit

ACTIONS = {"forward", "500", "503-slowdown", "expired-token", "error", "200-internal-error", "redirect", "reset",
           "reset-mid-request", "drop-response", "stall", "cut-response", "truncate-response"}
CANNED = {
    "500": (500, "InternalError", "We encountered an internal error. Please try again."),
    "503-slowdown": (503, "SlowDown", "Please reduce your request rate."),
    "expired-token": (400, "ExpiredToken", "The provided token has expired."),
    "200-internal-error": (200, "InternalError", "We encountered an internal error. Please try again."),
}
REASONS = {200: "OK", 301: "Moved Permanently", 302: "Found", 303: "See Other", 307: "Temporary Redirect",
           308: "Permanent Redirect", 400: "Bad Request", 403: "Forbidden", 404: "Not Found", 408: "Request Timeout", 429: "Too Many Requests",
           500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}


@dataclass
class Entry:
    """One request as the proxy saw it."""
    n: int
    time: float
    method: str
    path: str            # percent-decoded
    query: str           # raw
    op: str
    key: Optional[str]   # object key (no bucket), decoded; None for bucket/service requests
    identity: str        # method, op, key, part number: what a retry has in common with the first try
    attempt: int
    action: str          # what the proxy did
    rule: Optional[int]  # index of the rule that fired
    status: Optional[int] = None  # status the client got (None: it got no answer)
    body_bytes: int = 0
    body_md5: Optional[str] = None  # base64 MD5 of the body received (what Content-MD5 should say)
    headers: dict = field(default_factory=dict)  # lower-case names

    def to_json(self):
        data = asdict(self)
        data.pop("headers")
        return data


def classify(method, path, query_string):
    """S3 operation, bucket and key of a path-style request."""
    query = parse_qs(query_string, keep_blank_values=True)
    parts = path.lstrip("/").split("/", 1)
    bucket = parts[0] or None
    key = parts[1] if len(parts) > 1 and parts[1] else None
    if bucket is None:
        return ("list_buckets" if method == "GET" else "other"), None, None
    if key is None:
        op = {"PUT": "create_bucket", "HEAD": "head_bucket", "GET": "list_objects", "DELETE": "delete_bucket"}.get(method, "other")
        if method == "POST" and "delete" in query:
            op = "delete_objects"
        if method == "GET" and "uploads" in query:
            op = "list_multipart_uploads"
        return op, bucket, None
    if method == "POST" and "uploads" in query:
        return "create_mpu", bucket, key
    if "uploadId" in query:
        op = {"PUT": "upload_part", "POST": "complete_mpu", "DELETE": "abort_mpu", "GET": "list_parts"}.get(method, "other")
        return op, bucket, key
    op = {"PUT": "put", "GET": "get", "HEAD": "head", "DELETE": "delete"}.get(method, "other")
    return op, bucket, key


def s3_error_body(code, message, resource="", extra=""):
    return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            f"<Error><Code>{code}</Code><Message>{message}</Message>{extra}<Resource>{resource}</Resource>"
            f"<RequestId>faultproxy</RequestId></Error>").encode()


def _as_list(value):
    if value is None:
        return None
    return list(value) if isinstance(value, (list, tuple, set, frozenset)) else [value]


def _unit_hash(*parts):
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


class Plan:
    def __init__(self, plan=None):
        plan = plan or {}
        if isinstance(plan, str):
            plan = json.loads(plan)
        self.seed = plan.get("seed", 0)
        self.rules = [dict(rule) for rule in plan.get("rules", [])]
        known = {"op", "method", "path", "query", "header", "attempt", "key_sample", "nth", "every", "probability",
                 "limit", "action", "seconds", "status", "code", "message", "fraction", "location", "endpoint", "headers",
                 "comment"}
        for index, rule in enumerate(self.rules):
            unknown = set(rule) - known
            if unknown:
                raise ValueError(f"rule {index}: unknown field(s) {sorted(unknown)}")
            if rule.get("action") not in ACTIONS:
                raise ValueError(f"rule {index}: action must be one of {sorted(ACTIONS)}, not {rule.get('action')!r}")
            rule["_path"] = re.compile(rule["path"]) if "path" in rule else None
            rule["_query"] = re.compile(rule["query"]) if "query" in rule else None
        self.matched = [0] * len(self.rules)
        self.fired = [0] * len(self.rules)

    def decide(self, method, path, query, headers, op, key, identity, attempt):
        """(rule index, rule) of the first rule that matches and fires, or (None, None)."""
        for index, rule in enumerate(self.rules):
            ops = _as_list(rule.get("op"))
            if ops is not None and op not in ops:
                continue
            methods = _as_list(rule.get("method"))
            if methods is not None and method not in methods:
                continue
            if rule["_path"] is not None and not rule["_path"].search(path):
                continue
            if rule["_query"] is not None and not rule["_query"].search(query):
                continue
            if "header" in rule and rule["header"].lower() not in headers:
                continue
            if "attempt" in rule and attempt not in _as_list(rule["attempt"]):
                continue
            if "key_sample" in rule and _unit_hash(self.seed, index, "key", key or path) >= rule["key_sample"]:
                continue
            self.matched[index] += 1
            position = self.matched[index]
            if "limit" in rule and self.fired[index] >= rule["limit"]:
                continue
            if "nth" in rule and position not in _as_list(rule["nth"]):
                continue
            if "every" in rule and position % int(rule["every"]) != 0:
                continue
            if "probability" in rule and _unit_hash(self.seed, index, identity, attempt) >= float(rule["probability"]):
                continue
            self.fired[index] += 1
            return index, rule
        return None, None


class _ClientGone(Exception):
    pass


class FaultProxy:
    def __init__(self, upstream, plan=None, host="127.0.0.1", port=0, log_file=None, max_head=1 << 20):
        target = urlsplit(upstream)
        if target.scheme != "http" or not target.hostname:
            raise ValueError(f"upstream must be http://host:port, not {upstream!r}")
        self.upstream_host, self.upstream_port = target.hostname, target.port or 80
        self.host, self.port = host, port
        self._plan = Plan(plan)
        self._lock = threading.Lock()
        self.log = []
        self._attempts = {}
        self._n = 0
        self._log_file = open(log_file, "a", buffering=1) if log_file else None
        self._max_head = max_head
        self._loop = None
        self._server = None
        self._thread = None
        self._connections = set()

    # -- control (any thread) ------------------------------------------------------------------
    @property
    def endpoint(self):
        return f"http://{self.host}:{self.port}"

    def set_plan(self, plan):
        with self._lock:
            self._plan = Plan(plan)

    def clear_log(self):
        with self._lock:
            self.log = []
            self._attempts = {}

    def entries(self, op=None):
        with self._lock:
            return [e for e in self.log if op is None or e.op in _as_list(op)]

    def start(self):
        ready = threading.Event()
        errors = []

        def run():
            self._loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self._loop)
            try:
                self._server = self._loop.run_until_complete(
                    asyncio.start_server(self._handle, self.host, self.port, limit=self._max_head))
                self.port = self._server.sockets[0].getsockname()[1]
            except Exception as error:  # noqa: BLE001 - reported to the starting thread
                errors.append(error)
                ready.set()
                return
            ready.set()
            self._loop.run_forever()
            self._loop.run_until_complete(self._loop.shutdown_asyncgens())
            self._loop.close()

        self._thread = threading.Thread(target=run, name="fault-proxy", daemon=True)
        self._thread.start()
        ready.wait(10)
        if errors:
            raise errors[0]
        return self

    def stop(self):
        if self._loop is None:
            return

        async def shutdown():
            self._server.close()
            for writer in list(self._connections):
                writer.transport.abort()
            await self._server.wait_closed()

        try:
            asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(10)
        except Exception:  # noqa: BLE001 - best effort at teardown
            pass
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop = None
        if self._log_file:
            self._log_file.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- the proxy (event loop thread) ---------------------------------------------------------
    async def _handle(self, reader, writer):
        self._connections.add(writer)
        try:
            while True:
                keep = await self._one_request(reader, writer)
                if not keep:
                    break
        except (_ClientGone, ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        except Exception as error:  # noqa: BLE001 - a proxy bug: say it, drop this connection only
            print(f"fault proxy: {type(error).__name__}: {error}", file=sys.stderr, flush=True)
        finally:
            self._connections.discard(writer)
            if not writer.transport.is_closing():
                writer.close()

    async def _read_head(self, reader):
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError as error:
            if error.partial.strip():
                raise _ClientGone() from error
            return None
        return head

    @staticmethod
    def _parse_head(head):
        lines = head.decode("latin-1").split("\r\n")
        method, target, _version = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            if not line:
                continue
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        return method, target, headers

    async def _read_body(self, reader, headers, limit=None):
        """The body's raw bytes (chunk framing kept); with limit, at most about that many."""
        if "chunked" in headers.get("transfer-encoding", "").lower():
            raw = bytearray()
            while True:
                size_line = await reader.readuntil(b"\r\n")
                raw += size_line
                size = int(size_line.split(b";")[0].strip(), 16)
                if size == 0:
                    while True:  # trailers up to the empty line
                        line = await reader.readuntil(b"\r\n")
                        raw += line
                        if line == b"\r\n":
                            return bytes(raw)
                raw += await reader.readexactly(size + 2)
                if limit is not None and len(raw) >= limit:
                    return bytes(raw)
        length = int(headers.get("content-length", "0") or 0)
        if limit is not None:
            length = min(length, limit)
        return await reader.readexactly(length) if length else b""

    def _record(self, method, target, headers):
        split = urlsplit(target)
        path, query = unquote(split.path), split.query
        op, bucket, key = classify(method, path, query)
        part = parse_qs(query).get("partNumber", [""])[0]
        # What "the same request again" means: the operation, the key (bucket aside, so that a plan
        # draws the same faults whatever the bucket is called) and the part number (upload ID aside).
        identity = f"{method} {op} {key if key is not None else path}" + (f" part {part}" if part else "")
        with self._lock:
            self._n += 1
            attempt = self._attempts.get(identity, 0) + 1
            self._attempts[identity] = attempt
            index, rule = self._plan.decide(method, path, query, headers, op, key, identity, attempt)
            entry = Entry(n=self._n, time=time.time(), method=method, path=path, query=query, op=op, key=key,
                          identity=identity, attempt=attempt, action=rule["action"] if rule else "forward", rule=index,
                          headers=dict(headers))
            self.log.append(entry)
        return entry, rule

    def _finish(self, entry):
        if self._log_file:
            self._log_file.write(json.dumps(entry.to_json()) + "\n")

    @staticmethod
    def _reset(writer):
        sock = writer.transport.get_extra_info("socket")
        if sock is not None:
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            except OSError:
                pass
        writer.transport.abort()

    async def _answer(self, writer, status, code, message, resource, method, headers=(), extra=""):
        body = s3_error_body(code, message, resource, extra) if code else b""
        more = "".join(f"{name}: {value}\r\n" for name, value in headers)
        head = (f"HTTP/1.1 {status} {REASONS.get(status, 'Error')}\r\n"
                f"Content-Type: application/xml\r\nContent-Length: {len(body)}\r\n{more}"
                f"x-amz-request-id: faultproxy\r\nConnection: close\r\n\r\n").encode()
        writer.write(head + (b"" if method == "HEAD" else body))
        await writer.drain()

    async def _one_request(self, reader, writer):
        head = await self._read_head(reader)
        if head is None:
            return False
        method, target, headers = self._parse_head(head)
        entry, rule = self._record(method, target, headers)
        action = entry.action
        expect_continue = headers.get("expect", "").lower() == "100-continue"
        try:
            if action == "reset-mid-request":
                length = int(headers.get("content-length", "0") or 0)
                fraction = float(rule.get("fraction", 0.5))
                if expect_continue:
                    writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
                    await writer.drain()
                partial = int(length * fraction)
                if partial:
                    got = await self._read_body(reader, headers, limit=partial)
                    entry.body_bytes = len(got)
                self._reset(writer)
                return False
            if expect_continue:
                writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
                await writer.drain()
            body = await self._read_body(reader, headers)
            entry.body_bytes = len(body)
            if body and "chunked" not in headers.get("transfer-encoding", "").lower():
                entry.body_md5 = base64.b64encode(hashlib.md5(body).digest()).decode()
            if action in CANNED or action == "error":
                status, code, message = CANNED.get(action, (500, "InternalError", "injected error"))
                if action == "error":
                    status = int(rule.get("status", status))
                    code, message = rule.get("code", code), rule.get("message", message)
                await self._answer(writer, status, code, message, entry.path, method)
                entry.status = status
                return False
            if action == "redirect":
                split = urlsplit(target)
                location = rule.get("location", "").replace("{path}", split.path).replace("{query}", split.query)
                extra = f"<Endpoint>{rule['endpoint']}</Endpoint>" if "endpoint" in rule else ""
                status = int(rule.get("status", 307))
                await self._answer(writer, status, rule.get("code"), rule.get("message", "redirected"), entry.path, method,
                                   [("Location", location), *rule.get("headers", {}).items()], extra)
                entry.status = status
                return False
            if action == "reset":
                self._reset(writer)
                return False
            if action == "stall":
                seconds = float(rule.get("seconds", 60))
                try:  # until the client hangs up or the time is over; nothing is answered
                    await asyncio.wait_for(reader.read(1 << 16), seconds)
                    while not reader.at_eof():
                        await asyncio.wait_for(reader.read(1 << 16), seconds)
                except asyncio.TimeoutError:
                    pass
                writer.close()
                return False
            # forward / drop-response / cut-response / truncate-response
            response_head, response_body, status, keep = await self._forward(head, body, method)
            if action == "drop-response":
                entry.status = None
                self._reset(writer)
                return False
            entry.status = status
            if action in ("cut-response", "truncate-response"):
                if action == "truncate-response":
                    lines = response_head.decode("latin-1").split("\r\n")
                    kept = [line for line in lines[1:] if line and line.split(":", 1)[0].strip().lower() not in
                            ("content-length", "connection", "keep-alive")]
                    response_head = "\r\n".join([lines[0], *kept, "Connection: close", "", ""]).encode("latin-1")
                writer.write(response_head + response_body[:int(len(response_body) * float(rule.get("fraction", 0.5)))])
                await writer.drain()
                writer.close()
                return False
            writer.write(response_head + response_body)
            await writer.drain()
            connection = headers.get("connection", "").lower()
            return keep and connection != "close"
        finally:
            self._finish(entry)

    async def _forward(self, head, body, method):
        """Sends the request upstream; returns (raw head, raw body, status, whether the client connection may stay)."""
        up_reader, up_writer = await asyncio.open_connection(self.upstream_host, self.upstream_port, limit=self._max_head)
        try:
            up_writer.write(head + body)
            await up_writer.drain()
            while True:
                response_head = await up_reader.readuntil(b"\r\n\r\n")
                status_line = response_head.split(b"\r\n", 1)[0].decode("latin-1")
                status = int(status_line.split(" ", 2)[1])
                if 100 <= status < 200:
                    continue  # the client already had our own 100 Continue, if it asked
                break
            _, _, response_headers = self._parse_head(response_head)
            keep = response_headers.get("connection", "").lower() != "close"
            if method == "HEAD" or status in (204, 304):
                response_body = b""
            elif "chunked" in response_headers.get("transfer-encoding", "").lower():
                response_body = await self._read_body(up_reader, response_headers)
            elif "content-length" in response_headers:
                response_body = await up_reader.readexactly(int(response_headers["content-length"]))
            else:
                response_body = await up_reader.read()  # to the end: the client connection closes too
                keep = False
            return response_head, response_body, status, keep
        finally:
            up_writer.close()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--upstream", required=True, help="http://127.0.0.1:PORT of the S3 peer")
    parser.add_argument("--plan", default="{}", help="a plan as JSON text or @file / a file path")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file", help="write the port chosen here once listening")
    parser.add_argument("--log-file", help="append one JSON line per request")
    args = parser.parse_args(argv)
    text = args.plan
    if text.startswith("@"):
        text = open(text[1:]).read()
    elif not text.lstrip().startswith("{"):
        text = open(text).read()
    proxy = FaultProxy(args.upstream, json.loads(text), host=args.host, port=args.port, log_file=args.log_file).start()
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as f:
            f.write(f"{proxy.port}\n")
        os.replace(args.port_file + ".tmp", args.port_file)
    print(f"fault proxy on {proxy.endpoint} -> {args.upstream}", file=sys.stderr, flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        proxy.stop()


if __name__ == "__main__":
    main()
