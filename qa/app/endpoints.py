"""The app's API for programs (`gradio_client`): `/search`, `/ask`, `/figures` and `/source`.

`/chat`, `/upload` and `/delete` are events of the page's components, named in the layout.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING

from qa.app.handlers import HISTORY, MAX_QUESTION, asked, check_k

if TYPE_CHECKING:
    from qa.app.handlers import Handlers

OFF = "应用以只读模式运行（--read-only），或对外开放时没有加 --allow-upload"


def add_endpoints(handlers: Handlers) -> None:
    """Name the API functions inside the app's `gr.Blocks` context; they answer from `handlers`' index."""
    import gradio as gr

    def search(query: str, k: int = 5) -> list[dict]:
        """The k passages that best answer the query, best first."""
        return [asdict(h) for h in handlers.kb.search(asked(query), check_k(k))]

    def ask(question: str, history: list[str] | None = None) -> dict:
        """The figure, evidence and sources that answer the question; `history`: the conversation's earlier
        questions, oldest first, for a follow-up ("那驳回呢"): `understood` says how it was read."""
        earlier = [str(q)[:MAX_QUESTION] for q in (history or [])][-HISTORY:]
        return asdict(handlers.kb.ask(asked(question), history=earlier))

    def figures(doc: str) -> list[dict]:
        """Every figure a report (source file or title) states: section, label, figure, sentence."""
        return [asdict(f) for f in handlers.report_figures(doc)]

    def source(request: str) -> str:
        """The whole report with a span highlighted; `request` is "source:start:end"."""
        return handlers.source(request)

    gr.api(search, api_name="search")
    gr.api(ask, api_name="ask")
    gr.api(figures, api_name="figures")
    gr.api(source, api_name="source")
    if not handlers.uploads:
        add_refusals()


def add_refusals() -> None:
    """`/upload` and `/delete` when uploads are off: a clear refusal (they answered HTTP 500), not listed in the
    API page, taking no files."""
    import gradio as gr

    def upload(files: list[str]) -> str:
        """Refused: uploads are off."""
        raise gr.Error(f"上传已关闭：{OFF}")

    def delete(source: str) -> str:
        """Refused: deletes are off."""
        raise gr.Error(f"删除已关闭：{OFF}")

    gr.api(upload, api_name="upload", api_visibility="undocumented")
    gr.api(delete, api_name="delete", api_visibility="undocumented")
