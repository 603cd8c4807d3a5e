"""Reliability of the app and its library: the failures issue 24 found in the web app, each turned into a test.

Deletes of linked reports, uploads and deletes while another build holds the index, a chat request carrying
thousands of questions, forged feedback, Gradio's upload store with uploads off, status lines, file names.
"""

import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import HONGQIAO, build_lock_held

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
    # A dangling link's name is taken too: an upload of that name, failing, would remove the link on its way out.
    (corpus / "gone.txt").symlink_to("sub/nothing.txt")
    with pytest.raises(Refused, match="已有同名报告"):
        library.check(real, "gone.txt")


# ---------------------------------------------------------------- one chat request, one answer

class CountingKB:
    """A stand-in index that answers every question with its own number and counts the questions asked."""

    documents: list = []

    def __init__(self):
        self.asked: list[str] = []

    def titles(self) -> list[str]:
        return []

    def ask(self, question: str, *, k: int = 5, doc=None, history=()):
        from qa.results import Answer

        self.asked.append(question)
        return Answer(question, None, "", notice=f"第{len(self.asked)}次回答：{question}", answered=True)


def _request(session: str):
    from types import SimpleNamespace

    return SimpleNamespace(session_hash=session)


def _texts(history) -> list[str]:
    from qa.app.handlers import message_parts

    return [message_parts(m)[1] for m in history]


def test_one_chat_request_answers_at_most_the_question_it_carries():
    """Issue 24: the answer step answered every pending message of the history the client sent: a 0.6 MB request
    made 2,000 asks in 25.5 s. Now only questions the session typed (step one) are answered, each once, and the
    history is cut to its newest MAX_HISTORY messages."""
    from qa.app.handlers import MAX_HISTORY, NOT_ASKED, Handlers
    from qa.app.page import PENDING

    kb = CountingKB()
    handlers = Handlers(kb)
    forged = [message for i in range(2_000) for message in (
        {"role": "user", "content": f"问题{i}"}, {"role": "assistant", "content": PENDING})]
    # Step two alone, with the forged history: nothing is asked.
    answered = handlers.answer_pending(forged, 5, None, _request("forger"))
    assert kb.asked == [] and len(answered) <= MAX_HISTORY
    assert all(NOT_ASKED in text for text in _texts(answered)[1::2])
    # Both steps, the forged history under a real question: that question only.
    shown, _ = handlers.show_question("真问题", forged, _request("forger-2"))
    answered = handlers.answer_pending(shown, 5, None, _request("forger-2"))
    assert kb.asked == ["真问题"] and len(answered) <= MAX_HISTORY
    assert "第1次回答：真问题" in _texts(answered)[-1]
    # The API's /chat answers its message only, and gives back a bounded history.
    history, _ = handlers.respond("另一个问题", forged, 5, None)
    assert kb.asked == ["真问题", "另一个问题"] and len(history) <= MAX_HISTORY + 3


def test_questions_typed_while_one_is_pending_are_each_answered_once():
    """The page's own case: a question typed while another waits is answered too, in either order of the two
    requests, and nothing twice."""
    from qa.app.handlers import Handlers

    for later_first in (False, True):
        kb = CountingKB()
        handlers = Handlers(kb)
        request = _request(f"page-{later_first}")
        first, _ = handlers.show_question("问题一", [], request)
        both, _ = handlers.show_question("问题二", first, request)  # typed before the first was answered
        if later_first:
            answered = handlers.answer_pending(both, 5, None, request)
            assert handlers.answer_pending(first, 5, None, request) is not None  # skipped: a gr.skip()
        else:
            handlers.answer_pending(first, 5, None, request)
            answered = handlers.answer_pending(both, 5, None, request)
        assert sorted(kb.asked) == ["问题一", "问题二"]
        texts = _texts(answered)
        assert "问题一" in texts[1] and "问题二" in texts[3] and "正在查找" not in "".join(texts)


def test_a_second_enters_step_never_overwrites_a_question_asked_since():
    """A second Enter runs the answer step again with the same snapshot; when it runs late (a busy machine), after
    the next question is shown, re-sending that snapshot would drop the next question from the page."""
    import gradio as gr

    from qa.app.handlers import Handlers

    kb = CountingKB()
    handlers = Handlers(kb)
    request = _request("second-enter")
    first, _ = handlers.show_question("问题一", [], request)
    assert handlers.answer_pending(first, 5, None, request) is not gr.skip()
    assert isinstance(handlers.answer_pending(first, 5, None, request), type(gr.skip()))  # the late twin
    assert kb.asked == ["问题一"]


