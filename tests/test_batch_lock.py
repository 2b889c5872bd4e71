"""One run per output directory: a second run on a live one fails and leaves it
alone; a lock left by a dead run is taken over."""

import json
import logging
import socket
import subprocess
import sys
import time

import pytest
import spacy
from batch_components import HERE, write_corpus
from typer.testing import CliRunner

import nlpkit
from nlpkit.batch import RunLockedError, iter_output
from nlpkit.cli import app

N_DOCS = 120

RUN_SCRIPT = """
import sys, spacy, nlpkit
sys.path.insert(0, {tests!r})
import batch_components
nlp = spacy.blank("en")
nlp.add_pipe("batch_test_wait_for", config={{"flag": {flag!r}}})
nlpkit.process(nlp, {corpus!r}, {out!r}, shard_size=10, batch_size=5)
"""


def batch_components_nlp(flag):
    """A pipeline that holds its docs until `flag` exists."""
    nlp = spacy.blank("en")
    nlp.add_pipe("batch_test_wait_for", config={"flag": str(flag)})
    return nlp


def start_run(corpus, out, flag):
    script = RUN_SCRIPT.format(
        tests=str(HERE.parent), corpus=str(corpus), out=str(out), flag=str(flag)
    )
    return subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def wait_for_holder(out, proc, timeout=120.0):
    """The lock file's JSON once the run in `proc` has written it."""
    deadline = time.monotonic() + timeout
    while True:
        assert proc.poll() is None, proc.stderr.read().decode()
        assert time.monotonic() < deadline, "the run never took the lock"
        try:
            holder = json.loads((out / ".lock").read_text())
        except (OSError, ValueError):
            holder = {}
        if holder.get("pid") == proc.pid:
            return holder
        time.sleep(0.05)


def test_second_run_on_live_output_fails_and_first_completes(tmp_path):
    corpus = write_corpus(tmp_path / "c.jsonl", N_DOCS)
    out = tmp_path / "out"
    go = tmp_path / "go"
    proc = start_run(corpus, out, go)
    try:
        holder = wait_for_holder(out, proc)
        assert holder["host"] == socket.gethostname()
        with pytest.raises(RunLockedError, match=rf"E515.*process {proc.pid} on"):
            nlpkit.process(spacy.blank("en"), corpus, out, shard_size=10, resume=True)
        args = ["process", "blank:en", str(corpus), "-o", str(out), "--resume"]
        result = CliRunner().invoke(app, [*args, "--shard-size", "10"])
        assert result.exit_code == 1
        assert "E515" in result.output and str(proc.pid) in result.output
        assert proc.poll() is None, "the second run disturbed the first"
        go.touch()
        _, err = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err.decode()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert [d["id"] for d in iter_output(out)] == [f"d{i:05d}" for i in range(N_DOCS)]
    assert not list(out.glob("*.tmp-*"))
    # Released at the end: the next run goes through.
    nlp = batch_components_nlp(go)
    summary = nlpkit.process(nlp, corpus, out, shard_size=10, resume=True)
    assert summary.shards_skipped == N_DOCS // 10


def test_stale_lock_of_dead_process_is_taken_over(tmp_path, caplog):
    corpus = write_corpus(tmp_path / "c.jsonl", 20)
    out = tmp_path / "out"
    out.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = {"pid": dead.pid, "host": socket.gethostname(), "started": "earlier"}
    (out / ".lock").write_text(json.dumps(stale))
    with caplog.at_level(logging.WARNING, logger="nlpkit"):
        summary = nlpkit.process(spacy.blank("en"), corpus, out)
    assert summary.written == 20
    assert any(
        "W503" in r.getMessage() and str(dead.pid) in r.getMessage()
        for r in caplog.records
    )
    assert (out / ".lock").read_text() == ""
