"""BM25: nlpkit's BM25Index against bm25s (numpy and numba backends) and rank_bm25.

- bm25_raw: raw text in, index + all queries (top 100) out; nlpkit with its
  Snowball tokenizer, bm25s with its own tokenizer (English stop words, PyStemmer).
- bm25_query: query time only, the same tokens (nlpkit's) given to every library;
  nlpkit's retrieve() returns arrays as bm25s' retrieve does (the headline), its
  search_tokens() a list of Hit objects per query (shown beside it).
- bm25_tokens: index + all queries from the same tokens (nlpkit's) on both sides,
  arrays out on both sides.
- bm25_memory: net peak memory of building the index from the same tokens, each
  side in a fresh process, at 1x and 10x the collection.
Same k1, b and method ("lucene") everywhere.

Run: python -m benchmarks.bench_bm25 --name bm25_raw --size quick
"""

from __future__ import annotations

import numpy as np

from benchmarks.data import ir_collection
from benchmarks.harness import alternate, cli, memory_child, row


def bm25s_model(exp, backend: str):
    import bm25s

    s = exp.settings
    return bm25s.BM25(k1=s["k1"], b=s["b"], method=s["method"], backend=backend)


def known(retriever, tokens: list[list[str]]) -> list[list[str]]:
    vocab = retriever.vocab_dict
    return [[t for t in q if t in vocab] for q in tokens]


def bm25s_search(exp, backend: str, doc_tokens, query_tokens, k: int):
    """bm25s: index the documents' tokens, then retrieve all queries (arrays)."""
    retriever = bm25s_model(exp, backend)
    retriever.index(doc_tokens, show_progress=False)
    return retriever.retrieve(
        known(retriever, query_tokens), k=k, show_progress=False,
        backend_selection=backend,
    )  # fmt: skip


def raw_times(exp, docs: list[str], queries: list[str], rounds: int) -> dict:
    import bm25s
    import Stemmer

    from nlpkit.retrieval.bm25 import BM25Index

    s = exp.settings
    k = min(s["k"], len(docs))

    def ours():
        index = BM25Index.build(docs, k1=s["k1"], b=s["b"], method=s["method"])
        index.search_batch(queries, k)

    def peer(backend):
        def go():
            stemmer = Stemmer.Stemmer("english")
            tokens = bm25s.tokenize(
                docs, stopwords="en", stemmer=stemmer, show_progress=False
            )
            q = bm25s.tokenize(
                queries, stopwords="en", stemmer=stemmer, return_ids=False,
                show_progress=False,
            )  # fmt: skip
            bm25s_search(exp, backend, tokens, q, k)

        return go

    return alternate(
        {"nlpkit": ours, "numpy": peer("numpy"), "numba": peer("numba")}, rounds
    )


def run_raw(exp, size: str, times_of=raw_times, what: str = "") -> dict:
    rows, ratios = [], []
    for name in exp.sizes[size]["collections"]:
        docs, queries = ir_collection(name)
        times = times_of(exp, docs, queries, exp.sizes[size]["rounds"])
        case = f"{name}: {len(docs):,} docs, {len(queries)} queries{what}"
        rows.append(row(case, times["nlpkit"], "bm25s numpy", times["numpy"]))
        rows.append(row(case, times["nlpkit"], "bm25s numba", times["numba"]))
        # against the faster bm25s backend; the headline is the worst collection
        ratios.append(min(rows[-1]["ratio"], rows[-2]["ratio"]))
    return {"rows": rows, "ratio": min(ratios)}


def nlpkit_tokens(exp, docs: list[str], queries: list[str]):
    """The tokens every library gets (nlpkit's Snowball terms), k, and an indexer."""
    from nlpkit.retrieval.bm25 import BM25Index
    from nlpkit.retrieval.tokenize import Tokenizer

    s = exp.settings
    tok = Tokenizer()
    doc_tokens = tok(docs)

    def build():
        return BM25Index.build(
            docs, tokens=doc_tokens, k1=s["k1"], b=s["b"], method=s["method"]
        )

    return doc_tokens, tok(queries), min(s["k"], len(docs)), build


