"""Reliability: the failures issue 16 found, each turned into a test.

Milvus writes killed at random points, full and read-only disks, symlinks out of the corpus,
a .docx bomb, `k` out of range, caches cleared under concurrent readers, Big5 files.
"""

import contextlib
import json
import logging
import os
import random
import shutil
import signal
import subprocess
import sys

import pytest
from conftest import ROOT

import qa
import qa.index

pytestmark = pytest.mark.reliability

# ---------------------------------------------------------------- Milvus writes killed at random points

# Each run: report what the collection answers now (left by the last, maybe killed, write), then write
# the corpus again, SIGKILLing itself at the `kill_at`-th Milvus call (before it, during it or after it).
_MILVUS_CHILD = r"""
import json, os, random, signal, sys, threading
sys.path.insert(0, sys.argv[5])
from conftest import HashEmbedder
import qa, qa.embedding
from qa.index import BadIndex

model = HashEmbedder()
qa.embedding.load_model = lambda name=None: model
corpus, uri, kill_at, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
words = json.loads(sys.argv[6])
try:
    kb = qa.load(store="milvus", uri=uri)
    answers = {}
    for word in words:
        hits = kb.search(word + "调解员", 1, mode="bm25")
        answers[word] = [hits[0].source, hits[0].text] if hits else None
    seen = {"documents": sorted(d.source for d in kb.documents), "answers": answers}
except BadIndex as err:
    seen = {"error": str(err)}
print(json.dumps(seen, ensure_ascii=False), flush=True)

from pymilvus import MilvusClient
rng, calls = random.Random(seed), 0
def counted(real):
    def call(self, *args, **kwargs):
        global calls
        calls += 1
        if calls == kill_at:
            how = rng.choice(["before", "during", "after"])
            if how == "before":
                os.kill(os.getpid(), signal.SIGKILL)
            if how == "during":
                threading.Timer(rng.uniform(0, 0.05), os.kill, (os.getpid(), signal.SIGKILL)).start()
            result = real(self, *args, **kwargs)
            if how == "after":
                os.kill(os.getpid(), signal.SIGKILL)
            return result
        return real(self, *args, **kwargs)
    return call
for name in ("insert", "create_collection", "drop_collection", "flush", "load_collection", "create_alias",
             "alter_alias", "query_iterator", "query"):
    setattr(MilvusClient, name, counted(getattr(MilvusClient, name)))
qa.build(corpus, store="milvus", uri=uri, progress=False)
print(json.dumps({"calls": calls}), flush=True)
"""

_WORDS = ["蓝鲸", "白鹭", "金雕", "赤狐", "雪豹", "麋鹿", "青鸾"]  # the last one: a report saved twice
_DISTRICTS = ["甲", "乙", "丙", "丁", "戊", "己", "庚"]


def _report(word: str, district: str, figure: int) -> str:
    return (f"{district}区2022年法治政府建设情况报告\n一、主要工作\n"
            f"{district}区全年新增{word}调解员{figure}名。\n"
            f"二、依法行政\n{district}区行政复议机构接收案件{len(word) * 7}宗，办结{len(district) + 3}宗。\n"
            f"三、下一步\n{district}区将继续推进法治政府建设，完善{word}制度。\n")


def _expected(files: dict[str, str]) -> dict:
    """What a complete write of `files` answers: the documents, and for each word who may hold it and its figure."""
    import re

    holders: dict[str, tuple[set, str]] = {}
    for name, text in files.items():
        word, figure = re.search(r"新增(\w\w)调解员(\d+)名", text).groups()
        holders.setdefault(word, (set(), figure))[0].add(name)
    return {"documents": sorted(files), "holders": holders}


def _matches(seen: dict, expected: dict) -> bool:
    if seen.get("documents") != expected["documents"] or set(seen["answers"]) != set(_WORDS):
        return False
    for word in _WORDS:
        answer = seen["answers"][word]
        holders, figure = expected["holders"].get(word, (set(), None))
        if figure is None:
            if answer and word in answer[1]:
                return False
        elif not answer or answer[0] not in holders or f"{word}调解员{figure}名" not in answer[1]:
            return False
    return True


