"""Model architectures for the tok2vec slot of spaCy components."""

from __future__ import annotations

from collections.abc import Callable

from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import Model
from thinc.types import Floats2d

from ..errors import Errors, check_settings


@registry.architectures("nlpkit.ConcatTok2Vec.v1")
def concat_tok2vec(
    *tok2vecs: Model[list[Doc], list[Floats2d]],
) -> Model[list[Doc], list[Floats2d]]:
    """Join the token vectors of several tok2vec models side by side.

    The main use is a transformer listener next to a small hash-embedding CNN
    over the token's shape, prefix and suffix: an uncased transformer (MiniLM
    lowercases its input) then still sees capitalisation, which NER needs.
    In a config, give the parts as `[...tok2vec.*.name]` blocks.
    """
    n = len(tok2vecs)
    check_settings(
        Errors.E313,
        (("nlpkit.ConcatTok2Vec.v1", n, n >= 2, "given two or more tok2vec models"),),
    )
    return Model(
        "concat_tok2vec",
        _forward,
        init=_init,
        layers=list(tok2vecs),
        dims={"nO": None},
    )


def _init(
    model: Model, X: list[Doc] | None = None, Y: list[Floats2d] | None = None
) -> None:
    for layer in model.layers:
        layer.initialize(X=X)
    if all(layer.has_dim("nO") for layer in model.layers):
        model.set_dim("nO", sum(layer.get_dim("nO") for layer in model.layers))


def _forward(
    model: Model, docs: list[Doc], is_train: bool
) -> tuple[list[Floats2d], Callable]:
    # thinc's concatenate cannot be used: spacy-transformers gives an empty doc
    # an array of width 0, which breaks a column-wise join
    results = [layer(docs, is_train) for layer in model.layers]
    widths = [_width(layer, Ys) for layer, (Ys, _) in zip(model.layers, results)]
    empty = [model.ops.alloc2f(0, width) for width in widths]
    outputs = [
        model.ops.xp.hstack([Ys[i] for Ys, _ in results] if len(doc) else empty)
        for i, doc in enumerate(docs)
    ]

    def backprop(d_outputs: list[Floats2d]) -> list[Doc]:
        start = 0
        for (Ys, get_d_docs), width in zip(results, widths):
            d_part = [
                model.ops.as_contig(dY[:, start : start + width])
                if len(doc)
                else model.ops.alloc2f(*Y.shape)
                for doc, dY, Y in zip(docs, d_outputs, Ys)
            ]
            get_d_docs(d_part)
            start += width
        return []

    return outputs, backprop


def _width(layer: Model, Ys: list[Floats2d]) -> int:
    if layer.has_dim("nO"):
        return layer.get_dim("nO")
    return max((Y.shape[1] for Y in Ys if Y.shape[0]), default=0)
