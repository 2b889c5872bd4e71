"""An S3-compatible server for tests: moto's standalone server on 127.0.0.1,
started and stopped by pid, and the environment a user's process gets its
endpoint and credentials from."""

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

BIN = Path(sys.executable).parent
BUCKET = "nlpkit-test"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, proc, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}")


def stop(proc) -> None:
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()


def s3_env(port: int) -> dict:
    """Credentials and endpoint from the environment, as a user's cluster gets them."""
    return {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "FSSPEC_S3_ENDPOINT_URL": f"http://127.0.0.1:{port}",
    }


@contextmanager
def moto_server(base: Path):
    """moto's S3 server on a free port (log in BASE/moto.log); yields the port."""
    port = free_port()
    with (base / "moto.log").open("wb") as log:
        proc = subprocess.Popen(
            [BIN / "moto_server", "-H", "127.0.0.1", "-p", str(port)],
            env={**os.environ, **s3_env(port)},
            stdout=log,
            stderr=log,
        )
    try:
        wait_port(port, proc)
        yield port
    finally:
        stop(proc)


def use_s3(port: int, monkeypatch):
    """Point this process's s3fs at the server (environment and fsspec config, as a
    user's would be) and create the test bucket; RETURNS the S3FileSystem."""
    import fsspec
    import s3fs

    for key, value in s3_env(port).items():
        monkeypatch.setenv(key, value)
    endpoint = {"endpoint_url": f"http://127.0.0.1:{port}"}
    monkeypatch.setitem(fsspec.config.conf, "s3", endpoint)
    fs = s3fs.S3FileSystem(**endpoint)
    if not fs.exists(BUCKET):
        fs.mkdir(BUCKET)
    return fs
