"""A real multi-process Dask cluster writing to S3: `dask scheduler`, `dask worker`
processes in their own working directories and moto's S3 server, all started here on
127.0.0.1 and stopped by pid. Workers share no output path with the driver."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
import spacy
from batch_components import HERE, write_corpus
from s3_helpers import BIN, BUCKET, free_port, s3_env, stop, use_s3, wait_port

import nlpkit
from nlpkit.batch import iter_output
from nlpkit.batch.manifest import Manifest
from nlpkit.batch.worker import loaded_pipelines

distributed = pytest.importorskip("distributed")
pytest.importorskip("s3fs")
pytest.importorskip("moto.server")
pytestmark = pytest.mark.server


def require_unshare() -> None:
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
    if probe.returncode != 0:  # the blind worker needs a private mount namespace
        pytest.skip(f"unshare -m is not permitted here: {probe.stderr.decode()}")


class Procs(dict):
    """Processes started by a test, each logging to BASE/<name>.log; stopped by pid
    in reverse order."""

    def __init__(self, base: Path, env: dict):
        super().__init__()
        self.base, self.env = base, env

    def start(self, name, args, cwd=None):
        with (self.base / f"{name}.log").open("wb") as log:
            self[name] = subprocess.Popen(
                args, cwd=cwd or self.base, env=self.env, stdout=log, stderr=log
            )
        return self[name]

    def scheduler(self) -> str:
        port = free_port()
        proc = self.start(
            "scheduler",
            [BIN / "dask", "scheduler", "--host", "127.0.0.1", "--port", str(port)]
            + ["--no-dashboard"],
        )
        wait_port(port, proc)
        return f"tcp://127.0.0.1:{port}"

    def worker(self, address: str, name: str, blind_to: Path | None = None):
        """A `dask worker` in its own working directory; with blind_to, in a mount
        namespace where that folder is an empty tmpfs (another machine's disk)."""
        args = [BIN / "dask", "worker", address, "--host", "127.0.0.1", "--name", name]
        args += ["--nthreads", "1", "--no-nanny", "--no-dashboard"]
        (self.base / name).mkdir()
        if blind_to is not None:
            command = " ".join(str(a) for a in args)
            args = ["unshare", "-m", "sh", "-c",
                    f"mount -t tmpfs nlpkit-test {blind_to} && exec {command}"]  # fmt: skip
        return self.start(name, args, cwd=self.base / name)

    def stop_all(self) -> None:
        for proc in reversed(list(self.values())):
            stop(proc)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """moto S3, a scheduler, two workers, and a third worker that sees an empty
    disk at the driver's output path (its own mount namespace)."""
    require_unshare()
    base = tmp_path_factory.mktemp("cluster")
    s3_port = free_port()
    procs = Procs(base, {**os.environ, **s3_env(s3_port), "PYTHONUNBUFFERED": "1"})
    private = base / "private"  # the driver's local output lives under here
    private.mkdir()
    try:
        procs.start(
            "moto", [BIN / "moto_server", "-H", "127.0.0.1", "-p", str(s3_port)]
        )
        wait_port(s3_port, procs["moto"])
        address = procs.scheduler()
        for name in ("w1", "w2"):
            procs.worker(address, name)
        procs.worker(address, "blind", blind_to=private)
        with distributed.Client(address, timeout=30) as client:
            client.wait_for_workers(3, timeout=60)
        yield {"address": address, "s3_port": s3_port, "base": base, "procs": procs}
    finally:
        procs.stop_all()


@pytest.fixture
def s3(cluster, monkeypatch):
    return use_s3(cluster["s3_port"], monkeypatch)


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


def test_worker_that_cannot_see_local_inputs_fails_before_work(cluster, s3, tmp_path):
    """Two of three inputs live where the blind worker sees an empty folder: the
    run stops before any shard with E538 naming it, the first such input and the
    count; the output is on S3, so E531 does not apply."""
    private = cluster["base"] / "private" / f"in-{tmp_path.name}"
    private.mkdir()
    hidden = [write_corpus(private / f"{n}.jsonl", 20) for n in ("a", "b")]
    shared = write_corpus(tmp_path / "c.jsonl", 20)
    url = f"s3://{BUCKET}/blind-inputs-{tmp_path.name}"
    with pytest.raises(OSError, match="E538") as info:
        nlpkit.process(spacy.blank("en"), [*hidden, shared], url, backend="dask",
                       scheduler=cluster["address"])  # fmt: skip
    message = str(info.value)
    assert "blind (tcp://127.0.0.1:" in message and "w1" not in message
    first = f"{hidden[0]} as this driver does (No such file or directory; 2 of the 3"
    assert first in message
    assert "s3://bucket/in/*.jsonl" in message
    manifest = json.loads(s3.cat_file(f"{url[5:]}/manifest.json"))
    assert manifest["status"] == "failed" and manifest["shards"] == {}
    s3.invalidate_cache()
    assert not [p for p in s3.ls(url[5:]) if "docs-" in p]


def test_local_inputs_every_worker_sees_are_read_there(cluster, s3, tmp_path):
    """Local inputs on a disk all three workers share: the check passes and the
    workers read their line ranges from the path themselves."""
    corpus = write_corpus(tmp_path / "c.jsonl", 60)
    url = f"s3://{BUCKET}/shared-inputs-{tmp_path.name}"
    summary = nlpkit.process(spacy.blank("en"), corpus, url, shard_size=10,
                             backend="dask", scheduler=cluster["address"])  # fmt: skip
    assert (summary.read, summary.written, summary.shards) == (60, 60, 6)
    assert [doc["id"] for doc in iter_output(url)] == [f"d{i:05d}" for i in range(60)]
    workers = {entry["worker"] for entry in Manifest.load(url).shards.values()}
    assert workers and not any(w.endswith(f":{os.getpid()}") for w in workers)


@pytest.mark.parametrize("hidden,code", [("output", "E534"), ("input", "E539")])
def test_worker_joining_late_that_cannot_see_local_files_stops_the_run(
    tmp_path, hidden, code
):
    """A scheduler with one worker that shares the driver's disk; mid-run a worker
    joins that sees an empty folder where the output (E534) or the input (E539)
    is: it takes no task, and the run stops naming it."""
    require_unshare()
    private = tmp_path / "private"
    private.mkdir()
    procs = Procs(tmp_path, {**os.environ, "PYTHONUNBUFFERED": "1"})
    out = (private if hidden == "output" else tmp_path) / "out"
    corpus = write_corpus((private if hidden == "input" else tmp_path) / "c.jsonl", 400)
    nlp = spacy.blank("en")
    nlp.add_pipe("batch_test_slow", config={"seconds": 0.01})
    try:
        address = procs.scheduler()
        procs.worker(address, "w1")
        with distributed.Client(address, timeout=30) as client:
            client.wait_for_workers(1, timeout=60)

        def join_blind():
            wait_until(lambda: bool(list(out.glob("docs-*"))))
            procs.worker(address, "late", blind_to=private)

        joiner = threading.Thread(target=join_blind)
        joiner.start()
        try:
            with pytest.raises(OSError, match=f"{code}.*late") as info:
                nlpkit.process(nlp, corpus, out, shard_size=10, backend="dask",
                               scheduler=address, code=[HERE])  # fmt: skip
        finally:
            joiner.join()
    finally:
        procs.stop_all()
    assert "s3://" in str(info.value)
    if hidden == "input":
        first = f"{corpus} as this driver does (No such file or directory; 1 of the 1"
        assert first in str(info.value)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "failed" and len(manifest["shards"]) < 40
    assert len({entry["worker"] for entry in manifest["shards"].values()}) == 1


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
        os.kill(cluster["procs"]["w1"].pid, signal.SIGKILL)
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


def test_workers_read_url_inputs_of_every_kind_themselves(cluster, s3, tmp_path):
    """Inputs on S3 only: each `dask worker` reads its line range, row groups or
    file shard through its own s3fs; the driver sends no records."""
    prefix = f"{BUCKET}/inputs-{tmp_path.name}"
    corpus = write_corpus(tmp_path / "a.jsonl", 45)
    rows = "".join(f'c{i},"two\nlines {i}",x\n' for i in range(25))
    s3.pipe({f"{prefix}/in/a.jsonl": corpus.read_bytes(),
             f"{prefix}/in/b.csv": b"id,text,label\n" + rows.encode()})  # fmt: skip
    url = f"s3://{prefix}/out"
    summary = nlpkit.process(spacy.blank("en"), f"s3://{prefix}/in/", url,
                             shard_size=10, backend="dask",
                             scheduler=cluster["address"])  # fmt: skip
    assert (summary.read, summary.written, summary.shards) == (70, 70, 8)
    ids = [doc["id"] for doc in iter_output(url)]
    assert ids == [f"d{i:05d}" for i in range(45)] + [
        f"b.csv:{2 + 2 * i}" for i in range(25)
    ]
    files = Manifest.load(url).data["plan"]["files"]
    assert [f["kind"] for f in files] == ["lines", "file"]
    workers = {entry["worker"] for entry in Manifest.load(url).shards.values()}
    assert workers and not any(w.endswith(f":{os.getpid()}") for w in workers)
