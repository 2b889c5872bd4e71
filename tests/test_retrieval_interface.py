"""The retrieval interface: Retriever Protocol, base classes, index kinds, arrays."""

import json
import subprocess
import sys

import numpy as np
import pytest
from spacy.util import registry

from nlpkit.errors import IndexLoadError
from nlpkit.retrieval import (
    DEFAULT_DEPTH,
    BaseIndex,
    BaseRetriever,
    Hit,
    Retriever,
    index_kinds,
    load_index,
)
from nlpkit.retrieval.bm25 import BM25Index
from nlpkit.retrieval.rerank import RerankedRetriever
from nlpkit.retrieval.store import META_FILE

DOCS = [
    ("d1", "The capital of France is Paris ."),
    ("d2", "Bananas are yellow and sweet ."),
    ("d3", "The capital of Peru is Lima ."),
]


class Overlap(BaseRetriever):
    """A retriever written as the docs say: only search_batch."""

    def __init__(self, docs):
        self.docs = docs

    def search_batch(self, queries, k=10):
        out = []
        for q in queries:
            words = set(q.lower().split())
            scored = [
                Hit(i, float(len(words & set(t.lower().split()))), t)
                for i, t in self.docs
            ]
            out.append(sorted((h for h in scored if h.score), key=lambda h: -h.score))
        return [hits[:k] for hits in out]


class SearchOnly:
    """A plugin's retriever with search() only, returning its own hit type."""

    def __init__(self, hits):
        self.hits = hits

    def search(self, query, k=10):
        return self.hits[:k]


def test_base_retriever_gives_search_and_protocol():
    retriever = Overlap(DOCS)
    assert isinstance(retriever, Retriever)
    assert [h.id for h in retriever.search("capital of Peru", k=2)] == ["d3", "d1"]
    assert not isinstance(SearchOnly([]), Retriever)


def test_every_index_kind_is_registered_with_entry_points():
    from importlib.metadata import entry_points

    names = {ep.name for ep in entry_points(group="nlpkit_index_kinds")}
    assert {"bm25", "dense", "chroma", "hybrid"} <= names
    assert index_kinds.get("bm25") is BM25Index
    assert all(issubclass(cls, BaseIndex) for cls in index_kinds.get_all().values())


def test_load_index_dispatches_on_kind_and_names_the_known_ones(tmp_path):
    index = BM25Index.build(DOCS)
    assert len(index) == 3 and index.doc_ids() == ["d1", "d2", "d3"]
    index.save(tmp_path / "ix")
    again = load_index(tmp_path / "ix")
    assert isinstance(again, BM25Index)
    assert again.search("Lima")[0].id == "d3"
    meta = json.loads((tmp_path / "ix" / META_FILE).read_text())
    (tmp_path / "ix" / META_FILE).write_text(json.dumps({**meta, "kind": "faiss"}))
    with pytest.raises(IndexLoadError, match="E304.*'faiss'.*bm25, chroma"):
        load_index(tmp_path / "ix")


def test_a_plugin_index_kind_opens_through_load_index(tmp_path):
    @index_kinds.register("test_overlap")
    class OverlapIndex(BaseIndex):
        kind = "test_overlap"

        def __init__(self, docs):
            self.docs = docs

        def search_batch(self, queries, k=10):
            return Overlap(self.docs).search_batch(queries, k)

        @classmethod
        def load(cls, path, **options):
            return cls(DOCS)

    (tmp_path / META_FILE).write_text(json.dumps({"kind": "test_overlap"}))
    index = load_index(tmp_path)
    assert isinstance(index, OverlapIndex) and index.search("Paris")[0].id == "d1"


def test_old_import_places_still_work():
    from nlpkit.retrieval import IndexLoadError as from_package
    from nlpkit.retrieval.store import IndexLoadError as from_store
    from nlpkit.retrieval.store import load_index as old_load_index

    assert from_store is from_package is IndexLoadError
    assert old_load_index is load_index


