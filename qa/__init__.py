"""Question answering over Chinese government reports.

`search` finds passages, `ask` answers with the exact figure and its evidence,
`build`, `add` and `load` make, update and open index folders.
"""

__version__ = "0.1.0"

from qa.results import Answer, Figure, Hit  # noqa: E402
from qa.api import add, ask, build, load, search  # noqa: E402
from qa.answers.asking import KnowledgeBase  # noqa: E402
from qa.reading.inspect import Inspection, inspect  # noqa: E402

__all__ = ["Answer", "Figure", "Hit", "Inspection", "KnowledgeBase", "inspect", "add", "ask", "build", "load", "search", "__version__"]
