"""Exactly-once output: SIGKILL / Ctrl-C then --resume, changed input, pipeline and
options, unwritable output, full disk."""

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import spacy
from batch_components import HERE, write_corpus

import nlpkit
from nlpkit.batch import iter_output
from nlpkit.batch.manifest import Manifest

N_DOCS = 400
SHARD = 20

# A shell that starts jobs in the background (nohup ... &, some CI runners) leaves
# SIGINT ignored, and Python keeps it ignored: restore Ctrl-C as a terminal has it.
RUN_SCRIPT = """
import signal
signal.signal(signal.SIGINT, signal.default_int_handler)
import sys, spacy, nlpkit
sys.path.insert(0, {tests!r})
import batch_components
nlp = spacy.blank("en")
nlp.add_pipe("batch_test_slow", config={{"seconds": {delay}}})
nlpkit.process(nlp, {corpus!r}, {out!r}, shard_size={shard}, batch_size=8,
               n_process={n_process}, resume=True, save_every=0.0)
"""


def slow_nlp(delay=0.002):
    nlp = spacy.blank("en")
    nlp.add_pipe("batch_test_slow", config={"seconds": delay})
    return nlp


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return write_corpus(tmp_path_factory.mktemp("corpus") / "c.jsonl", N_DOCS)


@pytest.fixture(scope="module")
def reference(corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("ref") / "out"
    nlpkit.process(slow_nlp(0.0), corpus, out, shard_size=SHARD)
    return sorted(iter_output(out), key=lambda d: d["id"])


def start_run(corpus, out, n_process=1, delay=0.002):
    script = RUN_SCRIPT.format(
        tests=str(HERE.parent),
        corpus=str(corpus),
        out=str(out),
        shard=SHARD,
        delay=delay,
        n_process=n_process,
    )
    # Own session: a kill reaches the driver alone, its pool learns of it by EOF.
    return subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def wait_for(path: Path, proc, timeout=60.0):
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert proc.poll() is None, proc.stderr.read().decode()
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.02)


def committed(out) -> dict:
    """Shards committed so far, in manifest.json or the commit log."""
    try:
        return Manifest.load(out).shards
    except (FileNotFoundError, ValueError):
        return {}


def check_same(out, reference):
    got = list(iter_output(out))
    ids = [d["id"] for d in got]
    assert len(ids) == len(set(ids)), "duplicated docs"
    assert sorted(got, key=lambda d: d["id"]) == reference
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert manifest["totals"]["read"] == manifest["totals"]["written"] == N_DOCS
    assert not list(out.glob("*.tmp-*"))


@pytest.mark.parametrize("seed,n_process", [(0, 1), (1, 2), (2, 1)])
def test_sigkill_then_resume_equals_uninterrupted(
    corpus, reference, tmp_path, seed, n_process
):
    out = tmp_path / "out"
    rng = random.Random(seed)
    proc = start_run(corpus, out, n_process=n_process)
    wait_for(out / "manifest.json", proc)
    # Processing takes about 0.8 s: kill anywhere from before the first shard to
    # the last ones.
    time.sleep(rng.uniform(0.0, 0.9))
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    manifest = Manifest.load(out)  # manifest.json and the commit log of the dead run
    assert manifest.data["status"] in ("running", "complete")
    done = len(manifest.shards)
    summary = nlpkit.process(
        slow_nlp(), corpus, out, shard_size=SHARD, batch_size=8, resume=True
    )
    assert summary.shards_skipped == done
    assert (summary.read, summary.written, summary.rejected) == (N_DOCS, N_DOCS, 0)
    check_same(out, reference)


def test_ctrl_c_then_resume(corpus, reference, tmp_path):
    out = tmp_path / "out"
    # About 1 s of work; interrupt as soon as the first shard is committed, so a
    # busy machine cannot let the run finish before the signal arrives.
    proc = start_run(corpus, out, delay=0.003)
    wait_for(out / "manifest.json", proc)
    deadline = time.monotonic() + 60
    while not committed(out):
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode != 0 and b"KeyboardInterrupt" in err
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "interrupted"
    assert 0 < len(manifest["shards"]) < N_DOCS // SHARD
    nlpkit.process(slow_nlp(0.003), corpus, out, shard_size=SHARD, resume=True)
    check_same(out, reference)


def test_changed_input_is_refused(corpus, tmp_path):
    data = tmp_path / "c.jsonl"
    data.write_bytes(corpus.read_bytes())
    out = tmp_path / "out"
    nlp = spacy.blank("en")
    nlpkit.process(nlp, data, out, shard_size=SHARD)
    with data.open("a", encoding="utf-8") as f:
        f.write('{"id": "new", "text": "One more."}\n')
    with pytest.raises(ValueError, match=r"E503.*c\.jsonl is \d+ bytes, was"):
        nlpkit.process(nlp, data, out, shard_size=SHARD, resume=True)
    (tmp_path / "other.jsonl").write_text('{"text": "x"}\n')
    with pytest.raises(ValueError, match="E503.*new file"):
        nlpkit.process(nlp, [corpus, tmp_path / "other.jsonl"], out, resume=True)


