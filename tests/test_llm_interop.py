"""spacy-llm interop: nlpkit tasks/backends in spacy-llm's `llm` component, and a
spacy-llm model in nlpkit's component (run against the installed spacy-llm)."""

import logging

import pytest
import spacy

from nlpkit.llm.interop import NlpkitModel, SpacyLLMModelBackend, SpacyLLMTask
from nlpkit.llm.testserver import TestLLMServer

spacy_llm = pytest.importorskip("spacy_llm")

ANSWER = "PERSON: Ann Smith\nORG: Acme Corp\nLOC: none"
TASK = {"@llm_tasks": "nlpkit.NER.v1", "labels": ["PERSON", "ORG", "LOC"]}


@pytest.fixture(scope="module")
def server():
    srv = TestLLMServer(answer=ANSWER).start()
    yield srv
    srv.stop()


def model_block(url):
    return {
        "@llm_models": "nlpkit.OpenAICompatible.v1",
        "base_url": url,
        "model": "test",
        "timeout": 0.5,
        "max_retries": 1,
    }


def test_nlpkit_task_and_backend_in_spacy_llm_component(server):
    import nlpkit.llm.interop  # noqa: F401  (registers @llm_tasks/@llm_models)

    nlp = spacy.blank("en")
    llm = nlp.add_pipe(
        "llm", config={"task": TASK, "model": model_block(server.url("ok"))}
    )
    assert isinstance(llm._task, SpacyLLMTask)
    assert isinstance(llm._model, NlpkitModel)
    docs = list(nlp.pipe(["Ann Smith joined Acme Corp in Leeds.", "Bob left."]))
    assert [(e.text, e.label_) for e in docs[0].ents] == [
        ("Ann Smith", "PERSON"),
        ("Acme Corp", "ORG"),
    ]
    assert docs[1].ents == ()  # names the answer gives but the text lacks are dropped


def test_unparsable_answer_leaves_doc_and_warns(caplog):
    srv = TestLLMServer(answer="no idea").start()
    try:
        nlp = spacy.blank("en")
        task = {"@llm_tasks": "nlpkit.TextCat.v1", "labels": ["POS", "NEG"]}
        nlp.add_pipe("llm", config={"task": task, "model": model_block(srv.url("ok"))})
        with caplog.at_level(logging.WARNING, logger="nlpkit"):
            doc = nlp("Nice film.")
    finally:
        srv.stop()
    assert doc.cats == {}
    assert any("W430" in r.getMessage() for r in caplog.records)


class EchoModel:
    """A spacy-llm model in the documented shape: prompts per doc -> answers per doc."""

    _name = "echo"

    def __init__(self, answer):
        self.answer = answer
        self.seen = []

    def __call__(self, prompts):
        prompts = [list(p) for p in prompts]
        self.seen.extend(prompts)
        return [[self.answer] for _ in prompts]


def test_nlpkit_component_accepts_a_spacy_llm_model():
    model = EchoModel("PERSON: Ann Smith\nORG: none\nLOC: none")
    spacy.util.registry.misc.register("test.echo_model.v1", func=lambda: model)
    nlp = spacy.blank("en")
    nlp.add_pipe(
        "nlpkit_llm",
        name="llm",
        config={
            "task": {"@misc": "nlpkit.NER.v1", "labels": ["PERSON", "ORG", "LOC"]},
            "backend": {"@misc": "test.echo_model.v1"},
            "use_cache": False,
        },
    )
    pipe = nlp.get_pipe("llm")
    assert isinstance(pipe.backend, SpacyLLMModelBackend)
    doc = nlp("Ann Smith called.")
    assert [(e.text, e.label_) for e in doc.ents] == [("Ann Smith", "PERSON")]
    assert len(model.seen) == 1 and "Ann Smith called." in model.seen[0][0]
    assert pipe.backend.cache_key == "spacy-llm:EchoModel:echo"


def test_spacy_llm_model_failure_becomes_a_doc_error():
    def broken(prompts):
        raise ConnectionError("no route to host")

    backend = SpacyLLMModelBackend(broken)
    results = backend.generate_batch(["a", "b"])
    assert [r.ok for r in results] == [False, False]
    assert results[0].error == "ConnectionError: no route to host"


def test_entry_point_targets_load_wrapped_blocks(server):
    """setup.cfg's spacy_llm_tasks / spacy_llm_models lines name these attributes."""
    import nlpkit.llm.interop as interop

    tasks, models = interop.spacy_llm_blocks()
    assert set(tasks) >= {"nlpkit.NER.v1", "nlpkit.TextCat.v1", "nlpkit.Summarize.v1"}
    assert set(models) == {
        "nlpkit.OpenAICompatible.v1",
        "nlpkit.LlamaCpp.v1",
        "nlpkit.HFCausalLM.v1",
    }
    ner = getattr(interop, tasks["nlpkit.NER.v1"].__name__)(labels=["PERSON"])
    assert isinstance(ner, SpacyLLMTask) and ner.task.labels == ["PERSON"]
    model = getattr(interop, models["nlpkit.OpenAICompatible.v1"].__name__)(
        base_url=server.url("ok"), model="test"
    )
    assert isinstance(model, NlpkitModel)
    assert model([["Who?"], ["Where?"]]) == [[ANSWER], [ANSWER]]


def test_spacy_llm_finds_nlpkit_names_without_importing_nlpkit():
    # A config that names only @llm_tasks/@llm_models must resolve through the
    # installed entry points (thinc_llm_*), with no `import nlpkit` first.
    import subprocess
    import sys

    code = (
        "from spacy_llm.registry import registry\n"
        "print(registry.llm_tasks.get('nlpkit.NER.v1').__name__,"
        " registry.llm_models.get('nlpkit.OpenAICompatible.v1').__name__)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["create_ner_task", "create_openai_backend"]
