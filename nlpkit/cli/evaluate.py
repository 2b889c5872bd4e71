"""`nlpkit evaluate`: score a pipeline's NER and text classification on gold data."""

from __future__ import annotations

import warnings
from pathlib import Path

from rich.table import Table

from . import options as opt
from ._util import Arg, Opt, app, clear_errors, console, fail, warn


@app.command(
    "evaluate", aliases={"--format": "--input-format", "--option": "--reader-option"}
)
def evaluate_cli(
    model: str = Arg(..., help="spaCy pipeline name or path"),
    data: list[str] = Arg(
        ..., help="Gold files (IOB/CoNLL, JSONL, CSV, SST-2 lines...)"
    ),
    output: Path = opt.output(
        "Directory for metrics.json, chart.png, entities.html", default=None
    ),
    input_format: opt.InputFormat = None,
    token_prefix: opt.TokenPrefix = None,
    text_field: opt.TextField = None,
    label_field: opt.LabelField = None,
    reader_option: opt.ReaderOption = (),
    label_map: list[str] = Opt(
        [],
        "--label-map",
        help="Rename the pipeline's labels to the gold data's before scoring, e.g. "
        "PERSON=PER,GPE=LOC (=O drops a label); repeatable",
    ),
    n_sample: int = Opt(25, "--sample", help="Documents shown in the displaCy page"),
    limit: int = Opt(
        0, "--limit", help="Evaluate at most this many documents (0: all)"
    ),
) -> None:
    """Per-label precision/recall/F1 (NER at entity level), accuracy, macro-F1, ROC AUC."""
    from ..evaluate.nlu import evaluate, parse_label_map

    options = opt.reader_options(
        reader_option,
        token_prefix=token_prefix,
        text_field=text_field,
        label_field=label_field,
    )
    mapping = {}
    for text in label_map:
        try:
            mapping.update(parse_label_map(text))
        except ValueError as err:
            fail(str(err), code=2)
    with clear_errors(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = evaluate(
            model,
            data,
            format=input_format,
            output_dir=output,
            n_sample=n_sample,
            limit=limit,
            label_map=mapping or None,
            **options,
        )
    for w in caught:
        warn(str(w.message))
    if report.ner:
        print_table("NER (entity level)", report.ner, ("p", "r", "f", "support"))
    if report.textcat:
        print_table(
            "Text classification", report.textcat, ("p", "r", "f", "auc", "support")
        )
        tc = report.textcat
        auc = "n/a" if tc["macro_auc"] is None else f"{tc['macro_auc']:.4f}"
        console.print(
            f"accuracy {tc['accuracy']:.4f}  macro-F1 {tc['macro_f']:.4f}  macro ROC AUC {auc}"
        )
    console.print(
        f"{report.n_docs} docs, {report.n_words} words, {report.words_per_second:,.0f} words/s"
    )
    for name, path in report.files.items():
        console.print(f"{name}: {path}")


def print_table(title: str, scores: dict, keys: tuple[str, ...]) -> None:
    table = Table(title=title)
    table.add_column("label")
    for key in keys:
        table.add_column(key, justify="right")
    rows = list(scores["per_type"].items())
    if "f" in scores and "accuracy" not in scores:
        rows.append(
            ("ALL (micro)", {**scores, "support": sum(v["support"] for _, v in rows)})
        )
    for label, values in rows:
        cells = []
        for key in keys:
            value = values.get(key)
            cells.append(
                ""
                if value is None
                else str(value)
                if key == "support"
                else f"{value:.4f}"
            )
        table.add_row(label, *cells)
    console.print(table)
