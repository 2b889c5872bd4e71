"""Config blocks and pipelines the LLM tests share: a backend on the local test
server that fails fast (short timeout, one retry, tiny backoff)."""

import spacy


def http_backend(url, **kwargs):
    cfg = {
        "@misc": "nlpkit.OpenAICompatible.v1",
        "base_url": url,
        "model": "test",
        "timeout": 0.5,
        "max_retries": 1,
        "backoff_base": 0.01,
    }
    return {**cfg, **kwargs}


def make_nlp(task, backend, **component):
    nlp = spacy.blank("en")
    nlp.add_pipe(
        "nlpkit_llm", name="llm", config={"task": task, "backend": backend, **component}
    )
    return nlp


PROMPT_TASK = {"@misc": "nlpkit.Prompt.v1", "template": "Say: {{ text }}"}
