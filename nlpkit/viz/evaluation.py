"""Evaluation charts (matplotlib, Agg) and displaCy pages of predicted vs gold."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np


def _confusion_matrix(
    confusion: dict[str, dict[str, int]],
) -> tuple[list[str], np.ndarray]:
    labels = sorted(set(confusion) | {p for row in confusion.values() for p in row})
    if "O" in labels:
        labels = [x for x in labels if x != "O"] + ["O"]
    M = np.zeros((len(labels), len(labels)), dtype=int)
    for g, row in confusion.items():
        for p, n in row.items():
            M[labels.index(g), labels.index(p)] = n
    return labels, M


MULTILABEL_CELLS = ("tp", "fn", "fp", "tn")


def _draw_matrix(ax, M: np.ndarray, rows: list, columns: list, multilabel: bool):
    ax.imshow(M, cmap="Blues", aspect="auto")
    ax.set_xticks(range(len(columns)), columns, rotation=30, ha="right")
    ax.set_yticks(range(len(rows)), rows)
    ax.set_xlabel("outcome" if multilabel else "predicted")
    ax.set_ylabel("label" if multilabel else "gold")
    for (i, j), n in np.ndenumerate(M):
        color = "white" if n > M.max() / 2 else "black"
        ax.text(j, i, str(n), ha="center", va="center", color=color, fontsize=8)


def plot_scores(report: Any, path: str | Path) -> Path:
    """Per-label precision/recall/F1 bars and the confusion matrix, as one PNG.

    report (EvalReport): the evaluation to draw (NER and/or textcat parts).
    path (str | Path): the PNG file to write.
    RETURNS (Path): the written file.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    parts = [(n, s) for n, s in (("NER", report.ner), ("textcat", report.textcat)) if s]
    fig, axes = plt.subplots(
        len(parts), 2, figsize=(12, 4.5 * len(parts)), squeeze=False
    )
    for row, (title, scores) in zip(axes, parts):
        per_type = scores["per_type"]
        labels = list(per_type)
        x = np.arange(len(labels))
        for i, key in enumerate(("p", "r", "f")):
            row[0].bar(
                x + (i - 1) * 0.27,
                [per_type[lab][key] for lab in labels],
                0.27,
                label={"p": "precision", "r": "recall", "f": "F1"}[key],
            )
        row[0].set_xticks(x, labels, rotation=30, ha="right")
        row[0].set_ylim(0, 1)
        headline = (
            f"micro F1 {scores['f']:.3f}"
            if title == "NER"
            else f"accuracy {scores['accuracy']:.3f}, macro F1 {scores['macro_f']:.3f}"
        )
        row[0].set_title(f"{title}: {headline}")
        row[0].legend(loc="lower right")
        confusion = scores["confusion"]
        if not confusion:
            row[1].axis("off")
            continue
        multilabel = "tp" in next(iter(confusion.values()))
        if multilabel:
            # multilabel: one row of true/false positives/negatives per label
            names = list(confusion)
            M = np.array([[confusion[n][k] for k in MULTILABEL_CELLS] for n in names])
            columns = ["TP", "FN", "FP", "TN"]
            suffix = " per label (multilabel)"
        else:
            names, M = _confusion_matrix(confusion)
            columns = names
            suffix = " (spans; O = none)" if title == "NER" else ""
        _draw_matrix(row[1], M, names, columns, multilabel)
        row[1].set_title(f"{title} confusion{suffix}")
    fig.suptitle(f"{report.model} on {report.data} ({report.n_docs} docs)")
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def entities_html(golds: list, preds: list) -> str:
    """A displaCy page showing each document's gold and predicted entities in turn."""
    from spacy import displacy

    items = []
    for i, (gold, pred) in enumerate(zip(golds, preds)):
        for kind, doc in (("gold", gold), ("predicted", pred)):
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message=r".*W006")
                item = displacy.parse_ents(doc)
            item["title"] = f"#{i + 1} {kind}"
            items.append(item)
    return displacy.render(items, style="ent", manual=True, page=True, jupyter=False)
