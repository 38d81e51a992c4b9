"""A scripted HTTP/1.1 server on 127.0.0.1 that records every request it gets.

It stands where no real implementation exists to run here (a container-credentials endpoint,
IMDSv2) or where the test is that nothing arrives at all (the far end of a redirect):

    stub = HttpStub(answer).start()   # answer(request) -> (status, headers dict, body bytes)
    stub.endpoint                     # http://127.0.0.1:PORT
    stub.requests                     # one Request per request received, in order
    stub.stop()

Without `answer`, every request gets 200 with an ETag and no body (what a PutObject gets).
"""
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Request:
    method: str
    path: str                                     # the raw request target: path and query
    headers: dict = field(default_factory=dict)   # lower-case names
    body: bytes = b""


def accept_everything(request):
    return 200, {"ETag": '"00000000000000000000000000000000"'}, b""


class HttpStub:
    def __init__(self, answer=None):
        self.answer = answer or accept_everything
        self.requests = []
        self._lock = threading.Lock()
        self._server = None
        self._thread = None

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self):
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = Request(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                with stub._lock:
                    stub.requests.append(request)
                status, headers, payload = stub.answer(request)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _handle

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="http-stub", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(10)
            self._server = None