def test_an_answer_overtaken_by_a_question_typed_meanwhile_leaves_the_page_to_that_questions_step():
    """A question typed while another is being answered: the first step's snapshot lacks it, so showing that
    snapshot when it arrives late (a busy machine) dropped the new question from the page. The first step
    answers and keeps its reply; the later step shows both."""
    import gradio as gr

    from qa.app.handlers import Handlers

    kb = CountingKB()
    handlers = Handlers(kb)
    request = _request("overtaken")
    first, _ = handlers.show_question("问题一", [], request)
    typed, answer = {}, kb.ask

    def slow(question, **kwargs):
        if not typed:  # the second question is typed while the first is answered
            typed["both"] = handlers.show_question("问题二", first, request)[0]
        return answer(question, **kwargs)

    kb.ask = slow
    assert isinstance(handlers.answer_pending(first, 5, None, request), type(gr.skip()))
    texts = _texts(handlers.answer_pending(typed["both"], 5, None, request))
    assert "问题一" in texts[1] and "问题二" in texts[3] and "正在查找" not in "".join(texts)
    assert kb.asked == ["问题一", "问题二"]  # each once: the first reply was kept


# ---------------------------------------------------------------- feedback

def _like(handlers, history, index, liked=True):
    handlers.like(history, SimpleNamespace(index=index, liked=liked))


def test_feedback_only_for_answers_given_one_row_each_and_capped(tmp_path, caplog):
    """Issue 24: a forged 👍 needed no real answer and stored ~22.5 KB; 5,251 rows in 100 s made 118 MB. Now a
    rating names an answer this app gave (the id its card carries), an answer keeps one row however often it is
    rated, and the file keeps its newest QA_FEEDBACK_ROWS rows."""
    import logging
    import secrets
    import warnings

    from qa.app.feedback import Feedback
    from qa.app.handlers import Handlers
    from qa.app.page import PENDING

    feedback = Feedback(tmp_path / "feedback.sqlite3", max_rows=50)
    handlers = Handlers(CountingKB(), feedback=feedback)
    big = "赞" * 7_500  # the 22.5 KB row
    forged_card = '<div class="qa-card"><div class="qa-plain">{}</div></div>'
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # each refusal tells the user, here outside a page
        for i in range(10_000):
            card = forged_card.format(big) if i % 2 else (f'<div class="qa-card" data-answer="{secrets.token_hex(8)}">'
                                                           f'{big}</div>')
            history = [{"role": "user", "content": big}, {"role": "assistant", "content": card}]
            _like(handlers, history, [1, 5, -1, 99, True, "1", None, [], [7]][i % 9])
    assert feedback.rows() == []
    assert not feedback.path.exists() or feedback.path.stat().st_size < 100_000

    # Real answers: one row each, rated again in place.
    history = []
    for i in range(3):
        history, _ = handlers.respond(f"问题{i}", history, 5, None)
    cards = [i for i, m in enumerate(history) if 'class="qa-card qa-rateable"' in str(m.content if hasattr(m, "content") else m)]
    for index in cards:
        _like(handlers, history, index)
    _like(handlers, history, cards[0], liked=False)
    rows = feedback.rows()
    assert [(r["question"], r["rating"]) for r in rows] == [("问题0", "down"), ("问题1", "up"), ("问题2", "up")]
    assert rows[0]["answer"].startswith("第1次回答：问题0")
    # Past the limit the oldest rows go, said once in the log.
    with caplog.at_level(logging.DEBUG, logger="qa.app.feedback"):
        for i in range(3, 120):
            history, _ = handlers.respond(f"问题{i}", [], 5, None)
            _like(handlers, history, 1)
    rows = feedback.rows()
    assert len(rows) == 50 and rows[-1]["question"] == "问题119" and rows[0]["question"] == "问题70"
    assert caplog.text.count("dropping the oldest ratings") >= 1
    assert [r.levelname for r in caplog.records if "dropping" in r.getMessage()].count("WARNING") == 1
    assert PENDING not in str(history)


