import subprocess
import sys

from conftest import ROOT

from qa.retrieval.postags import shared_tag_table


def fresh(text: str) -> str:
    """`text` as a new string object, as jieba reads its words from a file (literals are shared)."""
    return "".join(list(text))


def test_shared_tag_table_is_equal_and_holds_the_dictionarys_strings():
    words = {fresh("政府"): 5, fresh("改革"): 3, "改": 0}
    tags = {fresh("政府"): fresh("nt"), fresh("改革"): fresh("vn"), fresh("外词"): fresh("nt")}
    shared = shared_tag_table(tags, words)
    assert shared == tags
    by_word = {word: word for word in words}
    assert all(word is by_word[word] for word in shared if word in words)
    assert shared["政府"] is shared["外词"]  # one string per tag
    assert "改" not in shared  # a dictionary prefix is not a word with a tag


def test_asking_tags_with_the_dictionarys_strings_and_the_same_tags(kb):
    """A fresh process answering a question holds one copy of jieba's words, and posseg's tags are unchanged."""
    code = ("import sys, qa; kb = qa.load(sys.argv[1]); kb.ask('行政复议维持多少宗');"
            "import jieba, jieba.posseg as posseg;"
            "table = posseg.dt.word_tag_tab; held = {id(word) for word in jieba.dt.FREQ};"
            "print(all(id(word) in held for word in table));"
            "print(table == posseg.POSTokenizer(jieba.dt).word_tag_tab)")
    env = {"PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "PATH": ""}
    result = subprocess.run([sys.executable, "-c", code, str(kb.store.path)], check=False, capture_output=True,
                            text=True, cwd=ROOT, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["True", "True"]
