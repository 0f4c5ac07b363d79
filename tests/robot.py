"""The local stand-in for a chat group robot, for any test that sends to one (fixture ``robot``,
registered in tests/conftest.py)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class RobotServer:
    """A local stand-in for a chat group robot: records each JSON message, answers as told."""

    def __init__(self) -> None:
        self.messages: list[dict] = []
        self.answers: list[tuple[int, dict]] = []
        # Set: the next message is recorded, then no answer comes until ``release`` is set (a
        # robot that hangs while the sender dies).
        self.hang_next = threading.Event()
        self.release = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                outer.messages.append(json.loads(self.rfile.read(length)))
                if outer.hang_next.is_set():
                    outer.hang_next.clear()
                    outer.release.wait(timeout=60)
                status, body = outer.answers.pop(0) if outer.answers else (200, {"errcode": 0})
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/cgi-bin/webhook/send?key=test"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def texts(self) -> list[str]:
        return [m["text"]["content"] for m in self.messages]


@pytest.fixture
def robot(settings) -> Iterator[RobotServer]:  # type: ignore[no-untyped-def]
    # The stand-in listens on loopback over plain http: allowed for this test only.
    settings.CASEWORK_WEBHOOK_HOSTS = ["127.0.0.1"]
    settings.CASEWORK_WEBHOOK_REQUIRE_HTTPS = False
    settings.CASEWORK_WEBHOOK_ALLOW_PRIVATE = True
    server = RobotServer()
    server.thread.start()
    yield server
    server.release.set()
    server.server.shutdown()
    server.server.server_close()
