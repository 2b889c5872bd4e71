"""A small local OpenAI-compatible server for tests and benchmarks.

It answers /chat/completions and /completions after a fixed delay, many requests
at once (one thread each), as a remote API does; and it can misbehave on purpose.
The mode is the first path segment of the base URL, so one server serves them all:
http://127.0.0.1:PORT/<mode>/v1 with mode one of

  ok          a valid answer (the last word of the prompt, or `answer` if set)
  flaky       HTTP 429 with Retry-After: 0 for the first `fail_first` requests, then ok
  error       HTTP 500 every time
  slow        sleeps `slow_delay` seconds before answering (client timeouts)
  malformed   HTTP 200 with a body that is not JSON
  reset       closes the connection without an answer (connection reset)
  garbage     HTTP 200 with a text no task can parse (GARBAGE) for the first
              `fail_first` requests, then ok
  echo400     HTTP 400 whose body echoes the request headers (Authorization too), as
              careless servers and proxies do
  echo500     the same with HTTP 500 (retried)

A prompt containing "[fail]" gets HTTP 500 in every mode, to fail single docs.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

GARBAGE = "Hmm, I would rather not say."


class _Handler(BaseHTTPRequestHandler):
    server: TestLLMServer

    def log_message(self, format, *args):  # keep test output quiet
        pass

    def do_POST(self):  # noqa: N802  (http.server's naming)
        srv = self.server
        mode = self.path.strip("/").split("/")[0]
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        with srv.lock:
            srv.requests[mode] = srv.requests.get(mode, 0) + 1
            srv.authorizations.append(self.headers.get("Authorization"))
            count = srv.requests[mode]
            srv.in_flight += 1
            srv.max_in_flight = max(srv.max_in_flight, srv.in_flight)
        try:
            reply = self._reply(mode, count, body)
        finally:
            # counted out before the answer is written, so max_in_flight is exact
            with srv.lock:
                srv.in_flight -= 1
        if reply is None:  # reset: close the socket without an answer
            self.connection.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
            )
            self.close_connection = True
            self.connection.close()
            return
        self._send(*reply)

    def _reply(self, mode: str, count: int, body: dict):
        srv = self.server
        if srv.delay:
            time.sleep(srv.delay)
        prompt = self._prompt(body)
        if mode in ("echo400", "echo500"):
            headers = dict(sorted(self.headers.items()))
            echo = {"error": "bad request", "headers": headers}
            return int(mode[4:]), json.dumps(echo).encode("utf-8"), None
        if "[fail]" in prompt or mode == "error":
            return 500, b'{"error": "internal"}', None
        if mode == "flaky" and count <= srv.fail_first:
            return 429, b'{"error": "rate limited"}', {"Retry-After": "0"}
        if mode == "slow":
            time.sleep(srv.slow_delay)
        if mode == "malformed":
            return 200, b'{"choices": [{"message": ', None
        if mode == "reset":
            return None
        answer = self._answer(body, prompt)
        if mode == "garbage" and count <= srv.fail_first:
            choice = answer["choices"][0]
            if "message" in choice:
                choice["message"]["content"] = GARBAGE
            else:
                choice["text"] = GARBAGE
        return 200, json.dumps(answer).encode("utf-8"), None

    def _prompt(self, body: dict) -> str:
        if "messages" in body:
            return " ".join(str(m.get("content", "")) for m in body["messages"])
        return str(body.get("prompt", ""))

    def _answer(self, body: dict, prompt: str) -> dict:
        words = prompt.split()
        text = (
            self.server.answer
            if self.server.answer is not None
            else (words[-1] if words else "")
        )
        n_in, n_out = len(words), len(text.split())
        choice = {"index": 0, "finish_reason": "stop"}
        if "messages" in body:
            choice["message"] = {"role": "assistant", "content": text}
        else:
            choice["text"] = text
        return {
            "id": "test",
            "object": "chat.completion",
            "model": body.get("model", "test"),
            "choices": [choice],
            "usage": {
                "prompt_tokens": n_in,
                "completion_tokens": n_out,
                "total_tokens": n_in + n_out,
            },
        }

    def _send(self, status: int, payload: bytes, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(payload)

    def finish(self):
        try:
            super().finish()
        except OSError:
            pass


class TestLLMServer(ThreadingHTTPServer):
    """The server; use as a context manager, or start() and stop().

    delay (float): seconds every request waits before its answer.
    answer (str | None): fixed answer text (None: the prompt's last word).
    fail_first (int): requests answered 429 first in "flaky" mode.
    slow_delay (float): extra seconds in "slow" mode.
    """

    __test__ = False  # not a pytest test class
    daemon_threads = True
    request_queue_size = 64

    def __init__(self, *, delay=0.0, answer=None, fail_first=2, slow_delay=2.0, port=0):
        super().__init__(("127.0.0.1", port), _Handler)
        self.delay = delay
        self.answer = answer
        self.fail_first = fail_first
        self.slow_delay = slow_delay
        self.lock = threading.Lock()
        self.requests: dict[str, int] = {}
        self.authorizations: list[str | None] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._thread: threading.Thread | None = None

    def handle_error(self, request, client_address):
        # clients that time out or reset on purpose leave broken pipes: not errors here
        import sys

        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)

    def url(self, mode: str = "ok") -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/{mode}/v1"

    def start(self) -> TestLLMServer:
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> TestLLMServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