def test_milvus_writes_killed_at_random_points_leave_the_previous_reports_answering(tmp_path):
    """At least 20 SIGKILLs during incremental writes: every time, the collection answers exactly as the
    last complete write left it (or as the killed write's own result, when the kill came after its switch)."""
    corpus, uri = tmp_path / "corpus", str(tmp_path / "m.db")
    corpus.mkdir()
    figures = {word: 10 + i for i, word in enumerate(_WORDS)}
    present = {word: True for word in _WORDS}
    pair = ("dup_a.txt", "dup_b.txt")

    def files() -> dict[str, str]:
        out = {f"{district}_{word}.txt": _report(word, district, figures[word])
               for word, district in zip(_WORDS[:-1], _DISTRICTS) if present[word]}
        for name in pair if present["青鸾"] else pair[1:]:
            out[name] = _report("青鸾", "庚", figures["青鸾"])
        return out

    def write_corpus() -> dict[str, str]:
        wanted = files()
        for path in corpus.iterdir():
            if path.name not in wanted:
                path.unlink()
        for name, text in wanted.items():
            if not (corpus / name).exists() or (corpus / name).read_text("utf-8") != text:
                (corpus / name).write_text(text, "utf-8")
        return wanted

    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}

    def run(kill_at: int, seed: int):
        command = [sys.executable, "-c", _MILVUS_CHILD, str(corpus), uri, str(kill_at), str(seed),
                   str(ROOT / "tests"), json.dumps(_WORDS, ensure_ascii=False)]
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
        lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
        if done.returncode not in (0, -signal.SIGKILL) or not lines:
            pytest.fail(f"write failed ({done.returncode}, kill at {kill_at}): {done.stderr[-6000:]}")
        return done.returncode == -signal.SIGKILL, lines

    complete = _expected(write_corpus())
    killed, lines = run(0, 0)
    assert not killed and "error" in lines[0]
    calls = lines[1]["calls"]
    rng = random.Random(16)
    possible = [complete]  # what the collection may answer now
    kills = rounds = 0
    while kills < 24:
        rounds += 1
        assert rounds < 80, "writes keep finishing before their kill point"
        change = rng.choice(["figure", "figure", "pair-original", "pair-figure", "delete-add"])
        if change == "figure":  # the case: one report changed
            word = rng.choice(_WORDS[:-1])
            figures[word] += 100
        elif change == "pair-original":  # the report kept of a pair goes (or comes back)
            present["青鸾"] = not present["青鸾"]
        elif change == "pair-figure":
            figures["青鸾"] += 100
        else:
            word = rng.choice(_WORDS[:-1])
            present[word] = not present[word]
        new = _expected(write_corpus())
        finish = rounds % 6 == 0  # now and then a write completes, so later kills start from new content
        killed, lines = run(0 if finish else rng.randint(1, calls + 5), rng.randrange(1 << 30))
        seen = lines[0]
        assert any(_matches(seen, state) for state in possible), (rounds, seen, possible)
        complete = next(state for state in possible if _matches(seen, state))
        if killed:
            kills += 1
            possible = [complete, new]  # a kill after the alias switch leaves the new content
        else:
            calls = max(calls, lines[-1]["calls"])
            possible = [new]
    killed, lines = run(0, 0)
    assert any(_matches(lines[0], state) for state in possible)
    _, lines = run(0, 0)  # the last write's result, and nothing left of the killed ones
    assert _matches(lines[0], new), lines[0]
    print(f"{kills} kills in {rounds} rounds")


