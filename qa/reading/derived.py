"""Data derived from installed packages' files (jieba's dictionary and tags, jionlp's gazetteer), kept on disk
so that a process starting up reads it in a fraction of the time it takes to derive it again.

The folder is $QA_CACHE, else $XDG_CACHE_HOME/qa, else ~/.cache/qa. A file's name holds a hash of what it was
derived from (the packages' files and the code deriving it), so a new package version or changed code makes a
new file; nothing is ever read from a file made from other sources. A folder that cannot be written costs
only the time: the data is derived in memory as if there were no cache.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path
from typing import Callable, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
VARIABLE = "QA_CACHE"


def cache_dir() -> Path:
    """Where derived data is kept: $QA_CACHE, else $XDG_CACHE_HOME/qa, else ~/.cache/qa."""
    if os.environ.get(VARIABLE):
        return Path(os.environ[VARIABLE])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "qa"


def fingerprint(*sources: str | Path) -> str:
    """A short hash of `sources`: strings as they are, files by path, size and modification time
    (files under our own package by content, so an edit that keeps the time still counts)."""
    digest = hashlib.sha1()
    own = Path(__file__).resolve().parent.parent
    for source in sources:
        if isinstance(source, Path):
            stat = source.stat()
            if source.resolve().is_relative_to(own):
                digest.update(source.read_bytes())
            digest.update(f"{source}\0{stat.st_size}\0{stat.st_mtime_ns}".encode())
        else:
            digest.update(source.encode())
        digest.update(b"\1")
    return digest.hexdigest()[:16]


def stored(name: str, sources: tuple[str | Path, ...], make: Callable[[], bytes], read: Callable[[bytes], T]) -> T:
    """`read` of the bytes `make` returns, made once and kept in the cache folder under `name` and the
    fingerprint of `sources`; `read` must give the same value whether the bytes are new or from the file."""
    path = cache_dir() / f"{name}-{fingerprint(Path(__file__), *sources)}.bin"
    try:
        return read(path.read_bytes())
    except FileNotFoundError:
        pass
    except Exception as err:  # noqa: BLE001 - a damaged file is made again
        log.warning("%s is unreadable (%s): deriving it again", path, err)
    data = make()
    partial = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written beside the target and renamed: a reader never sees half a file.
        handle, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(partial, path)
    except OSError as err:
        log.debug("cannot keep %s (%s): it is derived again next time", path, err)
        if partial:
            Path(partial).unlink(missing_ok=True)
    return read(data)
