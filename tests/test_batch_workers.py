"""Local worker processes: they die with a killed driver, and a shard whose worker
died is run again instead of failing the run."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import spacy
from batch_components import HERE, check_after_kill, write_corpus

import nlpkit

DRIVER_SCRIPT = """
import sys, spacy, nlpkit
sys.path.insert(0, {tests!r})
import batch_components
nlp = spacy.blank("en")
nlp.add_pipe("batch_test_record_pid", config={{"folder": {pids!r}}})
nlp.add_pipe("batch_test_wait_for", config={{"flag": {flag!r}, "timeout": 600.0}})
nlpkit.process(nlp, {corpus!r}, {out!r}, shard_size=5, batch_size=5, n_process=2)
"""


def alive(pid: int) -> bool:
    """Running (a zombie nobody reaped yet counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_exit_when_driver_is_killed(tmp_path):
    corpus = write_corpus(tmp_path / "c.jsonl", 40)
    pids = tmp_path / "pids"
    pids.mkdir()
    script = DRIVER_SCRIPT.format(
        tests=str(HERE.parent),
        pids=str(pids),
        flag=str(tmp_path / "never"),
        corpus=str(corpus),
        out=str(tmp_path / "out"),
    )
    driver = subprocess.Popen(
        [sys.executable, "-c", script],
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 120
        while len(workers) < 2:
            assert driver.poll() is None, driver.stderr.read().decode()
            assert time.monotonic() < deadline, "the workers never started"
            time.sleep(0.05)
            workers = [int(p.name) for p in pids.iterdir()]
        assert driver.pid not in workers
        os.kill(driver.pid, signal.SIGKILL)  # the driver alone, not its group
        driver.communicate(timeout=30)
        deadline = time.monotonic() + 30
        while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [pid for pid in workers if alive(pid)], "orphan workers"
    finally:
        if driver.poll() is None:
            driver.kill()
            driver.communicate()
        for pid in workers:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


def crash_once_nlp(flag: Path):
    nlp = spacy.blank("en")
    nlp.add_pipe("batch_test_crash_once", config={"flag": str(flag)})
    return nlp


def test_dead_worker_shard_is_retried(tmp_path):
    corpus = write_corpus(tmp_path / "c.jsonl", 120, extra={65: "CRASH here"})
    flag = tmp_path / "crashed"
    out = tmp_path / "out"
    summary = nlpkit.process(
        crash_once_nlp(flag), corpus, out, shard_size=10, n_process=2, code=[HERE]
    )
    assert flag.exists(), "the worker was never killed"
    killed = flag.read_text()
    check_after_kill(out, summary, 120, killed)
    assert not list(out.glob("*.tmp-*"))


def test_worker_that_keeps_dying_fails_the_run(tmp_path):
    corpus = write_corpus(tmp_path / "c.jsonl", 60, extra={35: "CRASH here"})
    out = tmp_path / "out"
    with pytest.raises(RuntimeError, match=r"E516.*shard\(s\) [0-9, ]*\b3\b"):
        nlpkit.process(
            crash_once_nlp(tmp_path / "crashed"),
            corpus,
            out,
            shard_size=10,
            n_process=2,
            retries=0,
            code=[HERE],
        )
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "failed"
    assert "3" not in manifest["shards"]
    # The shard goes through on resume (the crash happens once).
    summary = nlpkit.process(
        crash_once_nlp(tmp_path / "crashed"),
        corpus,
        out,
        shard_size=10,
        n_process=2,
        resume=True,
        code=[HERE],
    )
    assert summary.written == 60
