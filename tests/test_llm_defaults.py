"""Generation defaults in one place, settings checked by the class, one save layout."""

import json

import pytest
import spacy
import srsly
from llm_helpers import PROMPT_TASK, http_backend, make_nlp
from spacy.util import registry

from nlpkit.components.llm import LLMComponent
from nlpkit.llm.build import (
    ROUTES,
    TASKS,
    route_config,
    route_names,
    task_config,
    task_names,
)
from nlpkit.llm.testserver import TestLLMServer
from nlpkit.llm.types import GenerationSettings


@pytest.fixture(scope="module")
def server():
    srv = TestLLMServer(answer="fine").start()
    yield srv
    srv.stop()


def resolve(block):
    return registry.resolve({"x": block})["x"]


def test_settings_block_defaults_are_the_dataclass_defaults():
    made = resolve({"@misc": "nlpkit.GenerationSettings.v1"})
    assert made == GenerationSettings()


def test_settings_block_and_old_flat_fields(server):
    block = {"@misc": "nlpkit.GenerationSettings.v1", "temperature": 0.7, "top_k": 5}
    backend = resolve(http_backend(server.url("ok"), settings=block))
    assert (backend.settings.temperature, backend.settings.top_k) == (0.7, 5)
    assert backend.settings.max_new_tokens == GenerationSettings().max_new_tokens
    # an older config's flat fields keep working and win over the block
    old = resolve(http_backend(server.url("ok"), max_new_tokens=12, stop=["\n"]))
    assert (old.settings.max_new_tokens, old.settings.stop) == (12, ("\n",))
    both = resolve(http_backend(server.url("ok"), settings=block, temperature=0.2))
    assert (both.settings.temperature, both.settings.top_k) == (0.2, 5)


def test_bad_setting_in_block_is_numbered():
    with pytest.raises(ValueError, match="E401"):
        resolve({"@misc": "nlpkit.GenerationSettings.v1", "top_p": 0.0})


def test_cli_reads_generation_defaults_from_the_library():
    import inspect

    from nlpkit.cli.llm import run_cli

    params = inspect.signature(run_cli).parameters
    defaults = GenerationSettings()
    assert params["max_new_tokens"].default.default == defaults.max_new_tokens
    assert params["temperature"].default.default == defaults.temperature


def test_backend_factories_restate_no_default():
    import inspect
    from dataclasses import fields

    from nlpkit.llm.http import OpenAICompatibleBackend
    from nlpkit.llm.local import HFCausalLMBackend, LlamaCppBackend
    from nlpkit.llm.registry import FLAT_SETTINGS

    assert FLAT_SETTINGS == tuple(f.name for f in fields(GenerationSettings))
    for name, cls in [
        ("nlpkit.OpenAICompatible.v1", OpenAICompatibleBackend),
        ("nlpkit.LlamaCpp.v1", LlamaCppBackend),
        ("nlpkit.HFCausalLM.v1", HFCausalLMBackend),
    ]:
        factory = inspect.signature(registry.misc.get(name)).parameters
        own = inspect.signature(cls).parameters
        assert {k: p.default for k, p in factory.items() if k in own} == {
            k: p.default for k, p in own.items()
        }
        assert [k for k in factory if k not in own] == list(FLAT_SETTINGS)
        assert all(factory[k].default is None for k in FLAT_SETTINGS)


def test_one_template_per_meaning():
    from nlpkit.errors import Errors

    out_of_range = dict(name="top_p", rule="in (0, 1]", value=0.0)
    for code in ("E401", "E411", "E313"):
        message = getattr(Errors, code).format(**out_of_range)
        assert message == f"[{code}] top_p must be in (0, 1], got 0.0."
    # the old field name of E108's raise sites still fills the shared template
    assert Errors.E108.format(what="dim", rule=">= 1", value=0) == (
        "[E108] dim must be >= 1, got 0."
    )
    unknown = dict(what="mode", value="x", known=("a", "b"))
    assert Errors.E307.format(**unknown)[6:] == Errors.E107.format(**unknown)[6:]


def test_short_names_come_from_the_registry():
    assert TASKS == task_names()
    assert task_names() == {
        "ner": "nlpkit.NER.v1",
        "prompt": "nlpkit.Prompt.v1",
        "summarize": "nlpkit.Summarize.v1",
        "textcat": "nlpkit.TextCat.v1",
    }
    assert set(ROUTES) == set(route_names()) == {"all", "low_confidence", "no_entities"}
    assert route_config("low_confidence:0.6") == {
        "@misc": "nlpkit.route.low_confidence.v1",
        "threshold": 0.6,
    }
    with pytest.raises(ValueError, match="E430.*choose from ner, prompt"):
        task_config("translate")
    with pytest.raises(ValueError, match="E430.*route"):
        route_config("sometimes")


def test_direct_construction_checks_settings(server):
    nlp = spacy.blank("en")
    backend = resolve(http_backend(server.url("ok")))
    task = resolve({"@misc": "nlpkit.Summarize.v1"})
    with pytest.raises(ValueError, match="E401.*batch_size"):
        LLMComponent(nlp.vocab, task, backend, batch_size=0)
    with pytest.raises(ValueError, match="E401.*price_per_1k_output"):
        LLMComponent(nlp.vocab, task, backend, price_per_1k_output=-1.0)
    with pytest.raises(ValueError, match="E431"):
        LLMComponent(nlp.vocab, task, "not a backend")


def prompt_nlp(url):
    return make_nlp(PROMPT_TASK, http_backend(url), use_cache=False)


def test_saves_cfg_and_loads_the_old_cfg_json_layout(server, tmp_path):
    nlp = prompt_nlp(server.url("ok"))
    nlp.to_disk(tmp_path / "new")
    assert (tmp_path / "new" / "llm" / "cfg").is_file()
    assert not (tmp_path / "new" / "llm" / "cfg.json").exists()
    cfg = srsly.read_json(tmp_path / "new" / "llm" / "cfg")
    assert cfg["task"]["template"] == "Say: {{ text }}"
    # a pipeline saved before: the same settings in llm/cfg.json
    nlp.to_disk(tmp_path / "old")
    old = tmp_path / "old" / "llm"
    data = json.loads((old / "cfg").read_text())
    data["task"]["template"] = "Old: {{ text }}"
    (old / "cfg.json").write_text(json.dumps(data))
    (old / "cfg").unlink()
    loaded = spacy.load(tmp_path / "old")
    assert loaded.get_pipe("llm").task.template_text == "Old: {{ text }}"
    assert loaded("Hello")._.llm_output == "fine"


def test_missing_directory_and_missing_cfg_raise_e001(server, tmp_path):
    pipe = prompt_nlp(server.url("ok")).get_pipe("llm")
    with pytest.raises(FileNotFoundError, match="E001"):
        pipe.from_disk(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="E001"):
        pipe.from_disk(tmp_path / "empty")