def test_milvus_takes_control_characters_in_names_and_huge_titles(tmp_path, fake_model):
    """A file name with \\x01 and a page title of 75,000 characters aborted the Milvus build; FAISS took both."""
    from conftest import HONGQIAO

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(HONGQIAO, corpus / "红桥\x01区.txt")
    (corpus / "long.html").write_text("<html><h1>" + "很长的标题" * 15_000 + "</h1><p>某区2022年新增蓝鲸调解员77名。</p>"
                                      "</html>", "utf-8")
    kb = qa.build(corpus, store="milvus", uri=str(tmp_path / "m.db"), progress=False)
    assert sorted(d.source for d in kb.documents) == ["long.html", "红桥\x01区.txt"]
    assert kb.search("行政复议维持多少宗", 1, doc="红桥\x01区.txt")[0].source == "红桥\x01区.txt"
    assert kb.ask("新增蓝鲸调解员多少名").figure == "77名"
    assert next(d for d in kb.documents if d.source == "long.html").title.startswith("很长的标题")
    faiss_kb = qa.build(corpus, tmp_path / "index", progress=False)
    assert len(faiss_kb) == len(kb)


# ---------------------------------------------------------------- full disks, read-only and locked folders

@pytest.fixture
def tiny_disk(tmp_path):
    """A 1 MB tmpfs mounted for the test (root only); skipped where mounting is not allowed."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.decode().strip()}); the injected failures still run")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=True)


def _big_report(path, lines: int) -> None:
    path.write_text("某区2022年统计公报\n一、综合\n" + "\n".join(
        f"第{i}项指标全年完成{i * 13}万元，同比增长{i % 17}个百分点，涉及{i % 9}个街道。" for i in range(lines)), "utf-8")


def _unfinished(index) -> list[str]:
    return sorted(p.name for p in index.iterdir() if p.is_dir() and p.name.startswith(".gen-"))


def test_a_full_disk_is_one_line_leaves_nothing_and_the_old_index_answers(tiny_disk, fake_model, hongqiao_corpus,
                                                                           caplog, monkeypatch):
    from qa.index import IndexUnwritable, current_generation

    index = tiny_disk / "index"
    qa.build(hongqiao_corpus, index, progress=False)
    before = current_generation(index)
    _big_report(hongqiao_corpus / "big.txt", 8000)  # about 700 KB of text: more than the disk holds
    # The size check before writing, then the disk really filling up (the check switched off).
    checked = qa.index._check_space

    def estimate_only(*args):  # the estimate is made, the refusal skipped: the write itself fills the disk
        with contextlib.suppress(IndexUnwritable):
            checked(*args)

    for check in (True, False):
        if not check:
            monkeypatch.setattr(qa.index, "_check_space", estimate_only)
        with pytest.raises(IndexUnwritable) as failed:
            qa.build(hongqiao_corpus, index, progress=False)
        message = str(failed.value)
        assert "\n" not in message and str(index) in message and "MB needed" in message and "MB free" in message
        assert _unfinished(index) == [] and current_generation(index) == before
        assert [p.name for p in index.iterdir() if p.is_dir()] == [before.name]
    with caplog.at_level(logging.WARNING, logger="qa"):
        kb = qa.load(index, corpus=hongqiao_corpus, rebuild=True)  # what qa.search and app.py do at startup
    assert "is stale" in caplog.text and "last complete build" in caplog.text
    assert kb.ask("行政复议维持多少宗").figure == "13宗"
    (hongqiao_corpus / "big.txt").unlink()
    _big_report(hongqiao_corpus / "small.txt", 100)  # once the report that did not fit goes, builds work again
    assert len(qa.build(hongqiao_corpus, index, progress=False).documents) == 2


def test_a_full_disk_when_faiss_writes_is_one_line_and_cleaned_up(fake_model, hongqiao_corpus, tmp_path, monkeypatch):
    """The same with the failure injected where no tmpfs can be mounted: faiss's own disk-full error."""
    import faiss

    from qa.index import IndexUnwritable, current_generation

    index = tmp_path / "index"
    qa.build(hongqiao_corpus, index, progress=False)
    before = current_generation(index)
    (hongqiao_corpus / "extra.txt").write_text("一、新增\n行政复议维持99宗。", "utf-8")

    def full(dense, path):
        open(path, "wb").write(b"\0" * 100)
        raise RuntimeError(f"Error in faiss::write_index: write error in {path}: 100 != 51200 (No space left on device)")

    monkeypatch.setattr(faiss, "write_index", full)
    with pytest.raises(IndexUnwritable, match=r"^the disk holding .*index/ is full: about [\d.]+ MB needed"):
        qa.build(hongqiao_corpus, index, progress=False)
    assert _unfinished(index) == [] and current_generation(index) == before

    from qa.cli import main

    assert main(["build", "--corpus", str(hongqiao_corpus), "--index", str(index)]) == 2


