"""`nlpkit vectors ...`: train, evaluate, query, plot and export word vectors."""

from __future__ import annotations

import json
import time
from pathlib import Path

from rich.table import Table

from . import options as opt
from ._util import Arg, Opt, Typer, app, console, fail

vectors_app = Typer(help="Train, evaluate and query word vectors", no_args_is_help=True)
app.add_typer(vectors_app, name="vectors")

VECTORS_HELP = "Vectors: nlpkit directory, word2vec/GloVe/fastText file or glove-6b-50d"
TOP_K_ALIASES = {"--topn": "--top-k", "-n": "--top-k"}


def token_corpus(corpus, input_format, text_field, reader_option, context, lowercase):
    """The corpus as tokens, from the options `vectors train` and `cooc build` share."""
    from ..vectors.corpus import TokenCorpus

    options = opt.reader_options(reader_option, text_field=text_field)
    return TokenCorpus(
        corpus, format=input_format, context=context, lowercase=lowercase, **options
    )


def _load(path: str):
    from ..vectors.kv import load_vectors

    try:
        return load_vectors(path)
    except (ValueError, FileNotFoundError) as err:
        fail(str(err))


@vectors_app.command("train")
def train_cli(
    corpus: list[str] = Arg(..., help="Corpus files, directories or globs"),
    output: Path = opt.output("Output directory"),
    algorithm: str = opt.choice(
        "word2vec",
        "--algorithm",
        "-a",
        choices=opt.library("vectors.train", "ALGORITHMS"),
        help="Training algorithm",
    ),
    dim: int = Opt(100, "--dim"),
    window: int = Opt(5, "--window"),
    min_count: int = Opt(5, "--min-count"),
    max_size: int = Opt(None, "--max-size", help="Keep at most this many words"),
    epochs: int = Opt(5, "--epochs"),
    threads: int = Opt(2, "--threads"),
    seed: int = Opt(1, "--seed"),
    context: opt.Context = "line",
    input_format: opt.InputFormat = None,
    text_field: opt.TextField = None,
    reader_option: opt.ReaderOption = (),
    lowercase: opt.Lowercase = True,
    spacy_dir: bool = Opt(
        True,
        "--spacy/--no-spacy",
        # the backslash keeps rich from reading [initialize] as markup
        help="Also write OUTPUT/spacy, a spaCy pipeline for \\[initialize] vectors",
    ),
) -> None:
    """Train vectors on a corpus and save them (plus a spaCy vectors pipeline)."""
    from ..vectors.train import train_vectors

    tokens = token_corpus(
        corpus, input_format, text_field, reader_option, context, lowercase
    )
    options = {
        "dim": dim,
        "window": window,
        "min_count": min_count,
        "max_size": max_size,
    }
    if algorithm != "ppmi-svd":
        options.update(epochs=epochs, threads=threads, seed=seed)
    start = time.perf_counter()
    try:
        wv = train_vectors(tokens, algorithm=algorithm, **options)
    except ValueError as err:
        fail(str(err))
    seconds = time.perf_counter() - start
    wv.to_disk(output)
    if spacy_dir:
        mode = "floret" if wv.has_subwords else "default"
        wv.to_spacy(output / "spacy", mode=mode)
    console.print(
        f"[green]✔[/] {algorithm}: {len(wv):,} words x {wv.dim} in {seconds:.1f}s "
        f"-> {output}" + (f" (spaCy vectors: {output / 'spacy'})" if spacy_dir else "")
    )


@vectors_app.command("eval")
def eval_cli(
    vectors: str = Arg(..., help=VECTORS_HELP),
    similarity: str = Opt(
        "ws353,simlex999,men", "--similarity", help="Comma-separated sets or files"
    ),
    analogies: bool = Opt(True, "--analogies/--no-analogies"),
    output: Path = opt.output("Write the scores as JSON", default=None),
) -> None:
    """Word similarity (Spearman, OOV pairs counted) and analogy accuracy."""
    from ..vectors.evaluate import evaluate_all

    wv = _load(vectors)
    names = [s.strip() for s in similarity.split(",") if s.strip()]
    try:
        scores = evaluate_all(wv, similarity=names, analogies=analogies)
    except (ValueError, FileNotFoundError) as err:
        fail(str(err))
    table = Table(title=f"nlpkit vectors eval {vectors}")
    for col in ("set", "score", "pairs", "OOV"):
        table.add_column(col)
    for name in names:
        s = scores[name]
        table.add_row(name, f"{s['spearman']:.3f}", str(s["n_pairs"]), str(s["n_oov"]))
    if analogies:
        a = scores["analogy"]
        table.add_row(
            "analogy 3CosAdd", f"{a['accuracy_add']:.3f}", str(a["n_questions"]),
            str(a["n_oov"]),
        )  # fmt: skip
        table.add_row(
            "analogy 3CosMul", f"{a['accuracy_mul']:.3f}", str(a["n_questions"]),
            str(a["n_oov"]),
        )  # fmt: skip
    console.print(table)
    if output:
        output.write_text(json.dumps(scores, indent=2), encoding="utf-8")


