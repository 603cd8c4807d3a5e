"""The store backends and the one chosen: `faiss` (an index folder on this machine, the default) or `milvus`
(a Milvus Lite file or a Milvus server); each module has `open_store`, `write_store` and `stale`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from qa.retrieval.store import Store

STORES = ("faiss", "milvus")
DEFAULT_COLLECTION = "reports"


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
                model_name: str, progress: bool = True, steps: Callable[[str], None] | None = None) -> None:
    """Bring the store up to date with the reports in `corpus` (only what changed is embedded); `steps`: see
    `qa.build`."""
    _backend(store).write_store(Path(corpus), location, collection or DEFAULT_COLLECTION,
                                model_name=model_name, progress=progress, steps=steps)


def stale(corpus: Path, location: str | Path, *, store: str = "faiss", collection: str | None = None,
          model_name: str | None = None) -> str | None:
    """Why the store no longer matches the corpus (or model), or None when it does."""
    return _backend(store).stale(Path(corpus), location, collection or DEFAULT_COLLECTION, model_name)