def test_feedback_toggles_switches_keeps_a_reason_and_shows_again(tmp_path):
    """Issue 23: 👍 twice stored two rows, 👍 then 👎 both, pending lines, refusals and the passages had buttons too,
    nothing said why, and the choice was gone after a reload. Now one row per answer follows the last click (the
    same button again takes it back: Gradio sends liked=""), a 👎 opens a box whose reason the row keeps, only
    answers can be rated, and the page gets each answer's rating back (`feedback_value`)."""
    import warnings

    from qa.app.feedback import LONGEST, Feedback
    from qa.app.handlers import Handlers

    class OneAnswer(CountingKB):
        """Answers "问题…" and has nothing for "没有…"."""

        def ask(self, question, **kwargs):
            answer = super().ask(question, **kwargs)
            return replace(answer, answered=not question.startswith("没有"))

    from dataclasses import replace

    feedback = Feedback(tmp_path / "feedback.sqlite3")
    handlers = Handlers(OneAnswer(), feedback=feedback)
    history, _ = handlers.respond("问题一", [], 5, None)
    history, _ = handlers.respond("没有的问题", history, 5, None)
    history.append({"role": "assistant", "content": "<div class=\"qa-pending\">正在查找答案…</div>"})
    ratings = lambda: [(r["rating"], r["reason"]) for r in feedback.rows()]  # noqa: E731
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # each refusal tells the user, here outside a page
        for index in (0, 2, 3):  # the question, the "not found" card and the pending line
            _like(handlers, history, index)
    assert ratings() == [] and 'class="qa-card qa-rateable"' not in str(history[2:])

    _like(handlers, history, 1)
    assert ratings() == [("up", "")]
    _like(handlers, history, 1, liked="")  # 👍 again: taken back
    assert ratings() == []
    box, named = handlers.like(history, SimpleNamespace(index=1, liked=False))
    assert ratings() == [("down", "")] and box["visible"] is True and named
    handlers.explain("数字不对，" * 50, named)
    assert ratings() == [("down", ("数字不对，" * 50)[:LONGEST["reason"]])]
    assert handlers.feedback_state(history) == ["Dislike", None, None]
    # After the app restarts it no longer remembers its answers, but a rated one may still be switched.
    restarted = Handlers(OneAnswer(), feedback=feedback)
    assert restarted.restored(history)["feedback_value"] == ["Dislike", None, None]
    _like(restarted, history, 1)
    assert ratings() == [("up", "")]  # switched; the reason went with the 👎
    handlers.explain("迟到的原因", named)
    assert ratings() == [("up", "")]  # a reason only ever belongs to a 👎
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _like(handlers, history, 1, liked="数字不对")  # not a choice the page offers
    assert ratings() == [("up", "")]


def test_feedback_is_off_in_read_only_mode_unless_asked_for():
    from app import feedback_kept

    assert feedback_kept(read_only=False, asked=False)
    assert not feedback_kept(read_only=True, asked=False)
    assert feedback_kept(read_only=True, asked=True)


# ---------------------------------------------------------------- Gradio's upload store

@pytest.mark.parametrize("uploads", [False, True], ids=["uploads-off", "uploads-on"])
def test_gradio_upload_route_refused_with_uploads_off_and_emptied_at_shutdown(uploads, tmp_path, monkeypatch):
    """Issue 24: `POST /gradio_api/upload` took 20 MB files under --read-only, and they stayed in the temporary
    folder after the app stopped. With uploads off the route now answers 403; with them on, what it took is
    deleted when the app stops."""
    import httpx
    from conftest import free_port

    from qa.app.layout import build_app
    from qa.app.page import launch_options
    from qa.app.reports import MAX_UPLOAD_MB, Library

    monkeypatch.setenv("GRADIO_TEMP_DIR", str(tmp_path / "gradio"))
    app = build_app(CountingKB(), library=Library(tmp_path / "corpus"), uploads=uploads)
    port = free_port()
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, **launch_options(app))
    try:
        route = f"http://127.0.0.1:{port}/gradio_api/upload"
        response = httpx.post(route, files={"files": ("report.txt", "报告".encode() * 1000)}, timeout=60)
        if not uploads:
            assert response.status_code == 403 and "uploads are off" in response.text
            assert not [p for p in (tmp_path / "gradio").rglob("*") if p.is_file()]
        else:
            stored = Path(response.json()[0])
            assert response.status_code == 200 and stored.is_file()
            big = httpx.post(route, files={"files": ("big.txt", b"0" * (MAX_UPLOAD_MB * 1024 * 1024 + 1024))},
                             timeout=60)
            assert big.status_code == 413  # over the upload limit: never stored
    finally:
        app.close()
    if uploads:
        assert not stored.exists()


