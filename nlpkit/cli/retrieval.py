"""`nlpkit index`, `nlpkit search` and `nlpkit rerank`: thin wrappers on nlpkit.retrieval."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from ..retrieval.api import build_index, open_searcher
from ..retrieval.base import DEFAULT_DEPTH, DEFAULT_K
from ..retrieval.train import mine_hard_negatives, pairs_from_documents, train_reranker
from . import options as opt
from ._util import Arg, Opt, Typer, app, clear_errors, console, fail, progress_bar

index_app = Typer(
    help="Build search indexes (BM25, dense, hybrid, ChromaDB).", no_args_is_help=True
)
rerank_app = Typer(
    help="Train and evaluate cross-encoder rerankers.", no_args_is_help=True
)
app.add_typer(index_app, name="index")
app.add_typer(rerank_app, name="rerank")

# Defaults come from the library, never restated here.
BUILD = opt.defaults_of(build_index)
PAIRS = opt.defaults_of(pairs_from_documents)
MINE = opt.defaults_of(mine_hard_negatives)
TRAIN = opt.defaults_of(train_reranker)
SEARCHER = opt.defaults_of(open_searcher)


def parse_weights(text: str | None) -> list[float] | None:
    if not text:
        return None
    try:
        return [float(w) for w in text.split(",")]
    except ValueError:
        fail(
            f"--weights must be numbers separated by commas, e.g. 0.4,0.6; got {text!r}"
        )


@index_app.command(
    "build", aliases={"--format": "--input-format", "--option": "--reader-option"}
)
def index_build_cli(
    inputs: list[str] = Arg(None, help="Corpus files, directories or globs"),
    output: Path = Opt(..., "--output", "-o", help="Index folder"),
    mode: str = opt.choice(
        BUILD["mode"],
        "--mode",
        "-m",
        choices=opt.library("retrieval.api", "INDEX_MODES"),
        help="Kind of index",
    ),
    collection: str = Opt(
        None, "--collection", "-c", help="cranfield, vaswani or a folder"
    ),
    input_format: opt.InputFormat = None,
    text_field: opt.TextField = None,
    reader_option: opt.ReaderOption = (),
    model: str = Opt(BUILD["model"], "--model", help="Bi-encoder name or path (dense)"),
    tokenizer: str = opt.choice(
        BUILD["tokenizer"],
        "--tokenizer",
        choices=opt.library("retrieval.tokenize", "TOKENIZERS"),
        help="BM25 tokenizer",
    ),
    fusion: str = opt.choice(
        BUILD["fusion"],
        "--fusion",
        choices=opt.library("retrieval.fusion", "FUSION_METHODS"),
        help="How hybrid fuses the rankings",
    ),
    weights: str = Opt(
        None, "--weights", help="Hybrid weights of bm25 and dense, e.g. 0.4,0.6"
    ),
    rrf_k: float = Opt(BUILD["rrf_k"], "--rrf-k", help="RRF constant k (hybrid, rrf)"),
) -> None:
    """Build an index from a corpus or a named collection and save it."""
    from ..retrieval.api import read_documents

    options = opt.reader_options(reader_option, text_field=text_field)
    with clear_errors():
        if not inputs and not collection:
            fail("Give corpus files or --collection.")
        docs = read_documents(
            inputs, collection=collection, input_format=input_format, **options
        )
        with progress_bar(transient=True) as bar:
            bar.add_task(f"Indexing {len(docs):,} documents ({mode})", total=None)
            build_index(
                docs,
                output,
                mode=mode,
                model=model,
                tokenizer=tokenizer,
                fusion=fusion,
                weights=parse_weights(weights),
                rrf_k=rrf_k,
            )
    console.print(
        f"[green]✔[/] {mode} index of {len(docs):,} documents saved to {output}"
    )


@app.command(
    "search", aliases={"--k": "--top-k", "--json": ("--output-format", "jsonl")}
)
def search_cli(
    query: str = Arg(..., help="The query text"),
    index: opt.Index = ...,
    mode: opt.SearchMode = None,
    k: int = opt.top_k(DEFAULT_K),
    rerank: str = Opt(
        None, "--rerank", help="Cross-encoder to rerank with (path or name)"
    ),
    depth: opt.Depth = DEFAULT_DEPTH,
    weight: opt.RerankWeight = SEARCHER["weight"],
    backend: opt.RerankBackend = SEARCHER["backend"],
    output_format: str = opt.choice(
        "table",
        "--output-format",
        "-F",
        choices=("table", "jsonl"),
        help="A table, or JSON lines on stdout",
    ),
) -> None:
    """Search an index, optionally reranking with a cross-encoder."""
    with clear_errors():
        rerank_opts = {"depth": depth, "weight": weight, "backend": backend}
        searcher = open_searcher(index, mode=mode, rerank=rerank, **rerank_opts)
        hits = searcher.search(query, k)
    if not hits:
        console.print("No documents match the query.")
    if output_format == "jsonl":
        for hit in hits:
            typer.echo(json.dumps(hit.to_dict(), ensure_ascii=False))
        return
    table = Table(title=f"{query!r}")
    for col in ("rank", "id", "score", "text"):
        table.add_column(col)
    for rank, hit in enumerate(hits, 1):
        text = " ".join((hit.text or "").split())
        table.add_row(str(rank), hit.id, f"{hit.score:.4f}", text[:90])
    console.print(table)


@rerank_app.command("train")
def rerank_train_cli(
    output: Path = Opt(..., "--output", "-o", help="Folder for the trained model"),
    data: Path = Opt(
        None, "--data", "-d", help="JSONL of {query, positive, negatives}"
    ),
    docs: list[str] = Opt(
        None, "--docs", help="Raw documents to make pairs from (repeatable)"
    ),
    collection: str = Opt(
        None, "--collection", "-c", help="Make pairs from a collection's docs"
    ),
    pairs: str = opt.choice(
        PAIRS["mode"],
        "--pairs",
        choices=opt.library("retrieval.train", "PAIR_MODES"),
        help="How to make pairs from raw documents",
    ),
    max_pairs: int = Opt(
        2000, "--max-pairs", help="At most this many examples from documents"
    ),
    model: str = Opt(
        TRAIN["model"], "--model", help="Start from this BERT-style model path or name"
    ),
    mine: str = Opt(
        "auto",
        "--mine",
        help="Hard negatives from bm25, dense or none (auto: bm25 when documents "
        "are given, none otherwise)",
    ),
    mine_model: str = Opt(
        "minilm", "--mine-model", help="Bi-encoder for --mine dense (name or path)"
    ),
    negatives: int = Opt(
        MINE["n_negatives"], "--negatives", help="Negatives per query"
    ),
    epochs: int = Opt(TRAIN["epochs"], "--epochs"),
    batch_size: int = Opt(TRAIN["batch_size"], "--batch-size", help="Queries per step"),
    learning_rate: float = Opt(TRAIN["learning_rate"], "--lr"),
    max_length: int = Opt(TRAIN["max_length"], "--max-length"),
    loss: str = opt.choice(
        TRAIN["loss"],
        "--loss",
        choices=opt.library("retrieval.train", "LOSSES"),
        help="Training loss",
    ),
    device: str = Opt(None, "--device", help="cpu or cuda (default: GPU if present)"),
    seed: int = Opt(TRAIN["seed"], "--seed"),
) -> None:
    """Fine-tune a cross-encoder reranker, with hard negatives mined by BM25 or dense."""
    from ..retrieval.api import read_documents
    from ..retrieval.train import read_training_data

    if mine not in ("auto", "bm25", "dense", "none"):
        fail(f"--mine must be auto, bm25, dense or none, not {mine!r}")
    with clear_errors():
        corpus = (
            read_documents(docs, collection=collection) if (docs or collection) else []
        )
        if mine == "auto":
            mine = "bm25" if corpus else "none"
        if data is not None:
            examples = read_training_data(data)
        elif corpus:
            examples = pairs_from_documents(
                corpus, mode=pairs, max_pairs=max_pairs, seed=seed
            )
        else:
            fail("Give --data, --docs or --collection.")
        if mine != "none":
            if not corpus:
                fail(
                    "Mining negatives needs the documents: give --docs or --collection."
                )
            import tempfile

            with tempfile.TemporaryDirectory() as tmp:
                index = build_index(
                    corpus, Path(tmp) / "ix", mode=mine, model=mine_model
                )
                examples = mine_hard_negatives(
                    examples, index, n_negatives=negatives, seed=seed
                )
        console.print(f"Training on {len(examples):,} examples from {model}")
        with progress_bar() as bar:
            task = bar.add_task("Training", total=None)
            summary = train_reranker(
                examples,
                output,
                model=model,
                epochs=epochs,
                batch_size=batch_size,
                learning_rate=learning_rate,
                max_length=max_length,
                loss=loss,
                n_negatives=negatives,
                device=device,
                seed=seed,
                progress=lambda step, total, value: bar.update(
                    task, completed=step, total=total, description=f"loss {value:.3f}"
                ),
            )
    console.print(
        f"[green]✔[/] reranker saved to {summary.output} ({summary.steps} steps, {summary.seconds:.0f} s)"
    )


@rerank_app.command("eval")
def rerank_eval_cli(
    index: opt.Index = ...,
    collection: str = Opt(
        None,
        "--collection",
        "-c",
        help="Queries and qrels of cranfield, vaswani or a folder",
    ),
    queries: Path = Opt(None, "--queries", help="Query file (TREC topics, JSONL, ...)"),
    qrels: Path = Opt(None, "--qrels", help="TREC qrels file"),
    mode: opt.SearchMode = None,
    rerank: str = Opt(None, "--rerank", help="Cross-encoder path or name"),
    depth: opt.Depth = DEFAULT_DEPTH,
    weight: opt.RerankWeight = SEARCHER["weight"],
    backend: opt.RerankBackend = SEARCHER["backend"],
    output: Path = Opt(None, "--output", "-o", help="Per-query results (JSONL)"),
    query_format: str = Opt(None, "--query-format", help="Reader format for --queries"),
) -> None:
    """nDCG@10, MRR@10, Recall@100 and MAP of a (reranked) search on judged queries."""
    from ..retrieval.api import evaluate_searcher, load_collection

    with clear_errors():
        if collection:
            coll = load_collection(collection)
            query_records, judgements = coll.queries, coll.qrels
        elif queries and qrels:
            from ..io import read_corpus
            from ..io.ir import read_qrels

            query_records = list(read_corpus([str(queries)], format=query_format))
            judgements = read_qrels(qrels)
        else:
            fail("Give --collection, or --queries and --qrels.")
        rerank_opts = {"depth": depth, "weight": weight, "backend": backend}
        searcher = open_searcher(index, mode=mode, rerank=rerank, **rerank_opts)
        evaluation = evaluate_searcher(
            searcher,
            query_records,
            judgements,
            k=max(100, depth),
            per_query_path=output,
        )
    table = Table(title=f"nlpkit rerank eval ({evaluation.n_queries} queries)")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for name, value in evaluation.metrics.items():
        table.add_row(name, f"{value:.4f}")
    table.add_row(
        "queries without relevant docs (skipped)",
        str(len(evaluation.skipped_no_relevant)),
    )
    table.add_row("judgements naming unknown docs", str(evaluation.unknown_docs))
    console.print(table)
    if output:
        console.print(f"Per-query results written to {output}")
