"""The Gradio app: a chat with answer cards and a source viewer, the 报告 tab, and the API endpoints."""

from __future__ import annotations

import html
import logging
import re
import threading
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from qa.chat_render import card_html, display_title, passages_html, plain_text, source_html
from qa.chat_reports import MAX_UPLOAD_MB, UPLOAD_TYPES, Library, Refused, document_text, report_rows
from qa.results import Answer

if TYPE_CHECKING:
    import gradio as gr

    from qa.feedback import Feedback
    from qa.answers.asking import KnowledgeBase

log = logging.getLogger("qa")

EXAMPLES = [
    "行政复议维持多少宗",
    "网上办、马上办、一次办的比例分别是多少",
    "法治政府建设存在哪些问题",
    "全区在册公职律师有多少人",
    "谁和区法院成立了行政争议多元解纷中心",
    "How many administrative licensing items are on the 2022 list?",
]
MAX_QUESTION = 500  # characters; the same limit as KnowledgeBase's, said to the user instead of cutting
MAX_K = 100
PENDING = '<div class="qa-pending" role="status">正在查找答案…</div>'
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")
_COPY = re.compile(r'<div class="qa-plain">([^<]*)</div>')
_SOURCE = re.compile(r'href="#qa-src=([^"]*)"')

CSS = """
.qa-card { font-size: 15px; line-height: 1.6; scroll-margin-top: 16px; }
.qa-label { color: #475569; font-size: 14px; }
.qa-figure { font-size: 30px; font-weight: 700; line-height: 1.2; color: #0f172a; margin: 2px 0 6px; }
.qa-items { font-size: 20px; margin: 2px 0 6px; }
.qa-item { white-space: nowrap; }
.qa-figure-small { font-size: 22px; }
.qa-evidence { margin: 6px 0; padding: 6px 10px; border-left: 3px solid #94a3b8; background: #f8fafc; }
.qa-card mark, .qa-passage mark, .qa-viewer mark { padding: 0 2px; border-radius: 3px; }
mark.qa-fig { background: #fde68a; color: inherit; font-weight: 600; }
mark.qa-kw { background: #dbeafe; color: inherit; }
mark.qa-ev { background: #fde68a; color: inherit; }
.qa-source { font-size: 13px; color: #475569; }
.qa-notice, .qa-none { color: #92400e; }
.qa-plain { display: none; }
.qa-copy { margin-top: 6px; font-size: 13px; padding: 2px 10px; border: 1px solid #cbd5e1; border-radius: 6px;
           background: #fff; cursor: pointer; }
.qa-reports { border-collapse: collapse; margin: 6px 0; font-size: 15px; }
.qa-place { white-space: nowrap; }
.qa-reports td, .qa-reports th { border: 1px solid #e2e8f0; padding: 4px 8px; text-align: left; }
.qa-passage { font-size: 15px; line-height: 1.7; margin-bottom: 10px; }
.qa-passage p { margin: 2px 0; }
.qa-where, .qa-table { font-size: 13px; color: #475569; }
.qa-pending { color: #64748b; }
.qa-pending::after { content: " ⏳"; }
#qa-viewer .qa-viewer-body { max-height: 70vh; overflow-y: auto; font-size: 15px; line-height: 1.7;
                             border: 1px solid #e2e8f0; border-radius: 8px; padding: 4px 12px; }
#qa-viewer h4 { font-size: 15px; font-weight: 700; margin: 10px 0 2px; }
#qa-viewer p { margin: 4px 0; }
.qa-viewer-path, .qa-viewer-meta { font-size: 13px; color: #475569; }
#chat { min-height: 120px; }
@media (max-width: 640px) {
  #chat { height: auto !important; max-height: none !important; }
  #chat .bubble-wrap, #chat [role="log"] {
    height: auto !important; max-height: none !important; overflow: visible !important; }
  #chat .message-row.bot-row { max-width: 100% !important; margin: 8px 4px !important; }
  #chat .message-row.user-row { margin: 8px 4px !important; }
  .qa-figure { font-size: 26px; }
  h2 { margin: 0 !important; font-size: 20px !important; }
}
"""

