"""`nlpkit llm run`: the run discipline of `nlpkit process`, fast failures, clear output."""

import json
import socket

import pytest
from typer.testing import CliRunner

from nlpkit.batch import RunLock, iter_output
from nlpkit.cli import app
from nlpkit.llm import OpenAICompatibleBackend
from nlpkit.llm.build import build_pipeline
from nlpkit.llm.run import LLM_REJECTS, run_llm
from nlpkit.llm.testserver import TestLLMServer

LINES = [
    "first line one",
    "second [fail] two",
    "third line three",
    "fourth [fail] four",
    "fifth line five",
    "sixth line six",
]
ATTRS = ["text", "_.llm_error", "_.llm_output"]


@pytest.fixture(scope="module")
def server():
    srv = TestLLMServer().start()
    yield srv
    srv.stop()


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "in.txt"
    path.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_args(corpus, out, url, *extra):
    return [
        "llm", "run", str(corpus), "-o", str(out), "--task", "prompt",
        "--template", "{{ text }}", "--base-url", url, "--model", "m", *extra,
    ]  # fmt: skip


def prompt_nlp(url):
    task = {"@misc": "nlpkit.Prompt.v1", "template": "{{ text }}"}
    backend = {
        "@misc": "nlpkit.OpenAICompatible.v1",
        "base_url": url,
        "model": "m",
        "max_retries": 0,
    }
    return build_pipeline(None, task, backend)


def rejects_lines(out):
    path = out / LLM_REJECTS
    return [json.loads(line)["line"] for line in path.read_text().splitlines()]


def test_no_server_fails_fast_with_one_line(tmp_path, corpus):
    url = f"http://127.0.0.1:{free_port()}/v1"
    out = tmp_path / "out"
    result = CliRunner().invoke(app, run_args(corpus, out, url))
    assert result.exit_code == 1
    assert "[E416]" in result.output and f"No server at {url}" in result.output
    assert "--base-url" in result.output
    assert not (out / "manifest.json").exists()  # failed before any work


def test_refused_connection_is_not_retried():
    url = f"http://127.0.0.1:{free_port()}/v1"
    backend = OpenAICompatibleBackend(url, "m", max_retries=3, backoff_base=0.01)
    results = backend.generate_batch(["a", "b"])
    assert [r.attempts for r in results] == [1, 1]
    assert all("[E416]" in r.error for r in results)


def test_every_request_failed_exits_nonzero(tmp_path, corpus, server):
    out = tmp_path / "out"
    result = CliRunner().invoke(app, run_args(corpus, out, server.url("echo400")))
    assert result.exit_code == 1
    assert "[E417]" in result.output and "HTTP 400" in result.output
    assert "--overwrite" in result.output
    assert rejects_lines(out) == [1, 2, 3, 4, 5, 6]


def test_resume_overwrite_and_lock(tmp_path, corpus, server):
    out = tmp_path / "out"
    runner = CliRunner()
    before = server.requests.get("ok", 0)
    first = runner.invoke(app, run_args(corpus, out, server.url("ok")))
    assert first.exit_code == 0, first.output
    sent = server.requests["ok"]
    again = runner.invoke(app, run_args(corpus, out, server.url("ok")))
    assert again.exit_code == 1 and "[E502]" in again.output
    resumed = runner.invoke(
        app, run_args(corpus, out, server.url("ok"), "--resume", "--timeout", "30")
    )
    assert resumed.exit_code == 0, resumed.output
    assert server.requests["ok"] == sent  # a complete run: nothing sent again
    rows = list(iter_output(out))
    assert [r["text"] for r in rows] == LINES
    assert rejects_lines(out) == [2, 4]
    over = runner.invoke(app, run_args(corpus, out, server.url("ok"), "--overwrite"))
    assert over.exit_code == 0, over.output
    assert server.requests["ok"] == sent + (sent - before)  # all sent again
    assert [r["text"] for r in iter_output(out)] == LINES
    assert rejects_lines(out) == [2, 4]
    with RunLock(out):
        locked = runner.invoke(
            app, run_args(corpus, out, server.url("ok"), "--overwrite")
        )
    assert locked.exit_code == 1 and "[E515]" in locked.output
    assert rejects_lines(out) == [2, 4]  # the locked-out run touched nothing


def test_interrupted_run_resumes_exactly_once(tmp_path, corpus, server):
    out = tmp_path / "out"
    done = []

    def interrupt_in_second_shard(n):
        done.append(n)
        if sum(done) == 4:  # shard 0 (lines 1-2) committed, shard 1 half done
            raise KeyboardInterrupt

    nlp = prompt_nlp(server.url("ok"))
    with pytest.raises(KeyboardInterrupt):
        run_llm(
            nlp, [corpus], out, attrs=ATTRS, shard_size=2, batch_size=1,
            on_progress=interrupt_in_second_shard,
        )  # fmt: skip
    assert rejects_lines(out) == [2, 4]  # line 4's shard was not committed
    totals, progress = [], []
    summary = run_llm(
        prompt_nlp(server.url("ok")), [corpus], out, attrs=ATTRS, shard_size=2,
        batch_size=1, resume=True, on_total=totals.append,
        on_progress=progress.append,
    )  # fmt: skip
    rows = list(iter_output(out))
    assert [r["text"] for r in rows] == LINES  # none missing, none twice
    assert [r["llm_output"] for r in rows] == [
        "one",
        None,
        "three",
        None,
        "five",
        "six",
    ]
    assert rejects_lines(out) == [2, 4]  # each failure listed once
    assert totals == [6] and sum(progress) == 6
    assert summary.process.shards_skipped == 1 and summary.stats.docs_routed == 4


def test_progress_has_a_total_and_moves_per_doc(tmp_path, corpus, server):
    totals, progress = [], []
    run_llm(
        prompt_nlp(server.url("ok")), [corpus], tmp_path / "out", attrs=ATTRS,
        batch_size=2, on_total=totals.append, on_progress=progress.append,
    )  # fmt: skip
    assert totals == [len(LINES)]
    assert progress == [1] * len(LINES)  # one shard, yet one step per doc


def test_timeout_option_applies(tmp_path, corpus):
    one = tmp_path / "one.txt"
    one.write_text("just one line\n")
    with TestLLMServer(slow_delay=2.0) as srv:
        result = CliRunner().invoke(
            app, run_args(one, tmp_path / "out", srv.url("slow"), "--timeout", "0.2")
        )
    assert result.exit_code == 1 and "ReadTimeout" in result.output


def test_run_table_has_labels_and_integers(tmp_path, corpus, server):
    result = CliRunner().invoke(app, run_args(corpus, tmp_path / "o", server.url()))
    assert result.exit_code == 0, result.output
    assert "requests sent" in result.output and "requests_sent" not in result.output
    assert "LLM failures" in result.output and "docs_routed" not in result.output


def test_cli_progress_shows_total_and_rate(tmp_path, corpus, server):
    result = CliRunner().invoke(
        app,
        ["llm", "run", str(corpus), "-o", str(tmp_path / "out")]
        + ["--base-url", server.url("ok"), "--model", "t"],
        terminal_width=160,
    )
    assert f"{len(LINES)}/{len(LINES)}" in result.output  # a total, counted first
    assert "docs/s" in result.output
    time_row = next(line for line in result.output.splitlines() if "time (s)" in line)
    assert len(time_row.split()[-2].split(".")[-1]) == 2  # 0.21, not 0.2134
