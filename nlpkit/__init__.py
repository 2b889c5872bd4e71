"""nlpkit: custom spaCy components for classic NLP that work with modern models.

Importing nlpkit is cheap: heavy parts (torch, gensim, sentence-transformers) load
only when the names that need them are first used.
"""

from ._lazy import by_name, lazy_exports
from .about import __version__

# module -> the public names it defines; each is imported on first access
_LAZY = by_name(
    {
        "nlpkit.io": ("Record", "Rejects", "read_corpus", "open_writer"),
        "nlpkit.io.convert": ("convert",),
        "nlpkit.io.ir": ("load_collection",),
        "nlpkit.batch": ("process", "ProcessSummary"),
        "nlpkit.llm": (
            "GenerationSettings",
            "OpenAICompatibleBackend",
            "LlamaCppBackend",
            "HFCausalLMBackend",
        ),
        "nlpkit.evaluate.generation": ("evaluate_generation",),
        "nlpkit.vectors": (
            "WordVectors",
            "load_vectors",
            "train_vectors",
            "count_cooccurrence",
        ),
        "nlpkit.classify": ("LinearClassifier", "finetune_sentence_transformer"),
        "nlpkit.components.textcat": ("EmbeddingTextCategorizer",),
        "nlpkit.components.fewshot_textcat": (
            "FewShotTextCategorizer",
            "VectorsTextCategorizer",
        ),
        "nlpkit.retrieval.rerank": ("Reranker",),
        "nlpkit.retrieval.judge": ("CrossEncoderJudge",),
        "nlpkit.retrieval.store": ("load_index",),
    }
)


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())


__all__ = ["__version__", *_LAZY]
