"""Where passages, their vectors and BM25 live: the interface, and the factory choosing a backend.

Two backends: `faiss` (an index folder on this machine, the default) and `milvus`
(a Milvus Lite file or a Milvus server). Fusing their scores into a ranking is done
above them, in `qa.retrieval.searcher`, so both give the same answers.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, Protocol

if TYPE_CHECKING:
    import numpy as np

    from qa.reading.document import Document
    from qa.reading.passages import Passage

STORES = ("faiss", "milvus")
DEFAULT_COLLECTION = "reports"


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


def _backend(store: str):
    """The module implementing `store`: it has `open_store`, `write_store` and `stale`."""
    if store == "faiss":
        from qa.retrieval import faiss_store

        return faiss_store
    if store == "milvus":
        from qa.retrieval import milvus_store

        return milvus_store
    raise ValueError(f"store must be one of {STORES}, not {store!r}")


def open_store(location: str | Path, *, store: str = "faiss", collection: str | None = None) -> Store:
    """Open a built store: an index folder for `faiss`, a URI (`x.db` or `http://host:19530`) for `milvus`."""
    return _backend(store).open_store(location, collection or DEFAULT_COLLECTION)


def write_store(corpus: Path, location: str | Path, *, store: str = "faiss", collection: str | None = None,
                model_name: str, progress: bool = True) -> None:
    """Bring the store up to date with the reports in `corpus` (only what changed is embedded)."""
    _backend(store).write_store(Path(corpus), location, collection or DEFAULT_COLLECTION,
                                model_name=model_name, progress=progress)


def stale(corpus: Path, location: str | Path, *, store: str = "faiss", collection: str | None = None,
          model_name: str | None = None) -> str | None:
    """Why the store no longer matches the corpus (or model), or None when it does."""
    return _backend(store).stale(Path(corpus), location, collection or DEFAULT_COLLECTION, model_name)
