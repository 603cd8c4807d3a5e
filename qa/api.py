"""Module-level functions over the default index (corpus/ → index/)."""

from __future__ import annotations

import logging
import os
import shutil
import threading
from pathlib import Path
from typing import Callable, Iterable

from qa.results import Answer, Hit

log = logging.getLogger("qa")

_PROJECT = Path(__file__).resolve().parent.parent


def default_corpus() -> Path:
    """$QA_CORPUS, else ./corpus, else the corpus/ beside the qa package."""
    return _default("QA_CORPUS", "corpus")


def default_index() -> Path:
    """$QA_INDEX, else ./index when ./corpus exists, else the index/ beside the qa package."""
    return _default("QA_INDEX", "index")


def _default(variable: str, name: str) -> Path:
    if os.environ.get(variable):
        return Path(os.environ[variable])
    return Path(name) if Path("corpus").is_dir() else _PROJECT / name


def _location(store: str, index: str | Path | None, uri: str | None) -> str | Path:
    if store == "milvus":
        if not uri:
            raise ValueError("the milvus store needs a URI: --milvus-uri ./reports.db (Milvus Lite) "
                             "or http://host:19530 (a Milvus server)")
        return uri
    return Path(index) if index else default_index()


def build(corpus: str | Path | None = None, index: str | Path | None = None, *,
          model: str | None = None, progress: bool = True, store: str = "faiss",
          uri: str | None = None, collection: str | None = None, steps: Callable[[str], None] | None = None):
    """Index every report in `corpus` into the folder `index` (or, with store="milvus", the Milvus
    collection at `uri`); returns the loaded KnowledgeBase. `steps`, when given, is called with "reading",
    "embedding" and "indexing" as the build reaches each (a progress display's steps)."""
    from qa.retrieval.embedding import DEFAULT_MODEL
    from qa.answers.asking import KnowledgeBase
    from qa.retrieval.backends import open_store, write_store

    corpus = Path(corpus) if corpus else default_corpus()
    location = _location(store, index, uri)
    write_store(corpus, location, store=store, collection=collection, model_name=model or DEFAULT_MODEL,
                progress=progress, steps=steps)
    return KnowledgeBase(open_store(location, store=store, collection=collection))


def add(files: Iterable[str | Path], *, corpus: str | Path | None = None, index: str | Path | None = None,
        model: str | None = None, store: str = "faiss", uri: str | None = None, collection: str | None = None,
        replace: bool = False, steps: Callable[[str], None] | None = None):
    """Copy report files into the corpus and update the index (only the new files are embedded).

    A file already in the corpus (the same file, or the same content under any name) is
    skipped. A different report of the same name is refused unless `replace`. `steps`: as `build`'s.
    """
    from qa.reading.corpus import SUFFIXES, corpus_files, file_hash

    corpus = Path(corpus) if corpus else default_corpus()
    files = [Path(f) for f in files]
    for path in files:
        if not path.is_file():
            raise FileNotFoundError(f"{path} is not a file")
        if path.suffix.lower() not in SUFFIXES:
            raise ValueError(f"{path.name}: not a report format qa reads ({' '.join(SUFFIXES)})")
    corpus.mkdir(parents=True, exist_ok=True)
    held = {file_hash(p): p for p in corpus_files(corpus)}
    copies = []
    for path in files:
        digest, target = file_hash(path), corpus / path.name
        if digest in held:
            log.info("%s is already in the corpus as %s", path, held[digest].relative_to(corpus))
            continue
        if (target.exists() or target.is_symlink()) and not replace:
            raise FileExistsError(f"{target} is a different report of the same name: rename {path.name}, "
                                  "or pass --replace (replace=True) to overwrite it")
        copies.append((path, target))
        held[digest] = target
    for path, target in copies:
        # Copied beside the target under a hidden name, then renamed: a killed copy leaves no half file.
        partial = target.with_name(f".{target.name}.adding")
        shutil.copy2(path, partial)
        os.replace(partial, target)
    if not copies:
        return load(index, corpus=corpus, model=model, rebuild=True, store=store, uri=uri, collection=collection)
    return build(corpus, index, model=model, progress=False, store=store, uri=uri, collection=collection,
                 steps=steps)


def load(index: str | Path | None = None, *, corpus: str | Path | None = None, model: str | None = None,
         rebuild: bool = False, store: str = "faiss", uri: str | None = None, collection: str | None = None):
    """Open an index folder (or, with store="milvus", the collection at `uri`).

    With `rebuild`, bring it up to date with `corpus` first when missing or stale.
    """
    from qa.retrieval.index import BadIndex, IndexBusy, IndexUnwritable
    from qa.answers.asking import KnowledgeBase
    from qa.retrieval.backends import open_store, stale

    location = _location(store, index, uri)
    if not rebuild:
        return KnowledgeBase(open_store(location, store=store, collection=collection), model=model)
    corpus = Path(corpus) if corpus else default_corpus()
    reason = stale(corpus, location, store=store, collection=collection, model_name=model)
    if not reason:
        try:
            return KnowledgeBase(open_store(location, store=store, collection=collection), model=model)
        except BadIndex as err:  # damaged files: the corpus is at hand, so rebuilding is safe
            reason = str(err).split(":")[0]
    log.warning("rebuilding %s: %s", location, reason)
    try:
        return build(corpus, index, model=model, progress=False, store=store, uri=uri, collection=collection)
    except (IndexBusy, IndexUnwritable) as err:
        # Another build holds the folder, or it cannot be written: the last complete build still answers.
        try:
            kb = KnowledgeBase(open_store(location, store=store, collection=collection), model=model)
        except BadIndex:
            raise err from None
        log.warning("%s is stale (%s) and cannot be rebuilt now: %s. Answering from the last complete build.",
                    location, reason, err)
        return kb


_default_kb = None
_default_lock = threading.Lock()


def default_kb():
    """The default index, loaded once, rebuilt first if the corpus changed."""
    global _default_kb
    with _default_lock:
        if _default_kb is None:
            _default_kb = load(rebuild=True)
        return _default_kb


def search(query: str, k: int = 5, *, doc: str | Iterable[str] | None = None) -> list[Hit]:
    """The `k` passages of the default index that best answer `query`, best first."""
    from qa.reading.limits import check_k, check_question

    query, k = check_question(query), check_k(k)  # before the index loads (or builds)
    return default_kb().search(query, k, doc=doc)


def ask(question: str, *, k: int = 5, doc: str | Iterable[str] | None = None, history: Iterable[str] = ()) -> Answer:
    """The figure (or evidence) that answers `question` from the default index; `history`: the conversation's
    earlier questions, oldest first ("那驳回呢" after "行政复议维持多少宗" asks 驳回)."""
    from qa.reading.limits import check_k, check_question

    question, k = check_question(question), check_k(k)  # before the index loads (or builds)
    return default_kb().ask(question, k=k, doc=doc, history=history)