def query_times(exp, docs: list[str], queries: list[str], rounds: int) -> dict:
    from rank_bm25 import BM25Okapi

    s = exp.settings
    doc_tokens, query_tokens, k, build = nlpkit_tokens(exp, docs, queries)
    index = build()
    peers = {}
    for backend in ("numpy", "numba"):
        retriever = bm25s_model(exp, backend)
        retriever.index(doc_tokens, show_progress=False)
        peers[backend] = (retriever, known(retriever, query_tokens))
    okapi = BM25Okapi(doc_tokens, k1=s["k1"], b=s["b"])

    def bm25s_query(backend):
        retriever, q = peers[backend]
        return lambda: retriever.retrieve(
            q, k=k, show_progress=False, backend_selection=backend
        )

    def okapi_query():
        for q in query_tokens:
            scores = okapi.get_scores(q)
            np.argpartition(-scores, k - 1)[:k]

    return alternate(
        {
            "nlpkit": lambda: index.retrieve(query_tokens, k),
            "nlpkit_hits": lambda: index.search_tokens(query_tokens, k),
            "numpy": bm25s_query("numpy"),
            "numba": bm25s_query("numba"),
            "rank_bm25": okapi_query,
        },
        rounds,
    )


def run_query(exp, size: str) -> dict:
    rows, ratios = [], []
    for name in exp.sizes[size]["collections"]:
        docs, queries = ir_collection(name)
        times = query_times(exp, docs, queries, exp.sizes[size]["rounds"])
        case = f"{name}: {len(queries)} queries, {len(docs):,} docs"
        for key, label in (("numba", "bm25s numba"), ("numpy", "bm25s numpy"),
                           ("rank_bm25", "rank_bm25 BM25Okapi")):  # fmt: skip
            rows.append(row(f"{case}, retrieve() arrays", times["nlpkit"], label,
                            times[key]))  # fmt: skip
        ratios.append(rows[-3]["ratio"])  # the goal's peer: bm25s numba
        rows.append(row(f"{case}, search_tokens() Hits", times["nlpkit_hits"],
                        "bm25s numba", times["numba"]))  # fmt: skip
    return {"rows": rows, "ratio": min(ratios)}


def tokens_times(exp, docs: list[str], queries: list[str], rounds: int) -> dict:
    doc_tokens, query_tokens, k, build = nlpkit_tokens(exp, docs, queries)

    def ours():
        build().retrieve(query_tokens, k)

    def peer(backend):
        return lambda: bm25s_search(exp, backend, doc_tokens, query_tokens, k)

    return alternate(
        {"nlpkit": ours, "numpy": peer("numpy"), "numba": peer("numba")}, rounds
    )


def run_tokens(exp, size: str) -> dict:
    return run_raw(exp, size, tokens_times, ", same tokens")


def child_index(*, name: str, factor: int, side: str, prepare=False, state=None):
    """memory_child target: build one side's index from prepared tokens."""
    if prepare:
        import bm25s  # noqa: F401

        from nlpkit.retrieval.bm25 import BM25Index

        docs, _ = ir_collection(name, factor)
        tokens = [d.lower().split() for d in docs]
        BM25Index.build(docs[:3], tokens=tokens[:3])
        return docs, tokens
    docs, tokens = state
    if side == "ours":
        from nlpkit.retrieval.bm25 import BM25Index

        return len(BM25Index.build(docs, tokens=tokens))
    import bm25s

    bm25s.BM25(method="lucene").index(tokens, show_progress=False)
    return len(docs)


def run_memory(exp, size: str) -> dict:
    params = exp.sizes[size]
    rows = []
    for factor in params["factors"]:
        mem = {
            side: memory_child("benchmarks.bench_bm25:child_index",
                               name=params["collection"], factor=factor, side=side)
            for side in ("ours", "peer")
        }  # fmt: skip
        o, p = mem["ours"]["net_peak_mb"], mem["peer"]["net_peak_mb"]
        rows.append(
            row(f"{params['collection']} x{factor}: {mem['ours']['extra']:,} docs, "
                "net peak RSS", o, "bm25s numpy", p, unit="MB",
                ratio=o / max(p, 0.1), ratio_means="ours / peer (<= 1: less)",
                ours_s=mem["ours"]["seconds"], peer_s=mem["peer"]["seconds"])
        )  # fmt: skip
    return {"rows": rows, "ratio": rows[-1]["ratio"]}


def run(exp, size: str) -> dict:
    runs = {
        "bm25_raw": run_raw,
        "bm25_query": run_query,
        "bm25_tokens": run_tokens,
        "bm25_memory": run_memory,
    }
    return runs[exp.name](exp, size)


if __name__ == "__main__":
    cli(run)
