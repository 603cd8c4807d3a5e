"""Reliability of the app and its library: the failures issue 24 found in the web app, each turned into a test.

Deletes of linked reports, uploads and deletes while another build holds the index, a chat request carrying
thousands of questions, forged feedback, Gradio's upload store with uploads off, status lines, file names.
"""

import shutil

import pytest
from conftest import HONGQIAO

import qa

pytestmark = pytest.mark.reliability


# ---------------------------------------------------------------- deleting reports

def test_deleting_a_linked_report_removes_the_link_not_its_target(fake_model, tmp_path, monkeypatch):
    """Issue 24: with QA_FOLLOW_SYMLINKS=1, deleting `link.txt -> sub/real.txt` removed sub/real.txt (the path was
    resolved before unlinking) and left the link."""
    from qa.app.reports import Library, Refused

    monkeypatch.setenv("QA_FOLLOW_SYMLINKS", "1")
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    real = corpus / "sub" / "real.txt"
    shutil.copy(HONGQIAO, real)
    (corpus / "link.txt").symlink_to("sub/real.txt")
    library = Library(corpus, index=tmp_path / "index")
    kb = qa.build(corpus, tmp_path / "index", progress=False)
    assert sorted(d.source for d in kb.documents) == ["link.txt", "sub/real.txt"]
    kb = library.delete("link.txt", kb)
    assert not (corpus / "link.txt").is_symlink() and real.is_file()
    assert [d.source for d in kb.documents] == ["sub/real.txt"]
    for outside in ("../index/CURRENT", str(real), "sub/../../corpus/sub/real.txt"):
        with pytest.raises(Refused, match="报告文件夹里"):
            library.entry(outside)
    assert real.is_file()
