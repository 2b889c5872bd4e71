"""Fine-tuning cross-encoder rerankers: labelled or self-made pairs, hard negatives."""

from __future__ import annotations

import json
import logging
import random
import re
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Errors, Warnings, check_settings
from ..io.records import place as make_place
from ..io.sources import iter_lines
from .store import as_documents

logger = logging.getLogger("nlpkit")
PAIR_MODES = ("auto", "title", "sentence", "ict")
LOSSES = ("bce", "listwise")
INFO_FILE = "nlpkit_reranker.json"
SENT_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\"'])|\n\s*\n")


@dataclass
class TrainingExample:
    """A query with one relevant passage and some non-relevant ones.

    positive_id (str | None): the positive's document id, so that mined negatives
        never include it; skip_ids: other ids never to use as negatives (e.g. the
        query's other relevant documents).
    """

    query: str
    positive: str
    negatives: list[str] = field(default_factory=list)
    positive_id: str | None = None
    skip_ids: list[str] = field(default_factory=list)


def examples_from_qrels(
    queries: Iterable[Any],
    qrels: dict[str, dict[str, int]],
    documents: Iterable[Any],
    *,
    min_grade: int = 1,
    max_positives: int | None = None,
) -> list[TrainingExample]:
    """Examples from judged queries: one per relevant document (best grades first).

    queries (Iterable): Records or (id, text) pairs; only judged ones are used.
    documents (Iterable): the collection (Records, dicts, (id, text) or Documents).
    RETURNS (list[TrainingExample]): with every judged document in skip_ids, so
        mining never turns a relevant document into a negative.
    """
    texts = {d.id: d.text for d in as_documents(documents, with_title=False)}
    examples = []
    for i, query in enumerate(queries):
        if isinstance(query, tuple):
            qid, text = str(query[0]), str(query[1])
        else:
            qid, text = str(query.id if query.id is not None else i), query.get_text()
        judged = qrels.get(qid, {})
        relevant = sorted(d for d, g in judged.items() if g > 0)
        ranked = sorted(
            (d for d, g in judged.items() if g >= min_grade and d in texts),
            key=lambda d: -judged[d],
        )
        for doc_id in ranked[:max_positives]:
            examples.append(TrainingExample(text, texts[doc_id], [], doc_id, relevant))
    return examples


def read_training_data(path: str | Path) -> list[TrainingExample]:
    """Read JSONL rows {"query", "positive", "negatives": [...]} (negatives optional).

    A row may give "positives" (a list) instead: one example per positive.
    RETURNS (list[TrainingExample]): the examples; a bad row raises naming file:line.
    """
    examples = []
    for line_no, line in iter_lines(path):
        if not line.strip():
            continue
        where = make_place(str(path), line_no)
        try:
            row = json.loads(line)
        except json.JSONDecodeError as err:
            raise ValueError(
                Errors.E309.format(place=where, reason=f"invalid JSON ({err})")
            ) from None
        if not isinstance(row, dict):
            raise ValueError(
                Errors.E309.format(place=where, reason="a row must be an object")
            )
        query = row.get("query")
        positives = row.get("positives") or (
            [row["positive"]] if row.get("positive") else []
        )
        negatives = row.get("negatives") or []
        if not isinstance(query, str) or not query.strip():
            raise ValueError(
                Errors.E309.format(place=where, reason="empty or missing 'query'")
            )
        if not positives or not all(
            isinstance(p, str) and p.strip() for p in positives
        ):
            raise ValueError(
                Errors.E309.format(
                    place=where, reason="missing 'positive' (or 'positives')"
                )
            )
        if not isinstance(negatives, list) or not all(
            isinstance(n, str) for n in negatives
        ):
            raise ValueError(
                Errors.E309.format(
                    place=where, reason="'negatives' must be a list of strings"
                )
            )
        for pos in positives:
            examples.append(
                TrainingExample(query, pos, list(negatives), row.get("positive_id"))
            )
    return examples


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in SENT_RE.split(text) if s and s.strip()]


def text_units(text: str, window: int = 15) -> list[str]:
    """Sentences, or windows of words for text without sentence punctuation."""
    sents = split_sentences(text)
    if len(sents) >= 2:
        return sents
    words = text.split()
    return [" ".join(words[i : i + window]) for i in range(0, len(words), window)]


