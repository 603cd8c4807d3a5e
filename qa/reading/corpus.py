"""The corpus folder: which files are reports, their hashes, and each read into a `Document`."""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

from qa.reading.cleaning import clean
from qa.reading.document import Document, UnreadableError

log = logging.getLogger(__name__)

SUFFIXES = (".txt", ".md", ".html", ".htm", ".docx", ".pdf", ".doc")


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def corpus_files(corpus: Path, *, follow_symlinks: bool | None = None) -> list[Path]:
    """Every report file under `corpus`, in a stable order.

    A symbolic link is skipped with a warning: a `passwd.txt` linking to /etc/passwd must not
    be indexed and served. With `follow_symlinks` (default: $QA_FOLLOW_SYMLINKS=1, which
    `--follow-symlinks` sets) a link is read when its target is a file inside the corpus folder,
    never when it lies outside. Linked folders are not entered either way.
    """
    import os

    if follow_symlinks is None:
        follow_symlinks = os.environ.get("QA_FOLLOW_SYMLINKS") == "1"
    corpus = Path(corpus)
    root = corpus.resolve()
    files = []
    for path in corpus.rglob("*"):
        if path.name.startswith(".") or (path.suffix.lower() not in SUFFIXES and not path.is_symlink()):
            continue
        if path.is_symlink():
            target = path.resolve()
            if not follow_symlinks:
                _warn_once(f"skipping {path}: a symbolic link (to {target}); pass --follow-symlinks to read "
                           "links that stay inside the corpus")
                continue
            if not target.is_relative_to(root):
                _warn_once(f"skipping {path}: a symbolic link to {target}, outside the corpus folder {root}")
                continue
        if path.is_file() and path.suffix.lower() in SUFFIXES:
            files.append(path)
    return sorted(files)


_warned: set[str] = set()


def _warn_once(message: str) -> None:
    """Log `message` the first time only: the corpus is listed at every build and staleness check."""
    if message not in _warned:
        _warned.add(message)
        log.warning("%s", message)


def read_document(path: Path, corpus: Path) -> Document:
    """Read one report file and clean it."""
    return _read(path, path.relative_to(corpus).as_posix(), shown=path)


def read_report(path: Path, corpus: Path) -> tuple[Document, str]:
    """Read one report file once: its `Document` and the sha256 of the very bytes it was read from.

    A build records that hash, so a file rewritten while it was read (a third of it read, say) never
    passes for the whole file: the next build sees another hash and reads it again. The bytes are parsed
    from a private copy, so every reader (python-docx, pypdf, antiword) reads exactly them. An
    `UnreadableError` carries the hash of the bytes found unreadable as `sha256`.
    """
    import tempfile

    data = steady_bytes(path)
    digest = hashlib.sha256(data).hexdigest()
    with tempfile.TemporaryDirectory(prefix="qa-read-") as folder:
        copy = Path(folder) / path.name
        copy.write_bytes(data)
        try:
            document = _read(copy, path.relative_to(corpus).as_posix(), shown=path)
        except UnreadableError as err:
            err.sha256 = digest
            raise
    return document, digest


def steady_bytes(path: Path, *, tries: int = 3) -> bytes:
    """The bytes of `path`, read while its size, modification time and inode held still: read again (up to
    `tries` times) when they changed; a file that kept changing is returned as last read, with a warning."""
    for _ in range(tries):
        with open(path, "rb") as handle:
            before = os.fstat(handle.fileno())
            data = handle.read()
        after = os.stat(path)
        if len(data) == before.st_size and _same(before, after):
            return data
    log.warning("%s changed while it was read: indexed as last read; the next build reads it again", path)
    return data


def _same(before: os.stat_result, after: os.stat_result) -> bool:
    return (before.st_ino, before.st_size, before.st_mtime_ns) == (after.st_ino, after.st_size, after.st_mtime_ns)


def _read(path: Path, source: str, *, shown: Path) -> Document:
    """The file at `path` read and cleaned as the report `source`; `shown` is the path warnings name."""
    from qa.reading.readers import read_blocks

    reading = read_blocks(path)
    doc = clean(reading.blocks, source=source, title=reading.title, url=reading.url)
    _warn_if_lost(path, doc, shown=shown)
    return doc


def _warn_if_lost(path: Path, doc: Document, *, shown: Path) -> None:
    """A file whose body mostly failed to reach passages is named in a warning, with the share."""
    from qa.reading.inspect import WARN_BELOW, coverage
    from qa.reading.passages import split

    try:
        share, missing = coverage(path, doc, split(doc))
    except Exception as err:  # the second reading is a check; its failure must not stop the build
        log.debug("no coverage check for %s: %s", shown, err)
        return
    if share < WARN_BELOW:
        log.warning("%s: only %.0f%% of its text reached passages (e.g. %r); run `python -m qa inspect %s`",
                    doc.source, 100 * share, (missing or [""])[0][:40], shown)


def load_corpus(corpus: Path) -> list[Document]:
    """Read every report under `corpus`; unreadable files are logged and skipped."""
    docs = []
    for path in corpus_files(corpus):
        try:
            docs.append(read_document(path, corpus))
        except (UnreadableError, OSError) as err:
            log.warning("skipping %s: %s", path, err)
    return docs
