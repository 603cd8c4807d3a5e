"""👍/👎 on answers, kept in a SQLite file beside the index (never inside an index generation)."""

from __future__ import annotations

import csv
import io
import os
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

FILE = "feedback.sqlite3"
COLUMNS = ("time", "rating", "question", "answer", "source")
_SCHEMA = """CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY, time TEXT NOT NULL, rating TEXT NOT NULL,
    question TEXT NOT NULL, answer TEXT NOT NULL, source TEXT NOT NULL)"""


def feedback_path(*, store: str = "faiss", index: str | Path | None = None, uri: str | None = None) -> Path:
    """$QA_FEEDBACK, else index/feedback.sqlite3 (the index folder's root, beside its generations);
    for Milvus Lite `x.db` it is `x.feedback.sqlite3`, for a Milvus server ./feedback.sqlite3."""
    if os.environ.get("QA_FEEDBACK"):
        return Path(os.environ["QA_FEEDBACK"])
    if store == "milvus":
        return Path(uri).with_suffix(".feedback.sqlite3") if uri and uri.endswith(".db") else Path(FILE)
    from qa.api import default_index

    return Path(index or default_index()) / FILE


class Feedback:
    """The feedback table; one short connection per call, so any thread may write."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=10)
        connection.execute(_SCHEMA)
        return connection

    def add(self, *, rating: str, question: str, answer: str, source: str) -> None:
        """Record one rating ("up" or "down") of an answer."""
        if rating not in ("up", "down"):
            raise ValueError(f"rating must be 'up' or 'down', not {rating!r}")
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with self._connect() as connection:
            connection.execute("INSERT INTO feedback (time, rating, question, answer, source) VALUES (?, ?, ?, ?, ?)",
                               (now, rating, question[:2000], answer[:5000], source[:1000]))
        connection.close()

    def rows(self) -> list[dict]:
        """Every rating, oldest first."""
        if not self.path.is_file():
            return []
        with self._connect() as connection:
            rows = connection.execute(f"SELECT {', '.join(COLUMNS)} FROM feedback ORDER BY id").fetchall()
        connection.close()
        return [dict(zip(COLUMNS, row)) for row in rows]

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(self.rows())
        return out.getvalue()
