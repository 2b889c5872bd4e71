"""The component against a real OpenAI-compatible server: llama-cpp-python's."""

import socket
import subprocess
import sys
import time

import httpx
import pytest
import spacy

from nlpkit.llm import default_gguf_path

pytestmark = pytest.mark.server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory):
    port = free_port()
    log = (tmp_path_factory.mktemp("llama") / "server.log").open("w")
    cmd = [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(default_gguf_path()),
        "--host", "127.0.0.1", "--port", str(port),
        "--model_alias", "smollm2",
        "--interrupt_requests", "False",
        "--n_ctx", "2048",
        "--n_threads", "1", "--n_threads_batch", "1",
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail(f"llama_cpp.server exited with {proc.returncode}")
            try:
                if httpx.get(f"{base_url}/models", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("llama_cpp.server did not start within 90 s")
            time.sleep(0.25)
        yield base_url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


def test_component_through_llama_cpp_server(llama_server, tmp_path):
    nlp = spacy.blank("en")
    nlp.add_pipe(
        "nlpkit_llm",
        config={
            "task": {"@misc": "nlpkit.TextCat.v1", "labels": ["positive", "negative"]},
            "backend": {
                "@misc": "nlpkit.OpenAICompatible.v1",
                "base_url": llama_server,
                "model": "smollm2",
                "max_new_tokens": 4,
                "max_concurrency": 2,
                "timeout": 60,
            },
            "cache_path": str(tmp_path / "cache.sqlite"),
        },
    )
    texts = ["A gorgeous, witty and moving film.", "Dull, long and badly acted."]
    docs = list(nlp.pipe(texts))
    for doc in docs:
        assert doc._.llm_raw  # the server answered
        assert doc._.llm_error is None or "E406" in doc._.llm_error
        if doc._.llm_error is None:
            assert sorted(doc.cats.values()) == [0.0, 1.0]
    stats = nlp.get_pipe("nlpkit_llm").stats
    assert stats.requests_sent == 2 and stats.failures <= 2
    assert stats.tokens_in > 20 and 0 < stats.tokens_out <= 8
    # the same text again at temperature 0, from the server (no cache) ...
    pipe = nlp.get_pipe("nlpkit_llm")
    prompts = [p for p, _ in pipe.task.generate_prompts(docs)]
    fresh = pipe.backend.generate_batch(prompts)
    assert [r.text for r in fresh] == [d._.llm_raw for d in docs]
    # ... and from the cache, with nothing sent
    again = list(nlp.pipe(texts))
    assert [d._.llm_raw for d in again] == [d._.llm_raw for d in docs]
    assert nlp.get_pipe("nlpkit_llm").stats.cache_hits == 2
