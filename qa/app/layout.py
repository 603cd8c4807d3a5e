"""The page: the 问答 tab (chat, examples, options, source viewer) and the 报告 tab (reports, uploads, figures),
their events bound to `Handlers`, and the API endpoints."""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING

from qa.app.endpoints import add_endpoints
from qa.app.handlers import Handlers
from qa.app.page import DELETE_CACHE, EXAMPLES, MARK_RESTORED, SCROLL_TO_ANSWER, SCROLL_TO_EVIDENCE
from qa.app.reports import MAX_UPLOAD_MB, UPLOAD_TYPES

if TYPE_CHECKING:
    import gradio as gr

    from qa.answers.asking import KnowledgeBase
    from qa.app.feedback import Feedback
    from qa.app.reports import Library


def build_app(kb: KnowledgeBase, *, library: Library | None = None, uploads: bool = False,
              feedback: Feedback | None = None) -> gr.Blocks:
    """The app over a loaded index: chat, source viewer, 报告 tab; API endpoints `chat`, `search`, `ask`,
    `figures`, `source` and, when `uploads` (with a `library`), `upload` and `delete`. Launch it with
    `launch_options(app)`."""
    import gradio as gr

    handlers = Handlers(kb, library=library, uploads=uploads, feedback=feedback)
    several = len(handlers.titles()) > 1
    with gr.Blocks(title="政府报告问答", delete_cache=DELETE_CACHE) as app:
        heading = gr.Markdown(handlers.heading(), elem_id="qa-heading")
        with gr.Tabs():
            with gr.Tab("问答", id="chat-tab"):
                chat = _chat_tab(handlers, several=several)
            with gr.Tab("报告", id="reports-tab"):
                reports = _reports_tab(handlers)
        saved = gr.BrowserState([], storage_key="qa-reports-chat")
        _chat_events(app, handlers, chat, saved)
        _reports_events(app, handlers, reports, documents=chat.documents, heading=heading)
        add_endpoints(handlers)
    app.takes_uploads = handlers.uploads  # launch_options(app) refuses Gradio's upload route otherwise
    return app


def _chat_tab(handlers: Handlers, *, several: bool) -> SimpleNamespace:
    """The chat with its input, examples and options, and the source viewer beside it."""
    import gradio as gr

    from qa.app.feedback import LONGEST

    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=320):
            # No LaTeX: "$$" in a question or a report is text.
            chatbot = gr.Chatbot(elem_id="chat", height=560, sanitize_html=True, allow_tags=False,
                                 render_markdown=True, show_label=False, buttons=[], latex_delimiters=[],
                                 group_consecutive_messages=False, autoscroll=False,
                                 placeholder="用中文（或英文）提问：数字都从报告原文摘出，附原句和出处；"
                                             "报告没有写的，会直接说明。")
            with gr.Column(elem_id="qa-dock"):  # pinned at the bottom of a phone's screen
                with gr.Row(visible=False, elem_id="qa-reason") as reason_row:
                    reason = gr.Textbox(placeholder="👎 哪里不对？可以写一句原因（可选）", show_label=False, scale=8,
                                        max_length=LONGEST["reason"], elem_id="qa-reason-text", lines=1)
                    reason_send = gr.Button("提交原因", size="sm", scale=1, min_width=70, elem_id="qa-reason-send")
                    reason_skip = gr.Button("不用了", size="sm", scale=1, min_width=60, elem_id="qa-reason-skip")
                with gr.Row():
                    box = gr.Textbox(placeholder="例如：行政复议维持多少宗", show_label=False, scale=8,
                                     elem_id="question", autofocus=True, lines=1, max_lines=4)
                    send = gr.Button("提问", variant="primary", scale=1, min_width=70, elem_id="ask")
            gr.Examples(EXAMPLES, inputs=[box], label="试试这些问题", examples_per_page=6)
            with gr.Row():
                new_chat = gr.Button("新对话", size="sm", elem_id="new-chat")
            with gr.Accordion("选项", open=False):
                k = gr.Slider(1, 10, value=5, step=1, label="参考段落数")
                documents = gr.Dropdown(handlers.titles(), multiselect=True, visible=several,
                                        label="只在这些报告中查找（不选即全部）")
        # On a phone the viewer is a sheet over the chat (page.CSS); 关闭原文 stays at its top.
        with gr.Column(scale=2, min_width=320, visible=False, elem_id="qa-viewer-column") as viewer_column:
            close = gr.Button("关闭原文", size="sm", elem_id="qa-viewer-close")
            viewer = gr.HTML(elem_id="qa-viewer")
    # The page script fills `request` from a source link and clicks `open_button`; `/chat` is `api_chat`'s event.
    request = gr.Textbox(visible="hidden", elem_id="qa-src-request")
    open_button = gr.Button(visible="hidden", elem_id="qa-src-open")
    api_chat = gr.Button(visible="hidden")
    return SimpleNamespace(chatbot=chatbot, box=box, send=send, new_chat=new_chat, k=k, documents=documents,
                           viewer_column=viewer_column, viewer=viewer, close=close, request=request,
                           open_button=open_button, api_chat=api_chat, reason_row=reason_row, reason=reason,
                           reason_send=reason_send, reason_skip=reason_skip, reason_for=gr.State(None))


