"""A real multi-process Dask cluster writing to S3: `dask scheduler`, `dask worker`
processes in their own working directories and moto's S3 server, all started here on
127.0.0.1 and stopped by pid. Workers share no output path with the driver."""

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import spacy
from batch_components import HERE, write_corpus

import nlpkit
from nlpkit.batch import iter_output
from nlpkit.batch.manifest import Manifest
from nlpkit.batch.worker import loaded_pipelines

distributed = pytest.importorskip("distributed")
pytest.importorskip("s3fs")
pytest.importorskip("moto.server")
pytestmark = pytest.mark.server

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


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """moto S3, a scheduler, two workers, and a third worker that sees an empty
    disk at the driver's output path (its own mount namespace)."""
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
    if probe.returncode != 0:  # the blind worker needs a private mount namespace
        pytest.skip(f"unshare -m is not permitted here: {probe.stderr.decode()}")
    base = tmp_path_factory.mktemp("cluster")
    s3_port, port = free_port(), free_port()
    env = {**os.environ, **s3_env(s3_port), "PYTHONUNBUFFERED": "1"}
    procs = {}

    def start(name, args, cwd=base):
        with (base / f"{name}.log").open("wb") as log:
            procs[name] = subprocess.Popen(
                args, cwd=cwd, env=env, stdout=log, stderr=log
            )
        return procs[name]

    private = base / "private"  # the driver's local output lives under here
    private.mkdir()
    try:
        start("moto", [BIN / "moto_server", "-H", "127.0.0.1", "-p", str(s3_port)])
        scheduler = start(
            "scheduler",
            [BIN / "dask", "scheduler", "--host", "127.0.0.1", "--port", str(port)]
            + ["--no-dashboard"],
        )
        wait_port(s3_port, procs["moto"])
        wait_port(port, scheduler)
        address = f"tcp://127.0.0.1:{port}"
        worker = [BIN / "dask", "worker", address, "--host", "127.0.0.1"]
        worker += ["--nthreads", "1", "--no-nanny", "--no-dashboard"]
        for i in (1, 2):
            (base / f"w{i}").mkdir()
            start(f"worker{i}", worker + ["--name", f"w{i}"], cwd=base / f"w{i}")
        blind = f"mount -t tmpfs nlpkit-test {private} && exec " + " ".join(
            str(a) for a in worker + ["--name", "blind"]
        )
        (base / "w3").mkdir()
        start("blind", ["unshare", "-m", "sh", "-c", blind], cwd=base / "w3")
        with distributed.Client(address, timeout=30) as client:
            client.wait_for_workers(3, timeout=60)
        yield {"address": address, "s3_port": s3_port, "base": base, "procs": procs}
    finally:
        for proc in reversed(list(procs.values())):
            stop(proc)


@pytest.fixture
def s3(cluster, monkeypatch):
    import fsspec
    import s3fs

    for key, value in s3_env(cluster["s3_port"]).items():
        monkeypatch.setenv(key, value)
    endpoint = {"endpoint_url": f"http://127.0.0.1:{cluster['s3_port']}"}
    monkeypatch.setitem(fsspec.config.conf, "s3", endpoint)
    fs = s3fs.S3FileSystem(**endpoint)
    if not fs.exists(BUCKET):
        fs.mkdir(BUCKET)
    return fs


def test_worker_that_cannot_see_local_output_fails_before_work(cluster, tmp_path):
    corpus = write_corpus(tmp_path / "c.jsonl", 20)
    out = cluster["base"] / "private" / "out"
    with pytest.raises(OSError, match="E531") as info:
        nlpkit.process(
            spacy.blank("en"), corpus, out, backend="dask", scheduler=cluster["address"]
        )
    assert "s3://" in str(info.value)
    assert json.loads((out / "manifest.json").read_text())["shards"] == {}
    assert not list(out.glob("docs-*"))


DRIVER = """
import sys
sys.path.insert(0, {tests!r})
import nlpkit
from batch_components import HERE
nlpkit.process({model!r}, {corpus!r}, {url!r}, shard_size=20, backend="dask",
               scheduler={address!r}, code=[HERE], save_every=0.1)
"""


def committed(url: str) -> dict:
    """Shards committed so far: manifest.json plus the commit log."""
    try:
        return Manifest.load(url).shards
    except (FileNotFoundError, ValueError):
        return {}


def wait_until(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the run never got there"
        time.sleep(0.05)


def test_kill_worker_and_driver_then_resume_exactly_once(cluster, s3, tmp_path):
    n = 600
    corpus = write_corpus(tmp_path / "c.jsonl", n)
    prefix = f"{BUCKET}/run-{tmp_path.name}"
    url = f"s3://{prefix}"
    # The model is on the driver's disk only: the blind worker gets it as bytes.
    model = cluster["base"] / "private" / f"model-{tmp_path.name}"
    nlp = spacy.blank("en")
    nlp.add_pipe("batch_test_slow", config={"seconds": 0.01})
    nlp.to_disk(model)
    script = DRIVER.format(
        tests=str(HERE.parent),
        model=str(model),
        corpus=str(corpus),
        url=url,
        address=cluster["address"],
    )
    with (tmp_path / "driver.log").open("wb") as log:
        driver = subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(script)], stdout=log, stderr=log
        )
    try:
        wait_until(lambda: len(committed(url)) >= 2 or driver.poll() is not None)
        os.kill(cluster["procs"]["worker1"].pid, signal.SIGKILL)
        wait_until(lambda: len(committed(url)) >= 6 or driver.poll() is not None)
        assert driver.poll() is None, (tmp_path / "driver.log").read_text()
        os.kill(driver.pid, signal.SIGKILL)
    finally:
        stop(driver)
    assert len(committed(url)) < n // 20

    summary = nlpkit.process(
        model,
        corpus,
        url,
        shard_size=20,
        backend="dask",
        scheduler=cluster["address"],
        code=[HERE],
        resume=True,
    )
    assert (summary.read, summary.written, summary.shards) == (n, n, n // 20)
    assert summary.shards_skipped >= 6
    ids = [doc["id"] for doc in iter_output(url)]
    assert ids == [f"d{i:05d}" for i in range(n)]
    manifest = json.loads(s3.cat_file(f"{prefix}/manifest.json"))
    assert manifest["status"] == "complete"
    names = {e["docs"] for e in manifest["shards"].values()} | {"manifest.json"}
    s3.invalidate_cache()
    assert {p.rsplit("/", 1)[-1] for p in s3.ls(prefix)} == names
    for entry in manifest["shards"].values():
        assert s3.size(f"{prefix}/{entry['docs']}") == entry["docs_size"]
    with distributed.Client(cluster["address"], timeout=30) as client:
        left = client.run(loaded_pipelines)
        plugins = client.run(lambda dask_worker: list(dask_worker.plugins))
    assert not [n for names in plugins.values() for n in names if "nlpkit" in n]
    assert left and all(keys == [] for keys in left.values())
