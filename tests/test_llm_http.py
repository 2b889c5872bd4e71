import time

import pytest

from nlpkit.llm import (
    GenerationSettings,
    OpenAICompatibleBackend,
    Result,
    ResultCache,
    generate_cached,
)
from nlpkit.llm.http import parse_retry_after
from nlpkit.llm.testserver import TestLLMServer


@pytest.fixture(scope="module")
def server():
    srv = TestLLMServer(delay=0.0, slow_delay=1.0, fail_first=2).start()
    yield srv
    srv.stop()


def backend(url, **kwargs):
    opts = {
        "timeout": 0.4,
        "max_retries": 2,
        "backoff_base": 0.01,
        "max_concurrency": 4,
    }
    return OpenAICompatibleBackend(url, "test-model", **{**opts, **kwargs})


def test_ok_and_usage(server):
    results = backend(server.url("ok")).generate_batch(["say hello", "say bye"])
    assert [r.text for r in results] == ["hello", "bye"]
    assert all(r.ok and r.tokens_in == 2 and r.tokens_out == 1 for r in results)


def test_completions_endpoint(server):
    (r,) = backend(server.url("ok"), chat=False).generate_batch(["plain prompt"])
    assert r.text == "prompt"


def test_429_retried_with_retry_after(server):
    before = server.requests.get("flaky", 0)
    (r,) = backend(server.url("flaky"), max_concurrency=1).generate_batch(["x y"])
    assert r.ok and r.text == "y"
    assert r.attempts == 3 and server.requests["flaky"] - before == 3


@pytest.mark.parametrize(
    "mode", ["error", "slow", "malformed", "reset"], ids=lambda m: f"mode_{m}"
)
def test_faults_retried_then_reported(server, mode):
    before = server.requests.get(mode, 0)
    results = backend(server.url(mode)).generate_batch(["a", "b"])
    assert len(results) == 2
    for r in results:
        assert not r.ok and r.text == "" and r.attempts == 3
        assert "[E403]" in r.error and "3 attempt" in r.error
    assert server.requests[mode] - before == 6


def test_one_failing_prompt_does_not_hide_the_others(server):
    results = backend(server.url("ok")).generate_batch(["p one", "p [fail]", "p three"])
    assert [r.ok for r in results] == [True, False, True]
    assert [r.text for r in results] == ["one", "", "three"]


def test_requests_in_flight_concurrently():
    with TestLLMServer(delay=0.3) as srv:
        b = backend(srv.url("ok"), max_concurrency=8, timeout=5)
        start = time.perf_counter()
        results = b.generate_batch([f"prompt {i}" for i in range(16)])
        elapsed = time.perf_counter() - start
    assert [r.text for r in results] == [str(i) for i in range(16)]  # order kept
    assert srv.max_in_flight == 8
    assert elapsed < 16 * 0.3 / 2  # sequential would take 4.8 s; ideal is 0.6 s


def test_api_key_from_env_only(server, monkeypatch):
    b = backend(server.url("ok"), api_key_env="NLPKIT_TEST_KEY")
    monkeypatch.delenv("NLPKIT_TEST_KEY", raising=False)
    (r,) = b.generate_batch(["hi there"])
    assert not r.ok and "[E402]" in r.error and "NLPKIT_TEST_KEY" in r.error
    monkeypatch.setenv("NLPKIT_TEST_KEY", "sk-secret-123")
    assert b.payload("x", b.settings).get("api_key") is None
    (r,) = b.generate_batch(["hi there"])
    assert r.ok
    assert "sk-secret-123" not in b.cache_key


def test_payload_carries_settings(server):
    settings = GenerationSettings(
        max_new_tokens=7, temperature=0.5, top_k=20, top_p=0.9, seed=3, stop=("\n",)
    )
    body = backend(server.url("ok"), system_prompt="Be brief.").payload("q", settings)
    assert body["max_tokens"] == 7 and body["temperature"] == 0.5
    assert body["top_k"] == 20 and body["top_p"] == 0.9 and body["seed"] == 3
    assert body["stop"] == ["\n"]
    assert body["messages"][0] == {"role": "system", "content": "Be brief."}


@pytest.mark.parametrize(
    "kwargs",
    [{"max_new_tokens": 0}, {"temperature": -1.0}, {"top_p": 0.0}, {"top_k": -2}],
)
def test_invalid_settings(kwargs):
    with pytest.raises(ValueError, match="E401"):
        GenerationSettings(**kwargs)


def test_parse_retry_after():
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


def test_cache_rerun_sends_nothing(server, tmp_path):
    b = backend(server.url("ok"))
    cache = ResultCache(tmp_path / "cache.sqlite")
    prompts = ["count one", "count two", "count one"]
    before = server.requests.get("ok", 0)
    first = generate_cached(b, prompts, b.settings, cache)
    assert server.requests["ok"] - before == 2  # the duplicate is sent once
    assert [r.text for r in first] == ["one", "two", "one"]
    second = generate_cached(
        b, prompts, b.settings, ResultCache(tmp_path / "cache.sqlite")
    )
    assert server.requests["ok"] - before == 2
    assert [r.text for r in second] == ["one", "two", "one"]
    assert all(r.cached for r in second)
    # other settings are another key; bypass (cache=None) always sends
    generate_cached(b, ["count one"], b.settings.update(max_new_tokens=5), cache)
    generate_cached(b, ["count one"], b.settings, None)
    assert server.requests["ok"] - before == 4


def test_cache_never_stores_failures(tmp_path):
    cache = ResultCache(tmp_path / "c.sqlite")
    s = GenerationSettings()
    cache.put("k", "b", "p", s, Result(error="boom"))
    assert cache.get("k") is None and len(cache) == 0
