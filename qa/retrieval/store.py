"""Where passages, their vectors and BM25 live: the interface every backend serves (`backends` chooses one).

Fusing their scores into a ranking is done above them, in `qa.retrieval.searcher`, so both give the same answers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple, Protocol

if TYPE_CHECKING:
    import numpy as np

    from qa.reading.document import Document
    from qa.reading.passages import Passage


class Match(NamedTuple):  # a search makes hundreds: a tuple is made several times faster than a frozen dataclass
    passage: int  # the store's id of the passage
    doc: int  # position of its document in `Store.documents`
    start: int  # where the passage starts in its document: with the source, breaks ties alike in every store
    score: float


class Store(Protocol):
    documents: list[Document]
    model_name: str
    location: str  # for messages: the index folder or the Milvus URI and collection

    def __len__(self) -> int:
        """Number of passages."""

    def known(self, tokens: list[str]) -> list[str]:
        """The tokens that occur in some passage."""

    def lexical(self, tokens: list[str], limit: int, docs: set[int] | None) -> list[Match]:
        """BM25: the `limit` best passages (of `docs` only, when given) matching any token, best first."""

    def dense(self, vector: np.ndarray, limit: int, docs: set[int] | None) -> list[Match]:
        """The `limit` sentence vectors nearest `vector` (inner product), as matches of their passages."""

    def passages(self, ids: list[int]) -> list[Passage]:
        """The passages with these ids, in that order."""

    def document_frequency(self, word: str) -> int:
        """How many passages hold `word`: their BM25 terms hold each of its tokens (`qa.retrieval.tokens`)."""
