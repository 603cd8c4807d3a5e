"""Data kept on disk between processes (qa.reading.derived): equal to what it is derived from, made again when
damaged, and never needed: an unwritable folder only costs the time."""

import os
import subprocess
import sys

from conftest import ROOT
from qa.reading.derived import stored


def test_stored_data_is_made_once_kept_and_made_again_when_damaged(tmp_path, monkeypatch):
    monkeypatch.setenv("QA_CACHE", str(tmp_path / "cache"))
    made = []

    def make() -> bytes:
        made.append(1)
        return b"12345"

    def read(data: bytes) -> int:
        if len(data) != 5:
            raise ValueError("cut off")
        return int(data)

    assert stored("number", ("v1",), make, read) == 12345
    assert stored("number", ("v1",), make, read) == 12345
    assert len(made) == 1
    (kept,) = (tmp_path / "cache").iterdir()
    kept.write_bytes(b"12")  # a damaged file
    assert stored("number", ("v1",), make, read) == 12345 and len(made) == 2
    assert kept.read_bytes() == b"12345"
    assert stored("number", ("v2",), make, read) == 12345 and len(made) == 3  # other sources: another file
    assert len(list((tmp_path / "cache").iterdir())) == 2


def test_an_unwritable_cache_folder_costs_only_the_time(tmp_path, monkeypatch):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("QA_CACHE", str(blocked / "cache"))
    assert stored("number", ("v1",), lambda: b"7", int) == 7


_JIEBA = """
import jieba, sys
from qa.retrieval.tokens import dictionary, load_jieba
from qa.retrieval.postags import load_posseg
load_jieba()
posseg = load_posseg()
frequencies, total = jieba.Tokenizer.gen_pfdict(jieba.dt.get_dict_file())
print(jieba.dt.FREQ == frequencies, jieba.dt.total == total, jieba.dt.FREQ is dictionary().frequencies)
print(posseg.dt.word_tag_tab == posseg.POSTokenizer(jieba.dt).word_tag_tab)
print(" ".join(f"{w}/{t}" for w, t in posseg.lcut("行政复议机构维持13宗，纠错率为8.5%")))
print(" ".join(jieba.lcut_for_search("天津市红桥区人民政府法治政府建设")))
"""


def test_jiebas_dictionary_and_tags_equal_jiebas_own(tmp_path):
    """Just derived (first run) or read from qa's cache file (second), jieba cuts and tags as it does alone."""
    env = {"PYTHONPATH": str(ROOT), "QA_CACHE": str(tmp_path / "cache"), "PATH": os.environ.get("PATH", "")}
    alone = subprocess.run([sys.executable, "-c", "import jieba, jieba.posseg as p;"
                            "print(' '.join(f'{w}/{t}' for w, t in p.lcut('行政复议机构维持13宗，纠错率为8.5%')));"
                            "print(' '.join(jieba.lcut_for_search('天津市红桥区人民政府法治政府建设')))"],
                           capture_output=True, text=True, cwd=tmp_path, check=True, timeout=300,
                           env={"PATH": os.environ.get("PATH", "")})
    for run in ("derived", "read back"):
        result = subprocess.run([sys.executable, "-c", _JIEBA], capture_output=True, text=True, cwd=ROOT, env=env,
                                timeout=300)
        assert result.returncode == 0, (run, result.stderr[-2000:])
        assert len(list((tmp_path / "cache").glob("jieba-dictionary-*.bin"))) == 1
        same, tags, tagged, cut = result.stdout.strip().splitlines()
        assert same == "True True True" and tags == "True", run
        assert [tagged, cut] == alone.stdout.strip().splitlines(), run


def test_the_gazetteer_read_back_equals_jionlps(tmp_path, monkeypatch):
    from qa.reading import places

    monkeypatch.setenv("QA_CACHE", str(tmp_path))
    derived = places._gazetteer()
    places.gazetteer.cache_clear()
    try:
        first = places.gazetteer()  # made and kept
        places.gazetteer.cache_clear()
        again = places.gazetteer()  # read back
    finally:
        places.gazetteer.cache_clear()
    assert first == again == derived and list(again) == list(derived)
    assert all(isinstance(chain, tuple) for chains in again.values() for chain in chains)
    assert again["江西"] == [("江西省",)]
