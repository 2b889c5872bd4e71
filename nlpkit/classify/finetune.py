"""SetFit-style contrastive fine-tuning of a sentence-transformer on a few labelled texts.

The recipe of Tunstall et al. (2022), "Efficient Few-Shot Learning Without Prompts":
sample pairs of training texts (same label -> similarity 1.0, different -> 0.0), tune
the encoder with CosineSimilarityLoss (or another pair loss: `loss`) for an epoch or
few, then fit a linear head on the tuned embeddings (the caller does that: see
LinearClassifier).

Multilabel data: two texts form a positive pair when their label sets share at least
one label (or both are empty), a negative pair when they share none, as SetFit does.

The loop is a plain torch loop around sentence-transformers' CosineSimilarityLoss (the
optimizer, weight decay, warm-up and clipping of its legacy `fit`): `model.fit` and
`SentenceTransformerTrainer` need the `datasets` package and write checkpoints.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Collection, Hashable, Sequence
from dataclasses import dataclass

import numpy as np

from ..errors import Errors, check_settings

logger = logging.getLogger("nlpkit")


@dataclass
class FinetuneStats:
    """What a fine-tuning run did: pairs, steps, mean loss per epoch, seconds."""

    n_pairs: int
    n_positive: int
    steps: int
    epoch_losses: list[float]
    seconds: float


def _label_sets(labels: Sequence, exclusive: bool) -> list[frozenset]:
    if exclusive:
        return [frozenset([label]) for label in labels]
    return [frozenset(label_set) for label_set in labels]


def _incidence(sets: list[frozenset]) -> np.ndarray:
    names = sorted({label for label_set in sets for label in label_set}, key=str)
    column = {name: k for k, name in enumerate(names)}
    M = np.zeros((len(sets), len(names)), dtype=np.int32)
    for i, label_set in enumerate(sets):
        for label in label_set:
            M[i, column[label]] = 1
    return M


def _partners(M: np.ndarray, i: int) -> tuple[np.ndarray, np.ndarray]:
    """Positive and negative partners of text i (never i itself)."""
    empty = M.sum(axis=1) == 0
    shared = (M @ M[i]) > 0
    if empty[i]:
        shared = empty.copy()
    others = np.arange(M.shape[0]) != i
    return np.flatnonzero(shared & others), np.flatnonzero(~shared & others)


def _check_exclusive(sets: list[frozenset]) -> None:
    counts: dict[Hashable, int] = {}
    for label_set in sets:
        (label,) = label_set
        counts[label] = counts.get(label, 0) + 1
    if len(counts) < 2:
        raise ValueError(
            Errors.E216.format(n=len(sets), labels=sorted(map(str, counts)))
        )
    single = sorted(str(label) for label, count in counts.items() if count < 2)
    if single:
        raise ValueError(Errors.E215.format(labels=single))


def make_pairs(
    labels: Sequence[Hashable] | Sequence[Collection[str]],
    n_pairs: int,
    *,
    exclusive: bool = True,
    seed: int = 0,
) -> list[tuple[int, int, float]]:
    """Sample contrastive pairs: n_pairs per text, half positive and half negative.

    labels (Sequence): one label per text (exclusive), or one label set per text.
    n_pairs (int): pairs per text (>= 2): n_pairs // 2 positive, the rest negative.
    exclusive (bool): whether labels holds single labels or label sets.
    seed (int): seed of the sampling.
    RETURNS (list[tuple[int, int, float]]): (anchor index, partner index, 1.0 or 0.0),
        shuffled.
    """
    if n_pairs < 2:
        raise ValueError(Errors.E218.format(name="n_pairs", value=n_pairs, rule=">= 2"))
    sets = _label_sets(labels, exclusive)
    if exclusive:
        _check_exclusive(sets)
    M = _incidence(sets)
    rng = np.random.default_rng(seed)
    n_pos = n_pairs // 2
    pairs = []
    for i in range(len(sets)):
        positive, negative = _partners(M, i)
        for kind, pool in (("positive", positive), ("negative", negative)):
            if not pool.size:
                raise ValueError(
                    Errors.E217.format(index=i, labels=sorted(sets[i]), kind=kind)
                )
        for j in rng.choice(positive, size=n_pos, replace=True):
            pairs.append((i, int(j), 1.0))
        for j in rng.choice(negative, size=n_pairs - n_pos, replace=True):
            pairs.append((i, int(j), 0.0))
    order = rng.permutation(len(pairs))
    return [pairs[k] for k in order]


# pair losses of sentence-transformers that take (text, text, 1.0 or 0.0) batches
LOSSES = {
    "cosine": "CosineSimilarityLoss",
    "cosent": "CoSENTLoss",
    "angle": "AnglELoss",
    "contrastive": "OnlineContrastiveLoss",
}


def check_finetune_settings(
    epochs: int,
    n_pairs: int,
    learning_rate: float,
    batch_size: int,
    loss: str = "cosine",
) -> None:
    """Raise E218 for a fine-tuning setting out of range."""
    check_settings(
        Errors.E218,
        (
            ("loss", loss, loss in LOSSES, f"one of {sorted(LOSSES)}"),
            ("epochs", epochs, epochs >= 1, ">= 1"),
            ("n_pairs", n_pairs, n_pairs >= 2, ">= 2"),
            ("learning_rate", learning_rate, learning_rate > 0, "> 0"),
            ("batch_size", batch_size, batch_size >= 1, ">= 1"),
        ),
    )


def finetune_sentence_transformer(
    model,
    texts: Sequence[str],
    labels: Sequence[Hashable] | Sequence[Collection[str]],
    *,
    exclusive: bool = True,
    epochs: int = 1,
    n_pairs: int = 20,
    learning_rate: float = 2e-5,
    batch_size: int = 16,
    warmup_ratio: float = 0.1,
    weight_decay: float = 0.01,
    max_grad_norm: float = 1.0,
    loss: str = "cosine",
    seed: int = 0,
) -> FinetuneStats:
    """Tune a SentenceTransformer in place on contrastive pairs of labelled texts.

    model (SentenceTransformer): the encoder; changed in place, left in eval mode.
    texts (Sequence[str]): the training texts.
    labels (Sequence): one label per text (exclusive) or one label set per text.
    exclusive (bool): whether labels holds single labels or label sets.
    epochs (int): passes over the sampled pairs.
    n_pairs (int): pairs sampled per text (half positive, half negative).
    learning_rate (float): peak AdamW learning rate.
    batch_size (int): pairs per step.
    warmup_ratio (float): share of the steps with a linear learning-rate warm-up;
        the rate then decays linearly to zero.
    weight_decay (float): AdamW weight decay (not on biases and LayerNorm).
    max_grad_norm (float): gradient clipping.
    loss (str): "cosine" (SetFit's CosineSimilarityLoss), "cosent", "angle" or
        "contrastive" (online contrastive: hard pairs of each batch only).
    seed (int): seeds the pairs, their order and dropout; the same seed, data and
        thread count give the same model on CPU.
    RETURNS (FinetuneStats): pairs, steps, mean loss per epoch, seconds.
    """
    import torch
    from sentence_transformers.sentence_transformer import losses
    from sentence_transformers.util import batch_to_device

    texts = list(texts)
    if len(texts) != len(labels):
        raise ValueError(Errors.E219.format(n_texts=len(texts), n_labels=len(labels)))
    check_finetune_settings(epochs, n_pairs, learning_rate, batch_size, loss)
    pairs = make_pairs(labels, n_pairs, exclusive=exclusive, seed=seed)
    n_batches = math.ceil(len(pairs) / batch_size)
    total = epochs * n_batches
    warmup = int(total * warmup_ratio)

    def schedule(step: int) -> float:
        if step < warmup:
            return (step + 1) / (warmup + 1)
        return max(0.0, (total - step) / max(1, total - warmup))

    start = time.perf_counter()
    rng = np.random.default_rng(seed + 1)
    epoch_losses = []
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        loss_model = getattr(losses, LOSSES[loss])(model)
        no_decay = ("bias", "LayerNorm.bias", "LayerNorm.weight")
        named = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
        groups = [
            {
                "params": [p for n, p in named if not any(k in n for k in no_decay)],
                "weight_decay": weight_decay,
            },
            {
                "params": [p for n, p in named if any(k in n for k in no_decay)],
                "weight_decay": 0.0,
            },
        ]
        optimizer = torch.optim.AdamW(groups, lr=learning_rate)
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)
        model.train()
        try:
            for epoch in range(epochs):
                order = rng.permutation(len(pairs))
                batch_losses = []
                for b in range(n_batches):
                    batch = [
                        pairs[k] for k in order[b * batch_size : (b + 1) * batch_size]
                    ]
                    features = [
                        batch_to_device(
                            model.preprocess([texts[pair[side]] for pair in batch]),
                            model.device,
                        )
                        for side in (0, 1)
                    ]
                    target = torch.tensor(
                        [pair[2] for pair in batch], dtype=torch.float32
                    )
                    value = loss_model(features, target.to(model.device))
                    value.backward()
                    torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
                    optimizer.step()
                    scheduler.step()
                    optimizer.zero_grad()
                    batch_losses.append(float(value.detach()))
                epoch_losses.append(float(np.mean(batch_losses)))
                logger.info(
                    "fine-tune epoch %d/%d: %d pairs, mean loss %.4f",
                    epoch + 1,
                    epochs,
                    len(pairs),
                    epoch_losses[-1],
                )
        finally:
            model.eval()
            optimizer.zero_grad(set_to_none=True)
    return FinetuneStats(
        n_pairs=len(pairs),
        n_positive=sum(1 for pair in pairs if pair[2] == 1.0),
        steps=total,
        epoch_losses=epoch_losses,
        seconds=time.perf_counter() - start,
    )
