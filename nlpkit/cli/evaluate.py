"""`nlpkit evaluate`: score a pipeline's NER and text classification on gold data."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

from rich.table import Table

from ._util import Arg, Opt, app, clear_errors, console, fail


@app.command("evaluate")
def evaluate_cli(
    model: str = Arg(..., help="spaCy pipeline name or path"),
    data: list[str] = Arg(
        ..., help="Gold files (IOB/CoNLL, JSONL, CSV, SST-2 lines...)"
    ),
    output: Path = Opt(
        None,
        "--output",
        "-o",
        help="Directory for metrics.json, chart.png, entities.html",
    ),
    input_format: str = Opt(
        None, "--format", "-f", help="Reader format (inferred from extension)"
    ),
    option: list[str] = Opt(
        [], "--option", "-O", help="Reader option key=value, e.g. token_prefix=en:"
    ),
    n_sample: int = Opt(25, "--sample", help="Documents shown in the displaCy page"),
    limit: int = Opt(
        0, "--limit", help="Evaluate at most this many documents (0: all)"
    ),
) -> None:
    """Per-label precision/recall/F1 (NER at entity level), accuracy, macro-F1, ROC AUC."""
    from ..evaluate.nlu import evaluate

    options = {}
    for item in option:
        key, sep, value = item.partition("=")
        if not sep:
            fail(f"--option expects key=value, got {item!r}")
        try:
            options[key.strip()] = json.loads(value)
        except json.JSONDecodeError:
            options[key.strip()] = value
    with clear_errors(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = evaluate(
            model,
            data,
            format=input_format,
            output_dir=output,
            n_sample=n_sample,
            limit=limit,
            **options,
        )
    for w in caught:
        console.print(f"[yellow]⚠[/] {w.message}")
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