# The page's script: copy buttons, source links opening the viewer, and scrolling after an answer.
JS = """
() => {
  const copy = (text) => {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    const area = document.createElement('textarea');
    area.value = text; document.body.appendChild(area); area.select();
    document.execCommand('copy'); area.remove();
  };
  document.addEventListener('click', (event) => {
    const button = event.target.closest('.qa-copy');
    if (button) {
      event.preventDefault(); event.stopPropagation();
      const card = button.closest('.qa-card');
      const plain = card.querySelector('.qa-plain');
      copy(plain ? plain.textContent : card.innerText);
      button.textContent = '已复制';
      setTimeout(() => { button.textContent = '复制'; }, 1500);
      return;
    }
    const link = event.target.closest('a.qa-src');
    if (link) {
      event.preventDefault(); event.stopPropagation();
      const request = document.querySelector('#qa-src-request textarea, #qa-src-request input');
      request.value = decodeURIComponent(link.getAttribute('href').slice('#qa-src='.length));
      request.dispatchEvent(new Event('input', {bubbles: true}));
      setTimeout(() => document.querySelector('#qa-src-open').click(), 50);
    }
  }, true);
  /* Gradio labels each message with its raw content (here HTML): screen readers get the clean text instead. */
  const relabel = () => document.querySelectorAll('#chat [aria-label]').forEach((m) => {
    if (!m.dataset.qaLabel && !/^bot.s message: </.test(m.getAttribute('aria-label'))) return;
    m.dataset.qaLabel = '1';
    const plain = m.querySelector('.qa-plain');
    const label = '回答：' + (plain ? plain.textContent : m.innerText).trim().slice(0, 2000);
    if (m.getAttribute('aria-label') !== label) m.setAttribute('aria-label', label);
  });
  new MutationObserver(relabel).observe(document.body, {subtree: true, childList: true, characterData: true,
                                                        attributes: true, attributeFilter: ['aria-label']});
}
"""
SCROLL_TO_ANSWER = """
() => { setTimeout(() => {
  const cards = document.querySelectorAll('#chat .qa-card, #chat .qa-pending');
  const last = cards[cards.length - 1];
  if (last) last.scrollIntoView({block: 'start'});
}, 80); }
"""
SCROLL_TO_EVIDENCE = """
() => { setTimeout(() => {
  const mark = document.querySelector('#qa-evidence');
  const viewer = document.querySelector('#qa-viewer');
  if (viewer) viewer.scrollIntoView({block: 'start'});
  if (mark) {
    const body = document.querySelector('#qa-viewer-body');
    body.scrollTop = mark.offsetTop - body.offsetTop - body.clientHeight / 3;
  }
}, 150); }
"""


def launch_options() -> dict:
    """What `launch()` needs besides host and port: styles, the page script, the upload size limit."""
    return {"css": CSS, "js": JS, "max_file_size": f"{MAX_UPLOAD_MB}mb", "share": False}


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


def _message(m) -> tuple[str, str, dict]:
    if isinstance(m, dict):
        return m.get("role", ""), _text(m.get("content")), m.get("metadata") or {}
    return m.role, _text(m.content), m.metadata or {}


def _unescape(text: str) -> str:
    return html.unescape(re.sub(r"\\(.)", r"\1", text))


def check_question(question: str) -> str | None:
    """Why `question` is refused (for the user), or None."""
    if len(question) > MAX_QUESTION:
        return f"问题太长（{len(question)}字），请控制在{MAX_QUESTION}字以内。"
    return None


