"""Reading reports from disk and stripping web-page boilerplate."""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

SUFFIXES = (".txt", ".md", ".html", ".htm", ".docx", ".pdf", ".doc")

# Lines that belong to the web page around a report, not to the report.
# General rules for Chinese government sites; none names a particular file.
_BOILERPLATE = re.compile(
    r"""
    IE版本过低|浏览器版本|升级(IE|浏览器)|建议使用.{0,12}(浏览器|版本)
    |^\s*(关爱版|无障碍|长者模式|繁体版?|简体版?|English|登录|注册|[x×✕])\s*$
    |^\s*当前位置|^\s*您(现在)?的位置|^\s*首页\s*[>›»]
    |关于我们\s*[|｜]|使用帮助|网站声明|网站地图|联系我们\s*[|｜]
    |^\s*(主办|承办|协办|技术支持|联系电话|地址|邮编)\s*[:：]
    |网站标识码|ICP\s*备|ICP备案|公网安备|政府网站找错
    |^\s*附件\s*[:：]|^\s*【?\s*(打印|关闭|收藏|返回顶部|分享到?)
    |^\s*(字号|字体)\s*[:：]?\s*[大中小]|扫一扫|^\s*阅读(次数|量)
    """,
    re.VERBOSE | re.IGNORECASE,
)
_SOURCE = re.compile(r"来源\s*[:：]\s*(?P<source>.*?)(?=\s*(发布时间|发布日期|时间|日期|浏览|$))")
# "天津市红桥区人民政府": a district named before its government, where jieba does not know it.
_REGION = re.compile(r"[市省]?([\u4e00-\u9fff]{2,3}?[区县旗])(?=人民政府)")
_DATE = re.compile(r"(发布时间|发布日期|日期|时间)\s*[:：]\s*"
                   r"(?P<date>\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(\s*\d{1,2}:\d{2}(:\d{2})?)?)")


@dataclass(frozen=True)
class Document:
    """A report as read from the corpus: cleaned text plus metadata."""

    source: str  # path relative to the corpus folder, with forward slashes
    title: str
    text: str  # cleaned text, paragraphs separated by newlines
    publisher: str = ""
    published: str = ""
    region: str = ""  # the district or county the report is about, e.g. 红桥区
    year: str = ""  # the year it reports on, e.g. 2022


class UnreadableError(ValueError):
    """A file that is not a readable report; the message says why and, where it can, the fix."""


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
    from qa.readers import read_lines

    title, lines = read_lines(path)
    return clean(lines, source=path.relative_to(corpus).as_posix(), title=title)


def clean(lines: list[str], *, source: str, title: str = "") -> Document:
    """Drop boilerplate lines; pull the title, 来源 and 发布时间 out as metadata."""
    kept: list[str] = []
    publisher = published = ""
    for line in lines:
        line = line.strip().replace("\u3000", " ").strip()
        if not line or _BOILERPLATE.search(line):
            continue
        source_match, date_match = _SOURCE.search(line), _DATE.search(line)
        if (source_match or date_match) and len(line) < 80:
            publisher = publisher or (source_match.group("source").strip() if source_match else "")
            published = published or (date_match.group("date") if date_match else "")
            # The line above the 来源/发布时间 line is the page's title.
            if kept and not title:
                title = kept.pop()
            continue
        kept.append(line)
    if not kept:
        raise UnreadableError(f"{source}: no report text left after cleaning")
    if not title:
        # "西宁市城东区人民政府 / 关于2022年法治政府建设情况的报告": short lines on top.
        from qa.passages import heading_level

        top = []
        for line in kept[:3]:
            if len(line) > 40 or line[-1] in "。！？；，,:：" or heading_level(line) is not None:
                break
            top.append(line)
        title = "".join(top) or Path(source).stem
    text = "\n".join(kept)
    return Document(source=source, title=title, text=text, publisher=publisher, published=published,
                    region=find_region(title, text), year=find_year(title, text, published))


def find_year(title: str, text: str, published: str) -> str:
    """The year a report covers: named in its title, else early in its text, else the year before publication."""
    for where in (title, text[:300]):
        match = re.search(r"(20\d\d)\s*年", where)
        if match:
            return match.group(1)
    return str(int(published[:4]) - 1) if re.match(r"20\d\d", published) else ""


def find_region(title: str, text: str) -> str:
    """The district or county a report is about: named in its title, else most often near its start."""
    from collections import Counter

    from jieba import posseg

    from qa.tokens import load_jieba

    load_jieba()
    head = f"{title}\n{text[:800]}"
    names = Counter(m.group(1) for m in _REGION.finditer(head))
    names.update(w.word for w in posseg.lcut(head) if w.flag == "ns" and w.word.endswith(("区", "县", "旗")))
    in_title = [name for name, _ in names.most_common() if name in title]
    return in_title[0] if in_title else (names.most_common(1)[0][0] if names else "")


def load_corpus(corpus: Path) -> list[Document]:
    """Read every report under `corpus`; unreadable files are logged and skipped."""
    docs = []
    for path in corpus_files(corpus):
        try:
            docs.append(read_document(path, corpus))
        except (UnreadableError, OSError) as err:
            log.warning("skipping %s: %s", path, err)
    return docs