def pairs_from_documents(
    documents: Iterable[Any],
    *,
    mode: str = "auto",
    max_pairs: int | None = None,
    min_query_words: int = 4,
    min_passage_words: int = 12,
    max_query_words: int = 40,
    keep_sentence: float = 0.1,
    window: int = 15,
    seed: int = 0,
) -> list[TrainingExample]:
    """Make (pseudo-query, passage) examples from raw documents, with no labels.

    mode (str): "title" (title -> body), "sentence" (a sentence -> its paragraph),
        "ict" (inverse cloze: a sentence -> its paragraph with that sentence removed,
        kept with probability keep_sentence), or "auto" (title when the document
        has one, plus one ICT example per document).
    max_pairs (int | None): stop after this many examples (documents are shuffled).
    window (int): for text without sentence punctuation, pseudo-sentences are
        windows of this many words.
    RETURNS (list[TrainingExample]): examples without negatives (mine them next).
    """
    if mode not in PAIR_MODES:
        raise ValueError(
            Errors.E307.format(what="pair mode", value=mode, known=PAIR_MODES)
        )
    rng = random.Random(seed)
    docs = as_documents(documents, with_title=False)
    rng.shuffle(docs)
    examples: list[TrainingExample] = []
    for doc in docs:
        body = doc.text.strip()
        title = str(doc.meta.get("title") or "").strip()
        if (
            mode in ("title", "auto")
            and title
            and len(body.split()) >= min_passage_words
        ):
            if len(title.split()) >= min(min_query_words, 2):
                examples.append(TrainingExample(title, body, [], doc.id))
        if mode in ("sentence", "ict", "auto"):
            units = text_units(body, window)
            sents = [
                u for u in units if min_query_words <= len(u.split()) <= max_query_words
            ]
            if len(units) < 2 or not sents:
                continue
            sent = rng.choice(sents)
            passage = body
            if mode != "sentence" and rng.random() >= keep_sentence:
                passage = " ".join(u for u in units if u != sent)
            if len(passage.split()) >= min_passage_words:
                examples.append(TrainingExample(sent, passage, [], doc.id))
        if max_pairs and len(examples) >= max_pairs:
            break
    if not examples:
        raise ValueError(Errors.E310.format(reason=f"no document gave a '{mode}' pair"))
    return examples[:max_pairs] if max_pairs else examples


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def mine_hard_negatives(
    examples: Sequence[TrainingExample],
    retriever: Any,
    *,
    n_negatives: int = 4,
    depth: int = 30,
    skip_top: int = 0,
    seed: int = 0,
) -> list[TrainingExample]:
    """Add negatives that a first-stage retriever (BM25 or dense) ranks high.

    Hits that are the positive (same id, or same text) are never negatives.
    skip_top (int): ignore the first few hits, which are likelier to be unlabelled
        positives; negatives are sampled from the rest of the top depth.
    RETURNS (list[TrainingExample]): new examples with up to n_negatives each.
    """
    rng = random.Random(seed)
    results = retriever.search_batch([e.query for e in examples], depth)
    mined = []
    for ex, hits in zip(examples, results):
        pos = _norm(ex.positive)
        skip = set(ex.skip_ids)
        taken = {_norm(n) for n in ex.negatives}
        pool = [
            h.text
            for h in hits[skip_top:]
            if h.text
            and h.id != ex.positive_id
            and h.id not in skip
            and _norm(h.text) != pos
            and pos not in _norm(h.text)
            and _norm(h.text) not in taken
        ]
        need = max(0, n_negatives - len(ex.negatives))
        picked = rng.sample(pool, min(need, len(pool)))
        mined.append(
            TrainingExample(
                ex.query,
                ex.positive,
                [*ex.negatives, *picked],
                ex.positive_id,
                list(ex.skip_ids),
            )
        )
    return mined


@dataclass
class TrainSummary:
    """What a training run did."""

    output: str
    base_model: str
    examples: int
    pairs: int
    steps: int
    epochs: int
    loss: str
    final_loss: float
    seconds: float
    device: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def check_train_settings(
    epochs: int,
    batch_size: int,
    learning_rate: float,
    max_length: int,
    n_negatives: int | None,
) -> None:
    """Raise E313 for a training setting out of range."""
    all_negatives = n_negatives is None or n_negatives >= 0
    check_settings(
        Errors.E025,
        (
            ("epochs", epochs, epochs >= 1, ">= 1"),
            ("batch_size", batch_size, batch_size >= 1, ">= 1"),
            ("learning_rate", learning_rate, learning_rate > 0, "> 0"),
            ("max_length", max_length, max_length >= 8, ">= 8"),
            ("n_negatives", n_negatives, all_negatives, ">= 0 (or None: all)"),
        ),
    )


def _with_negatives(
    examples: list[TrainingExample], n_negatives: int | None
) -> list[TrainingExample]:
    """The examples a listwise loss can use: those with at least one negative."""
    if n_negatives == 0:
        raise ValueError(
            Errors.E025.format(
                name="n_negatives with the listwise loss", rule=">= 1", value=0
            )
        )
    kept = [e for e in examples if e.negatives]
    if not kept:
        raise ValueError(Errors.E310.format(reason="listwise loss needs negatives"))
    if len(kept) < len(examples):
        warnings.warn(
            Warnings.W304.format(n=len(examples) - len(kept), total=len(examples)),
            UserWarning,
            stacklevel=3,
        )
    return kept


