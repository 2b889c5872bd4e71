"""nlpkit: custom spaCy components for classic NLP that work with modern models.

Importing nlpkit is cheap: heavy parts (torch, gensim, sentence-transformers) load
only when the names that need them are first used.
"""

from ._lazy import lazy_exports
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
    "finetune_sentence_transformer": "nlpkit.classify",
    "EmbeddingTextCategorizer": "nlpkit.components.textcat",
    "FewShotTextCategorizer": "nlpkit.components.fewshot_textcat",
    "VectorsTextCategorizer": "nlpkit.components.fewshot_textcat",
    "Reranker": "nlpkit.retrieval.rerank",
    "CrossEncoderJudge": "nlpkit.retrieval.judge",
    "load_index": "nlpkit.retrieval.store",
}


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())


__all__ = ["__version__", *_LAZY]