def _reports_tab(handlers: Handlers) -> SimpleNamespace:
    """The reports in the index, upload and delete, and the figures each report states."""
    import gradio as gr

    uploads = handlers.uploads
    reports = gr.Dataframe(handlers.report_table(), headers=["报告", "地区", "年份", "段落", "覆盖", "文件"],
                           interactive=False, elem_id="qa-reports-table", wrap=True)
    status = gr.Markdown(elem_id="qa-status")
    # No file_types: Gradio would refuse other files in the browser with an English toast; the app says why in
    # Chinese (Handlers.take_files). The page script puts the drop zone's own words into Chinese.
    files = gr.File(file_count="multiple", visible=uploads, elem_id="qa-upload",
                    label=f"上传报告（{' '.join(UPLOAD_TYPES)}，每个不超过 {MAX_UPLOAD_MB} MB）")
    upload = gr.Button("加入索引", variant="primary", visible=uploads, elem_id="qa-upload-go")
    with gr.Row(visible=uploads):
        remove_choice = gr.Dropdown(handlers.report_choices(), value=None, label="删除报告",
                                    elem_id="qa-delete-choice")
        remove = gr.Button("删除", variant="stop", elem_id="qa-delete-go")
    with gr.Row(visible=False, elem_id="qa-delete-confirm") as confirm_row:
        confirm_text = gr.Markdown()
        confirm = gr.Button("确定删除", variant="stop", size="sm", elem_id="qa-delete-yes")
        cancel = gr.Button("取消", size="sm", elem_id="qa-delete-no")
    if not uploads:
        gr.Markdown("上传和删除已关闭（只读模式，或应用对外开放时未加 `--allow-upload`）。")
    gr.Markdown("### 报告中的数字")
    with gr.Row():
        figure_doc = gr.Dropdown(handlers.report_choices(), value=handlers.largest(), label="报告",
                                 elem_id="qa-figures-doc")
        figure_words = gr.Textbox(label="筛选（词语）", elem_id="qa-figures-words")
        figure_section = gr.Dropdown([], label="章节", elem_id="qa-figures-section", allow_custom_value=True)
    figure_csv = gr.DownloadButton("导出 CSV", elem_id="qa-figures-csv")
    figure_rows = gr.Dataframe(headers=["章节", "项目", "数字", "原句"], interactive=False, wrap=True,
                               elem_id="qa-figures-table")
    return SimpleNamespace(reports=reports, status=status, files=files, upload=upload, remove_choice=remove_choice,
                           remove=remove, confirm_row=confirm_row, confirm_text=confirm_text, confirm=confirm,
                           cancel=cancel, figure_doc=figure_doc, figure_words=figure_words,
                           figure_section=figure_section, figure_csv=figure_csv, figure_rows=figure_rows)