def train_reranker(
    examples: Sequence[TrainingExample],
    output_dir: str | Path,
    *,
    model: str | Path = "minilm",
    epochs: int = 1,
    batch_size: int = 8,
    learning_rate: float = 3e-5,
    max_length: int = 256,
    loss: str = "bce",
    n_negatives: int | None = None,
    warmup: float = 0.1,
    device: str | None = None,
    seed: int = 0,
    freeze_embeddings: bool = True,
    progress: Callable[[int, int, float], None] | None = None,
) -> TrainSummary:
    """Fine-tune a cross-encoder (one relevance logit) on examples and save it.

    model (str | Path): any BERT-style model folder or name; a model without a
        one-label head gets a new, untrained one.
    batch_size (int): examples (queries) per step; each brings its positive and
        negatives.
    loss (str): "bce" (each pair labelled 1/0; calibrated scores for thresholds and
        judging) or "listwise" (softmax over positive and negatives).
    n_negatives (int | None): negatives used per example (None: all given).
    freeze_embeddings (bool): keep the word embeddings fixed (faster on CPU, and
        less overfitting on small data).
    progress (callable | None): called with (step, total_steps, loss).
    RETURNS (TrainSummary): where the model went and how training went.
    """
    import torch

    from .models import pick_device
    from .rerank import load_cross_encoder

    if loss not in LOSSES:
        raise ValueError(Errors.E307.format(what="loss", value=loss, known=LOSSES))
    check_train_settings(epochs, batch_size, learning_rate, max_length, n_negatives)
    examples = [e for e in examples if e.query.strip() and e.positive.strip()]
    if not examples:
        raise ValueError(Errors.E310.format(reason="the example list is empty"))
    if loss == "listwise":
        examples = _with_negatives(examples, n_negatives)
    device = pick_device(device)
    torch.manual_seed(seed)
    rng = random.Random(seed)
    start = time.perf_counter()
    ce = load_cross_encoder(model, device=device, max_length=max_length, num_labels=1)
    if ce.num_labels != 1:
        raise ValueError(
            Errors.E025.format(
                name="the model's label count", rule="1", value=ce.num_labels
            )
        )
    ce.max_seq_length = max_length
    if freeze_embeddings:
        for name, param in ce.named_parameters():
            if "word_embeddings" in name:
                param.requires_grad_(False)
    params = [p for p in ce.parameters() if p.requires_grad]
    steps_per_epoch = (len(examples) + batch_size - 1) // batch_size
    total = steps_per_epoch * epochs
    optimizer = torch.optim.AdamW(params, lr=learning_rate, weight_decay=0.01)
    n_warm = int(total * warmup)

    def lr_lambda(step: int) -> float:
        if step < n_warm:
            return (step + 1) / (n_warm + 1)
        return max(0.0, (total - step) / max(1, total - n_warm))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)
    bce = torch.nn.BCEWithLogitsLoss()
    ce.train()
    step, n_pairs, last = 0, 0, float("nan")
    order = list(range(len(examples)))
    for _ in range(epochs):
        rng.shuffle(order)
        for b in range(0, len(order), batch_size):
            batch = [examples[i] for i in order[b : b + batch_size]]
            pairs, labels, groups = [], [], []
            for ex in batch:
                negs = (
                    ex.negatives[:n_negatives]
                    if n_negatives is not None
                    else ex.negatives
                )
                groups.append(1 + len(negs))
                pairs.append((ex.query, ex.positive))
                labels.append(1.0)
                for neg in negs:
                    pairs.append((ex.query, neg))
                    labels.append(0.0)
            features = ce.preprocess(pairs)
            features = {
                k: v.to(device) for k, v in features.items() if hasattr(v, "to")
            }
            logits = ce(features)["scores"].view(-1)
            if loss == "bce":
                value = bce(logits, torch.tensor(labels, device=logits.device))
            else:
                parts = [g for g in torch.split(logits, groups) if len(g) > 1]
                value = torch.stack(
                    [
                        torch.nn.functional.cross_entropy(
                            g[None], g.new_zeros(1, dtype=torch.long)
                        )
                        for g in parts
                    ]
                ).mean()
            value.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            step += 1
            n_pairs += len(pairs)
            last = float(value.detach())
            if progress is not None:
                progress(step, total, last)
            if step % 50 == 0:
                logger.info("rerank train: step %d/%d loss %.4f", step, total, last)
    ce.eval()
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    ce.save(str(output_dir))
    summary = TrainSummary(
        output=str(output_dir),
        base_model=str(model),
        examples=len(examples),
        pairs=n_pairs,
        steps=step,
        epochs=epochs,
        loss=loss,
        final_loss=last,
        seconds=round(time.perf_counter() - start, 2),
        device=device,
    )
    (output_dir / INFO_FILE).write_text(
        json.dumps({**summary.to_dict(), "max_length": max_length}, indent=2),
        encoding="utf-8",
    )
    return summary
