"""nlpkit: custom spaCy components for classic NLP that work with modern models.

Importing nlpkit is cheap: heavy parts (torch, gensim, sentence-transformers) load
only when the names that need them are first used.
"""

from importlib import import_module

from .about import __version__

# public name -> module that defines it; resolved on first attribute access
_LAZY = {
    "Record": "nlpkit.io",
    "Rejects": "nlpkit.io",
    "read_corpus": "nlpkit.io",
    "open_writer": "nlpkit.io",
    "convert": "nlpkit.io.convert",
    "load_collection": "nlpkit.io.ir",
    "process": "nlpkit.batch",
    "ProcessSummary": "nlpkit.batch",
    "GenerationSettings": "nlpkit.llm",
    "OpenAICompatibleBackend": "nlpkit.llm",
    "LlamaCppBackend": "nlpkit.llm",
    "HFCausalLMBackend": "nlpkit.llm",
    "evaluate_generation": "nlpkit.evaluate.generation",
    "WordVectors": "nlpkit.vectors",
    "load_vectors": "nlpkit.vectors",
    "train_vectors": "nlpkit.vectors",
    "count_cooccurrence": "nlpkit.vectors",
    "LinearClassifier": "nlpkit.classify",
    "FewShotTextCategorizer": "nlpkit.components.fewshot_textcat",
    "VectorsTextCategorizer": "nlpkit.components.fewshot_textcat",
    "Reranker": "nlpkit.retrieval.rerank",
    "CrossEncoderJudge": "nlpkit.retrieval.judge",
    "load_index": "nlpkit.retrieval.store",
}


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'nlpkit' has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *_LAZY])


__all__ = ["__version__", *_LAZY]
