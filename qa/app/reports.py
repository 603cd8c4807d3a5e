"""The app's 报告 tab behind the scenes: the reports table, and uploads and deletes written into the corpus."""

from __future__ import annotations

import contextlib
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from qa.reading.document import Document
    from qa.answers.asking import KnowledgeBase

UPLOAD_TYPES = (".txt", ".md", ".html", ".htm", ".docx", ".pdf")
MAX_UPLOAD_MB = 20  # per file; the app's `max_file_size` refuses bigger uploads before they are stored
BUSY = "索引正在由其他程序重建，请稍后再试"


class Refused(ValueError):
    """An upload or delete the app will not do; the message says why, for the user."""


def check_type(name: str) -> None:
    """Refused, naming the types the app reads, when `name` is a file of another type."""
    if Path(name).suffix.lower() not in UPLOAD_TYPES:
        raise Refused(f"{name}：不支持这种文件，只能上传 {' '.join(UPLOAD_TYPES)}")


def document_text(document: Document, corpus: Path | None) -> str:
    """The report's cleaned text: the index keeps it (FAISS); a Milvus store does not, so read the corpus file."""
    if document.text or corpus is None:
        return document.text
    from qa.reading.corpus import read_document

    path = (corpus / document.source).resolve()
    if not path.is_relative_to(corpus.resolve()) or not path.is_file():
        return ""
    return read_document(path, corpus.resolve()).text


def report_rows(kb: KnowledgeBase) -> list[list]:
    """One row per report: title, place, year, passages, and the share of its text the passages cover.

    Passages and coverage come from the text the index keeps; a Milvus store keeps none, and reading every
    report file again to count them would make a large corpus slow to show, so those cells stay empty there.
    """
    from qa.app.render import display_title
    from qa.reading.passages import split

    rows = []
    for doc in kb.documents:
        passages = split(doc) if doc.text else []
        covered = sum(p.end - p.start for p in passages)
        rows.append([display_title(doc.title, doc.source, doc.region, doc.year), doc.region, doc.year,
                     len(passages) if doc.text else "", f"{covered / len(doc.text):.0%}" if doc.text else "",
                     doc.source])
    return rows


