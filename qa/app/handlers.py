"""What the app does when a visitor acts: a chat turn, a 👍/👎, a source link, an upload or delete, the figures table.

`Handlers` holds the loaded index (replaced after an upload or delete) and what the events share; the layout
binds its methods to the components. Gradio finds `gr.Request`, `gr.LikeData` and `gr.Progress` by the
annotations and defaults of these methods, so gradio is imported here at the top.
"""

from __future__ import annotations

import html
import re
import shutil
import tempfile
import weakref
from pathlib import Path
from typing import TYPE_CHECKING

import gradio as gr

from qa.app.feedback import Feedback, Given
from qa.app.page import PENDING
from qa.app.render import card_html, display_title, passages_html, plain_text, source_html
from qa.app.reports import Library, Refused, check_type, document_text, report_rows
from qa.app.sessions import Sessions
from qa.results import Answer

if TYPE_CHECKING:
    from qa.answers.asking import KnowledgeBase
    from qa.reading.report_figures import ReportFigure

MAX_QUESTION = 500  # characters; the same limit as KnowledgeBase's, said to the user instead of cutting
MAX_K = 100
HISTORY = 10  # earlier questions a follow-up is read with
# A chat request's history: the newest messages within these are kept, from a question on (a turn is a question,
# its card and its passages: 200 messages are 66 turns, about 0.7 MB with 10 passages each).
MAX_HISTORY = 200
MAX_HISTORY_CHARS = 2_000_000
MAX_EXPORTS = 16  # figure CSVs kept at once in the app's folder (the newest)
# An upload's steps as its progress bar shows them: (share done, what it says).
STEPS = {"checking": (0.05, "正在检查文件…"), "reading": (0.2, "正在读取报告…"), "embedding": (0.45, "正在计算向量…"),
         "indexing": (0.8, "正在建立索引…")}
SHOWN_NAMES = 6  # reports named on the first screen; more are counted
NOT_ASKED = "这个问题没有在本页提出或已过期，没有回答：请重新提问。"
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")
_ANSWER = re.compile(r'<div class="qa-card qa-rateable" data-answer="([0-9a-f]{16})">')


def escape(text: str) -> str:
    """Text from a user, made inert for the chat's Markdown: no HTML runs, no Markdown formats.

    Quotes stay as typed: an entity such as &#x27; would have its # escaped and show as written.
    """
    return _MARKDOWN.sub(r"\\\1", html.escape(text, quote=False)).replace("\n", " ")


def reply_text(answer: Answer, *, filtered: list[str] | None = None) -> str:
    """The reply as clean text, what the card's copy button gives: figure, evidence, source, no markup."""
    return plain_text(answer, filtered=filtered)


def _text(content) -> str:
    """A chat message's text, whatever form Gradio hands it in."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return content.get("text") or content.get("value") or ""
    if isinstance(content, list):
        return "".join(_text(c) for c in content)
    return str(getattr(content, "text", "") or "")


def message_parts(m) -> tuple[str, str, dict]:
    """A chat message's role, text and metadata."""
    if isinstance(m, dict):
        return m.get("role", ""), _text(m.get("content")), m.get("metadata") or {}
    return m.role, _text(m.content), m.metadata or {}


def unescape(text: str) -> str:
    """A question as the user typed it, from its escaped chat message."""
    return html.unescape(re.sub(r"\\(.)", r"\1", text))


def check_question(question: str) -> str | None:
    """Why `question` is refused (for the user), or None."""
    if len(question) > MAX_QUESTION:
        return f"问题太长（{len(question)}字），请控制在{MAX_QUESTION}字以内。"
    return None


def asked(question) -> str:
    """A question an API call sent: a str within MAX_QUESTION characters; gr.Error saying why otherwise."""
    from qa.reading.limits import check_question as check_type

    try:
        check_type(question)
    except ValueError as err:
        raise gr.Error(str(err)) from None
    refused = check_question(question)
    if refused:
        raise gr.Error(refused)
    return question


def check_k(k) -> int:
    """k as a whole number from 1 to MAX_K, by the library's rule (an int, not a bool or a str); the page's slider
    may send 5.0. gr.Error with the rule otherwise."""
    from qa.reading.limits import check_k as library_check

    if isinstance(k, float) and k.is_integer():
        k = int(k)
    try:
        return library_check(k)
    except ValueError:
        raise gr.Error(f"k must be a whole number from 1 to {MAX_K}, not {k!r}") from None


