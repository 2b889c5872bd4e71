"""Components for the batch tests, imported by workers through process(code=...)."""

import os
import signal
import time
from pathlib import Path

from spacy.language import Language


class FailOn:
    """Raises on a doc whose text contains `marker` (a record that crashes a component)."""

    def __init__(self, marker: str):
        self.marker = marker

    def __call__(self, doc):
        if self.marker in doc.text:
            raise ValueError(f"cannot handle {self.marker!r}")
        return doc


class Slow:
    """Sleeps per doc, so that a run lasts long enough to be killed in the middle."""

    def __init__(self, seconds: float):
        self.seconds = seconds

    def __call__(self, doc):
        time.sleep(self.seconds)
        return doc


class CrashOnce:
    """SIGKILLs its own process at the first doc containing `marker`; the flag file
    makes the retried shard on another worker go through."""

    def __init__(self, marker: str, flag: str):
        self.marker = marker
        self.flag = Path(flag)

    def __call__(self, doc):
        if self.marker in doc.text and not self.flag.exists():
            self.flag.write_text(str(os.getpid()))
            os.kill(os.getpid(), signal.SIGKILL)
        return doc


class RecordPid:
    """Writes the pid of the process it runs in to `folder`, to find the workers."""

    def __init__(self, folder: str):
        self.folder = Path(folder)
        self.seen = False

    def __call__(self, doc):
        if not self.seen:
            (self.folder / str(os.getpid())).write_text("")
            self.seen = True
        return doc


class WaitFor:
    """Holds every doc until `flag` exists (at most `timeout` s), so that a test
    decides when a run may go on, whatever the machine's speed."""

    def __init__(self, flag: str, timeout: float):
        self.flag = Path(flag)
        self.timeout = timeout

    def __call__(self, doc):
        deadline = time.monotonic() + self.timeout
        while not self.flag.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        return doc


# Guarded: this file is imported both by the tests and, as code=, by the workers.
if not Language.has_factory("batch_test_fail_on"):

    @Language.factory("batch_test_fail_on", default_config={"marker": "BOOM"})
    def make_fail_on(nlp: Language, name: str, marker: str):
        return FailOn(marker)

    @Language.factory("batch_test_slow", default_config={"seconds": 0.001})
    def make_slow(nlp: Language, name: str, seconds: float):
        return Slow(seconds)

    @Language.factory(
        "batch_test_crash_once", default_config={"marker": "CRASH", "flag": ""}
    )
    def make_crash_once(nlp: Language, name: str, marker: str, flag: str):
        return CrashOnce(marker, flag)

    @Language.factory(
        "batch_test_wait_for", default_config={"flag": "", "timeout": 120.0}
    )
    def make_wait_for(nlp: Language, name: str, flag: str, timeout: float):
        return WaitFor(flag, timeout)

    @Language.factory("batch_test_record_pid", default_config={"folder": ""})
    def make_record_pid(nlp: Language, name: str, folder: str):
        return RecordPid(folder)


HERE = Path(__file__)


def write_corpus(path: Path, n: int, *, extra: dict[int, str] | None = None) -> Path:
    """n short JSONL docs with ids d00000...; `extra` replaces line i's text."""
    import json

    extra = extra or {}
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            text = extra.get(i, f"Document number {i} says hello to the world.")
            f.write(json.dumps({"id": f"d{i:05d}", "text": text}) + "\n")
    return path


def check_after_kill(out: Path, summary, n: int, killed: str) -> None:
    """A run whose worker was killed (pid `killed`) mid-shard: every doc once, in
    order, and shard 6 (the one it was on) committed from another process."""
    import json

    from nlpkit.batch import iter_output

    assert (summary.read, summary.written, summary.rejected) == (n, n, 0)
    ids = [d["id"] for d in iter_output(out)]
    assert ids == [f"d{i:05d}" for i in range(n)]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert not manifest["shards"]["6"]["worker"].endswith(f":{killed}")