@dataclass
class Library:
    """Where the app's reports live and how to rebuild its index after a change."""

    corpus: Path
    index: Path | None = None
    store: str = "faiss"
    uri: str | None = None
    collection: str | None = None
    model: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def check(self, path: Path, name: str | None = None) -> str:
        """The file name an upload will have in the corpus; Refused (with the reason) when it is not allowed."""
        name = Path(name or path.name).name
        check_type(name)
        if name.startswith(".") or not name.strip():
            raise Refused(f"{name}：文件名不能以点开头")
        stem = Path(name).stem
        if "%" in name or "\\" in name or stem != stem.strip() or not stem.strip() or name != name.strip() \
                or any(ord(c) < 32 or ord(c) == 127 for c in name):
            # A % would be read as an escape by links and browsers ("%2e%2e%2f" is "../"); spaces at the ends
            # do not show.
            raise Refused(f"{name!r}：文件名不能含 %、\\ 或控制字符，开头结尾不能是空格，请改名后再上传")
        size = path.stat().st_size
        if size > MAX_UPLOAD_MB * 1024 * 1024:
            raise Refused(f"{name}：文件有 {size / 1024 / 1024:.1f} MB，上限是 {MAX_UPLOAD_MB} MB")
        if size == 0:
            raise Refused(f"{name}：文件是空的")
        if (self.corpus / name).exists() or (self.corpus / name).is_symlink():
            raise Refused(f"{name}：已有同名报告，请先在列表中删除它再上传")
        return name

    def add(self, paths: list[Path], *, steps: Callable[[str], None] | None = None) -> KnowledgeBase:
        """Copy the uploads into the corpus (as `qa add` does) and update the index; the new KnowledgeBase.
        When the index cannot follow (another build holds it, a full disk), the copies are removed: Refused.
        `steps`: see `qa.build`."""
        import shutil
        import tempfile

        import qa
        from qa.reading.corpus import read_document
        from qa.reading.document import UnreadableError

        with self._changing():
            names = [self.check(p) for p in paths]
            if len(set(names)) < len(names):
                raise Refused("同一个文件名上传了两次")
            self._check_new_content(paths, names)
            # qa.add copies by file name: give each upload its own folder so the name is the one checked.
            with tempfile.TemporaryDirectory() as staging:
                staged = []
                if steps:
                    steps("reading")
                for path, name in zip(paths, names):
                    staged.append(Path(staging) / name)
                    shutil.copyfile(path, staged[-1])
                    try:  # read it first: a file that is no report never enters the corpus
                        read_document(staged[-1], Path(staging))
                    except UnreadableError as err:
                        raise Refused(f"无法读取：{err}") from None
                try:
                    return qa.add(staged, corpus=self.corpus, index=self.index, model=self.model, store=self.store,
                                  uri=self.uri, collection=self.collection, steps=steps)
                except BaseException as err:
                    for name in names:  # checked absent above, under the lock: this add's copies only
                        (self.corpus / name).unlink(missing_ok=True)
                    _refuse(err, "报告没有加入")
                    raise

    def delete(self, source: str, kb: KnowledgeBase) -> KnowledgeBase:
        """Remove one report of the index from the corpus and update the index; the new KnowledgeBase.
        When the index cannot follow (another build holds it, a full disk), the report is put back: Refused."""
        import qa

        with self._changing():
            if source not in {d.source for d in kb.documents}:
                raise Refused(f"没有这份报告：{source}")
            entry = self.entry(source)
            hidden = entry.with_name(f".{entry.name}.deleting")  # no build reads a hidden name
            os.replace(entry, hidden)
            try:
                kb = qa.build(self.corpus, self.index, model=self.model, progress=False, store=self.store,
                              uri=self.uri, collection=self.collection)
            except BaseException as err:
                os.replace(hidden, entry)
                _refuse(err, "报告没有删除")
                raise
            hidden.unlink()
            return kb

    def _check_new_content(self, paths: list[Path], names: list[str]) -> None:
        """Refused, naming the report, when an upload holds the content of a report in the corpus or of another
        upload (`qa add` would skip it, and the status would say it was added)."""
        from qa.reading.corpus import corpus_files, file_hash

        held = {file_hash(p): p.relative_to(self.corpus).as_posix() for p in corpus_files(self.corpus)}
        for path, name in zip(paths, names):
            digest = file_hash(path)
            if digest in held:
                raise Refused(f"{name}：内容与已有的报告 {held[digest]} 相同，没有加入")
            held[digest] = name

    @contextlib.contextmanager
    def _changing(self):
        """Held while the corpus and its index change together: this library's lock and, for an index folder,
        its build lock, so that no other build runs meanwhile; Refused (BUSY) when another holds it."""
        from qa.api import default_index
        from qa.retrieval.index import IndexBusy, build_lock

        with self._lock, contextlib.ExitStack() as stack:
            if self.store == "faiss":
                try:
                    stack.enter_context(build_lock(Path(self.index or default_index()), lend=True))
                except IndexBusy:
                    raise Refused(BUSY) from None
            yield

    def entry(self, source: str) -> Path:
        """The corpus entry `source` names: the file itself, or the link itself (never a link's target), and
        only inside the corpus folder; Refused otherwise."""
        root = self.corpus.resolve()
        entry = root / source
        inside = not Path(source).is_absolute() and ".." not in Path(source).parts
        if not inside or not entry.parent.resolve().is_relative_to(root) or not (entry.is_symlink() or entry.is_file()):
            raise Refused(f"{source} 不在报告文件夹里")
        return entry


def _refuse(err: BaseException, undone: str) -> None:
    """Raise Refused for an index that could not be updated (`undone`: what was undone); other errors pass."""
    from qa.retrieval.index import BadIndex, IndexBusy

    if isinstance(err, IndexBusy):
        raise Refused(BUSY) from None
    if isinstance(err, BadIndex):
        raise Refused(f"索引无法更新，{undone}：{err}") from None
