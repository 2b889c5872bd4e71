"""Word vectors and co-occurrence: counting, PPMI/SVD, GloVe, word2vec/fastText, I/O.

Nothing here needs spaCy; the components in nlpkit.components wrap it.
"""

from .._lazy import by_name, lazy_exports

_LAZY = by_name(
    {
        "nlpkit.vectors.corpus": ("TokenCorpus", "simple_tokenize"),
        "nlpkit.vectors.vocab": ("Vocabulary",),
        "nlpkit.vectors.cooc": (
            "CoocCounter",
            "CoocMatrix",
            "count_cooccurrence",
            "cooccurrence_by_document",
            "doc_term_matrix",
        ),
        "nlpkit.vectors.ppmi": ("ppmi", "svd_embeddings", "train_ppmi_svd"),
        "nlpkit.vectors.glove": ("train_glove",),
        "nlpkit.vectors.train": ("train_word2vec", "train_fasttext", "train_vectors"),
        "nlpkit.vectors.kv": ("WordVectors", "load_vectors", "load_glove_6b_50d"),
        "nlpkit.vectors.evaluate": (
            "evaluate_similarity",
            "evaluate_analogies",
            "evaluate_all",
        ),
    }
)


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())


__all__ = list(_LAZY)
