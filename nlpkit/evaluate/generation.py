"""Scores for generated text (ROUGE, BLEU, a cross-encoder judge) and LLM task output.

ROUGE comes from Google's rouge-score and BLEU from sacrebleu, the reference
implementations, so figures compare with published ones.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

from ..errors import Errors

ROUGE_TYPES = ("rouge1", "rouge2", "rougeL", "rougeLsum")
METRICS = ("rouge", "bleu", "judge", "accuracy", "spans")


class Judge(Protocol):
    """Scores (question or reference, answer) pairs; nlpkit.retrieval.judge.CrossEncoderJudge."""

    def score(self, pairs: list[tuple[str, str]]) -> list[float]: ...


def _check_lengths(predictions: Sequence, references: Sequence) -> None:
    if len(predictions) != len(references):
        raise ValueError(
            Errors.E413.format(
                path="<in memory>",
                reason=f"{len(predictions)} predictions but {len(references)} references",
            )
        )


def rouge_scores(
    predictions: Sequence[str],
    references: Sequence[str],
    *,
    rouge_types: Sequence[str] = ROUGE_TYPES,
    use_stemmer: bool = False,
) -> dict[str, dict[str, float]]:
    """Mean ROUGE precision, recall and F1 over prediction/reference pairs.

    rougeLsum treats newlines as sentence breaks, as in the rouge-score package.
    RETURNS (dict): rouge type -> {"precision", "recall", "fmeasure"}.
    """
    from rouge_score import rouge_scorer

    _check_lengths(predictions, references)
    scorer = rouge_scorer.RougeScorer(list(rouge_types), use_stemmer=use_stemmer)
    totals = {t: Counter() for t in rouge_types}
    for pred, ref in zip(predictions, references):
        for t, s in scorer.score(ref, pred).items():
            totals[t].update(
                {"precision": s.precision, "recall": s.recall, "fmeasure": s.fmeasure}
            )
    n = max(len(predictions), 1)
    return {t: {k: v / n for k, v in c.items()} for t, c in totals.items()}


def bleu_score(
    predictions: Sequence[str], references: Sequence[str]
) -> dict[str, float]:
    """Corpus BLEU by sacrebleu (13a tokenization), one reference per prediction.

    RETURNS (dict): "bleu" (0-100), "bp" (brevity penalty) and the n-gram precisions.
    """
    import sacrebleu

    _check_lengths(predictions, references)
    result = sacrebleu.corpus_bleu(list(predictions), [list(references)])
    out = {"bleu": result.score, "bp": result.bp}
    for n, p in enumerate(result.precisions, 1):
        out[f"precision_{n}"] = p
    return out


def accuracy(predictions: Sequence[Any], references: Sequence[Any]) -> float:
    """The share of predictions equal to their reference (labels)."""
    _check_lengths(predictions, references)
    if not predictions:
        return 0.0
    return sum(p == r for p, r in zip(predictions, references)) / len(predictions)


def span_prf(
    predictions: Sequence[Iterable[tuple]], references: Sequence[Iterable[tuple]]
) -> dict[str, Any]:
    """Micro precision/recall/F1 of exact (start, end, label) spans, and per label.

    RETURNS (dict): "p", "r", "f" and "per_label" -> {label: {"p", "r", "f"}}.
    """
    _check_lengths(predictions, references)
    tp, fp, fn = Counter(), Counter(), Counter()
    for pred, gold in zip(predictions, references):
        pred_set = {tuple(s) for s in pred}
        gold_set = {tuple(s) for s in gold}
        for s in pred_set & gold_set:
            tp[s[-1]] += 1
        for s in pred_set - gold_set:
            fp[s[-1]] += 1
        for s in gold_set - pred_set:
            fn[s[-1]] += 1

    def prf(t, p_, n_):
        p = t / (t + p_) if t + p_ else 0.0
        r = t / (t + n_) if t + n_ else 0.0
        return {"p": p, "r": r, "f": 2 * p * r / (p + r) if p + r else 0.0}

    labels = sorted(set(tp) | set(fp) | set(fn))
    out = prf(sum(tp.values()), sum(fp.values()), sum(fn.values()))
    out["per_label"] = {lab: prf(tp[lab], fp[lab], fn[lab]) for lab in labels}
    return out


def doc_metrics(pred_docs: Sequence, gold_docs: Sequence) -> dict[str, Any]:
    """NER and textcat scores of LLM-annotated docs against gold docs (spaCy Scorer).

    RETURNS (dict): ents_p/r/f and cats accuracy (the top label equals the gold top label).
    """
    _check_lengths(pred_docs, gold_docs)
    pred_ents = [
        [(e.start_char, e.end_char, e.label_) for e in d.ents] for d in pred_docs
    ]
    gold_ents = [
        [(e.start_char, e.end_char, e.label_) for e in d.ents] for d in gold_docs
    ]
    spans = span_prf(pred_ents, gold_ents)
    out: dict[str, Any] = {
        "ents_p": spans["p"],
        "ents_r": spans["r"],
        "ents_f": spans["f"],
    }
    pairs = [(p.cats, g.cats) for p, g in zip(pred_docs, gold_docs) if g.cats]
    if pairs:
        out["cats_accuracy"] = accuracy(
            [max(p, key=p.get) if p else None for p, _ in pairs],
            [max(g, key=g.get) for _, g in pairs],
        )
    return out


def judge_scores(
    judge: Judge, queries: Sequence[str], answers: Sequence[str]
) -> dict[str, float]:
    """Mean and share >= 0.5 of a cross-encoder judge's scores for (query, answer) pairs."""
    _check_lengths(answers, queries)
    scores = list(judge.score(list(zip(queries, answers)))) if answers else []
    n = max(len(scores), 1)
    return {
        "judge_mean": sum(scores) / n,
        "judge_pass": sum(s >= 0.5 for s in scores) / n,
    }


