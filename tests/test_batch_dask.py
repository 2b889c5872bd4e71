"""The Dask backend on a local cluster (2 workers, 1 thread each, 127.0.0.1)."""

import json
import sys
import time

import pytest
import spacy
from batch_components import HERE, check_after_kill, write_corpus

import nlpkit
from nlpkit.batch import iter_output, iter_rejects

distributed = pytest.importorskip("distributed")
pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def cluster():
    from nlpkit.batch.dask_backend import local_cluster

    cluster = local_cluster(n_workers=2, threads=1)
    assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
    try:
        yield cluster
    finally:
        cluster.close()


def nlp_with(*pipes, **configs):
    nlp = spacy.blank("en")
    for name in pipes:
        nlp.add_pipe(name, config=configs.get(name, {}))
    return nlp


def by_id(out):
    return sorted(iter_output(out), key=lambda d: d["id"])


def test_dask_equals_local_after_sorting(cluster, tmp_path):
    corpus = write_corpus(tmp_path / "c.jsonl", 300, extra={17: "BOOM", 230: "BOOM"})
    nlp = nlp_with("sentencizer", "batch_test_fail_on")
    attrs = ["text", "tokens", "sents"]
    local = nlpkit.process(nlp, corpus, tmp_path / "local", shard_size=25, attrs=attrs)
    dask = nlpkit.process(
        nlp,
        corpus,
        tmp_path / "dask",
        shard_size=25,
        attrs=attrs,
        backend="dask",
        scheduler=cluster.scheduler_address,
        code=[HERE],
    )
    assert (dask.read, dask.written, dask.rejected) == (300, 298, 2)
    assert (local.read, local.written, local.rejected) == (300, 298, 2)
    assert dask.backend == "dask" and dask.workers == 2
    assert by_id(tmp_path / "dask") == by_id(tmp_path / "local")
    assert [r["id"] for r in iter_rejects(tmp_path / "dask")] == ["d00017", "d00230"]
    manifest = json.loads((tmp_path / "dask" / "manifest.json").read_text())
    assert len({e["worker"] for e in manifest["shards"].values()}) == 2


def test_dask_resume_skips_done_shards(cluster, tmp_path):
    corpus = write_corpus(tmp_path / "c.jsonl", 200)
    out = tmp_path / "out"
    options = {"shard_size": 20, "scheduler": cluster.scheduler_address}
    nlpkit.process(spacy.blank("en"), corpus, out, backend="dask", **options)
    reference = by_id(out)
    manifest = json.loads((out / "manifest.json").read_text())
    for key in ("2", "7", "9"):
        del manifest["shards"][key]
    manifest["status"] = "running"
    (out / "manifest.json").write_text(json.dumps(manifest))
    (out / "docs-00007.jsonl").write_text("half a file")
    summary = nlpkit.process(
        spacy.blank("en"), corpus, out, backend="dask", resume=True, **options
    )
    assert (summary.shards, summary.shards_skipped) == (10, 7)
    assert by_id(out) == reference


def test_killed_worker_loses_and_duplicates_nothing(cluster, tmp_path):
    corpus = write_corpus(tmp_path / "c.jsonl", 240, extra={130: "CRASH here"})
    flag = tmp_path / "crashed"
    nlp = nlp_with(
        "batch_test_slow",
        "batch_test_crash_once",
        batch_test_slow={"seconds": 0.002},
        batch_test_crash_once={"flag": str(flag)},
    )
    out = tmp_path / "out"
    summary = nlpkit.process(
        nlp,
        corpus,
        out,
        shard_size=20,
        backend="dask",
        scheduler=cluster.scheduler_address,
        code=[HERE],
    )
    assert flag.exists(), "the worker was never killed"
    killed_pid = flag.read_text()
    check_after_kill(out, summary, 240, killed_pid)
    assert not list(out.glob("*.tmp-*")) or all(
        p.name.endswith(f".tmp-{killed_pid}") for p in out.glob("*.tmp-*")
    )


@pytest.mark.slow
def test_dask_backend_starts_and_stops_its_own_local_cluster(tmp_path):
    corpus = write_corpus(tmp_path / "c.jsonl", 40)
    summary = nlpkit.process(
        spacy.blank("en"),
        corpus,
        tmp_path / "out",
        shard_size=10,
        backend="dask",
        n_process=2,
    )
    assert (summary.read, summary.written, summary.workers) == (40, 40, 2)


def test_failing_shard_is_retried_then_fails_naming_attempts(cluster, tmp_path):
    corpus = write_corpus(tmp_path / "c.jsonl", 30, extra={25: "BOOM"})
    out = tmp_path / "out"
    with pytest.raises(RuntimeError, match=r"E532.*Shard 00002 failed 2 time"):
        nlpkit.process(
            nlp_with("batch_test_fail_on"),
            corpus,
            out,
            shard_size=10,
            strict=True,
            retries=1,
            backend="dask",
            scheduler=cluster.scheduler_address,
            code=[HERE],
        )
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "failed" and "2" not in manifest["shards"]
    assert not [p for p in out.iterdir() if p.name.startswith("docs-00002")]


