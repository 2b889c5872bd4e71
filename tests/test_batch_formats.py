"""Parquet and DocBin output, shard by shard."""

import spacy
from batch_components import write_corpus
from spacy.tokens import DocBin

import nlpkit
from nlpkit.batch import iter_output


def test_parquet_output_matches_jsonl(tmp_path):
    corpus = write_corpus(tmp_path / "c.jsonl", 30)
    nlp = spacy.blank("en")
    attrs = ["text", "tokens"]
    nlpkit.process(nlp, corpus, tmp_path / "j", shard_size=8, attrs=attrs)
    summary = nlpkit.process(
        nlp, corpus, tmp_path / "p", shard_size=8, attrs=attrs, output_format="parquet"
    )
    assert summary.written == 30
    assert sorted(p.name for p in (tmp_path / "p").glob("docs-*")) == [
        f"docs-0000{i}.parquet" for i in range(4)
    ]
    assert list(iter_output(tmp_path / "p")) == list(iter_output(tmp_path / "j"))


def test_docbin_output_round_trips(tmp_path):
    corpus = write_corpus(tmp_path / "c.jsonl", 12, extra={4: "BOOM"})
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("batch_test_fail_on")
    out = tmp_path / "out"
    summary = nlpkit.process(nlp, corpus, out, shard_size=5, output_format="spacy")
    assert (summary.read, summary.written, summary.rejected) == (12, 11, 1)
    docs = [
        doc
        for path in sorted(out.glob("docs-*.spacy"))
        for doc in DocBin().from_disk(path).get_docs(nlp.vocab)
    ]
    assert len(docs) == 11
    assert docs[0].user_data["id"] == "d00000" and docs[4].user_data["id"] == "d00005"
    assert docs[0].has_annotation("SENT_START")
