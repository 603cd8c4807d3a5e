"""👍/👎 on answers, kept in a SQLite file beside the index (never inside an index generation).

Only answers this app gave are rated: each is remembered (`Given`, the newest MAX_GIVEN) under a random id the
answer card carries, and a rating names that id, so a forged 👍 has nothing to name. One row per answer, updated
in place when rated again and removed when the rating is taken back; a 👎 may carry a short reason. The file
keeps the newest `QA_FEEDBACK_ROWS` rows (default 10,000, about 50 MB at most with the fields cut as below,
typically 1 KB a row), the oldest dropped with a log line.
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
COLUMNS = ("time", "rating", "question", "answer", "source", "reason")  # reason last: older exports keep their columns
MAX_ROWS = 10_000  # rows the file keeps ($QA_FEEDBACK_ROWS)
MAX_GIVEN = 2_000  # answers remembered for rating; an older one is told it has expired
LONGEST = {"question": 500, "answer": 1000, "source": 300, "reason": 100}  # characters kept of each field
_SCHEMA = """CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY, time TEXT NOT NULL, rating TEXT NOT NULL,
    question TEXT NOT NULL, answer TEXT NOT NULL, source TEXT NOT NULL, answer_id TEXT, reason TEXT)"""


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


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


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
        present = {row[1] for row in connection.execute("PRAGMA table_info(feedback)")}
        for column in ("answer_id", "reason"):  # a file of an older version
            if column not in present:
                connection.execute(f"ALTER TABLE feedback ADD COLUMN {column} TEXT")
        connection.execute("CREATE UNIQUE INDEX IF NOT EXISTS feedback_answer ON feedback (answer_id)")
        return connection

    def add(self, *, rating: str, question: str, answer: str, source: str, answer_id: str | None = None) -> None:
        """Record a rating ("up" or "down") of an answer; an answer rated again (same `answer_id`) keeps one row,
        whose reason a new rating clears."""
        if rating not in ("up", "down"):
            raise ValueError(f"rating must be 'up' or 'down', not {rating!r}")
        row = (_now(), rating, question[:LONGEST["question"]], answer[:LONGEST["answer"]], source[:LONGEST["source"]],
               answer_id)
        with self._connect() as connection:
            connection.execute("INSERT INTO feedback (time, rating, question, answer, source, answer_id) "
                               "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (answer_id) DO UPDATE SET "
                               "time = excluded.time, rating = excluded.rating, reason = NULL", row)
            extra = connection.execute("SELECT COUNT(*) FROM feedback").fetchone()[0] - self.max_rows
            if extra > 0:
                connection.execute("DELETE FROM feedback WHERE id IN (SELECT id FROM feedback ORDER BY id LIMIT ?)",
                                   (extra,))
        connection.close()
        if extra > 0:
            log.log(logging.DEBUG if self._trimmed else logging.WARNING, "feedback: dropping the oldest ratings "
                    "of %s, which keeps the newest %d (set QA_FEEDBACK_ROWS to keep more)", self.path, self.max_rows)
            self._trimmed = True

    def change(self, answer_id: str, rating: str | None) -> bool:
        """Set the rating of an answer already rated ("up", "down"), or take it back (None: its row goes).
        False when no row has that id."""
        if rating not in ("up", "down", None):
            raise ValueError(f"rating must be 'up', 'down' or None, not {rating!r}")
        with self._connect() as connection:
            if rating is None:
                changed = connection.execute("DELETE FROM feedback WHERE answer_id = ?", (answer_id,)).rowcount
            else:
                changed = connection.execute("UPDATE feedback SET time = ?, rating = ?, reason = NULL "
                                             "WHERE answer_id = ?", (_now(), rating, answer_id)).rowcount
        connection.close()
        return bool(changed)

    def explain(self, answer_id: str, reason: str) -> bool:
        """Keep a 👎's reason (cut to LONGEST["reason"] characters) in its row; False when the answer's rating is
        not a 👎 (taken back or changed meanwhile)."""
        with self._connect() as connection:
            changed = connection.execute("UPDATE feedback SET reason = ? WHERE answer_id = ? AND rating = 'down'",
                                         (reason.strip()[:LONGEST["reason"]], answer_id)).rowcount
        connection.close()
        return bool(changed)

    def ratings(self, answer_ids: list[str]) -> dict[str, str]:
        """The rating ("up", "down") of each of `answer_ids` that has one."""
        if not answer_ids or not self.path.is_file():
            return {}
        with self._connect() as connection:
            found = connection.execute(f"SELECT answer_id, rating FROM feedback WHERE answer_id IN "
                                       f"({', '.join('?' * len(answer_ids))})", answer_ids).fetchall()
        connection.close()
        return dict(found)

    def rows(self) -> list[dict]:
        """Every rating, oldest first."""
        if not self.path.is_file():
            return []
        with self._connect() as connection:
            rows = connection.execute(f"SELECT {', '.join(COLUMNS)} FROM feedback ORDER BY id").fetchall()
        connection.close()
        return [{**dict(zip(COLUMNS, row)), "reason": row[COLUMNS.index("reason")] or ""} for row in rows]

    def to_csv(self) -> str:
        """Every rating as CSV; a cell a spreadsheet would take for a formula ("=HYPERLINK(…)" asked) starts with `'`."""
        from qa import spreadsheet

        return spreadsheet.to_csv(self.rows(), list(COLUMNS))