def test_a_read_only_index_answers_stale_with_a_warning(tiny_disk, fake_model, hongqiao_corpus, caplog, capsys):
    from qa.cli import main
    from qa.index import IndexUnwritable

    index = tiny_disk / "index"
    qa.build(hongqiao_corpus, index, progress=False)
    (hongqiao_corpus / "extra.txt").write_text("一、新增\n行政复议维持99宗。", "utf-8")
    subprocess.run(["mount", "-o", "remount,ro", str(tiny_disk)], check=True)
    with pytest.raises(IndexUnwritable, match="read-only file system.*pass --index"):
        qa.build(hongqiao_corpus, index, progress=False)
    assert main(["build", "--corpus", str(hongqiao_corpus), "--index", str(index)]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    with caplog.at_level(logging.WARNING, logger="qa"):
        kb = qa.load(index, corpus=hongqiao_corpus, rebuild=True)
    assert "is stale" in caplog.text and "extra.txt" in caplog.text
    assert len(kb.documents) == 1 and kb.ask("行政复议维持多少宗").figure == "13宗"


def test_a_read_only_folder_injected(fake_model, hongqiao_corpus, tmp_path, monkeypatch, caplog):
    """EROFS injected where the lock file is opened, for machines where no tmpfs can be mounted."""
    import builtins
    import errno

    from qa.index import IndexUnwritable

    index = tmp_path / "index"
    qa.build(hongqiao_corpus, index, progress=False)
    (hongqiao_corpus / "extra.txt").write_text("一、新增\n行政复议维持99宗。", "utf-8")
    real_open = builtins.open

    def read_only(path, mode="r", *args, **kwargs):
        if str(path).startswith(str(index)) and any(m in mode for m in "wax+"):
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_open(path, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", read_only)
    with pytest.raises(IndexUnwritable, match="read-only"):
        qa.build(hongqiao_corpus, index, progress=False)
    with caplog.at_level(logging.WARNING, logger="qa"):
        kb = qa.load(index, corpus=hongqiao_corpus, rebuild=True)
    assert "is stale" in caplog.text and len(kb.documents) == 1


def test_startup_while_a_build_holds_the_lock_answers_from_the_last_build(fake_model, hongqiao_corpus, tmp_path,
                                                                          caplog):
    import threading

    from qa.index import build_lock

    index = tmp_path / "index"
    qa.build(hongqiao_corpus, index, progress=False)
    (hongqiao_corpus / "extra.txt").write_text("一、新增\n行政复议维持99宗。", "utf-8")
    locked, release = threading.Event(), threading.Event()

    def builder():  # another build, holding the folder
        with build_lock(index):
            locked.set()
            release.wait()

    thread = threading.Thread(target=builder)
    thread.start()
    try:
        locked.wait()
        with caplog.at_level(logging.WARNING, logger="qa"):
            kb = qa.load(index, corpus=hongqiao_corpus, rebuild=True)
        assert "another build is writing" in caplog.text and "last complete build" in caplog.text
        assert len(kb.documents) == 1 and kb.ask("行政复议维持多少宗").figure == "13宗"
    finally:
        release.set()
        thread.join()
