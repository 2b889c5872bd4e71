"""The component against a real OpenAI-compatible server: llama-cpp-python's."""

import pytest
import spacy

from nlpkit.llm.llamaserver import LlamaCppServer

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory):
    log = tmp_path_factory.mktemp("llama") / "server.log"
    try:
        server = LlamaCppServer(log_path=log).start()
    except RuntimeError as err:
        pytest.fail(str(err))
    yield server.url
    server.stop()


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


def test_server_that_cannot_start_is_numbered(tmp_path):
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"not a model")
    log = tmp_path / "server.log"
    with pytest.raises(RuntimeError, match="E418.*exited with code"):
        LlamaCppServer(bad, log_path=log, start_timeout=60).start()
    assert log.read_text()