def test_stat_fingerprint_refuses_a_touched_input(corpus, tmp_path):
    """The default fingerprint is size + mtime: a touch counts as a change, and
    the error says how to resume when the bytes are the same."""
    data = tmp_path / "c.jsonl"
    data.write_bytes(corpus.read_bytes())
    out = tmp_path / "out"
    nlp = spacy.blank("en")
    nlpkit.process(nlp, data, out, shard_size=SHARD)
    assert "sha256" not in Manifest.load(out).data["inputs"][0]
    before = data.stat()
    os.utime(data, ns=(before.st_atime_ns, before.st_mtime_ns + 10**9))
    for fingerprint in ("stat", "content"):  # no hash was recorded to compare
        with pytest.raises(ValueError, match="E503.*modified since.*touch -d"):
            nlpkit.process(
                nlp, data, out, shard_size=SHARD, resume=True, fingerprint=fingerprint
            )
    os.utime(data, ns=(before.st_atime_ns, before.st_mtime_ns))
    summary = nlpkit.process(nlp, data, out, shard_size=SHARD, resume=True)
    assert summary.shards_skipped == N_DOCS // SHARD


def test_content_fingerprint_resumes_a_touch_and_refuses_new_bytes(corpus, tmp_path):
    data = tmp_path / "c.jsonl"
    data.write_bytes(corpus.read_bytes())
    out = tmp_path / "out"
    nlp = spacy.blank("en")
    nlpkit.process(nlp, data, out, shard_size=SHARD, fingerprint="content")
    os.utime(data)  # same content, new mtime: fine
    summary = nlpkit.process(
        nlp, data, out, shard_size=SHARD, resume=True, fingerprint="content"
    )
    assert summary.shards_skipped == N_DOCS // SHARD
    # Same size, different bytes.
    data.write_text(corpus.read_text().replace("hello", "HELLO", 1))
    with pytest.raises(ValueError, match="E503.*different content"):
        nlpkit.process(
            nlp, data, out, shard_size=SHARD, resume=True, fingerprint="content"
        )
    with pytest.raises(ValueError, match="E520.*--fingerprint"):
        nlpkit.process(nlp, data, out, resume=True, fingerprint="mtime")


def test_changed_pipeline_and_options_are_refused(corpus, tmp_path):
    out = tmp_path / "out"
    nlpkit.process(spacy.blank("en"), corpus, out, shard_size=SHARD)
    changed = spacy.blank("en")
    changed.add_pipe("sentencizer")
    with pytest.raises(ValueError, match="E504.*components"):
        nlpkit.process(changed, corpus, out, shard_size=SHARD, resume=True)
    with pytest.raises(ValueError, match="E505.*shard_size"):
        nlpkit.process(spacy.blank("en"), corpus, out, shard_size=7, resume=True)
    with pytest.raises(FileExistsError, match="E502"):
        nlpkit.process(spacy.blank("en"), corpus, out, shard_size=SHARD)
    summary = nlpkit.process(changed, corpus, out, shard_size=7, overwrite=True)
    assert summary.shards == -(-N_DOCS // 7) and summary.shards_skipped == 0


def test_missing_shard_file_is_redone(corpus, reference, tmp_path):
    out = tmp_path / "out"
    nlpkit.process(spacy.blank("en"), corpus, out, shard_size=SHARD)
    (out / "docs-00003.jsonl").unlink()
    summary = nlpkit.process(
        spacy.blank("en"), corpus, out, shard_size=SHARD, resume=True
    )
    assert summary.shards_skipped == N_DOCS // SHARD - 1
    check_same(out, reference)


def test_unwritable_output_dir_fails_fast(corpus, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(OSError, match="E501.*a-file/out"):
        nlpkit.process(spacy.blank("en"), corpus, blocker / "out")


FULL_DISK_SCRIPT = """
import resource, signal, spacy, nlpkit
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))
nlpkit.process(spacy.blank("en"), {corpus!r}, {out!r}, shard_size={shard})
"""


def test_full_disk_fails_fast_and_resumes(tmp_path):
    """RLIMIT_FSIZE makes writes past 8 kB fail as on a full disk (EFBIG): the short
    docs' shards fit, the first shard of long docs does not."""
    long_text = "A much longer document that goes on and on. " * 20
    corpus = write_corpus(
        tmp_path / "c.jsonl", 200, extra={i: long_text for i in range(120, 200)}
    )
    ref_out = tmp_path / "ref"
    nlpkit.process(spacy.blank("en"), corpus, ref_out, shard_size=SHARD)
    reference = sorted(iter_output(ref_out), key=lambda d: d["id"])
    out = tmp_path / "out"
    script = FULL_DISK_SCRIPT.format(
        limit=8000, corpus=str(corpus), out=str(out), shard=SHARD
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode != 0
    assert "E506" in proc.stderr and "File too large" in proc.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "failed"
    assert sorted(manifest["shards"], key=int) == [str(i) for i in range(6)]
    for entry in manifest["shards"].values():
        assert (out / entry["docs"]).exists()
    assert not list(out.glob("*.tmp-*"))
    summary = nlpkit.process(
        spacy.blank("en"), corpus, out, shard_size=SHARD, resume=True
    )
    assert summary.shards_skipped == 6
    assert sorted(iter_output(out), key=lambda d: d["id"]) == reference
