"""👍/👎 on answers, kept in a SQLite file beside the index (never inside an index generation).

Only answers this app gave are rated: each is remembered (`Given`, the newest MAX_GIVEN) under a random id the
answer card carries, and a rating names that id, so a forged 👍 has nothing to name. One row per answer, updated
in place when rated again; the file keeps the newest `QA_FEEDBACK_ROWS` rows (default 10,000, about 50 MB at
most with the fields cut as below, typically 1 KB a row), the oldest dropped with a log line.
"""

from __future__ import annotations

import logging
import os
import secrets
import sqlite3
import threading
from collections import OrderedDict
from datetime import datetime, timezone
from pathlib import Path

log = logging.getLogger(__name__)

FILE = "feedback.sqlite3"
COLUMNS = ("time", "rating", "question", "answer", "source")
MAX_ROWS = 10_000  # rows the file keeps ($QA_FEEDBACK_ROWS)
MAX_GIVEN = 2_000  # answers remembered for rating; an older one is told it has expired
LONGEST = {"question": 500, "answer": 1000, "source": 300}  # characters kept of each field
_SCHEMA = """CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY, time TEXT NOT NULL, rating TEXT NOT NULL,
    question TEXT NOT NULL, answer TEXT NOT NULL, source TEXT NOT NULL, answer_id TEXT)"""


class Given:
    """The answers this app gave, by id, for their ratings: the newest `size`."""

    def __init__(self, size: int = MAX_GIVEN):
        self.size = size
        self._answers: OrderedDict[str, dict] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, *, question: str, answer: str, source: str) -> str:
        """Remember an answer given; its id, for the card to carry."""
        answer_id = secrets.token_hex(8)
        with self._lock:
            self._answers[answer_id] = {"question": question, "answer": answer, "source": source}
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)
        return answer_id

    def get(self, answer_id: str) -> dict | None:
        with self._lock:
            return self._answers.get(answer_id)


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

    def __init__(self, path: str | Path, *, max_rows: int | None = None):
        self.path = Path(path)
        self.max_rows = max_rows or int(os.environ.get("QA_FEEDBACK_ROWS") or MAX_ROWS)
        self._trimmed = False  # said once in the log, not at every rating past the limit

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=10)
        connection.execute(_SCHEMA)
        if "answer_id" not in {row[1] for row in connection.execute("PRAGMA table_info(feedback)")}:
            connection.execute("ALTER TABLE feedback ADD COLUMN answer_id TEXT")  # a file of an older version
        connection.execute("CREATE UNIQUE INDEX IF NOT EXISTS feedback_answer ON feedback (answer_id)")
        return connection

    def add(self, *, rating: str, question: str, answer: str, source: str, answer_id: str | None = None) -> None:
        """Record a rating ("up" or "down") of an answer; an answer rated again (same `answer_id`) keeps one row."""
        if rating not in ("up", "down"):
            raise ValueError(f"rating must be 'up' or 'down', not {rating!r}")
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        row = (now, rating, question[:LONGEST["question"]], answer[:LONGEST["answer"]], source[:LONGEST["source"]],
               answer_id)
        with self._connect() as connection:
            connection.execute("INSERT INTO feedback (time, rating, question, answer, source, answer_id) "
                               "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (answer_id) DO UPDATE SET "
                               "time = excluded.time, rating = excluded.rating", row)
            extra = connection.execute("SELECT COUNT(*) FROM feedback").fetchone()[0] - self.max_rows
            if extra > 0:
                connection.execute("DELETE FROM feedback WHERE id IN (SELECT id FROM feedback ORDER BY id LIMIT ?)",
                                   (extra,))
        connection.close()
        if extra > 0:
            log.log(logging.DEBUG if self._trimmed else logging.WARNING, "feedback: dropping the oldest ratings "
                    "of %s, which keeps the newest %d (set QA_FEEDBACK_ROWS to keep more)", self.path, self.max_rows)
            self._trimmed = True

    def rows(self) -> list[dict]:
        """Every rating, oldest first."""
        if not self.path.is_file():
            return []
        with self._connect() as connection:
            rows = connection.execute(f"SELECT {', '.join(COLUMNS)} FROM feedback ORDER BY id").fetchall()
        connection.close()
        return [dict(zip(COLUMNS, row)) for row in rows]

    def to_csv(self) -> str:
        """Every rating as CSV; a cell a spreadsheet would take for a formula ("=HYPERLINK(…)" asked) starts with `'`."""
        from qa import spreadsheet

        return spreadsheet.to_csv(self.rows(), list(COLUMNS))
