"""The app's API for programs (`gradio_client`): `/search`, `/ask`, `/figures` and `/source`.

`/chat`, `/upload` and `/delete` are events of the page's components, named in the layout.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING

from qa.app.handlers import HISTORY, MAX_QUESTION, check_k, check_question

if TYPE_CHECKING:
    from qa.app.handlers import Handlers


def add_endpoints(handlers: Handlers) -> None:
    """Name the API functions inside the app's `gr.Blocks` context; they answer from `handlers`' index."""
    import gradio as gr

    def search(query: str, k: int = 5) -> list[dict]:
        """The k passages that best answer the query, best first."""
        refused = check_question(query or "")
        if refused:
            raise gr.Error(refused)
        return [asdict(h) for h in handlers.kb.search(query, check_k(k))]

    def ask(question: str, history: list[str] | None = None) -> dict:
        """The figure, evidence and sources that answer the question; `history`: the conversation's earlier
        questions, oldest first, for a follow-up ("那驳回呢"): `understood` says how it was read."""
        refused = check_question(question or "")
        if refused:
            raise gr.Error(refused)
        earlier = [str(q)[:MAX_QUESTION] for q in (history or [])][-HISTORY:]
        return asdict(handlers.kb.ask(question, history=earlier))

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
