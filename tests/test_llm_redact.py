"""An API key never reaches anything nlpkit writes, even from a server that echoes it."""

import logging

import pytest
import spacy

from nlpkit.io import read_rejects
from nlpkit.llm.redact import redact
from nlpkit.llm.testserver import TestLLMServer

SECRET = "sk-live-0123456789abcdefSECRET"


@pytest.fixture(scope="module")
def server():
    srv = TestLLMServer().start()
    yield srv
    srv.stop()


@pytest.mark.parametrize("mode", ["echo400", "echo500"])
def test_key_echoed_by_server_is_redacted_everywhere(
    server, tmp_path, monkeypatch, caplog, mode
):
    monkeypatch.setenv("NLPKIT_TEST_KEY", SECRET)
    rejects = tmp_path / "rejects.jsonl"
    nlp = spacy.blank("en")
    backend = {
        "@misc": "nlpkit.OpenAICompatible.v1",
        "base_url": server.url(mode),
        "model": "m",
        "api_key_env": "NLPKIT_TEST_KEY",
        "max_retries": 1,
        "backoff_base": 0.01,
    }
    task = {"@misc": "nlpkit.Summarize.v1"}
    nlp.add_pipe(
        "nlpkit_llm",
        config={"task": task, "backend": backend, "rejects_path": str(rejects)},
    )
    with caplog.at_level(logging.DEBUG, logger="nlpkit"):
        doc = nlp("one short doc")
    assert server.authorizations[-1] == f"Bearer {SECRET}"  # the key was sent
    error = doc._.llm_error
    assert f"HTTP {mode[4:]}" in error and "[REDACTED]" in error
    written = rejects.read_text(encoding="utf-8")
    assert read_rejects(rejects)[0]["reason"] == error
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "[REDACTED]" in logged
    for text in (error, written, logged):
        assert SECRET not in text and SECRET[:12] not in text


def test_redact_tokens_it_was_not_told_about():
    echo = '{"headers": {"Authorization": "Bearer abc.DEF-123_xyz", "X-Api-Key": "k9"}}'
    out = redact(echo)
    assert "abc.DEF-123_xyz" not in out and "k9" not in out
    assert "sk-proj-ABCDEFGHIJKLmnop" not in redact("key sk-proj-ABCDEFGHIJKLmnop ok")
    assert redact("x my-own-key y", ["my-own-key"]) == "x [REDACTED] y"
    assert redact("nothing secret here") == "nothing secret here"