def _print_pairs(title: str, pairs: list[tuple[str, float]]) -> None:
    table = Table(title=title)
    table.add_column("word")
    table.add_column("cosine", justify="right")
    for word, score in pairs:
        table.add_row(word, f"{score:.4f}")
    console.print(table)


@vectors_app.command("similar", aliases=TOP_K_ALIASES)
def similar_cli(
    vectors: str = Arg(..., help=VECTORS_HELP),
    word: str = Arg(..., help="Query word (OOV words use subwords if available)"),
    topn: int = opt.top_k(10, help="Number of neighbours"),
) -> None:
    """Nearest neighbours of a word by cosine similarity."""
    wv = _load(vectors)
    try:
        pairs = wv.most_similar(word, topn=topn)
    except KeyError as err:
        fail(err.args[0])
    _print_pairs(f"nearest to '{word}'", pairs)


@vectors_app.command("analogy", aliases=TOP_K_ALIASES)
def analogy_cli(
    vectors: str = Arg(..., help=VECTORS_HELP),
    a: str = Arg(...),
    b: str = Arg(...),
    c: str = Arg(...),
    method: str = opt.choice(
        "add", "--method", choices=("add", "mul"), help="3CosAdd or 3CosMul"
    ),
    topn: int = opt.top_k(5, help="Number of answers"),
) -> None:
    """Solve a : b :: c : ?  (e.g. poland warsaw england)."""
    wv = _load(vectors)
    try:
        pairs = wv.analogy(a, b, c, topn=topn, method=method)
    except KeyError as err:
        fail(err.args[0])
    _print_pairs(f"{a} : {b} :: {c} : ?", pairs)


@vectors_app.command("plot")
def plot_cli(
    vectors: str = Arg(..., help=VECTORS_HELP),
    output: Path = opt.output("PNG file"),
    words: str = Opt(None, "--words", help="Comma-separated words (one group)"),
    group: list[str] = Opt(
        None, "--group", "-g", help="NAME:w1,w2,... (repeat for several groups)"
    ),
    method: str = opt.choice(
        "pca,tsne",
        "--method",
        choices=("pca", "tsne"),
        sep=",",
        help="pca, tsne or both (pca,tsne)",
    ),
    top: int = Opt(100, "--top", help="Without words: the most frequent ones"),
) -> None:
    """PCA and t-SNE projections to a PNG, labelled and coloured by group."""
    from ..vectors.plot import plot_vectors

    wv = _load(vectors)
    groups = {}
    for spec in group or []:
        name, _, members = spec.partition(":")
        groups[name] = [w.strip() for w in members.split(",") if w.strip()]
    word_list = [w.strip() for w in words.split(",")] if words else None
    methods = tuple(m.strip() for m in method.split(",") if m.strip())
    try:
        path = plot_vectors(
            wv, output, words=word_list, groups=groups or None, methods=methods, top=top
        )
    except (KeyError, ValueError) as err:
        fail(err.args[0])
    console.print(f"[green]✔[/] wrote {path}")


@vectors_app.command("export-projector")
def export_projector_cli(
    vectors: str = Arg(..., help=VECTORS_HELP),
    output: Path = opt.output("Output directory"),
    top: int = Opt(10000, "--top", help="Most frequent words to export"),
) -> None:
    """Write vectors.tsv and metadata.tsv for the TensorFlow embedding projector."""
    from ..vectors.plot import export_projector

    wv = _load(vectors)
    vec_path, meta_path = export_projector(wv, output, top=top)
    console.print(f"[green]✔[/] wrote {vec_path} and {meta_path}")
