"""What the app keeps for a browser session between the two steps of a chat turn: the questions it asked and
not yet answered, the replies given to them, and the length of the longest history answered.

A chat request answers only questions its session asked through the page (one per question typed), never the
history the browser sends back: a forged history holding 2,000 pending questions gets no answer for them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import Callable

MAX_SESSIONS = 1_000  # sessions whose turn state is kept, the longest idle dropped first
MAX_PENDING = 4  # questions of one session waiting for their answer at once (and replies kept for them)


@dataclass
class Session:
    """One browser session's turns: answered one at a time (`lock`)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    longest: int = 0  # messages in the longest history answered: an older snapshot never overwrites a newer one
    shown: int = 0  # messages in the longest history the page showed with a question typed (step one)
    asked: deque = field(default_factory=lambda: deque(maxlen=MAX_PENDING))  # typed, not yet answered
    replies: OrderedDict = field(default_factory=OrderedDict)  # question -> the messages that answered it

    def reply(self, question: str, answer: Callable[[str], list]) -> list | None:
        """The messages answering a pending `question`: `answer(question)` when this session asked it and it is
        unanswered, the messages given when it was answered already, None when this session never asked it."""
        if question in self.asked:
            self.asked.remove(question)
            self.replies[question] = answer(question)
            self.replies.move_to_end(question)
            while len(self.replies) > MAX_PENDING:
                self.replies.popitem(last=False)
            return self.replies[question]
        return self.replies.get(question)


class Sessions:
    """The sessions' turn state, at most MAX_SESSIONS of them."""

    def __init__(self):
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._sessions)

    def get(self, key: str) -> Session:
        with self._lock:
            session = self._sessions.pop(key, None) or Session()
            self._sessions[key] = session
            while len(self._sessions) > MAX_SESSIONS:
                self._sessions.popitem(last=False)
            return session

    def drop(self, key: str) -> None:
        with self._lock:
            self._sessions.pop(key, None)
