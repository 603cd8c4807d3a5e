"""Scoring answers against a question file (JSON lines: q, answer, evidence, optional doc)."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

from qa.textnorm import fold

UNANSWERABLE = "UNANSWERABLE"


@dataclass(frozen=True)
class Case:
    q: str
    answer: str | list[str] | None
    evidence: str | None
    doc: str | None = None


def load_questions(path: str | Path) -> list[Case]:
    """Read a question file; one JSON object a line."""
    cases = []
    for number, line in enumerate(Path(path).read_text("utf-8").splitlines(), 1):
        if line.strip():
            row = json.loads(line)
            try:
                cases.append(Case(row["q"], row.get("answer"), row.get("evidence"), row.get("doc")))
            except KeyError as err:
                raise ValueError(f"{path}:{number}: missing field {err}") from err
    return cases


def _contains(text: str, evidence: str) -> bool:
    """`evidence` stands in `text`, spaces aside; a table row's evidence ("行政许可 9487",
    "| 规范性文件 | 13 | 0 | 55 |") when its cells stand in `text` in order."""
    text = fold(text)
    if re.sub(r"\s+", "", fold(evidence)) in re.sub(r"\s+", "", text):
        return True
    cells = [c for c in re.split(r"[\s|]+", fold(evidence)) if c]
    position = 0
    for cell in cells if len(cells) > 1 else ():
        found = re.search(rf"(?<![\d.]){re.escape(cell)}(?![\d.])" if re.fullmatch(r"[\d.,%]+", cell)
                          else re.escape(cell), text[position:])
        if not found:
            return False
        position += found.end()
    return len(cells) > 1


def holds_evidence(hit, case: Case) -> bool:
    """The hit holds the case's evidence, in the case's document when it names one (a path or a file stem)."""
    in_doc = case.doc is None or hit.source == case.doc or Path(hit.source).stem == case.doc \
        or hit.source.endswith(case.doc)
    return in_doc and _contains(hit.text, case.evidence)


def evaluate(kb, cases: list[Case], *, k: int = 5) -> dict:
    """hit@1, hit@3, MRR over questions with evidence; figure exact match, abstentions, wrong figures."""
    retrieval = [c for c in cases if c.evidence]
    ranks, failures, latencies = [], [], []
    for case in retrieval:
        hits = kb.search(case.q, k)
        rank = next((i for i, h in enumerate(hits, 1) if holds_evidence(h, case)), None)
        ranks.append(rank)
        if rank != 1:
            failures.append({"q": case.q, "kind": "retrieval", "expected": case.evidence,
                             "got": hits[0].text if hits else None})
    figure_right = figure_total = abstained = unanswerable = wrong = evidence_right = evidence_total = 0
    for case in cases:
        started = time.perf_counter()
        answer = kb.ask(case.q, k=k)
        latencies.append(time.perf_counter() - started)
        got = [f.text for f in answer.figures] if isinstance(case.answer, list) else answer.figure
        if case.answer == UNANSWERABLE:
            unanswerable += 1
            abstained += answer.figure is None
            wrong += answer.figure is not None
            ok = answer.figure is None
        elif case.answer is None:
            evidence_total += 1
            ok = bool(answer.evidence) and _contains(answer.evidence, case.evidence)
            evidence_right += ok
        else:
            figure_total += 1
            ok = got == case.answer
            figure_right += ok
            wrong += answer.figure is not None and not ok
        if not ok:
            failures.append({"q": case.q, "kind": "answer", "expected": case.answer,
                             "got": got if case.answer is not None else answer.evidence})
    n = len(retrieval) or 1
    latencies.sort()
    return {
        "questions": len(cases),
        "hit@1": sum(r == 1 for r in ranks) / n,
        "hit@3": sum(r is not None and r <= 3 for r in ranks) / n,
        "mrr": sum(1 / r for r in ranks if r) / n,
        "figure_exact": figure_right / (figure_total or 1), "figure_questions": figure_total,
        "evidence_found": evidence_right / (evidence_total or 1), "evidence_questions": evidence_total,
        "correct_abstentions": abstained, "unanswerable_questions": unanswerable,
        "wrong_figures": wrong,
        "ask_ms_p50": 1000 * latencies[len(latencies) // 2] if latencies else 0.0,
        "failures": failures,
    }


def format_report(report: dict) -> str:
    """The report as a short table and the failing questions."""
    lines = [
        f"questions            {report['questions']}",
        f"hit@1                {report['hit@1']:.1%}",
        f"hit@3                {report['hit@3']:.1%}",
        f"MRR                  {report['mrr']:.3f}",
        f"figure exact match   {report['figure_exact']:.1%} of {report['figure_questions']}",
        f"evidence found       {report['evidence_found']:.1%} of {report['evidence_questions']}",
        f"correct abstentions  {report['correct_abstentions']} of {report['unanswerable_questions']}",
        f"wrong figures given  {report['wrong_figures']}",
        f"ask p50              {report['ask_ms_p50']:.1f} ms",
    ]
    for failure in report["failures"]:
        lines.append(f"FAIL [{failure['kind']}] {failure['q']}\n     expected {failure['expected']!r}\n"
                     f"     got      {failure['got']!r}")
    return "\n".join(lines)