def evaluate_generation(
    predictions: Sequence[str],
    references: Sequence[str],
    *,
    metrics: Sequence[str] = ("rouge", "bleu"),
    queries: Sequence[str] | None = None,
    judge: Judge | None = None,
    use_stemmer: bool = False,
) -> dict[str, float]:
    """The chosen metrics as one flat dict (e.g. rouge1_f, bleu, judge_mean, accuracy).

    queries / judge: for "judge", each answer is scored against its query (or its
    reference when no queries are given).
    """
    for m in metrics:
        if m not in METRICS:
            raise ValueError(Errors.E412.format(name=m, known=", ".join(METRICS)))
    out: dict[str, float] = {"n": float(len(predictions))}
    if "rouge" in metrics:
        for t, s in rouge_scores(
            predictions, references, use_stemmer=use_stemmer
        ).items():
            out[f"{t}_p"], out[f"{t}_r"], out[f"{t}_f"] = (
                s["precision"],
                s["recall"],
                s["fmeasure"],
            )
    if "bleu" in metrics:
        out["bleu"] = bleu_score(predictions, references)["bleu"]
    if "accuracy" in metrics:
        out["accuracy"] = accuracy(
            [normalize_label(p) for p in predictions],
            [normalize_label(r) for r in references],
        )
    if "judge" in metrics:
        if judge is None:
            raise ValueError(
                Errors.E412.format(
                    name="judge (no judge model given)", known=", ".join(METRICS)
                )
            )
        out.update(judge_scores(judge, list(queries or references), predictions))
    return out


def normalize_label(value: Any) -> str:
    return str(value).strip().strip(".!").lower()


def read_pairs(
    path: str | Path, pred_field: str, ref_field: str, query_field: str | None = None
):
    """Predictions, references (and queries) from a JSONL file; RETURNS three lists."""
    import srsly

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(Errors.E001.format(path=path))
    preds, refs, queries = [], [], []
    for i, row in enumerate(srsly.read_jsonl(path), 1):
        missing = [
            f for f in (pred_field, ref_field, query_field) if f and f not in row
        ]
        if missing:
            raise ValueError(
                Errors.E413.format(
                    path=f"{path}:{i}", reason=f"missing field(s) {missing}"
                )
            )
        preds.append("" if row[pred_field] is None else str(row[pred_field]))
        refs.append(str(row[ref_field]))
        if query_field:
            queries.append(str(row[query_field]))
    return preds, refs, queries or None