def _chat_events(app: gr.Blocks, handlers: Handlers, chat: SimpleNamespace, saved: gr.BrowserState) -> None:
    import gradio as gr

    # A turn in the page: the question at once, then the answer; a question typed meanwhile waits its turn.
    for trigger in (chat.box.submit, chat.send.click):
        trigger(handlers.show_question, [chat.box, chat.chatbot], [chat.chatbot, chat.box], queue=False,
                api_visibility="private", trigger_mode="multiple").then(
            handlers.answer_pending, [chat.chatbot, chat.k, chat.documents], [chat.chatbot],
            api_visibility="private", trigger_mode="multiple").then(
            None, js=SCROLL_TO_ANSWER)
    chat.api_chat.click(handlers.respond, [chat.box, chat.chatbot, chat.k, chat.documents], [chat.chatbot, chat.box],
                        api_name="chat")
    chat.chatbot.change(lambda history: history, [chat.chatbot], [saved], api_visibility="private", queue=False)
    app.load(handlers.restored, [saved, chat.chatbot], [chat.chatbot], api_visibility="private", queue=False).then(
        None, js=MARK_RESTORED)
    chat.new_chat.click(handlers.new_conversation, None, [chat.chatbot, saved], api_visibility="private",
                        queue=False)
    if handlers.feedback is not None:  # no 👍/👎 buttons where nothing would keep them
        _feedback_events(handlers, chat)
    chat.open_button.click(handlers.open_source, [chat.request], [chat.viewer, chat.viewer_column],
                           api_visibility="private").then(None, js=SCROLL_TO_EVIDENCE)
    chat.close.click(lambda: gr.update(visible=False), None, [chat.viewer_column], api_visibility="private",
                     queue=False)


def _feedback_events(handlers: Handlers, chat: SimpleNamespace) -> None:
    """👍/👎 on answer cards; after a 👎, the box for a reason (kept in the same row)."""
    import gradio as gr

    reason = [chat.reason_row, chat.reason_for]
    chat.chatbot.like(handlers.like, [chat.chatbot], reason, api_visibility="private")
    for trigger in (chat.reason.submit, chat.reason_send.click):
        trigger(handlers.explain, [chat.reason, chat.reason_for], [*reason, chat.reason], api_visibility="private")
    chat.reason_skip.click(lambda: (gr.update(visible=False), None, ""), None, [*reason, chat.reason],
                           api_visibility="private", queue=False)


def _reports_events(app: gr.Blocks, handlers: Handlers, tab: SimpleNamespace, *, documents: gr.Dropdown,
                    heading: gr.Markdown) -> None:
    import gradio as gr

    uploads = handlers.uploads
    outputs = [tab.status, tab.reports, documents, tab.remove_choice, tab.figure_doc, heading]
    # The page as the app is now, not as it was built: a report added or deleted in another tab shows on load.
    app.load(lambda: handlers.refreshed(""), None, outputs, api_visibility="private", queue=False)
    tab.files.upload(handlers.take_files, [tab.files], [tab.files, tab.status], api_visibility="private")
    tab.upload.click(handlers.upload, [tab.files], outputs, api_name="upload" if uploads else False,
                     api_visibility="public" if uploads else "private", concurrency_limit=1).then(
        lambda: None, None, [tab.files], api_visibility="private")
    # Delete asks first; changing the report chosen takes the question back.
    confirm = [tab.confirm_row, tab.confirm_text, tab.status]
    tab.remove.click(handlers.ask_delete, [tab.remove_choice], confirm, api_visibility="private", queue=False)
    for cancel in (tab.cancel.click, tab.remove_choice.change):
        cancel(lambda: (gr.update(visible=False), "", gr.skip()), None, confirm, api_visibility="private",
               queue=False)
    tab.confirm.click(handlers.delete, [tab.remove_choice], outputs, api_name="delete" if uploads else False,
                      api_visibility="public" if uploads else "private", concurrency_limit=1).then(
        lambda: gr.update(visible=False), None, [tab.confirm_row], api_visibility="private", queue=False)
    table_inputs = [tab.figure_doc, tab.figure_words, tab.figure_section]
    table_outputs = [tab.figure_rows, tab.figure_section, tab.figure_csv]
    tab.figure_doc.change(lambda doc, words: handlers.figure_table(doc, words, None), [tab.figure_doc, tab.figure_words],
                          table_outputs, api_visibility="private")
    tab.figure_words.change(handlers.figure_table, table_inputs, table_outputs, api_visibility="private")
    tab.figure_section.input(handlers.figure_table, table_inputs, table_outputs, api_visibility="private")
    app.load(lambda doc: handlers.figure_table(doc, "", None), [tab.figure_doc], table_outputs,
             api_visibility="private")
