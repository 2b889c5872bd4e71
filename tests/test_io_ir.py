import re

import pytest
from io_helpers import read_strict_and_lenient, write

from nlpkit.errors import CorpusError
from nlpkit.io import Rejects, read_corpus
from nlpkit.io.ir import (
    load_collection,
    read_cranfield_docs,
    read_cranfield_qrels,
    read_cranfield_queries,
    read_qrels,
    read_trec_docs,
    read_trec_topics,
)

TREC_DOCS = """\
<DOC>
<DOCNO>d1</DOCNO>
thin films of   copper
on glass
</DOC>
<DOC><DOCNO> d2 </DOCNO><HEAD>Tidal power</HEAD>
<TEXT>
Energy from the tides.
</TEXT>
</DOC>
"""

TREC_TOPICS = """\
<top>
<num>1</num><title>
COPPER FILMS
</title>
</top>
<top>
<num> Number: 302
<title> Topic: tidal energy
<desc> Description:
Find documents on tidal power plants.
<narr> Narrative:
Relevant documents name a plant.
</top>
"""

CRAN_DOCS = """\
.I 1
.T
wing flutter .
.A
smith,j.
.B
j. ae. 1950.
.W
wing flutter .
a study of flutter in
thin wings .
.I 2
.T
.A
.B
.W
.I 3
.T
shock waves .
.W
shock waves .
"""

CRAN_QUERIES = (
    ".I 001\n.W\nwhat causes flutter .\n.I 004\n.W\nshock waves in nozzles .\n"
)


def test_trec_docs(tmp_path):
    path = write(tmp_path, "docs.trec", TREC_DOCS)
    first, second = read_corpus(path)
    assert (first.id, first.text) == ("d1", "thin films of copper\non glass")
    assert (second.id, second.text, second.meta) == (
        "d2",
        "Energy from the tides.",
        {"title": "Tidal power"},
    )
    assert second.line == 6


def test_trec_topics_with_and_without_closing_tags(tmp_path):
    path = write(tmp_path, "topics.trec", TREC_TOPICS)
    first, second = read_trec_topics(path)
    assert (first.id, first.text) == ("1", "COPPER FILMS")
    assert (second.id, second.text) == ("302", "tidal energy")
    assert second.meta["desc"] == "Find documents on tidal power plants."
    long = list(read_trec_topics(path, text_fields=("title", "desc")))
    assert long[1].text == "tidal energy Find documents on tidal power plants."


def test_trec_unclosed_doc_and_missing_docno(tmp_path):
    path = write(tmp_path, "bad.trec", "<DOC>\nno id here\n</DOC>\n<DOC>\n<DOCNO>x\n")
    match = r"bad\.trec:1: document without <DOCNO>"
    records, entries = read_strict_and_lenient(read_trec_docs, path, match)
    assert records == []
    reasons = [(e["line"], e["reason"]) for e in entries]
    assert reasons == [
        (1, "document without <DOCNO>"),
        (4, "<DOC> opened here is never closed"),
    ]


def test_qrels(tmp_path):
    path = write(tmp_path, "qrels", "1 0 d1 1\n1 0 d2 0\n2 0 d1 2\nbroken line\n")
    with pytest.raises(CorpusError, match=r"qrels:4: expected 'query iteration"):
        read_qrels(path)
    with Rejects() as rejects:
        qrels = read_qrels(path, rejects=rejects)
    assert qrels == {"1": {"d1": 1, "d2": 0}, "2": {"d1": 2}}
    assert rejects.count == 1


@pytest.mark.parametrize(
    "read,text,expected",
    [
        (
            read_trec_topics,
            "<top>\n<title> no num\n</top>\n<top>\n<num> Number: 5\n</top>\n",
            [(1, "topic without <num>"), (4, "topic 5 has no title text")],
        ),
        (
            read_cranfield_docs,
            "stray\n.I 1\n.W\nsome text\n",
            [(1, "text before the first .I line")],
        ),
        (read_cranfield_queries, ".I 7\n.W\n\n", [(1, "query .I 7 has no .W text")]),
        (
            read_cranfield_qrels,
            "1 2 1\n1 3 9\n1 x\n",
            [
                (2, "unknown relevance code 9"),
                (3, "expected 'query doc code' on the line"),
            ],
        ),
    ],
)
def test_bad_ir_records_name_their_line(tmp_path, read, text, expected):
    path = write(tmp_path, "bad", text)
    first_line, first_reason = expected[0]
    match = f"bad:{first_line}: {re.escape(first_reason)}"
    _, entries = read_strict_and_lenient(read, path, match)
    assert [(e["line"], e["reason"]) for e in entries] == expected


def test_cranfield(tmp_path):
    docs = list(read_cranfield_docs(write(tmp_path, "cran.all.1400", CRAN_DOCS)))
    assert [d.id for d in docs] == ["1", "2", "3"]
    assert docs[0].text == "wing flutter .\na study of flutter in\nthin wings ."
    assert docs[0].meta == {
        "title": "wing flutter .",
        "author": "smith,j.",
        "biblio": "j. ae. 1950.",
    }
    assert docs[1].text == ""  # empty in the collection itself; kept for the ids
    queries = list(read_cranfield_queries(write(tmp_path, "cran.qry", CRAN_QUERIES)))
    assert [(q.id, q.meta["qid"]) for q in queries] == [("1", "001"), ("2", "004")]
    qrels = read_cranfield_qrels(
        write(tmp_path, "cranqrel", "1 1 1\r\n1 3 -1\r\n2 3 4 \r\n2 1 3\n")
    )
    assert qrels == {"1": {"1": 4, "3": 0}, "2": {"3": 1, "1": 2}}


def test_load_collection_from_directory(tmp_path, monkeypatch):
    write(tmp_path, "cran.all.1400", CRAN_DOCS)
    write(tmp_path, "cran.qry", CRAN_QUERIES)
    write(tmp_path, "cranqrel", "1 1 2\n2 3 1\n2 9 1\n")
    collection = load_collection(tmp_path)
    assert (len(collection.docs), len(collection.queries)) == (3, 2)
    assert collection.unknown_ids() == {"queries": [], "docs": ["9"]}
    monkeypatch.setenv("NLPKIT_DATA_DIR", str(tmp_path))
    (tmp_path / "ir" / "mini").mkdir(parents=True)
    for name, text in [
        ("doc-text.trec", TREC_DOCS),
        ("query-text.trec", TREC_TOPICS),
        ("qrels", "1 0 d1 1\n"),
    ]:
        write(tmp_path / "ir" / "mini", name, text)
    trec = load_collection("mini")
    assert [d.id for d in trec.docs] == ["d1", "d2"] and trec.qrels == {"1": {"d1": 1}}
    with pytest.raises(CorpusError, match="E017"):
        load_collection("nope")


@pytest.mark.slow
@pytest.mark.parametrize(
    "name,n_docs,n_queries,n_judged",
    [("vaswani", 11429, 93, 2083), ("cranfield", 1400, 225, 1837)],
)
def test_real_collections(name, n_docs, n_queries, n_judged):
    from nlpkit.settings import data_dir

    if not (data_dir() / "ir" / name).is_dir():
        pytest.skip(f"{name} not under NLPKIT_DATA_DIR")
    collection = load_collection(name)
    assert (len(collection.docs), len(collection.queries)) == (n_docs, n_queries)
    assert sum(len(j) for j in collection.qrels.values()) == n_judged
    assert collection.unknown_ids() == {"queries": [], "docs": []}
