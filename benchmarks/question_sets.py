"""The labelled question sets, the corpora they are asked over, and the project scorer's judgement of an answer:
shared by `answers.py` (answers by set and kind) and `train_confidence.py` (the confidence model).

No side effects on import, and no import of qa: `answers.py` may run an older checkout's code on these sets.
"""

from __future__ import annotations

import os
import re
import shutil
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("QA_SHARED", HERE.parent / "shared" / "data"))
SUFFIXES = (".docx", ".pdf", ".html", ".txt", ".md")
HONGQIAO = HERE / "corpus" / "hongqiao_2022_fazhi_zhengfu_report.txt"
# Each set: its question files, asked over one index of its documents plus the bundled report.
QUESTIONS = {
    "reports": [HERE / "tests" / "data" / f"{n}.jsonl" for n in ("dev", "heldout", "paraphrase")],
    "wild": [SHARED / "wild" / "questions.jsonl"],
    "wild2": [SHARED / "wild2" / "questions.jsonl"],
    "blind": [HERE / "tests" / "data" / "blind.jsonl"],  # written from the wild and wild2 documents
    # Asked with their history (`qa.evaluate` scores them), over every document above.
    "conversation": sorted((HERE / "tests" / "data").glob("conversation_*.jsonl")),
    "lists": [HERE / "tests" / "data" / "lists.jsonl"],
}


def documents(name: str) -> list[Path]:
    """The report files set `name` is asked over."""
    bundled = [HONGQIAO, *sorted((HERE / "tests" / "data").glob("*.txt"))]
    if name == "reports":
        return bundled
    folders = (name,) if name in ("wild", "wild2") else ("wild", "wild2")
    found = [p for folder in folders for p in sorted((SHARED / folder).iterdir())
             if p.suffix in SUFFIXES and p.stem not in ("README", "SOURCES")]
    return found + (bundled if name in ("conversation", "lists") else [HONGQIAO])


def index(name: str, work: Path) -> Path:
    """Set `name`'s index folder under `work`, built (with the qa imported by the caller) when missing or built
    by another version of reading."""
    import qa
    from qa.retrieval.index import BadIndex

    folder = work / name
    try:
        qa.load(folder)
        return folder
    except BadIndex:  # missing too
        pass
    corpus = work / f"{name}-corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for path in documents(name):
        shutil.copy(path, corpus)
    qa.build(corpus, folder, progress=False)
    return folder


def norm(value):
    """The project scorer's comparison: NFKC, whitespace, commas and '|' dropped."""
    if isinstance(value, list):
        return [norm(v) for v in value]
    return re.sub(r"[\s,|]", "", unicodedata.normalize("NFKC", value)) if isinstance(value, str) else value


def given(answer, want):
    """What an answer gives, as the gold states it: its figures in order for a 分别 list, else its figure."""
    return [f.text for f in answer.figures] if isinstance(want, list) else answer.figure


def judge(want, answer) -> str:
    """exact, wrong or none (no figure) for a figure asked; abstained or wrong for an unanswerable question;
    passage for a question that asks no figure."""
    if want is None:
        return "passage"
    if want == "UNANSWERABLE":
        return "abstained" if answer.figure is None else "wrong"
    return "exact" if norm(given(answer, want)) == norm(want) else "none" if not answer.figure else "wrong"
