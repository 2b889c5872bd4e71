"""nlpkit.ConcatTok2Vec.v1: token vectors of several tok2vec models side by side."""

import numpy as np
import pytest
import spacy
from spacy.training import Example
from spacy.util import registry
from thinc.api import Config


def part(width, attrs, rows):
    """A small CNN tok2vec: hash embeddings of attrs, one maxout window layer."""
    return {
        "@architectures": "spacy.Tok2Vec.v2",
        "embed": {
            "@architectures": "spacy.MultiHashEmbed.v2",
            "width": width,
            "attrs": attrs,
            "rows": rows,
            "include_static_vectors": False,
        },
        "encode": {
            "@architectures": "spacy.MaxoutWindowEncoder.v2",
            "width": width,
            "depth": 1,
            "window_size": 1,
            "maxout_pieces": 2,
        },
    }


SURFACE = part(16, ["NORM", "SHAPE"], [200, 50])
NER_CONFIG = {
    "model": {
        "@architectures": "spacy.TransitionBasedParser.v2",
        "state_type": "ner",
        "extra_state_tokens": False,
        "hidden_width": 32,
        "maxout_pieces": 2,
        "use_upper": True,
        "tok2vec": {
            "@architectures": "nlpkit.ConcatTok2Vec.v1",
            "*": {
                "norm": part(16, ["NORM"], [200]),
                "shape": part(8, ["SHAPE", "PREFIX"], [50, 50]),
            },
        },
    }
}

TRAIN = [
    ("Alice Smith lives in Paris", [(0, 11, "PER"), (21, 26, "LOC")]),
    ("Google hired Bob in London", [(0, 6, "ORG"), (13, 16, "PER"), (20, 26, "LOC")]),
    ("nothing to see here", []),
]


def ents(doc):
    return [(e.start_char, e.end_char, e.label_) for e in doc.ents]


def build(parts):
    return registry.resolve(
        Config({"m": {"@architectures": "nlpkit.ConcatTok2Vec.v1", **parts}})
    )["m"]


def test_width_is_the_sum_and_gradients_reach_every_part():
    nlp = spacy.blank("en")
    wide = part(24, ["NORM", "SHAPE"], [200, 50])
    model = build({"*": {"a": SURFACE, "b": wide}})
    docs = [nlp("Alice lives in Paris"), nlp("x"), nlp("")]
    model.initialize(X=docs)
    assert model.get_dim("nO") == 40
    vectors, backprop = model.begin_update(docs)
    assert [v.shape for v in vectors] == [(4, 40), (1, 40), (0, 40)]
    assert np.allclose(vectors[0][:, :16], model.layers[0].predict(docs)[0])
    assert np.allclose(vectors[0][:, 16:], model.layers[1].predict(docs)[0])
    backprop([np.ones_like(v) for v in vectors])
    for layer in model.layers:
        grads = [
            node.get_grad(name)
            for node in layer.walk()
            for name in node.param_names
            if node.has_grad(name)
        ]
        assert grads and any(np.abs(g).sum() > 0 for g in grads)


def test_needs_two_parts():
    with pytest.raises(ValueError, match="E313.*two or more"):
        build({"*": {"a": SURFACE}})


def test_ner_lifecycle(tmp_path):
    """Train a NER on ConcatTok2Vec until the loss is near zero, save, load."""
    nlp = spacy.blank("en")
    ner = nlp.add_pipe("ner", config=NER_CONFIG)
    examples = [Example.from_dict(nlp.make_doc(t), {"entities": e}) for t, e in TRAIN]
    nlp.initialize(lambda: examples)
    optimizer = nlp.create_optimizer()
    for _ in range(150):
        losses = {}
        nlp.update(examples, sgd=optimizer, drop=0.0, losses=losses)
    assert losses["ner"] < 0.1
    texts = [t for t, _ in TRAIN] + [""]
    expected = [ents(d) for d in nlp.pipe(texts)]
    assert expected[:3] == [sorted(e) for _, e in TRAIN]
    assert expected == [ents(nlp(t)) for t in texts]
    nlp.to_disk(tmp_path / "p")
    loaded = spacy.load(tmp_path / "p")
    assert (
        loaded.get_pipe("ner").model.get_ref("tok2vec").name
        == ner.model.get_ref("tok2vec").name
    )
    assert [ents(d) for d in loaded.pipe(texts)] == expected
    scores = loaded.evaluate(examples)
    assert scores["ents_f"] == 1.0 and "ents_per_type" in scores