def check_k(k) -> int:
    """k as a whole number from 1 to MAX_K; gr.Error with the rule otherwise."""
    import gradio as gr

    try:
        value = float(k)
    except (TypeError, ValueError):
        raise gr.Error(f"k must be a whole number from 1 to {MAX_K}, not {k!r}") from None
    if value != int(value) or not 1 <= value <= MAX_K:
        raise gr.Error(f"k must be a whole number from 1 to {MAX_K}, not {k!r}")
    return int(value)


def build_app(kb: KnowledgeBase, *, library: Library | None = None, uploads: bool = False,
              feedback: Feedback | None = None) -> gr.Blocks:
    """The app over a loaded index: chat, source viewer, 报告 tab; API endpoints `chat`, `search`, `ask`,
    `figures`, `source` and, when `uploads` (with a `library`), `upload` and `delete`."""
    import gradio as gr

    state = {"kb": kb}
    corpus = library.corpus if library else None
    uploads = uploads and library is not None

    def titles() -> list[str]:
        return state["kb"].titles()

    def chosen(documents: list[str] | None) -> list[str] | None:
        picked = [d for d in documents or [] if d in titles()]
        return picked or None

    def answer_messages(message: str, k, documents) -> list:
        refused = check_question(message)
        if refused:
            return [gr.ChatMessage(role="assistant", content=f'<div class="qa-card qa-refused"><div class="qa-lead '
                                                                f'qa-none">{refused}</div><div class="qa-plain">'
                                                                f'{refused}</div></div>')]
        picked = chosen(documents)
        answer = state["kb"].ask(message, k=check_k(k), doc=picked)
        replies = [gr.ChatMessage(role="assistant", content=card_html(answer, filtered=picked))]
        if answer.hits:
            replies.append(gr.ChatMessage(role="assistant", content=passages_html(answer.hits, message),
                                          metadata={"title": "参考段落", "status": "done"}))
        return replies

    def is_repeat(message: str, history: list) -> bool:
        users = [text for role, text, _ in map(_message, history or []) if role == "user"]
        return bool(users) and _unescape(users[-1]) == message

    def respond(message: str, history: list, k: float, documents: list[str] | None):
        """One turn: the question and its answer card (plus the passages) appended to the history."""
        message = (message or "").strip()
        history = list(history or [])
        if not message:
            return history, ""
        return history + [gr.ChatMessage(role="user", content=escape(message))] + answer_messages(
            message, k, documents), ""

    def show_question(message: str, history: list):
        """Step one of a turn in the page: the question shows at once, with a pending answer."""
        message = (message or "").strip()
        if not message or is_repeat(message, history):
            return gr.skip(), ""
        return list(history or []) + [gr.ChatMessage(role="user", content=escape(message)),
                                      gr.ChatMessage(role="assistant", content=PENDING)], ""

    # Per browser session: a lock, so its turns are answered one at a time, and the length of the longest
    # history answered, so an older snapshot of the conversation never overwrites a newer one.
    turns: dict[str, list] = {}

    def answer_pending(history: list, k: float, documents: list[str] | None, request: gr.Request):
        """Step two: every pending answer replaced by its card (a question asked meanwhile is pending too)."""
        history = list(history or [])
        if not any(_message(m)[1] == PENDING for m in history):
            return gr.skip()
        if len(turns) > 10_000:
            turns.clear()
        turn = turns.setdefault(getattr(request, "session_hash", None) or "", [threading.Lock(), 0])
        with turn[0]:
            if len(history) < turn[1]:
                return gr.skip()  # a later turn, holding this one's question too, has answered already
            turn[1] = len(history)
            answered = []
            for i, m in enumerate(history):
                if _message(m)[1] == PENDING and i and _message(history[i - 1])[0] == "user":
                    answered += answer_messages(_unescape(_message(history[i - 1])[1]), k, documents)
                else:
                    answered.append(m)
            return answered

    def new_conversation(request: gr.Request):
        turns.pop(getattr(request, "session_hash", None) or "", None)
        return [], []

    new_conversation.__annotations__["request"] = gr.Request
    answer_pending.__annotations__["request"] = gr.Request

    def search(query: str, k: int = 5) -> list[dict]:
        """The k passages that best answer the query, best first."""
        refused = check_question(query or "")
        if refused:
            raise gr.Error(refused)
        return [asdict(h) for h in state["kb"].search(query, check_k(k))]

    def ask(question: str) -> dict:
        """The figure, evidence and sources that answer the question."""
        refused = check_question(question or "")
        if refused:
            raise gr.Error(refused)
        return asdict(state["kb"].ask(question))

    def figures(doc: str) -> list[dict]:
        """Every figure a report (source file or title) states: section, label, figure, sentence."""
        return [asdict(f) for f in report_figures(doc)]

    def report_figures(doc: str):
        import dataclasses

        from qa.reading.report_figures import document_figures

        documents = [d for d in state["kb"].documents if doc in (d.source, d.title)]
        if not documents:
            raise gr.Error(f"没有这份报告：{doc}")
        try:
            return document_figures(dataclasses.replace(documents[0], text=document_text(documents[0], corpus)))
        except ValueError as err:  # a store without report text and no corpus folder to read it from
            raise gr.Error(str(err)) from None

    def source(request: str) -> str:
        """The whole report with a span highlighted; `request` is "source:start:end"."""
        try:
            source_path, start, end = (request or "").rsplit(":", 2)
            start, end = int(start), int(end)
        except ValueError:
            raise gr.Error("source request must be 'source:start:end'") from None
        documents = [d for d in state["kb"].documents if d.source == source_path]
        if not documents:
            raise gr.Error(f"没有这份报告：{source_path}")
        return source_html(documents[0], document_text(documents[0], corpus), start, end)

    def open_source(request: str):
        return gr.update(value=source(request)), gr.update(visible=True)

    def like(history: list, data: gr.LikeData):
        if feedback is None:
            return
        index = data.index if isinstance(data.index, int) else data.index[0]
        messages = [_message(m) for m in history]
        card = next((i for i in range(index, -1, -1) if 'class="qa-card' in messages[i][1]), None)
        asked = next((i for i in range(index, -1, -1) if messages[i][0] == "user"), None)
        if card is None or asked is None:
            return
        copied = _COPY.search(messages[card][1])
        link = _SOURCE.search(messages[card][1])
        feedback.add(rating="up" if data.liked else "down", question=_unescape(messages[asked][1]),
                     answer=html.unescape(copied.group(1)) if copied else "",
                     source=html.unescape(link.group(1)) if link else "")
        gr.Info("谢谢，反馈已记录。")

    like.__annotations__["data"] = gr.LikeData  # Gradio finds the event data by this type, not by a string

    # The 报告 tab.
    def report_table():
        return report_rows(state["kb"])

    def report_choices():
        return [(display_title(d.title, d.source, d.region, d.year), d.source) for d in state["kb"].documents]

    def largest() -> str | None:
        """The longest report, shown first in the figures table."""
        documents = sorted(state["kb"].documents, key=lambda d: -len(d.text))
        return documents[0].source if documents else None

    def refreshed(status: str):
        choices = report_choices()
        return (status, report_table(), gr.update(choices=titles(), value=[]), gr.update(choices=choices, value=None),
                gr.update(choices=choices, value=largest()))

    def upload(files, progress=gr.Progress()):
        """Add report files to the corpus and index them; the status line and the new reports table."""
        if not uploads:
            raise gr.Error("上传已关闭")
        paths = [Path(f if isinstance(f, str) else f.name) for f in (files if isinstance(files, list) else [files])
                 if f]
        if not paths:
            return refreshed("请先选择文件。")
        progress(0.1, desc="正在读取并建立索引…")
        try:
            state["kb"] = library.add(paths)
        except (Refused, OSError) as err:
            return refreshed(f"未上传：{err}")
        progress(1.0, desc="完成")
        names = "、".join(p.name for p in paths)
        return refreshed(f"已加入：{names}。现在有 {len(state['kb'].documents)} 份报告。")

    def delete(source_name: str):
        """Remove a report from the corpus and the index."""
        if not uploads:
            raise gr.Error("删除已关闭")
        if not source_name:
            return refreshed("请先选择要删除的报告。")
        try:
            state["kb"] = library.delete(source_name, state["kb"])
        except Refused as err:
            return refreshed(f"未删除：{err}")
        return refreshed(f"已删除：{source_name}。现在有 {len(state['kb'].documents)} 份报告。")

    def figure_table(doc: str | None, words: str, section: str | None):
        import tempfile

        from qa.reading.report_figures import to_csv


        if not doc:
            return [], gr.update(choices=[]), None
        found = report_figures(doc)
        sections = list(dict.fromkeys(f.section or "正文" for f in found))
        shown = [f for f in found
                 if (not section or (f.section or "正文") == section)
                 and all(w in f"{f.section} {f.label} {f.figure} {f.sentence}" for w in (words or "").split())]
        # A file per export (two visitors may export at once) in one folder of this app's.
        folder = Path(tempfile.mkdtemp(dir=csv_folder))
        csv_path = folder / f"{Path(doc).stem}-figures.csv"
        csv_path.write_text(to_csv(shown), encoding="utf-8-sig")
        rows = [[f.section or "正文", f.label, f.figure, f.sentence] for f in shown]
        return rows, gr.update(choices=[""] + sections, value=section if section in sections else ""), str(csv_path)

    import tempfile

    csv_folder = Path(tempfile.mkdtemp(prefix="qa-figures-"))
    several = len(titles()) > 1
    with gr.Blocks(title="政府报告问答") as app:
        gr.Markdown(f"## 政府报告问答 · {len(titles())} 份报告" if several else "## 政府报告问答", elem_id="qa-heading")
        with gr.Tabs():
            with gr.Tab("问答", id="chat-tab"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3, min_width=320):
                        chatbot = gr.Chatbot(elem_id="chat", height=560, sanitize_html=True, allow_tags=False,
                                             render_markdown=True, show_label=False, buttons=[],
                                             group_consecutive_messages=False, autoscroll=False,
                                             placeholder="用中文（或英文）提问：数字都从报告原文摘出，附原句和出处；"
                                                         "报告没有写的，会直接说明。")
                        with gr.Row():
                            box = gr.Textbox(placeholder="例如：行政复议维持多少宗", show_label=False, scale=8,
                                             elem_id="question", autofocus=True, lines=1, max_lines=4)
                            send = gr.Button("提问", variant="primary", scale=1, min_width=70, elem_id="ask")
                        gr.Examples(EXAMPLES, inputs=[box], label="试试这些问题", examples_per_page=6)
                        with gr.Row():
                            new_chat = gr.Button("新对话", size="sm", elem_id="new-chat")
                        with gr.Accordion("选项", open=False):
                            k = gr.Slider(1, 10, value=5, step=1, label="参考段落数")
                            documents = gr.Dropdown(titles(), multiselect=True, visible=several,
                                                    label="只在这些报告中查找（不选即全部）")
                    with gr.Column(scale=2, min_width=320, visible=False, elem_id="qa-viewer-column") as viewer_column:
                        viewer = gr.HTML(elem_id="qa-viewer")
                        close = gr.Button("关闭原文", size="sm")
                request = gr.Textbox(visible="hidden", elem_id="qa-src-request")
                open_button = gr.Button(visible="hidden", elem_id="qa-src-open")
                api_chat = gr.Button(visible="hidden")
            with gr.Tab("报告", id="reports-tab"):
                reports = gr.Dataframe(report_table(), headers=["报告", "地区", "年份", "段落", "覆盖", "文件"],
                                       interactive=False, elem_id="qa-reports-table", wrap=True)
                status = gr.Markdown(elem_id="qa-status")
                upload_files = gr.File(file_count="multiple", file_types=list(UPLOAD_TYPES), visible=uploads,
                                       label=f"上传报告（{' '.join(UPLOAD_TYPES)}，每个不超过 {MAX_UPLOAD_MB} MB）",
                                       elem_id="qa-upload")
                upload_button = gr.Button("加入索引", variant="primary", visible=uploads, elem_id="qa-upload-go")
                with gr.Row(visible=uploads):
                    remove_choice = gr.Dropdown(report_choices(), value=None, label="删除报告",
                                                elem_id="qa-delete-choice")
                    remove_button = gr.Button("删除", variant="stop", elem_id="qa-delete-go")
                if not uploads:
                    gr.Markdown("上传和删除已关闭（只读模式，或应用对外开放时未加 `--allow-upload`）。")
                gr.Markdown("### 报告中的数字")
                with gr.Row():
                    figure_doc = gr.Dropdown(report_choices(), value=largest(), label="报告", elem_id="qa-figures-doc")
                    figure_words = gr.Textbox(label="筛选（词语）", elem_id="qa-figures-words")
                    figure_section = gr.Dropdown([], label="章节", elem_id="qa-figures-section", allow_custom_value=True)
                figure_csv = gr.DownloadButton("导出 CSV", elem_id="qa-figures-csv")
                figure_rows = gr.Dataframe(headers=["章节", "项目", "数字", "原句"], interactive=False, wrap=True,
                                           elem_id="qa-figures-table")
        saved = gr.BrowserState([], storage_key="qa-reports-chat")

        # A turn in the page: the question at once, then the answer; a question typed meanwhile waits its turn.
        for trigger in (box.submit, send.click):
            trigger(show_question, [box, chatbot], [chatbot, box], queue=False, api_visibility="private",
                    trigger_mode="multiple").then(
                answer_pending, [chatbot, k, documents], [chatbot], api_visibility="private",
                trigger_mode="multiple").then(
                None, js=SCROLL_TO_ANSWER)
        api_chat.click(respond, [box, chatbot, k, documents], [chatbot, box], api_name="chat")
        chatbot.change(lambda history: history, [chatbot], [saved], api_visibility="private", queue=False)
        app.load(lambda history: history or [], [saved], [chatbot], api_visibility="private", queue=False)
        new_chat.click(new_conversation, None, [chatbot, saved], api_visibility="private", queue=False)
        chatbot.like(like, [chatbot], None, api_visibility="private")
        open_button.click(open_source, [request], [viewer, viewer_column], api_visibility="private").then(
            None, js=SCROLL_TO_EVIDENCE)
        close.click(lambda: gr.update(visible=False), None, [viewer_column], api_visibility="private", queue=False)

        outputs = [status, reports, documents, remove_choice, figure_doc]
        upload_button.click(upload, [upload_files], outputs, api_name="upload" if uploads else False,
                            api_visibility="public" if uploads else "private", concurrency_limit=1).then(
            lambda: None, None, [upload_files], api_visibility="private")
        remove_button.click(delete, [remove_choice], outputs, api_name="delete" if uploads else False,
                            api_visibility="public" if uploads else "private", concurrency_limit=1)
        table_inputs = [figure_doc, figure_words, figure_section]
        table_outputs = [figure_rows, figure_section, figure_csv]
        figure_doc.change(lambda doc, words: figure_table(doc, words, None), [figure_doc, figure_words],
                          table_outputs, api_visibility="private")
        figure_words.change(figure_table, table_inputs, table_outputs, api_visibility="private")
        figure_section.input(figure_table, table_inputs, table_outputs, api_visibility="private")
        app.load(lambda doc: figure_table(doc, "", None), [figure_doc], table_outputs, api_visibility="private")

        gr.api(search, api_name="search")
        gr.api(ask, api_name="ask")
        gr.api(figures, api_name="figures")
        gr.api(source, api_name="source")
    return app