class Handlers:
    """The app's state and its event handlers."""

    def __init__(self, kb: KnowledgeBase, *, library: Library | None = None, uploads: bool = False,
                 feedback: Feedback | None = None):
        self.kb = kb
        self.library = library
        self.corpus = library.corpus if library else None
        self.uploads = uploads and library is not None
        self.feedback = feedback
        self.given = Given()  # the answers given, by the id their card carries, for their 👍/👎
        self.sessions = Sessions()  # per browser session: the questions asked, answered one at a time
        self.csv_folder = Path(tempfile.mkdtemp(prefix="qa-figures-"))
        weakref.finalize(self, shutil.rmtree, self.csv_folder, ignore_errors=True)  # at the latest when Python exits

    # The chat.

    def titles(self) -> list[str]:
        return self.kb.titles()

    def chosen(self, documents: list[str] | None) -> list[str] | None:
        picked = [d for d in documents or [] if d in self.titles()]
        return picked or None

    def answer_messages(self, message: str, k, documents, history: list[str] | None = None) -> list:
        """The answer card (and the passages) for `message`; `history`: the conversation's earlier questions."""
        refused = check_question(message)
        if refused:
            return [_notice(refused)]
        picked = self.chosen(documents)
        answer = self.kb.ask(message, k=check_k(k), doc=picked, history=(history or [])[-HISTORY:])
        # Only an answer can be rated: not a "not found", a refusal, a pending line or the passages.
        answer_id = self.given.add(question=message, answer=reply_text(answer, filtered=picked),
                                   source=_where(answer)) if self.feedback is not None and answer.answered else ""
        replies = [gr.ChatMessage(role="assistant", content=card_html(answer, filtered=picked, answer_id=answer_id))]
        if answer.hits:
            replies.append(gr.ChatMessage(role="assistant", content=passages_html(answer.hits, message),
                                          metadata={"title": "参考段落", "status": "done"}))
        return replies

    def respond(self, message: str, history: list, k: float, documents: list[str] | None):
        """One turn: the question and its answer card (plus the passages) appended to the history."""
        if message is not None and not isinstance(message, str):
            raise gr.Error(f"question must be a str, not {type(message).__name__}")
        message = (message or "").strip()
        history = bounded(list(history or []))
        if not message:
            return history, ""
        return history + [gr.ChatMessage(role="user", content=escape(message))] + self.answer_messages(
            message, k, documents, _questions(history)), ""

    def show_question(self, message: str, history: list, request: gr.Request):
        """Step one of a turn in the page: the question shows at once, with a pending answer; the session
        may have it answered once."""
        message = (message or "").strip()
        if not message or _is_repeat(message, history):
            return gr.skip(), ""
        session = self.sessions.get(_session(request))
        session.asked.append(unescape(escape(message)))
        shown = bounded(list(history or [])) + [gr.ChatMessage(role="user", content=escape(message)),
                                                gr.ChatMessage(role="assistant", content=PENDING)]
        session.shown = max(session.shown, len(shown))  # not under the lock: a slow answer must not hold it up
        return shown, ""

    def answer_pending(self, history: list, k: float, documents: list[str] | None, request: gr.Request):
        """Step two: the pending answers replaced by their cards. Only questions this session asked in step one
        are answered, each once (a question asked meanwhile is pending too); any other pending message says so."""
        sent = len(history or [])
        history = bounded(list(history or []))
        if not any(message_parts(m)[1] == PENDING for m in history):
            return gr.skip()
        session = self.sessions.get(_session(request))
        with session.lock:
            if sent < max(session.longest, session.shown):
                # A later turn, holding this one's question too, has answered already, or will: its step renders.
                return gr.skip()
            session.longest = sent
            answered, new = [], False
            for i, m in enumerate(history):
                if message_parts(m)[1] == PENDING and i and message_parts(history[i - 1])[0] == "user":
                    question, earlier = unescape(message_parts(history[i - 1])[1]), _questions(history[:i - 1])
                    new = new or question in session.asked or question not in session.replies
                    answered += session.reply(question, lambda q: self.answer_messages(q, k, documents, earlier)) or [
                        _notice(NOT_ASKED)]
                else:
                    answered.append(m)
            # Every pending question was answered by another step (a second Enter's), or a question was typed
            # while these were answered: this older snapshot of the conversation would overwrite it on the page.
            # The replies are kept; the later question's step shows them with its own.
            return answered if new and sent >= session.shown else gr.skip()

    def new_conversation(self, request: gr.Request):
        self.sessions.drop(_session(request))
        return gr.update(value=[], feedback_value=[]), []

    def restored(self, history: list | None, showing: list | None = None, request: gr.Request | None = None):
        """The conversation kept in the browser, with the 👍/👎 each of its answers has now; nothing when the page
        already shows a question typed before this load step ran, or this page's session has shown one since the
        step was sent (a busy server: the restored conversation overwrote the question and its pending line)."""
        if showing or request is not None and self.sessions.get(_session(request)).shown:
            return gr.skip()
        history = history or []
        return gr.update(value=history, feedback_value=self.feedback_state(history)) if self.feedback else history

    def feedback_state(self, history: list) -> list[str | None]:
        """Per assistant message, as the chat's `feedback_value` wants it: "Like", "Dislike" or None."""
        ids = [_card_id(text) for role, text, _ in map(message_parts, history) if role == "assistant"]
        rated = self.feedback.ratings([i for i in ids if i]) if self.feedback else {}
        return [{"up": "Like", "down": "Dislike"}.get(rated.get(i)) for i in ids]

    def like(self, history: list, data: gr.LikeData):
        """Record a 👍/👎 of an answer this app gave (the card's id names it), switch it, or take it back (the same
        button again: Gradio sends "" then); anything else is not recorded. After a 👎 its reason box opens."""
        no_reason = gr.update(visible=False), None
        if self.feedback is None:
            return no_reason
        answer_id = _rated(history, data.index)
        given = self.given.get(answer_id) if answer_id else None
        try:
            rating = _rating(data.liked)
        except ValueError:
            rating, answer_id = None, None
        if answer_id and given is not None and rating:
            self.feedback.add(rating=rating, answer_id=answer_id, **given)
        # Taken back, or rated again after this app's restart (the row is there, the answer no longer remembered).
        elif not (answer_id and self.feedback.change(answer_id, rating)):
            gr.Warning("这条回答已过期（或不是本应用给出的），反馈没有记录。")
            return no_reason
        if rating == "down":
            return gr.update(visible=True), answer_id
        gr.Info("谢谢，反馈已记录。" if rating else "已撤销反馈。")
        return no_reason

    def explain(self, reason: str, answer_id: str | None):
        """Keep the reason given for a 👎 in its row; the reason box closes."""
        closed = gr.update(visible=False), None, ""
        if not (reason or "").strip() or self.feedback is None or not answer_id:
            return closed
        if self.feedback.explain(answer_id, reason):
            gr.Info("谢谢，原因已记录。")
        return closed

    # The source viewer.

    def source(self, request: str) -> str:
        """The whole report with a span highlighted; `request` is "source:start:end"."""
        try:
            source_path, start, end = (request or "").rsplit(":", 2)
            start, end = int(start), int(end)
        except ValueError:
            raise gr.Error("source request must be 'source:start:end'") from None
        documents = [d for d in self.kb.documents if d.source == source_path]
        if not documents:
            raise gr.Error(f"没有这份报告：{source_path}")
        table = documents[0].table_at(start) if documents[0].tables else None  # a table row shows its caption
        return source_html(documents[0], document_text(documents[0], self.corpus), start, end,
                           table=(table or {}).get("caption", ""))

    def open_source(self, request: str):
        return gr.update(value=self.source(request)), gr.update(visible=True)

    # The 报告 tab.

    def report_table(self) -> list[list]:
        return report_rows(self.kb)

    def report_choices(self) -> list[tuple[str, str]]:
        return [(display_title(d.title, d.source, d.region, d.year), d.source) for d in self.kb.documents]

    def largest(self) -> str | None:
        """The longest report, shown first in the figures table."""
        documents = sorted(self.kb.documents, key=lambda d: -len(d.text))
        return documents[0].source if documents else None

    def heading(self) -> str:
        """The page's heading, with the number of reports when there are several, and which they are."""
        from collections import Counter

        documents = self.kb.documents
        if len(documents) == 1:
            d = documents[0]
            return f"## 政府报告问答\n已载入：{escape(display_title(d.title, d.source, d.region, d.year))}"
        # Several: each by place and year ("红桥区 2022"), the full titles being in the 报告 tab.
        names = Counter(" ".join(x for x in (d.region, d.year) if x) or display_title(d.title, d.source)
                        for d in documents)
        shown = [f"{name}（{n} 份）" if n > 1 else name for name, n in list(names.items())[:SHOWN_NAMES]]
        more = f" 等（共 {len(documents)} 份，见“报告”页）" if len(names) > SHOWN_NAMES else ""
        listed = f"\n已载入：{escape(' · '.join(shown))}{more}" if documents else "\n还没有报告：请在“报告”页上传。"
        return f"## 政府报告问答 · {len(documents)} 份报告{listed}"

    def refreshed(self, status: str):
        """The status line and everything that lists the reports, as they are now: the reports table, the
        document filter (shown when there are several), the delete and figures choices, the heading."""
        choices, titles = self.report_choices(), self.titles()
        return (status, self.report_table(), gr.update(choices=titles, value=[], visible=len(titles) > 1),
                gr.update(choices=choices, value=None), gr.update(choices=choices, value=self.largest()),
                self.heading())

    def upload(self, files, progress=gr.Progress()):
        """Add report files to the corpus and index them; the status line and the new reports table."""
        if not self.uploads:
            raise gr.Error("上传已关闭")
        paths = _paths(files)
        if not paths:
            return self.refreshed("请先选择文件。")

        shown = [0.0]

        def step(name: str) -> None:  # forward only: the app reads the files before the build reads them again
            done, words = STEPS[name]
            if done > shown[-1]:
                shown.append(done)
                progress(done, desc=words)

        step("checking")
        try:
            self.kb = self.library.add(paths, steps=step)
        except (Refused, OSError) as err:
            return self.refreshed(f"未上传：{err}")
        finally:
            _discard(paths)
        progress(1.0, desc="完成")
        names = "、".join(p.name for p in paths)
        return self.refreshed(f"已加入：{names}。现在有 {len(self.kb.documents)} 份报告。")

    def take_files(self, files):
        """Files dropped on the upload box: those of a type the app does not read are taken out at once, and the
        status line says so in Chinese, naming the types it reads."""
        paths = _paths(files)
        refused = []
        for path in paths:
            try:
                check_type(path.name)
            except Refused as err:
                refused.append((path, str(err)))
        if not refused:
            return gr.skip(), gr.skip()
        _discard([path for path, _ in refused])
        kept = [str(p) for p in paths if p not in {path for path, _ in refused}]
        return kept or None, "未上传：" + "；".join(reason for _, reason in refused)

    def ask_delete(self, source_name: str | None):
        """The question before a delete: which report, and what deleting does."""
        if not self.uploads:
            raise gr.Error("删除已关闭")
        if not source_name:
            return gr.update(visible=False), "", "请先选择要删除的报告。"
        title = next((t for t, s in self.report_choices() if s == source_name), source_name)
        return (gr.update(visible=True), f"确定删除《{escape(title)}》吗？文件会从报告文件夹中删除，索引随之重建。",
                "")

    def delete(self, source_name: str):
        """Remove a report from the corpus and the index."""
        if not self.uploads:
            raise gr.Error("删除已关闭")
        if not source_name:
            return self.refreshed("请先选择要删除的报告。")
        try:
            self.kb = self.library.delete(source_name, self.kb)
        except Refused as err:
            return self.refreshed(f"未删除：{err}")
        return self.refreshed(f"已删除：{source_name}。现在有 {len(self.kb.documents)} 份报告。")

    def report_figures(self, doc: str) -> list[ReportFigure]:
        """Every figure report `doc` (source file or title) states."""
        import dataclasses

        from qa.reading.report_figures import document_figures

        documents = [d for d in self.kb.documents if doc in (d.source, d.title)]
        if not documents:
            raise gr.Error(f"没有这份报告：{doc}")
        try:
            return document_figures(dataclasses.replace(documents[0], text=document_text(documents[0], self.corpus)))
        except ValueError as err:  # a store without report text and no corpus folder to read it from
            raise gr.Error(str(err)) from None

    def figure_table(self, doc: str | None, words: str, section: str | None):
        """The figures table for `doc`, filtered by words and section, with its sections and a CSV of the rows."""
        from qa.reading.report_figures import to_csv

        if not doc:
            return [], gr.update(choices=[]), None
        found = self.report_figures(doc)
        sections = list(dict.fromkeys(f.section or "正文" for f in found))
        shown = [f for f in found
                 if (not section or (f.section or "正文") == section)
                 and all(w in f"{f.section} {f.label} {f.figure} {f.sentence}" for w in (words or "").split())]
        # A file per export (two visitors may export at once) in one folder of this app's; Gradio serves a copy.
        _prune(self.csv_folder, keep=MAX_EXPORTS - 1)
        folder = Path(tempfile.mkdtemp(dir=self.csv_folder))
        csv_path = folder / f"{Path(doc).stem}-figures.csv"
        csv_path.write_text(to_csv(shown, chinese=True), encoding="utf-8-sig")  # headers as the table's
        rows = [[f.section or "正文", f.label, f.figure, f.sentence] for f in shown]
        return rows, gr.update(choices=[""] + sections, value=section if section in sections else ""), str(csv_path)