def test_worker_that_joins_late_blind_stops_the_run(tmp_path):
    """A worker that joins after the start and reads something else at the probe
    path (as a machine without the driver's disk would) takes no task: the run
    stops with E534 naming it, and every shard written came from the first one."""
    import threading

    from nlpkit.batch.dask_backend import local_cluster

    corpus = write_corpus(tmp_path / "c.jsonl", 400)
    out = tmp_path / "out"
    nlp = nlp_with("batch_test_slow", batch_test_slow={"seconds": 0.01})
    with local_cluster(n_workers=1) as cluster:
        first = set(cluster.scheduler_info["workers"])

        def join_blind():
            deadline = time.monotonic() + 60
            while not list(out.glob("docs-*")) and time.monotonic() < deadline:
                time.sleep(0.05)
            for probe in out.glob(".nlpkit-probe-*"):
                probe.write_text("another disk")
            cluster.scale(2)

        joiner = threading.Thread(target=join_blind)
        joiner.start()
        try:
            with pytest.raises(OSError, match="E534") as info:
                nlpkit.process(nlp, corpus, out, shard_size=10, backend="dask",
                               scheduler=cluster.scheduler_address, code=[HERE])  # fmt: skip
        finally:
            joiner.join()
        late = set(cluster.scheduler_info["workers"]) - first
    assert late and any(address in str(info.value) for address in late)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "failed" and len(manifest["shards"]) < 40
    assert len({entry["worker"] for entry in manifest["shards"].values()}) == 1
    assert not list(out.glob(".nlpkit-probe-*"))


def marked_nlp(megabytes: int = 0):
    """A blank pipeline carrying a Python attribute that bytes do not: a worker
    that has it got the driver's object (fork), not a copy loaded from bytes."""
    import numpy
    from spacy.vectors import Vectors

    nlp = spacy.blank("en")
    if megabytes:
        rows = megabytes * 1024 * 1024 // (4 * 300) + 1
        nlp.vocab.vectors = Vectors(data=numpy.zeros((rows, 300), dtype="float32"))
    nlp.nlpkit_test_marker = "driver"
    return nlp


def open_backend(backend, nlp, key, tmp_path):
    from nlpkit.batch.shards import JobSpec
    from nlpkit.batch.worker import PipelineSpec

    spec = PipelineSpec.from_model(key, nlp)
    backend.open(spec, JobSpec(output_dir=str(tmp_path), pipeline_key=key), nlp)


def worker_markers(client, key):
    from nlpkit.batch.worker import cached_pipeline

    def marker():
        return getattr(cached_pipeline(key), "nlpkit_test_marker", "loaded from bytes")

    return sorted(client.run(marker).values())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork is Linux-only")
def test_own_cluster_forks_workers_that_start_with_the_drivers_pipeline(tmp_path):
    """nlpkit's own LocalCluster forks its workers: they start with the driver's
    imports and loaded pipeline. A second run in the same driver process works
    too, with a pipeline over 10 MiB (which Dask deserialises on its offload
    thread, one that the fork does not copy)."""
    from nlpkit.batch.dask_backend import DaskBackend
    from nlpkit.batch.worker import loaded_pipelines

    nlp = marked_nlp(megabytes=12)
    for run in range(2):
        key = f"fork-{run}"
        with DaskBackend(n_workers=2) as backend:
            open_backend(backend, nlp, key, tmp_path)
            assert worker_markers(backend.client, key) == ["driver", "driver"]
        assert key not in loaded_pipelines()  # the driver's copy is let go


def test_given_scheduler_keeps_its_workers_and_warns_of_start_method(
    cluster, tmp_path, caplog
):
    from nlpkit.batch.dask_backend import DaskBackend

    with caplog.at_level("WARNING", logger="nlpkit"):
        backend = DaskBackend(scheduler=cluster.scheduler_address, start_method="fork")
    assert "W515" in caplog.text
    with backend:
        open_backend(backend, marked_nlp(), "given", tmp_path)
        assert worker_markers(backend.client, "given") == ["loaded from bytes"] * 2
    assert backend.cluster is None


def test_unknown_start_method_is_refused():
    from nlpkit.batch.dask_backend import DaskBackend

    with pytest.raises(ValueError, match="E540.*'thread'"):
        DaskBackend(start_method="thread")


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork is Linux-only")
def test_worker_restarted_in_own_cluster_is_spawned_and_loads_the_pipeline(
    tmp_path,
):
    """Only the start-up forks: a worker the nanny restarts while a run goes on is
    spawned (no fork of a driver whose threads are busy) and loads the pipeline
    from the bytes in the worker plugin."""
    import os
    import signal

    from nlpkit.batch.dask_backend import DaskBackend

    with DaskBackend(n_workers=2) as backend:
        open_backend(backend, marked_nlp(), "restart", tmp_path)
        client = backend.client
        pids = client.run(os.getpid)
        os.kill(next(iter(pids.values())), signal.SIGKILL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            now = client.run(os.getpid, on_error="ignore")  # one is dead
            if len(now) == 2 and set(now.values()) != set(pids.values()):
                break
            time.sleep(0.2)
        markers = worker_markers(client, "restart")
    assert markers == ["driver", "loaded from bytes"]
