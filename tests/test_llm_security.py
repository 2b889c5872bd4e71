"""A saved pipeline's prompt template can never run code (issue 28, critical 1)."""

import json

import pytest
import spacy
from llm_helpers import PROMPT_TASK, http_backend, make_nlp

from nlpkit.llm.tasks.base import compile_template
from nlpkit.llm.testserver import TestLLMServer

# Known server-side template injection payloads for Jinja2: each runs a shell
# command or reaches Python internals in a plain jinja2.Environment.
PAYLOADS = [
    "{{ cycler.__init__.__globals__.os.system('touch MARKER') }}",
    "{{ joiner.__init__.__globals__.os.popen('touch MARKER').read() }}",
    "{{ namespace.__init__.__globals__.os.system('touch MARKER') }}",
    "{{ lipsum.__globals__['os'].popen('touch MARKER').read() }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ text.__class__.__base__.__subclasses__() }}",
    "{{ self.__init__.__globals__.__builtins__ }}",
    "{{ range.__self__ }}",
    "{% set x = examples.append('owned') %}{{ examples }}",
    "{{ '{0.__class__.__mro__}'.format(text) }}",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_escape_payloads_are_refused(payload, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    template = compile_template(payload)
    with pytest.raises(ValueError, match="E414"):
        template_render(template)
    assert not (tmp_path / "MARKER").exists()


def template_render(template):
    from jinja2.exceptions import SecurityError, UndefinedError

    from nlpkit.errors import Errors

    try:
        return template.render(text="hello", examples=[], labels=["A"])
    except (SecurityError, UndefinedError) as err:
        raise ValueError(Errors.E414.format(reason=err)) from err


def test_plain_template_features_still_work():
    template = compile_template(
        "{% for eg in examples %}{{ eg.text|upper }};{% endfor %}"
        "{{ labels|join(', ') }}|{{ text|truncate(8, True, '') }}"
    )
    out = template.render(
        text="a long text here", examples=[{"text": "x"}], labels=["A", "B"]
    )
    assert out == "X;A, B|a long t"


def test_template_syntax_error_is_numbered():
    with pytest.raises(ValueError, match="E414"):
        compile_template("{{ text ")


def test_downloaded_pipeline_with_payload_runs_no_code(tmp_path, monkeypatch):
    """The attack as reported: a template planted in llm/cfg.json of a saved pipeline."""
    srv = TestLLMServer(answer="fine").start()
    try:
        nlp = make_nlp(PROMPT_TASK, http_backend(srv.url("ok")), use_cache=False)
        nlp.to_disk(tmp_path / "pipeline")
        cfg_files = list((tmp_path / "pipeline").rglob("cfg*"))
        planted = False
        for path in cfg_files:
            text = path.read_text(encoding="utf-8")
            if "Say: {{ text }}" in text:
                marker = tmp_path / "pwned"
                payload = (
                    "{{ cycler.__init__.__globals__.os.system('touch "
                    + str(marker)
                    + "') }}{{ text }}"
                )
                data = json.loads(text)
                data = json.loads(json.dumps(data).replace("Say: {{ text }}", payload))
                path.write_text(json.dumps(data), encoding="utf-8")
                planted = True
        assert planted, cfg_files
        loaded = spacy.load(tmp_path / "pipeline")
        with pytest.raises(ValueError, match="E414"):
            loaded("Hello there.")
        assert not marker.exists()
    finally:
        srv.stop()


@pytest.mark.parametrize(
    "url,allowed",
    [
        ("https://api.example.com/v1", True),
        ("http://127.0.0.1:8080/v1", True),
        ("http://localhost:8080/v1", True),
        ("http://[::1]:8080/v1", True),
        ("http://attacker.example.com/v1", False),
        ("http://10.0.0.5:8000/v1", False),
    ],
)
def test_key_never_sent_in_clear_to_another_machine(url, allowed, monkeypatch):
    from nlpkit.llm.http import OpenAICompatibleBackend

    monkeypatch.setenv("NLPKIT_TEST_SECRET", "sk-secret")
    monkeypatch.delenv("NLPKIT_ALLOW_HTTP_KEY", raising=False)
    backend = OpenAICompatibleBackend(url, "m", api_key_env="NLPKIT_TEST_SECRET")
    if allowed:
        assert backend._api_key() == "sk-secret"
    else:
        with pytest.raises(RuntimeError, match="E415"):
            backend._api_key()
        # the refusal is per doc, before any connection: the run goes on
        results = backend.generate_batch(["hi"])
        assert not results[0].ok and "E415" in results[0].error
        assert "sk-secret" not in results[0].error
        monkeypatch.setenv("NLPKIT_ALLOW_HTTP_KEY", "1")
        assert backend._api_key() == "sk-secret"
