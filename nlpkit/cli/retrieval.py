"""`nlpkit index`, `nlpkit search` and `nlpkit rerank`: thin wrappers on nlpkit.retrieval."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from ..retrieval.base import DEFAULT_DEPTH, DEFAULT_K
from ._util import (
    Arg,
    Opt,
    Typer,
    app,
    choice,
    clear_errors,
    console,
    fail,
    input_format_option,
    progress_bar,
    reader_option_option,
    reader_options,
    text_field_option,
    top_k_option,
)

index_app = Typer(
    help="Build search indexes (BM25, dense, hybrid, ChromaDB).", no_args_is_help=True
)
rerank_app = Typer(
    help="Train and evaluate cross-encoder rerankers.", no_args_is_help=True
)
app.add_typer(index_app, name="index")
app.add_typer(rerank_app, name="rerank")

# options shared by `search` and `rerank eval`
DEPTH = Opt(DEFAULT_DEPTH, "--depth", help="First-stage hits passed to the reranker")
RERANK_WEIGHT = Opt(
    1.0,
    "--rerank-weight",
    help="Cross-encoder share of the final score (1: its order alone; "
    "below 1: fused with the first stage's normalized scores)",
)
RERANK_BACKEND = Opt(
    "torch", "--rerank-backend", help="Reranker backend: torch or int8 (CPU)"
)


def _constant(module: str, name: str):
    """Choices read from the library when an option is checked or --help shown."""

    def get():
        from importlib import import_module

        return getattr(import_module(f"nlpkit.retrieval.{module}"), name)

    return get


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
    mode: str = choice(
        "bm25",
        "--mode",
        "-m",
        choices=_constant("api", "INDEX_MODES"),
        help="Kind of index",
    ),
    collection: str = Opt(
        None, "--collection", "-c", help="cranfield, vaswani or a folder"
    ),
    input_format: str = input_format_option(),
    text_field: str = text_field_option(),
    reader_option: list[str] = reader_option_option(),
    model: str = Opt("minilm", "--model", help="Bi-encoder name or path (dense)"),
    tokenizer: str = choice(
        "stem",
        "--tokenizer",
        choices=_constant("tokenize", "TOKENIZERS"),
        help="BM25 tokenizer",
    ),
    fusion: str = choice(
        "rrf",
        "--fusion",
        choices=_constant("fusion", "FUSION_METHODS"),
        help="How hybrid fuses the rankings",
    ),
    weights: str = Opt(
        None, "--weights", help="Hybrid weights of bm25 and dense, e.g. 0.4,0.6"
    ),
    rrf_k: float = Opt(60.0, "--rrf-k", help="RRF constant k (hybrid, rrf)"),
) -> None:
    """Build an index from a corpus or a named collection and save it."""
    from ..retrieval.api import build_index, read_documents

    options = reader_options(reader_option, text_field=text_field)
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
    index: Path = Opt(..., "--index", "-i", help="Index folder"),
    mode: str = choice(
        None,
        "--mode",
        "-m",
        choices=_constant("api", "SEARCH_MODES"),
        help="Search mode (default: the index's own)",
    ),
    k: int = top_k_option(DEFAULT_K),
    rerank: str = Opt(
        None, "--rerank", help="Cross-encoder to rerank with (path or name)"
    ),
    depth: int = DEPTH,
    weight: float = RERANK_WEIGHT,
    backend: str = RERANK_BACKEND,
    output_format: str = choice(
        "table",
        "--output-format",
        "-F",
        choices=("table", "jsonl"),
        help="A table, or JSON lines on stdout",
    ),
) -> None:
    """Search an index, optionally reranking with a cross-encoder."""
    from ..retrieval.api import open_searcher

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
    pairs: str = choice(
        "auto",
        "--pairs",
        choices=_constant("train", "PAIR_MODES"),
        help="How to make pairs from raw documents",
    ),
    max_pairs: int = Opt(
        2000, "--max-pairs", help="At most this many examples from documents"
    ),
    model: str = Opt(
        "minilm", "--model", help="Start from this BERT-style model path or name"
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
    negatives: int = Opt(4, "--negatives", help="Negatives per query"),
    epochs: int = Opt(1, "--epochs"),
    batch_size: int = Opt(8, "--batch-size", help="Queries per step"),
    learning_rate: float = Opt(3e-5, "--lr"),
    max_length: int = Opt(256, "--max-length"),
    loss: str = choice(
        "bce", "--loss", choices=_constant("train", "LOSSES"), help="Training loss"
    ),
    device: str = Opt(None, "--device", help="cpu or cuda (default: GPU if present)"),
    seed: int = Opt(0, "--seed"),
) -> None:
    """Fine-tune a cross-encoder reranker, with hard negatives mined by BM25 or dense."""
    from ..retrieval.api import read_documents
    from ..retrieval.train import (
        mine_hard_negatives,
        pairs_from_documents,
        read_training_data,
        train_reranker,
    )

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

            from ..retrieval.api import build_index

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
    index: Path = Opt(..., "--index", "-i", help="Index folder"),
    collection: str = Opt(
        None,
        "--collection",
        "-c",
        help="Queries and qrels of cranfield, vaswani or a folder",
    ),
    queries: Path = Opt(None, "--queries", help="Query file (TREC topics, JSONL, ...)"),
    qrels: Path = Opt(None, "--qrels", help="TREC qrels file"),
    mode: str = choice(
        None,
        "--mode",
        "-m",
        choices=_constant("api", "SEARCH_MODES"),
        help="Search mode (default: the index's own)",
    ),
    rerank: str = Opt(None, "--rerank", help="Cross-encoder path or name"),
    depth: int = DEPTH,
    weight: float = RERANK_WEIGHT,
    backend: str = RERANK_BACKEND,
    output: Path = Opt(None, "--output", "-o", help="Per-query results (JSONL)"),
    query_format: str = Opt(None, "--query-format", help="Reader format for --queries"),
) -> None:
    """nDCG@10, MRR@10, Recall@100 and MAP of a (reranked) search on judged queries."""
    from ..retrieval.api import evaluate_searcher, load_collection, open_searcher

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
