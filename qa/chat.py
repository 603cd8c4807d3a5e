"""The Gradio chat: replies rendered from answers, and the Blocks app with its API endpoints."""

from __future__ import annotations

import html
import re
from dataclasses import asdict
from typing import TYPE_CHECKING

from qa.results import Answer, Hit

if TYPE_CHECKING:
    import gradio as gr

    from qa.knowledge import KnowledgeBase

EXAMPLES = [
    "行政复议维持多少宗",
    "网上办、马上办、一次办的比例分别是多少",
    "法治政府建设存在哪些问题",
    "全区在册公职律师有多少人",
    "谁和区法院成立了行政争议多元解纷中心",
    "How many administrative licensing items are on the 2022 list?",
]
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def escape(text: str) -> str:
    """Text from a user or a report, made inert: no HTML runs, no Markdown formats."""
    return _MARKDOWN.sub(r"\\\1", html.escape(text, quote=True)).replace("\n", " ")


def _where(title: str, section: str) -> str:
    return escape(f"{title} · {section or '正文'}")


def _evidence_start(answer: Answer) -> int:
    """Where the evidence sentence starts in its document."""
    for hit in answer.hits:
        position = hit.text.find(answer.evidence)
        if hit.source == answer.source and position >= 0:
            return hit.start + position
    first = answer.figures[0]
    return first.start - answer.evidence.find(first.text)


def _highlighted(answer: Answer) -> str:
    """The evidence sentence with its figures in bold; figures written back to back share one bold run."""
    offset = _evidence_start(answer)
    spans: list[list[int]] = []
    for start, end in sorted((f.start - offset, f.end - offset) for f in answer.figures):
        if 0 <= start < end <= len(answer.evidence) and (not spans or start >= spans[-1][1]):
            if spans and start == spans[-1][1]:
                spans[-1][1] = end
            else:
                spans.append([start, end])
    pieces, position = [], 0
    for start, end in spans:
        pieces += [escape(answer.evidence[position:start]), f"**{escape(answer.evidence[start:end])}**"]
        position = end
    pieces.append(escape(answer.evidence[position:]))
    return "".join(pieces)


def reply_text(answer: Answer) -> str:
    """The main reply: figure, evidence with the figure highlighted, and where it stands."""
    if answer.by_document:
        return "各报告的数字不同，分别列出：\n\n" + "\n\n---\n\n".join(map(reply_text, answer.by_document))
    lines = []
    if answer.notice:
        lines.append(f"*{escape(answer.notice)}*")
    if answer.figure:
        lines.append(f"答案：**{escape(answer.figure)}**")
    elif answer.figures:
        lines.append("报告列出了几个数字，但无法与所问的项目一一对应，请看原句：")
    elif not answer.answered:
        lines.append("报告中没有找到这个问题的答案。" + ("下面是最接近的段落，仅供参考。" if answer.hits else ""))
    if answer.evidence:
        lines.append(f"> {_highlighted(answer) if answer.figures else escape(answer.evidence)}")
        lines.append(f"来源：{_where(answer.title, answer.section)}")
    return "\n\n".join(lines)


def passages_text(hits: list[Hit]) -> str:
    """The passages behind an answer, with their scores and places."""
    return "\n\n".join(f"**[{i}] 相关度 {h.score:.3f}** · {_where(h.title, h.section)}\n\n{escape(h.text)}"
                         for i, h in enumerate(hits, 1))


def build_app(kb: KnowledgeBase) -> gr.Blocks:
    """The chat app over a loaded index, with `chat`, `search` and `ask` API endpoints."""
    import gradio as gr

    titles = kb.titles()
    several = len(titles) > 1

    def chosen(documents: list[str] | None) -> list[str] | None:
        picked = [d for d in documents or [] if d in titles]
        return picked or None

    def respond(message: str, history: list, k: float, documents: list[str] | None):
        message = message or ""
        answer = kb.ask(message, k=int(k), doc=chosen(documents))
        history = list(history or []) + [
            gr.ChatMessage(role="user", content=escape(message) or "（空问题）"),
            gr.ChatMessage(role="assistant", content=reply_text(answer) if message.strip() else "请输入一个问题。"),
        ]
        if answer.hits:
            history.append(gr.ChatMessage(role="assistant", content=passages_text(answer.hits),
                                          metadata={"title": "参考段落", "status": "done"}))
        return history, ""

    def search(query: str, k: int = 5) -> list[dict]:
        """The k passages that best answer the query, best first."""
        return [asdict(h) for h in kb.search(query, max(1, min(int(k), 50)))]

    def ask(question: str) -> dict:
        """The figure, evidence and sources that answer the question."""
        return asdict(kb.ask(question))

    heading = "、".join(titles) if len(titles) <= 3 else f"{titles[0]} 等 {len(titles)} 份报告"
    with gr.Blocks(title="政府报告问答") as app:
        gr.Markdown(f"## 政府报告问答\n\n{escape(heading)}\n\n"
                    "用中文（或英文）提问，回答里的数字都从报告原文摘出，附原句和出处；报告没有写的，会直接说明。")
        chatbot = gr.Chatbot(elem_id="chat", height=520, sanitize_html=True, allow_tags=False,
                             render_markdown=True, label="对话", group_consecutive_messages=False)
        with gr.Row():
            box = gr.Textbox(placeholder="例如：行政复议维持多少宗", show_label=False, scale=8, elem_id="question",
                             max_length=2000, autofocus=True)
            send = gr.Button("提问", variant="primary", scale=1)
        with gr.Row():
            k = gr.Slider(1, 10, value=5, step=1, label="参考段落数")
            documents = gr.Dropdown(titles, multiselect=True, label="只在这些报告中查找（不选即全部）",
                                    visible=several)
        gr.Examples(EXAMPLES, inputs=[box], label="试试这些问题")
        box.submit(respond, [box, chatbot, k, documents], [chatbot, box], api_name="chat")
        send.click(respond, [box, chatbot, k, documents], [chatbot, box], api_visibility="private")
        gr.api(search, api_name="search")
        gr.api(ask, api_name="ask")
    return app
