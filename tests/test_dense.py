"""Dense retrieval with the packaged MiniLM bi-encoder, ChromaDB store, hybrid search."""

import numpy as np
import pytest

from nlpkit.retrieval.bm25 import BM25Index
from nlpkit.retrieval.chroma import ChromaStore
from nlpkit.retrieval.dense import DenseIndex, Encoder
from nlpkit.retrieval.fusion import HybridIndex
from nlpkit.retrieval.models import ModelLoadError
from nlpkit.retrieval.store import IndexLoadError, load_index

DOCS = [
    ("cat", "A kitten sleeps on the warm windowsill."),
    ("stock", "Share prices fell sharply on the exchange today."),
    ("rain", "Heavy rainfall flooded the streets of the town."),
    ("code", "The compiler reported a syntax error in the program."),
]


@pytest.fixture(scope="module")
def encoder():
    return Encoder("minilm", batch_size=8)


@pytest.fixture(scope="module")
def dense(encoder):
    return DenseIndex.build(DOCS, encoder=encoder)


def test_encoder_normalized_batched(encoder):
    vectors = encoder.encode(["a cat", "the stock market", "rain"])
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.linalg.norm(vectors, axis=1) == pytest.approx(1.0, abs=1e-5)
    assert encoder.encode([]).shape == (0, 384)


def test_dense_search_save_reopen(dense, encoder, tmp_path):
    assert dense.search("a small cat", 1)[0].id == "cat"
    results = dense.search_batch(["finance markets", "weather storm"], k=2)
    assert [r[0].id for r in results] == ["stock", "rain"]
    assert results[0][0].score >= results[0][1].score
    dense.save(tmp_path / "dense")
    again = load_index(tmp_path / "dense", encoder=encoder)
    assert again.embeddings == pytest.approx(dense.embeddings)
    assert again.search("a small cat", 1)[0].id == "cat"
    np.save(tmp_path / "dense" / "embeddings.npy", np.zeros((2, 384), dtype=np.float32))
    with pytest.raises(IndexLoadError, match="E305.*shape"):
        load_index(tmp_path / "dense", encoder=encoder)
    (tmp_path / "dense" / "embeddings.npy").write_bytes(b"\x93NUMPY garbage")
    with pytest.raises(IndexLoadError, match="E305"):
        load_index(tmp_path / "dense", encoder=encoder)


def test_hybrid_bm25_dense_modes(dense, tmp_path):
    hybrid = HybridIndex(
        {"bm25": BM25Index.build(DOCS), "dense": dense}, method="linear"
    )
    top = hybrid.search("kitten windowsill", 2)
    assert top[0].id == "cat"
    assert set(top[0].meta["fusion"]) == {"bm25", "dense"}
    hybrid.save(tmp_path / "hy")
    again = load_index(tmp_path / "hy", encoder=dense.encoder)
    assert [h.id for h in again.search("kitten windowsill", 2)] == [h.id for h in top]


def test_chroma_store_uses_nlpkit_embeddings_and_reopens(encoder, tmp_path):
    store = ChromaStore.build(DOCS, tmp_path / "chroma", encoder="minilm")
    hits = store.search("a small cat", 2)
    assert hits[0].id == "cat" and 0 < hits[0].score <= 1.0
    ef = store.collection._embedding_function
    assert type(ef).name() == "nlpkit"
    assert store.collection.configuration_json["embedding_function"]["name"] == "nlpkit"
    del store
    again = load_index(tmp_path / "chroma")
    assert len(again) == 4
    assert again.search_batch(["rainy weather"], 1)[0][0].id == "rain"
    from nlpkit.retrieval.api import searcher_doc_ids

    assert sorted(searcher_doc_ids(again)) == sorted(d[0] for d in DOCS)


def test_unknown_encoder_path():
    with pytest.raises(ModelLoadError, match="E303"):
        Encoder("/no/such/encoder")


def test_one_sentence_encoder_class():
    """nlpkit.retrieval.SentenceEncoder, .Encoder and nlpkit.classify's are one class."""
    from nlpkit.classify import SentenceEncoder as FromClassify
    from nlpkit.classify.encoders import SentenceEncoder as FromEncoders
    from nlpkit.retrieval import Encoder as RetrievalEncoder
    from nlpkit.retrieval import SentenceEncoder

    assert (
        SentenceEncoder is RetrievalEncoder is FromClassify is FromEncoders is Encoder
    )


def test_encoder_matches_sentence_transformers(encoder):
    """encode/similarity take sentence-transformers' arguments and give its numbers."""
    import torch
    from sentence_transformers import SentenceTransformer

    texts = ["a cat", "the stock market", "heavy rain"]
    peer = SentenceTransformer(encoder.path, device="cpu")
    ours = encoder.encode(
        texts,
        batch_size=2,
        normalize_embeddings=False,
        show_progress_bar=False,
        convert_to_numpy=True,
    )
    theirs = peer.encode(texts, batch_size=2, normalize_embeddings=False)
    assert ours == pytest.approx(theirs, abs=1e-5)
    assert encoder.encode("a cat") == pytest.approx(
        peer.encode("a cat", normalize_embeddings=True), abs=1e-5
    )
    tensor = encoder.encode(texts, convert_to_numpy=False)
    assert isinstance(tensor, torch.Tensor) and tuple(tensor.shape) == (3, 384)
    sims = encoder.similarity(ours, ours[:2])
    assert sims.shape == (3, 2)
    assert sims == pytest.approx(peer.similarity(theirs, theirs[:2]).numpy(), abs=1e-5)
    assert encoder.get_sentence_embedding_dimension() == 384
