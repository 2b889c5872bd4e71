"""Retrieval core: BM25, fusion, metrics, saving and opening indexes, bad input."""

import json
import math

import numpy as np
import pytest

from nlpkit.evaluate.ir import (
    average_precision,
    evaluate_run,
    mrr_at_k,
    ndcg_at_k,
    recall_at_k,
)
from nlpkit.retrieval import Hit
from nlpkit.retrieval.bm25 import BM25Index
from nlpkit.retrieval.fusion import (
    HybridIndex,
    linear_fusion,
    normalize_scores,
    reciprocal_rank_fusion,
)
from nlpkit.retrieval.store import IndexLoadError, load_index

DOCS = [
    {
        "id": "wing",
        "text": "Lift and drag of a swept wing at supersonic speed.",
        "title": "Wings",
    },
    {
        "id": "heat",
        "text": "Heat transfer in the boundary layer of a heated flat plate.",
    },
    {"id": "shock", "text": "Shock waves ahead of blunt bodies in hypersonic flow."},
    {
        "id": "buckle",
        "text": "Buckling of thin cylindrical shells under axial compression.",
    },
    {"id": "flutter", "text": "Flutter of panels and wings: an aeroelastic analysis."},
]


def hits(*ids_scores):
    return [Hit(i, s) for i, s in ids_scores]


# metrics, against values computed by hand
JUDGED = {"a": 3, "b": 0, "c": 1, "x": 2}
RANKING = ["b", "a", "c", "d"]


def test_ndcg_hand_computed():
    dcg = 0 + 3 / math.log2(3) + 1 / math.log2(4)
    ideal = 3 + 2 / math.log2(3) + 1 / math.log2(4)
    assert ndcg_at_k(RANKING, JUDGED, 3) == pytest.approx(dcg / ideal)
    assert ndcg_at_k(RANKING, JUDGED, 3) == pytest.approx(0.502490, abs=1e-6)
    assert ndcg_at_k(["a", "x", "c"], JUDGED, 3) == pytest.approx(1.0)
    assert ndcg_at_k(RANKING, {"b": 0}, 10) == 0.0


def test_mrr_recall_map_hand_computed():
    assert mrr_at_k(RANKING, JUDGED, 10) == 0.5
    assert mrr_at_k(RANKING, JUDGED, 1) == 0.0
    assert recall_at_k(RANKING, JUDGED, 3) == pytest.approx(2 / 3)
    assert recall_at_k(RANKING, JUDGED, 1) == 0.0
    assert average_precision(RANKING, JUDGED) == pytest.approx((1 / 2 + 2 / 3) / 3)


def test_evaluate_run_counts_unknown_docs_and_skips(caplog):
    qrels = {"1": {"a": 2, "zzz": 1}, "2": {"b": 0}, "3": {"c": 1}}
    run = {"1": hits(("a", 2.0), ("b", 1.0)), "2": hits(("b", 1.0))}
    with caplog.at_level("WARNING", logger="nlpkit"):
        ev = evaluate_run(run, qrels, doc_ids=["a", "b", "c"])
    assert ev.unknown_docs == 1
    assert "W301" in caplog.text
    assert ev.skipped_no_relevant == ["2"]
    assert ev.missing_from_run == ["3"]
    assert ev.n_queries == 2
    assert ev.per_query["1"]["recall@100"] == 0.5
    assert ev.metrics["mrr@10"] == pytest.approx(0.5)
    with pytest.raises(ValueError, match="E307"):
        evaluate_run(run, qrels, metrics=["ndcg@x"])


# fusion, on hand-made rankings
R1 = hits(("a", 10.0), ("b", 5.0), ("c", 0.0))
R2 = hits(("b", 0.9), ("c", 0.5), ("d", 0.1))


def test_rrf_hand_made_rankings():
    fused = reciprocal_rank_fusion([R1, R2], k=60)
    assert [h.id for h in fused] == ["b", "c", "a", "d"]
    assert fused[0].score == pytest.approx(1 / 62 + 1 / 61)
    assert fused[0].meta["fusion"] == {
        "0": {"rank": 2, "score": 5.0},
        "1": {"rank": 1, "score": 0.9},
    }
    weighted = reciprocal_rank_fusion([R1, R2], k=0, weights=[3, 1])
    assert [h.id for h in weighted] == ["a", "b", "c", "d"]
    assert [h.score for h in weighted] == pytest.approx([3, 2.5, 1.5, 1 / 3])
    with pytest.raises(ValueError, match="E308"):
        reciprocal_rank_fusion([R1, R2], weights=[1])


