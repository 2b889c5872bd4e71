import zipfile

import pytest
from io_helpers import read_strict_and_lenient

from nlpkit.io import Rejects, read_corpus, read_rejects, read_zip
from nlpkit.io.archive import is_safe_member


def make_zip(path, members):
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_each_member_one_doc_with_dir_labels(tmp_path):
    path = make_zip(
        tmp_path / "reviews.zip",
        {
            "reviews/pos/a.txt": "A joy from start to finish.\n",
            "reviews/neg/b.txt": "Two hours I will not get back.\n",
            "reviews/README": "about this corpus",
        },
    )
    records = list(read_corpus(path, members="*.txt", label_from_dir=True))
    assert [(r.id, r.cats) for r in records] == [
        ("reviews/pos/a.txt", {"pos": 1.0}),
        ("reviews/neg/b.txt", {"neg": 1.0}),
    ]
    assert records[0].text == "A joy from start to finish.\n"
    assert records[0].source == f"{path}:reviews/pos/a.txt"


def test_members_read_by_their_own_format(tmp_path):
    path = make_zip(
        tmp_path / "mixed.zip",
        {
            "a.jsonl": '{"text": "one"}\n{"text": "two"}\n',
            "b.iob": "Paris\tB-LOC\n\nRome\tB-LOC\n",
            "notes.txt": "line one\nline two\n",
        },
    )
    records = list(read_zip(path, member_format="auto"))
    assert [r.get_text() for r in records] == [
        "one",
        "two",
        "Paris",
        "Rome",
        "line one",
        "line two",
    ]
    assert records[2].id == "b.iob:1" and records[2].source == f"{path}:b.iob"


def test_zip_slip_members_are_never_read(tmp_path):
    path = make_zip(
        tmp_path / "evil.zip",
        {"ok.txt": "fine", "../escape.txt": "bad", "/etc/abs.txt": "bad"},
    )
    match = r"E016.*'\.\./escape\.txt'.*leaves the archive"
    records, entries = read_strict_and_lenient(read_zip, path, match)
    assert [r.text for r in records] == ["fine"]
    assert [e["raw"] for e in entries] == ["../escape.txt", "/etc/abs.txt"]
    assert all("leaves the archive root" in e["reason"] for e in entries)
    assert entries[0]["source"] == str(path)
    assert not (tmp_path / "escape.txt").exists()


@pytest.mark.parametrize(
    "name,safe",
    [
        ("a/b.txt", True),
        ("a/../b.txt", False),
        ("..", False),
        ("/abs", False),
        ("C:/x", False),
        ("..\\x", False),
        ("a..b.txt", True),
    ],
)
def test_is_safe_member(name, safe):
    assert is_safe_member(name) is safe


def test_bad_members_strict_and_lenient(tmp_path):
    path = make_zip(
        tmp_path / "bad.zip",
        {"good.txt": "hello", "bad.txt": b"caf\xe9\n", "empty.txt": "  \n"},
    )
    match = r"bad\.zip:bad\.txt:1: invalid UTF-8"
    records, entries = read_strict_and_lenient(read_zip, path, match)
    assert [r.text for r in records] == ["hello"]
    reasons = [(e["source"], e["reason"]) for e in entries]
    assert reasons[0] == (f"{path}:bad.txt", "invalid UTF-8 at byte 3 of the file")
    assert reasons[1][0] == f"{path}:empty.txt" and "empty" in reasons[1][1]


def test_rejects_inside_member_name_the_member(tmp_path):
    path = make_zip(tmp_path / "j.zip", {"d/x.jsonl": '{"text": "ok"}\n{broken\n'})
    with Rejects(tmp_path / "r.jsonl") as rejects:
        assert len(list(read_zip(path, member_format="jsonl", rejects=rejects))) == 1
    (entry,) = read_rejects(tmp_path / "r.jsonl")
    assert (entry["source"], entry["line"]) == (f"{path}:d/x.jsonl", 2)


def test_member_encoding_option(tmp_path):
    path = make_zip(tmp_path / "old.zip", {"a.txt": "café".encode("cp1252")})
    with Rejects() as rejects:
        assert list(read_zip(path, rejects=rejects)) == []
    assert rejects.count == 1
    (record,) = read_zip(path, encoding="cp1252")
    assert record.text == "café"
