"""Evaluation of NER and text classification pipelines on gold corpora.

NER is scored at entity level (exact span and label, as conlleval and seqeval do);
text classification by accuracy, per-label precision/recall/F1, macro-F1 and ROC AUC.
"""

from __future__ import annotations

import logging
import warnings
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import Errors, Warnings

logger = logging.getLogger("nlpkit")

NONE = "O"  # the row/column for "no entity" in the NER confusion matrix


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    """Precision, recall and F1 from counts (0.0 where undefined)."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": p, "r": r, "f": f}


def entity_scores(
    gold: Iterable[Iterable[tuple[int, int, str]]],
    pred: Iterable[Iterable[tuple[int, int, str]]],
) -> dict[str, Any]:
    """Entity-level scores from (start, end, label) spans per document.

    RETURNS (dict): p, r, f (micro), macro_f, per_type {label: {p, r, f, support}},
        confusion {gold_label: {pred_label: count}} over spans, with "O" for none.
    """
    counts: dict[str, Counter] = {}
    confusion: dict[str, Counter] = {}
    for gold_spans, pred_spans in zip(gold, pred):
        gold_set, pred_set = set(gold_spans), set(pred_spans)
        for span in gold_set | pred_set:
            c = counts.setdefault(span[2], Counter())
            if span in gold_set and span in pred_set:
                c["tp"] += 1
            elif span in gold_set:
                c["fn"] += 1
            else:
                c["fp"] += 1
        gold_by_offsets = {(s, e): label for s, e, label in gold_set}
        pred_by_offsets = {(s, e): label for s, e, label in pred_set}
        for offsets in gold_by_offsets.keys() | pred_by_offsets.keys():
            g = gold_by_offsets.get(offsets, NONE)
            p = pred_by_offsets.get(offsets, NONE)
            confusion.setdefault(g, Counter())[p] += 1
    total = Counter()
    per_type = {}
    for label in sorted(counts):
        c = counts[label]
        total.update(c)
        per_type[label] = {
            **prf(c["tp"], c["fp"], c["fn"]),
            "support": c["tp"] + c["fn"],
        }
    micro = prf(total["tp"], total["fp"], total["fn"])
    macro_f = float(np.mean([v["f"] for v in per_type.values()])) if per_type else 0.0
    return {
        **micro,
        "macro_f": macro_f,
        "per_type": per_type,
        "confusion": {g: dict(row) for g, row in sorted(confusion.items())},
    }


def textcat_scores(
    gold: list[dict[str, float]],
    pred: list[dict[str, float]],
    labels: list[str],
    *,
    exclusive: bool = True,
    threshold: float = 0.5,
) -> dict[str, Any]:
    """Accuracy, per-label P/R/F1 and ROC AUC, macro-F1 and a confusion matrix.

    gold / pred (list[dict]): cats per document (gold 0/1, predicted scores).
    labels (list[str]): the labels to score, in order.
    exclusive (bool): one label per doc (argmax) or multilabel (score >= threshold).
    RETURNS (dict): accuracy, macro_f, macro_auc, per_type, confusion.
    """
    Y = np.array([[g.get(label, 0.0) for label in labels] for g in gold]) > 0.5
    S = np.array([[p.get(label, 0.0) for label in labels] for p in pred], dtype=float)
    Y = Y.reshape(len(gold), len(labels))
    S = S.reshape(len(gold), len(labels))
    if exclusive:
        P = np.zeros_like(Y)
        if len(labels):
            P[np.arange(len(S)), S.argmax(1)] = True
        has_gold = Y.any(1)
        accuracy = (
            float((S.argmax(1) == Y.argmax(1))[has_gold].mean())
            if has_gold.any()
            else 0.0
        )
    else:
        P = S >= threshold
        accuracy = float((P == Y).all(1).mean()) if len(Y) else 0.0
    per_type = {}
    for i, label in enumerate(labels):
        tp = int((P[:, i] & Y[:, i]).sum())
        fp = int((P[:, i] & ~Y[:, i]).sum())
        fn = int((~P[:, i] & Y[:, i]).sum())
        auc = None
        if 0 < Y[:, i].sum() < len(Y):
            from sklearn.metrics import roc_auc_score

            auc = float(roc_auc_score(Y[:, i], S[:, i]))
        per_type[label] = {**prf(tp, fp, fn), "auc": auc, "support": int(Y[:, i].sum())}
    aucs = [v["auc"] for v in per_type.values() if v["auc"] is not None]
    confusion: dict[str, dict[str, int]] = {}
    if exclusive:
        for y, p in zip(Y, P):
            if not y.any():
                continue
            g, q = labels[int(y.argmax())], labels[int(p.argmax())]
            confusion.setdefault(g, {}).setdefault(q, 0)
            confusion[g][q] += 1
    else:
        for i, label in enumerate(labels):
            confusion[label] = {
                "tp": int((P[:, i] & Y[:, i]).sum()),
                "fp": int((P[:, i] & ~Y[:, i]).sum()),
                "fn": int((~P[:, i] & Y[:, i]).sum()),
                "tn": int((~P[:, i] & ~Y[:, i]).sum()),
            }
    return {
        "accuracy": accuracy,
        "macro_f": float(np.mean([v["f"] for v in per_type.values()]))
        if per_type
        else 0.0,
        "macro_auc": float(np.mean(aucs)) if aucs else None,
        "per_type": per_type,
        "confusion": confusion,
    }


@dataclass
class EvalReport:
    """What `evaluate` measured, and the files it wrote."""

    model: str
    data: str
    n_docs: int
    n_words: int
    words_per_second: float
    n_rejected: int = 0
    ner: dict[str, Any] | None = None
    textcat: dict[str, Any] | None = None
    unseen_labels: dict[str, list[str]] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items()}


def find_components(nlp) -> tuple[str | None, str | None]:
    """The names of the NER and text classification components of nlp (or None)."""
    from spacy.pipeline import EntityRecognizer, TextCategorizer

    from ..components.fewshot_textcat import EmbeddingTextCategorizer

    ner = textcat = None
    for name, proc in nlp.pipeline:
        if ner is None and isinstance(proc, EntityRecognizer):
            ner = name
        if textcat is None and isinstance(
            proc, TextCategorizer | EmbeddingTextCategorizer
        ):
            textcat = name
    return ner, textcat


def evaluate(
    model: str | Path | Any,
    data: str | Path | Iterable[str | Path],
    *,
    format: str | None = None,
    output_dir: str | Path | None = None,
    n_sample: int = 25,
    batch_size: int = 64,
    limit: int = 0,
    rejects: str | Path | None = None,
    label_map: dict[str, str] | str | None = None,
    **reader_options,
) -> EvalReport:
    """Evaluate a pipeline's NER and/or textcat against a gold corpus.

    model (str | Path | Language): a pipeline name, path, or loaded Language.
    data (str | Path | Iterable): gold files, read with nlpkit's readers.
    format (str | None): corpus format; inferred from the extension when None.
    output_dir (str | Path | None): where metrics.json, the PNG chart and the
        displaCy HTML page go; nothing is written when None.
    n_sample (int): documents shown in the displaCy page.
    limit (int): evaluate at most this many documents (0: all).
    rejects (str | Path | None): write unreadable gold records to this JSONL file
        and go on (counted in the report); None stops at the first one.
    label_map (dict | str | None): rename the pipeline's predicted labels before
        scoring, so that a pretrained pipeline is scored on another label set:
        {"PERSON": "PER", "GPE": "LOC"} or "PERSON=PER,GPE=LOC"; a label mapped to
        "O" (or "") is dropped. Labels not in the map are kept.
    reader_options: passed on to the reader (e.g. token_prefix="en:").
    RETURNS (EvalReport): the scores, speed and written files.
    """
    import time

    from spacy.tokens import Doc

    from ..io import Rejects, read_corpus
    from ..util import load_pipeline

    if isinstance(label_map, str):
        label_map = parse_label_map(label_map)
    nlp = model if hasattr(model, "pipe_names") else load_pipeline(model)
    if isinstance(data, str | Path):
        data_name = str(data)
    else:
        data = [str(d) for d in data]
        data_name = ", ".join(data)
    ner_name, textcat_name = find_components(nlp)
    if ner_name is None and textcat_name is None:
        raise ValueError(Errors.E213.format(model=model, pipes=nlp.pipe_names))
    golds = []
    with Rejects(rejects) if rejects else Rejects.raising() as bad:
        for record in read_corpus(data, format=format, rejects=bad, **reader_options):
            try:
                golds.append(record.to_doc(nlp))
            except ValueError as err:
                bad.add(record.source, record.line, str(err))
            if limit and len(golds) >= limit:
                break
        n_rejected = bad.count
    if not golds:
        raise ValueError(Errors.E212.format(path=data))
    if textcat_name is not None and not any(d.cats for d in golds):
        if ner_name is None:
            raise ValueError(Errors.E214.format(path=data_name))
        textcat_name = None  # an NER corpus: score the NER only
    inputs = [
        Doc(
            nlp.vocab,
            words=[t.text for t in g],
            spaces=[bool(t.whitespace_) for t in g],
        )
        for g in golds
    ]
    start = time.perf_counter()
    preds = list(nlp.pipe(inputs, batch_size=batch_size))
    seconds = max(time.perf_counter() - start, 1e-9)
    if label_map:
        check_label_map(label_map, nlp, (ner_name, textcat_name))
        preds = [map_labels(doc, label_map) for doc in preds]
    n_words = sum(len(d) for d in golds)
    report = EvalReport(
        model=str(model) if isinstance(model, str | Path) else nlp.meta["name"],
        data=data_name,
        n_docs=len(golds),
        n_words=n_words,
        words_per_second=n_words / seconds,
        n_rejected=n_rejected,
    )
    if ner_name is not None:
        labels = {
            (label_map or {}).get(label, label)
            for label in nlp.get_pipe(ner_name).labels
        }
        gold_spans = [[(e.start, e.end, e.label_) for e in d.ents] for d in golds]
        pred_spans = [[(e.start, e.end, e.label_) for e in d.ents] for d in preds]
        report.ner = entity_scores(gold_spans, pred_spans)
        unseen = sorted({s[2] for doc in gold_spans for s in doc} - labels)
        if unseen:
            report.unseen_labels[ner_name] = unseen
    if textcat_name is not None:
        proc = nlp.get_pipe(textcat_name)
        labels = list(
            dict.fromkeys((label_map or {}).get(label, label) for label in proc.labels)
        )
        labels = [label for label in labels if label not in DROPPED]
        exclusive = getattr(proc, "exclusive", None)
        if exclusive is None:
            exclusive = type(proc).__name__ == "TextCategorizer"
        threshold = float(getattr(proc, "threshold", 0.5) or 0.5)
        gold_cats = [d.cats for d in golds]
        report.textcat = textcat_scores(
            gold_cats,
            [d.cats for d in preds],
            labels,
            exclusive=exclusive,
            threshold=threshold,
        )
        unseen = sorted(
            {k for c in gold_cats for k, v in c.items() if v > 0.5} - set(labels)
        )
        if unseen:
            report.unseen_labels[textcat_name] = unseen
    for name, unseen in report.unseen_labels.items():
        warnings.warn(
            Warnings.W202.format(component=name, labels=unseen, corpus="evaluation"),
            stacklevel=2,
        )
    if output_dir is not None:
        report.files = write_report(
            report, golds, preds, Path(output_dir), n_sample=n_sample
        )
    return report


DROPPED = ("O", "")  # a label mapped to one of these is dropped


def parse_label_map(text: str) -> dict[str, str]:
    """'PERSON=PER,GPE=LOC' -> {'PERSON': 'PER', 'GPE': 'LOC'}; 'DATE=O' drops DATE."""
    mapping = {}
    for entry in text.split(","):
        if not entry.strip():
            continue
        source, sep, target = entry.partition("=")
        if not sep or not source.strip() or "=" in target:
            raise ValueError(Errors.E062.format(entry=entry))
        mapping[source.strip()] = target.strip()
    if not mapping:
        raise ValueError(Errors.E062.format(entry=text))
    return mapping


def check_label_map(label_map: dict[str, str], nlp, components) -> None:
    """Warn (W061) about mapped labels that none of the scored components predicts."""
    names = [name for name in components if name is not None]
    known = {label for name in names for label in nlp.get_pipe(name).labels}
    unknown = sorted(set(label_map) - known)
    if unknown:
        warnings.warn(
            Warnings.W061.format(
                labels=unknown, component=" and ".join(names), known=sorted(known)
            ),
            stacklevel=3,
        )


def map_labels(doc, label_map: dict[str, str]):
    """Rename (or drop) a predicted doc's entity labels and cats, in place."""
    from spacy.tokens import Span

    ents = []
    for ent in doc.ents:
        label = label_map.get(ent.label_, ent.label_)
        if label not in DROPPED:
            ents.append(Span(doc, ent.start, ent.end, label=label))
    doc.ents = ents
    cats: dict[str, float] = {}
    for label, score in doc.cats.items():
        label = label_map.get(label, label)
        if label not in DROPPED:
            cats[label] = max(score, cats.get(label, score))
    doc.cats = cats
    return doc


def write_report(
    report: EvalReport, golds, preds, output_dir: Path, *, n_sample: int = 25
) -> dict[str, str]:
    """Write metrics.json, chart.png and (for NER) entities.html; RETURNS their paths."""
    import srsly

    from ..viz.evaluation import entities_html, plot_scores

    output_dir.mkdir(parents=True, exist_ok=True)
    files = {"metrics": str(output_dir / "metrics.json")}
    files["chart"] = str(plot_scores(report, output_dir / "chart.png"))
    if report.ner is not None:
        html = entities_html(golds[:n_sample], preds[:n_sample])
        (output_dir / "entities.html").write_text(html, encoding="utf-8")
        files["entities"] = str(output_dir / "entities.html")
    report.files = files
    srsly.write_json(output_dir / "metrics.json", report.to_dict())
    return files
