"""LLM backends (OpenAI-compatible HTTP, llama.cpp, transformers), cache and parsing.

Nothing here needs spaCy except `tasks`, `routing`, `registry`, `build` and `interop`
(the spacy-llm adapters); the spaCy component that uses them is
nlpkit.components.llm.
"""

from .cache import ResultCache, cache_key, generate_cached
from .http import OpenAICompatibleBackend
from .local import HFCausalLMBackend, LlamaCppBackend, default_gguf_path
from .types import Backend, GenerationSettings, Result

__all__ = [
    "Backend",
    "GenerationSettings",
    "HFCausalLMBackend",
    "LlamaCppBackend",
    "OpenAICompatibleBackend",
    "Result",
    "ResultCache",
    "cache_key",
    "default_gguf_path",
    "generate_cached",
]
