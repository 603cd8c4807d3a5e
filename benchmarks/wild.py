"""The wild set by kind (`python benchmarks/wild.py [-v]`): evidence in the top three, figures exact,
wrong, none, and abstentions, over an index of the nine wild documents and the bundled report."""

from __future__ import annotations

import collections
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WILD = Path(os.environ.get("QA_WILD", ROOT.parent / "shared" / "data" / "wild"))
SUFFIXES = (".docx", ".pdf", ".html", ".txt", ".md")


def main(verbose: bool) -> None:
    import qa
    from qa.evaluate import Case, holds_evidence

    with tempfile.TemporaryDirectory() as work:
        corpus = Path(work) / "corpus"
        corpus.mkdir()
        for path in WILD.iterdir():
            if path.suffix in SUFFIXES and path.stem not in ("README", "SOURCES"):
                shutil.copy(path, corpus)
        shutil.copy(ROOT / "corpus" / "hongqiao_2022_fazhi_zhengfu_report.txt", corpus)
        kb = qa.build(corpus, Path(work) / "index", progress=False)
        stats: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        for line in (WILD / "questions.jsonl").read_text("utf-8").splitlines():
            row = json.loads(line)
            case, kind = Case(row["q"], row["answer"], row["evidence"], row["doc"]), row["kind"]
            answer = kb.ask(row["q"])
            got = [f.text for f in answer.figures] if isinstance(row["answer"], list) else answer.figure
            if row["answer"] == "UNANSWERABLE":
                result = "abstained" if answer.figure is None else "wrong"
            else:
                stats[kind]["top3"] += any(holds_evidence(h, case) for h in kb.search(row["q"], 3))
                result = "exact" if got == row["answer"] else "none" if not answer.figure else "wrong"
            stats[kind]["n"] += 1
            stats[kind][result] += 1
            if verbose and result in ("wrong", "none"):
                print(f"  {result:5s} {kind:12s} {row['q']} -> {got!r} (want {row['answer']!r})")
    total: collections.Counter = collections.Counter()
    print("| kind | n | evidence in top 3 | exact | wrong figure | no figure | abstained |")
    print("|---|---|---|---|---|---|---|")
    for kind, counts in sorted(stats.items()) + [("all", total)]:
        if kind != "all":
            total.update(counts)
        print(f"| {kind} | {counts['n']} | {counts['top3']} | {counts['exact']} | {counts['wrong']} | "
              f"{counts['none']} | {counts['abstained']} |")


if __name__ == "__main__":
    main("-v" in sys.argv)