def _questions(history: list) -> list[str]:
    """The questions asked in a chat history, oldest first, as typed."""
    return [unescape(text) for role, text, _ in map(message_parts, history or []) if role == "user"]


def _paths(files) -> list[Path]:
    """The files an upload component gives (a path, a file object, or a list of them)."""
    return [Path(f if isinstance(f, str) else f.name) for f in (files if isinstance(files, list) else [files]) if f]


def _discard(paths: list[Path]) -> None:
    """Delete Gradio's temporary copies of handled uploads (the corpus holds its own); nothing outside its folder."""
    from gradio.utils import get_upload_folder

    folder = Path(get_upload_folder()).resolve()
    for path in paths:
        if path.resolve().is_relative_to(folder):
            path.unlink(missing_ok=True)


def _prune(folder: Path, *, keep: int) -> None:
    """Remove all but the `keep` newest subfolders of `folder`."""
    exports = sorted((p for p in folder.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime_ns)
    for old in exports[:max(0, len(exports) - keep)]:
        shutil.rmtree(old, ignore_errors=True)


def _where(answer: Answer) -> str:
    """"source:start:end" of the answer's evidence, as its card links it ("" when it has none)."""
    from qa.app.render import evidence_start

    start = evidence_start(answer) if answer.source and answer.evidence else -1
    return f"{answer.source}:{start}:{start + len(answer.evidence)}" if start >= 0 else ""


def _rated(history: list, index) -> str | None:
    """The id of the answer card at message `index` of `history` (None for any other message)."""
    if isinstance(index, (list, tuple)):
        index = index[0] if index else None
    history = history or []
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(history):
        return None
    role, text, _ = message_parts(history[index])
    return _card_id(text) if role == "assistant" else None


def _rating(liked) -> str | None:
    """Gradio's `LikeData.liked` as a rating: True "up", False "down", "" (the same button again) None."""
    if isinstance(liked, bool):
        return "up" if liked else "down"
    if liked == "":
        return None
    raise ValueError(f"not a rating: {liked!r}")


def _card_id(text: str) -> str | None:
    """The id an answer card carries for its 👍/👎 (a card that cannot be rated has none)."""
    found = _ANSWER.match(text)
    return found.group(1) if found else None


def _session(request: gr.Request | None) -> str:
    return getattr(request, "session_hash", None) or ""


def _notice(text: str) -> gr.ChatMessage:
    """A reply that is no answer (a refusal, a question not answered), as a card saying so."""
    return gr.ChatMessage(role="assistant", content=f'<div class="qa-card qa-refused"><div class="qa-lead qa-none">'
                                                    f'{text}</div><div class="qa-plain">{text}</div></div>')


def bounded(history: list) -> list:
    """The newest messages of a history a client sent, within MAX_HISTORY messages and MAX_HISTORY_CHARS
    characters, starting at a question: older turns are dropped."""
    kept, size = [], 0
    for m in reversed(history[-MAX_HISTORY:]):
        size += len(message_parts(m)[1])
        if size > MAX_HISTORY_CHARS:
            break
        kept.append(m)
    kept.reverse()
    if len(kept) < len(history):
        while kept and message_parts(kept[0])[0] != "user":
            kept.pop(0)
    return kept


def _is_repeat(message: str, history: list) -> bool:
    """`message` is the last question asked (a second Enter, or the same question again at once)."""
    asked = _questions(history)
    return bool(asked) and asked[-1] == message