def test_store_is_a_leaf_module():
    """Importing store loads no index class (the old dispatch-table cycle)."""
    code = (
        "import sys, nlpkit.retrieval.store as s;"
        "print([m for m in ('bm25', 'dense', 'chroma', 'fusion', 'base')"
        " if 'nlpkit.retrieval.' + m in sys.modules])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_bm25_retrieve_returns_arrays_matching_hits():
    index = BM25Index.build(DOCS)
    queries = ["capital Paris", "sweet bananas", "zzz unknown"]
    found, scores = index.retrieve(queries, k=3)
    assert found.shape == scores.shape == (3, 3)
    assert found.dtype == np.int32 and scores.dtype == np.float32
    hits = index.search_batch(queries, k=3)
    for row, row_scores, row_hits in zip(found, scores, hits):
        n = len(row_hits)
        assert [index.docs[i].id for i in row[:n]] == [h.id for h in row_hits]
        assert row_scores[:n].tolist() == pytest.approx([h.score for h in row_hits])
        assert (row[n:] == -1).all() and (row_scores[n:] == 0).all()
    assert found[2].tolist() == [-1, -1, -1]
    tokens = index.tokenizer(queries)
    same_found, same_scores = index.retrieve(tokens, k=3)
    assert (same_found == found).all() and (same_scores == scores).all()
    with pytest.raises(ValueError, match="E301"):
        index.retrieve(["ok", " "])
    with pytest.raises(ValueError, match="E025"):
        index.retrieve(queries, k=0)


def test_hit_has_slots_and_keeps_its_fields():
    hit = Hit("a", 1.0, "text")
    assert not hasattr(hit, "__dict__") and hit.meta == {}
    with pytest.raises(AttributeError):
        hit.extra = 1
    assert Hit.from_dict(hit.to_dict()) == hit


class Reverse:
    """A reranker with only rerank(query, candidates, top_k)."""

    def rerank(self, query, candidates, top_k=None):
        return list(reversed(candidates))[:top_k]


def test_reranked_retriever_takes_search_only_retrievers_and_rerankers():
    first = [Hit("a", 3.0, "x"), Hit("b", 2.0, "y"), Hit("c", 1.0, "z")]
    searcher = RerankedRetriever(SearchOnly(first), Reverse(), depth=2)
    assert isinstance(searcher, Retriever) and searcher.depth == 2
    # the top 2 reversed, the rest in first-stage order below them
    assert [h.id for h in searcher.search("q", k=3)] == ["b", "a", "c"]
    assert RerankedRetriever(SearchOnly(first), Reverse()).depth == DEFAULT_DEPTH
    with pytest.raises(TypeError, match="E330"):
        RerankedRetriever(object(), Reverse())
    with pytest.raises(ValueError, match="E025.*depth"):
        RerankedRetriever(SearchOnly(first), Reverse(), depth=0)


def test_rag_task_uses_the_one_composition_and_reads_old_names():
    from nlpkit.llm.tasks.rag import RAGTask

    retriever = Overlap(DOCS)
    plain = RAGTask(retriever, k=1)
    assert [h.id for h in plain.retrieve("capital of Peru")] == ["d3"]
    reranked = RAGTask(retriever, k=1, reranker=Reverse(), depth=2)
    assert isinstance(reranked.retriever, RerankedRetriever)
    assert reranked.retriever.depth == 2
    assert [h.id for h in reranked.retrieve("capital of Peru")] == ["d1"]
    # old vocabulary: k hits retrieved (and reranked), top_n of them kept
    with pytest.warns(DeprecationWarning, match="W330.*top_n"):
        old = RAGTask(retriever, k=2, top_n=1, reranker=Reverse())
    assert old.k == 1 and old.retriever.depth == 2
    assert [h.id for h in old.retrieve("capital of Peru")] == ["d1"]
    with pytest.raises(TypeError, match="E409"):
        RAGTask(object())


def test_rag_config_with_reranked_retriever_block(tmp_path):
    BM25Index.build(DOCS).save(tmp_path / "ix")

    @registry.misc("nlpkit.test.Reverse.v1")
    def reverse():
        return Reverse()

    task = {
        "@misc": "nlpkit.RAG.v1",
        "k": 1,
        "retriever": {
            "@misc": "nlpkit.RerankedRetriever.v1",
            "depth": 2,
            "retriever": {"@misc": "nlpkit.LoadIndex.v1", "path": str(tmp_path / "ix")},
            "reranker": {"@misc": "nlpkit.test.Reverse.v1"},
        },
    }
    rag = registry.resolve({"task": task})["task"]
    assert rag.retriever.depth == 2
    # BM25 ranks d3 then d1 for this question; the reverse reranker swaps them
    assert [h.id for h in rag.retrieve("capital of Peru Lima")] == ["d1"]