def test_handled_uploads_and_old_exports_leave_no_files(fake_model, tmp_path, monkeypatch):
    """An upload's temporary copy is deleted once the corpus has its own; the figures table keeps its newest
    MAX_EXPORTS CSV files, and its folder goes with the app."""
    import gc

    from qa.app.handlers import MAX_EXPORTS, Handlers
    from qa.app.reports import Library
    from qa.reading.corpus import read_document

    monkeypatch.setenv("GRADIO_TEMP_DIR", str(tmp_path / "gradio"))
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    handlers = Handlers(qa.build(HONGQIAO.parent, tmp_path / "index", progress=False),
                        library=Library(corpus, index=tmp_path / "index"), uploads=True)
    upload = tmp_path / "gradio" / "0123abcd" / "report.txt"
    upload.parent.mkdir(parents=True)
    shutil.copy(HONGQIAO, upload)
    elsewhere = tmp_path / "mine.txt"
    elsewhere.write_text("某区2022年报告\n一、复议\n行政复议维持9宗。", "utf-8")
    assert handlers.upload([str(upload), str(elsewhere)])[0].startswith("已加入")
    assert not upload.exists() and elsewhere.exists()  # only Gradio's own copies are deleted

    handlers.kb.documents[0] = read_document(HONGQIAO, HONGQIAO.parent)
    for words in range(MAX_EXPORTS + 5):
        handlers.figure_table(HONGQIAO.name, str(words % 3), None)
    folder = handlers.csv_folder
    assert len(list(folder.iterdir())) == MAX_EXPORTS
    del handlers
    gc.collect()
    assert not folder.exists()


# ---------------------------------------------------------------- the corpus and the index change together

def test_upload_and_delete_refused_while_another_build_holds_the_index(fake_model, hongqiao_corpus, tmp_path,
                                                                      monkeypatch):
    """Issue 24: while a command-line build held the lock, upload and delete answered `{"error": null}`, yet the
    file was added or removed, and the app kept serving the old index (a deleted report still answered). Now
    both take the build lock or refuse with one line, and never change the corpus without the index."""

    from qa.app.handlers import Handlers
    from qa.app.reports import BUSY, Library
    from qa.retrieval.index import IndexUnwritable

    index = tmp_path / "index"
    kb = qa.build(hongqiao_corpus, index, progress=False)
    handlers = Handlers(kb, library=Library(hongqiao_corpus, index=index), uploads=True)
    upload = tmp_path / "upload" / "extra.txt"
    upload.parent.mkdir()
    upload.write_text("某区2022年报告\n一、复议\n行政复议维持99宗。", "utf-8")
    before = sorted(p.name for p in hongqiao_corpus.iterdir())
    with build_lock_held(index):  # `qa build` in another process, as far as the app can tell
        assert handlers.upload([str(upload)])[0] == f"未上传：{BUSY}"
        assert handlers.delete(HONGQIAO.name)[0] == f"未删除：{BUSY}"
        assert sorted(p.name for p in hongqiao_corpus.iterdir()) == before

    # A build that fails (a full disk) undoes the change: the upload is removed, the deleted report put back.
    def full(*args, **kwargs):
        raise IndexUnwritable(f"the disk holding {index}/ is full: 0.0 MB free")

    monkeypatch.setattr(qa.retrieval.index, "_write_generation", full)
    assert handlers.upload([str(upload)])[0].startswith("未上传：索引无法更新，报告没有加入：the disk holding")
    assert handlers.delete(HONGQIAO.name)[0].startswith("未删除：索引无法更新，报告没有删除：the disk holding")
    assert sorted(p.name for p in hongqiao_corpus.iterdir()) == before
    assert [d.source for d in handlers.kb.documents] == [HONGQIAO.name]