def test_linear_fusion_and_normalization():
    fused = linear_fusion([R1, R2])
    assert [h.id for h in fused] == ["b", "a", "c", "d"]
    assert [h.score for h in fused] == pytest.approx([1.5, 1.0, 0.5, 0.0])
    assert normalize_scores(np.array([2.0, 2.0])).tolist() == [1.0, 1.0]
    z = normalize_scores(np.array([1.0, 2.0, 3.0]), "zscore")
    assert z.mean() == pytest.approx(0.0)
    with pytest.raises(ValueError, match="E307"):
        normalize_scores(np.array([1.0]), "softmax")


# BM25
def test_bm25_search_save_reopen(tmp_path):
    index = BM25Index.build(DOCS)
    top = index.search("wing flutter", k=3)
    assert {h.id for h in top[:2]} == {"wing", "flutter"}
    wing = next(h for h in top if h.id == "wing")
    assert wing.text.startswith("Wings\n")  # the title is indexed with the text
    assert all(h.score > 0 for h in top)
    assert index.search("heated plates", 2)[0].id == "heat"  # stems match
    index.save(tmp_path / "ix")
    again = load_index(tmp_path / "ix")
    assert isinstance(again, BM25Index)
    batch = again.search_batch(["wing flutter", "shock"], k=3)
    assert [h.id for h in batch[0]] == [h.id for h in top]
    assert [h.score for h in batch[0]] == pytest.approx([h.score for h in top])
    assert again.search("zeppelin") == []


def test_bm25_from_given_tokens_matches_text():
    index = BM25Index.build(DOCS)
    tokens = index.tokenizer([d["text"] for d in DOCS])
    given = BM25Index.build(DOCS, tokens=tokens, with_title=False)
    by_text = BM25Index.build(DOCS, with_title=False)
    query = given.tokenizer(["wing flutter"])
    a = given.search_tokens(query, k=3)[0]
    b = by_text.search("wing flutter", k=3)
    assert [h.id for h in a] == [h.id for h in b]
    assert [h.score for h in a] == pytest.approx([h.score for h in b])
    with pytest.raises(ValueError, match="E025"):
        BM25Index.build(DOCS, tokens=tokens[:1])


def test_bm25_bad_input(tmp_path):
    index = BM25Index.build(DOCS)
    with pytest.raises(ValueError, match="E301"):
        index.search("   ")
    with pytest.raises(ValueError, match="E025"):
        index.search("wing", k=0)
    with pytest.raises(ValueError, match="E312"):
        BM25Index.build([])
    with pytest.raises(ValueError, match="E311"):
        BM25Index.build([("a", "x y"), ("a", "z w")])
    with pytest.raises(ValueError, match="E314.*2 documents.*stopwords"):
        BM25Index.build(["the of", "and"])
    with pytest.raises(ValueError, match="E307.*BM25 method 'bm99'"):
        BM25Index.build(DOCS, method="bm99")


def test_corrupt_index_gives_clear_error(tmp_path):
    path = BM25Index.build(DOCS).save(tmp_path / "ix")
    with pytest.raises(IndexLoadError, match="E304"):
        load_index(tmp_path / "nothing")
    (path / "bm25s" / "data.csc.index.npy").write_bytes(b"not numpy")
    with pytest.raises(IndexLoadError, match="E305.*damaged"):
        load_index(path)
    path = BM25Index.build(DOCS).save(tmp_path / "ix2")
    lines = (path / "docs.jsonl").read_text().splitlines()
    (path / "docs.jsonl").write_text("\n".join(lines[:-1]) + "\n")
    with pytest.raises(IndexLoadError, match="E305.*4 documents"):
        load_index(path)
    (path / "nlpkit_index.json").write_text("{broken")
    with pytest.raises(IndexLoadError, match="E305"):
        load_index(path)
    meta = tmp_path / "other"
    meta.mkdir()
    (meta / "nlpkit_index.json").write_text(json.dumps({"kind": "faiss"}))
    with pytest.raises(IndexLoadError, match="E304.*unknown index kind"):
        load_index(meta)


def test_hybrid_of_two_bm25_save_reopen(tmp_path):
    stems = BM25Index.build(DOCS)
    words = BM25Index.build(DOCS, tokenizer="word")
    hybrid = HybridIndex({"stem": stems, "word": words}, method="rrf", weights=[2, 1])
    top = hybrid.search("heated plate", k=2)
    assert top[0].id == "heat"
    assert set(top[0].meta["fusion"]) <= {"stem", "word"}
    hybrid.save(tmp_path / "hy")
    again = load_index(tmp_path / "hy")
    assert again.weights == [2.0, 1.0]
    assert [h.id for h in again.search("heated plate", 2)] == [h.id for h in top]
    with pytest.raises(ValueError, match="E307"):
        HybridIndex({"a": stems}, method="max")
    with pytest.raises(ValueError, match="E307.*normalization"):
        HybridIndex({"a": stems}, method="linear", normalization="bogus")
    with pytest.raises(ValueError, match="E025.*rrf_k"):
        HybridIndex({"a": stems}, rrf_k=0)
