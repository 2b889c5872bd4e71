"""Generation defaults in one place, settings checked by the class, one save layout."""

import json

import pytest
import spacy
import srsly
from spacy.util import registry

from nlpkit.components.llm import LLMComponent
from nlpkit.llm.build import ROUTES, TASKS, route_config, task_config
from nlpkit.llm.testserver import TestLLMServer
from nlpkit.llm.types import GenerationSettings


@pytest.fixture(scope="module")
def server():
    srv = TestLLMServer(answer="fine").start()
    yield srv
    srv.stop()


def backend_block(url, **extra):
    return {
        "@misc": "nlpkit.OpenAICompatible.v1",
        "base_url": url,
        "model": "test",
        "timeout": 0.5,
        "max_retries": 1,
        **extra,
    }


def resolve(block):
    return registry.resolve({"x": block})["x"]


def test_settings_block_defaults_are_the_dataclass_defaults():
    made = resolve({"@misc": "nlpkit.GenerationSettings.v1"})
    assert made == GenerationSettings()


def test_settings_block_and_old_flat_fields(server):
    block = {"@misc": "nlpkit.GenerationSettings.v1", "temperature": 0.7, "top_k": 5}
    backend = resolve(backend_block(server.url("ok"), settings=block))
    assert (backend.settings.temperature, backend.settings.top_k) == (0.7, 5)
    assert backend.settings.max_new_tokens == GenerationSettings().max_new_tokens
    # an older config's flat fields keep working and win over the block
    old = resolve(backend_block(server.url("ok"), max_new_tokens=12, stop=["\n"]))
    assert (old.settings.max_new_tokens, old.settings.stop) == (12, ("\n",))
    both = resolve(backend_block(server.url("ok"), settings=block, temperature=0.2))
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


def test_short_names_come_from_the_registry():
    assert TASKS == {
        "ner": "nlpkit.NER.v1",
        "prompt": "nlpkit.Prompt.v1",
        "summarize": "nlpkit.Summarize.v1",
        "textcat": "nlpkit.TextCat.v1",
    }
    assert set(ROUTES) == {"all", "low_confidence", "no_entities"}
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
    backend = resolve(backend_block(server.url("ok")))
    task = resolve({"@misc": "nlpkit.Summarize.v1"})
    with pytest.raises(ValueError, match="E401.*batch_size"):
        LLMComponent(nlp.vocab, task, backend, batch_size=0)
    with pytest.raises(ValueError, match="E401.*price_per_1k_output"):
        LLMComponent(nlp.vocab, task, backend, price_per_1k_output=-1.0)
    with pytest.raises(ValueError, match="E431"):
        LLMComponent(nlp.vocab, task, "not a backend")


def make_nlp(url):
    nlp = spacy.blank("en")
    nlp.add_pipe(
        "nlpkit_llm",
        name="llm",
        config={
            "task": {"@misc": "nlpkit.Prompt.v1", "template": "Say: {{ text }}"},
            "backend": backend_block(url),
            "use_cache": False,
        },
    )
    return nlp


def test_saves_cfg_and_loads_the_old_cfg_json_layout(server, tmp_path):
    nlp = make_nlp(server.url("ok"))
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
    pipe = make_nlp(server.url("ok")).get_pipe("llm")
    with pytest.raises(FileNotFoundError, match="E001"):
        pipe.from_disk(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="E001"):
        pipe.from_disk(tmp_path / "empty")