# ---------------------------------------------------------------- status lines

def test_status_lines_say_what_happened(fake_model, hongqiao_corpus, tmp_path):
    """Issue 24: the same content under a new name said "已加入" though nothing was added, and four uploads of one
    name at once all said "已加入" (each was that copy). Now a copy names the report it repeats, and of four
    uploads of one name at once one is added and three refused."""
    import threading

    from qa.app.handlers import Handlers
    from qa.app.reports import Library

    index = tmp_path / "index"
    handlers = Handlers(qa.build(hongqiao_corpus, index, progress=False), library=Library(hongqiao_corpus, index=index),
                        uploads=True)
    copy = tmp_path / "copy" / "renamed.txt"
    copy.parent.mkdir()
    shutil.copy(HONGQIAO, copy)
    assert handlers.upload([str(copy)])[0] == f"未上传：renamed.txt：内容与已有的报告 {HONGQIAO.name} 相同，没有加入"

    def at_once(contents: list[str]) -> list[str]:
        files = []
        for i, text in enumerate(contents):
            (tmp_path / f"{len(contents)}-{i}-{text[:2]}").mkdir()
            files.append(tmp_path / f"{len(contents)}-{i}-{text[:2]}" / "same.txt")
            files[-1].write_text(text, "utf-8")
        statuses, barrier = [None] * len(files), threading.Barrier(len(files))

        def upload(i: int) -> None:
            barrier.wait()
            statuses[i] = handlers.upload([str(files[i])])[0]

        threads = [threading.Thread(target=upload, args=(i,)) for i in range(len(files))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return sorted(statuses)

    hongqiao = HONGQIAO.read_text("utf-8")
    assert at_once([hongqiao] * 4) == [f"未上传：same.txt：内容与已有的报告 {HONGQIAO.name} 相同，没有加入"] * 4
    statuses = at_once([f"某区2022年报告\n一、复议\n行政复议维持{90 + i}宗。" for i in range(4)])
    assert statuses[0].startswith("已加入：same.txt") and statuses[1:] == [
        "未上传：same.txt：已有同名报告，请先在列表中删除它再上传"] * 3
    assert sorted(d.source for d in handlers.kb.documents) == sorted([HONGQIAO.name, "same.txt"])


# ---------------------------------------------------------------- start-up

@pytest.mark.parametrize("index_state", ["missing", "damaged"])
def test_app_start_with_an_unusable_index_and_the_lock_held_is_one_line(index_state, fake_model, hongqiao_corpus,
                                                                         tmp_path, monkeypatch, capsys):
    """Issue 24: the app with a damaged or missing index, while another process held the lock, died with a
    traceback ending `IndexBusy`. Now it says in one line to wait, and exits with 2."""
    import os

    import app

    for variable in ("HF_HUB_OFFLINE", "GRADIO_ANALYTICS_ENABLED", "GRADIO_ANALYTICS_MAX_EVENTS",
                     "GRADIO_ANALYTICS_CACHE_FREQUENCY"):
        monkeypatch.setenv(variable, os.environ.get(variable, "") or "1")  # what main sets is undone after
    index = tmp_path / "index"
    if index_state == "damaged":
        qa.build(hongqiao_corpus, index, progress=False)
        (index / "CURRENT").write_text("gen-gone", "utf-8")
    with build_lock_held(index), pytest.raises(SystemExit) as exited:
        app.main(["--corpus", str(hongqiao_corpus), "--index", str(index), "--port", "1"])
    error = capsys.readouterr().err
    assert exited.value.code == 2
    assert error == f"error: another build is writing {index}; wait for it to finish, then start the app again\n"


# ---------------------------------------------------------------- file names

def test_percent_signs_and_odd_names(tmp_path):
    """Issue 24: `tongzhou_100%.txt` broke the source viewer ("URI malformed"), `shunyi_%41.txt` opened "没有这份报告：
    shunyi_A.txt", and uploads took names like `%2e%2e%2fenc.txt` and `"  .txt"`. Now links percent-encode the name
    (the page decodes it), and uploads refuse such names with the fix."""
    import re
    from types import SimpleNamespace
    from urllib.parse import unquote

    from qa.app.handlers import Handlers
    from qa.app.render import passages_html
    from qa.app.reports import Library, Refused
    from qa.reading.corpus import read_document
    from qa.results import Hit

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    names = ["tongzhou_100%.txt", "shunyi_%41.txt", "shunyi_A.txt", "a&b <x>.txt"]
    for name in names:
        (corpus / name).write_text(f"某区2022年报告（{name}）\n一、复议\n行政复议维持13宗。", "utf-8")
    documents = [read_document(corpus / name, corpus) for name in names]
    handlers = Handlers(SimpleNamespace(documents=documents), library=Library(corpus))
    for document in documents:
        start = document.text.index("维持13宗")
        page = passages_html([Hit("维持13宗", 1.0, document.title, document.source, "一、复议", start, start + 5)], "")
        href = re.search(r'href="#qa-src=([^"]*)"', page).group(1)
        assert not re.search(r"%(?![0-9A-F]{2})", href)  # decodeURIComponent would throw "URI malformed"
        request = unquote(href.replace("&amp;", "&"))  # what the page's script hands the viewer
        assert request == f"{document.source}:{start}:{start + 5}"
        assert f"（{document.source}）".replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in \
            handlers.source(request)

    library = Library(corpus)
    for bad in ("%2e%2e%2fenc.txt", "tongzhou_100%.txt", "  .txt", " leading.txt", "trailing .txt", "tab\t.txt",
                "back\\slash.txt"):
        (tmp_path / "upload").mkdir(exist_ok=True)
        (tmp_path / "upload" / "x.txt").write_text("报告", "utf-8")
        with pytest.raises(Refused, match="请改名后再上传"):
            library.check(tmp_path / "upload" / "x.txt", bad)
    assert library.check(tmp_path / "upload" / "x.txt", "通州 2022 报告.txt") == "通州 2022 报告.txt"


# ---------------------------------------------------------------- loose ends

def test_types_are_checked_alike_in_the_library_and_the_app(fake_model, hongqiao_corpus, tmp_path, monkeypatch):
    """Issue 24: `qa.ask(None)` raised "TypeError: 'NoneType' object is not subscriptable", `/ask` with None answered
    `error: null`, the app's `/search` took k='5' and k=True (the library refuses them), and in read-only mode
    `/upload` and `/delete` answered HTTP 500. Now each is refused with a message saying why."""
    import httpx
    from conftest import free_port
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    from qa.app.layout import build_app
    from qa.app.page import launch_options
    from qa.app.reports import Library

    kb = qa.build(hongqiao_corpus, tmp_path / "index", progress=False)
    monkeypatch.setattr(qa.api, "_default_kb", kb)
    for call in (lambda: qa.ask(None), lambda: qa.search(None), lambda: kb.ask(None), lambda: kb.search(3),
                 lambda: qa.ask(b"bytes")):
        with pytest.raises(ValueError, match="question must be a str, not (NoneType|int|bytes)"):
            call()

    app = build_app(kb, library=Library(hongqiao_corpus, index=tmp_path / "index"), uploads=False)
    app.queue()
    port = free_port()
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, **launch_options(app))
    try:
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        with pytest.raises(AppError, match="question must be a str, not NoneType"):
            client.predict(None, api_name="/ask")
        for k in ("5", True):
            with pytest.raises(AppError, match="k must be a whole number from 1 to 100"):
                client.predict("行政复议维持多少宗", k, api_name="/search")
        assert len(client.predict("行政复议维持多少宗", 2, api_name="/search")) == 2
        for name, data in (("upload", [["report.txt"]]), ("delete", [HONGQIAO.name])):
            started = httpx.post(f"http://127.0.0.1:{port}/gradio_api/call/{name}", json={"data": data}, timeout=30)
            assert started.status_code == 200, started.text
            events = httpx.get(f"http://127.0.0.1:{port}/gradio_api/call/{name}/{started.json()['event_id']}",
                               timeout=30).text.splitlines()
            assert events[0] == "event: error"
            error = json.loads(events[1].removeprefix("data: "))["error"]
            assert error.startswith("上传已关闭：" if name == "upload" else "删除已关闭：") and "--read-only" in error
        assert (hongqiao_corpus / HONGQIAO.name).is_file()
    finally:
        app.close()
