"""Scoring answers against a question file (JSON lines).

Each line: `q`, `answer` (the figure as written; a list for a 分别 question; "UNANSWERABLE"; null when a passage
answers), `evidence`, optional `doc`, `kind` and `history` (the conversation's earlier questions). A comparison
gives `sides` (each side's figure, "UNANSWERABLE" for a side not covered) and `larger`; a computed value its
`operands` as written; a list question its `items` (the first words of each, in order).
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from qa.textnorm import fold

UNANSWERABLE = "UNANSWERABLE"


@dataclass(frozen=True)
class Case:
    q: str
    answer: str | list[str] | None
    evidence: str | dict | None
    doc: str | list[str] | None = None
    kind: str = ""
    history: tuple[str, ...] = ()
    sides: dict | None = None
    larger: str | None = None
    operands: tuple[str, ...] = ()
    items: tuple[str, ...] = ()


def load_questions(path: str | Path) -> list[Case]:
    """Read a question file; one JSON object a line."""
    cases = []
    for number, line in enumerate(Path(path).read_text("utf-8").splitlines(), 1):
        if line.strip():
            row = json.loads(line)
            try:
                cases.append(Case(row["q"], row.get("answer"), row.get("evidence"), row.get("doc"),
                                  kind=row.get("kind", ""), history=tuple(row.get("history", ())),
                                  sides=row.get("sides"), larger=row.get("larger"),
                                  operands=tuple(row.get("operands", ())), items=tuple(row.get("items", ()))))
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


def _same(got, want) -> bool:
    """The scorer's comparison: NFKC, whitespace and thousands commas aside; lists item by item."""
    def norm(value):
        return re.sub(r"[\s,，|]", "", fold(value)) if isinstance(value, str) else value
    if isinstance(want, (list, tuple)):
        return isinstance(got, (list, tuple)) and [norm(g) for g in got] == [norm(w) for w in want]
    return norm(got) == norm(want)


def _side(answer, name: str):
    """The side of a comparison answer asked about `name` (its own question starts with or names it)."""
    return next((s for s in answer.sides if s.understood.startswith(name)), None) \
        or next((s for s in answer.sides if name in s.understood), None)


def judge(case: Case, answer) -> tuple[str, object]:
    """right, wrong (a figure, side, operand or list item that is not the report's) or missed, and what was got."""
    if case.items:
        got = list(answer.items)
        found = [re.sub(r"\s+", "", fold(i)) for i in got]
        wanted = [re.sub(r"\s+", "", fold(i)) for i in case.items]
        if any(not any(w in f for w in wanted) for f in found):
            return "wrong", got  # an item of another list
        return ("right" if len(found) == len(wanted) and all(w in f for w, f in zip(wanted, found)) else "missed"), got
    if case.sides:
        got = {name: (s.figure if (s := _side(answer, name)) else None) for name in case.sides}
        if any(g is not None and not _same(g, case.sides[name]) for name, g in got.items()):
            return "wrong", got
        named = answer.calculation.split("（")[0] if answer.calculation else ""  # the side it calls larger
        if case.larger and named and "相同" not in answer.calculation \
                and not (case.larger.startswith(named) or named.startswith(case.larger)):
            return "wrong", answer.calculation
        right = all((g is None) if case.sides[name] == UNANSWERABLE else g is not None for name, g in got.items())
        return ("right" if right else "missed"), got
    if case.answer == UNANSWERABLE:
        return ("wrong" if answer.figure is not None or answer.calculation else "right"), answer.figure
    if case.answer is None:
        return ("right" if answer.evidence and _contains(answer.evidence, case.evidence) else "missed"), \
            answer.evidence
    got = [f.text for f in answer.figures] if isinstance(case.answer, list) else answer.figure
    if case.operands:  # a computed value: the value and the operands it was computed from
        operands = [f.text for f in answer.figures]
        if got is not None and not (_same(got, case.answer) and _same(operands, case.operands)):
            return "wrong", (got, operands)
        return ("right" if got is not None and answer.calculation else "missed"), (got, operands)
    if _same(got, case.answer):
        return "right", got
    return ("wrong" if answer.figure is not None else "missed"), got


def evaluate(kb, cases: list[Case], *, k: int = 5) -> dict:
    """hit@1, hit@3, MRR over standalone questions with one evidence; figure exact match, abstentions, wrong
    figures; each kind's right, wrong and missed (conversations asked with their history); list completeness."""
    retrieval = [c for c in cases if isinstance(c.evidence, str) and c.evidence and not c.history]
    ranks, failures, latencies = [], [], []
    for case in retrieval:
        hits = kb.search(case.q, k)
        rank = next((i for i, h in enumerate(hits, 1) if holds_evidence(h, case)), None)
        ranks.append(rank)
        if rank != 1:
            failures.append({"q": case.q, "kind": "retrieval", "expected": case.evidence,
                             "got": hits[0].text if hits else None})
    kinds: dict[str, Counter] = defaultdict(Counter)
    results, unlabelled = [], 0
    for case in cases:
        started = time.perf_counter()
        answer = kb.ask(case.q, k=k, history=case.history)
        latencies.append(time.perf_counter() - started)
        result, got = judge(case, answer)
        results.append((case, result))
        kind = case.kind or _kind(case)
        kinds[kind][result] += 1
        unlabelled += bool(answer.calculation) and "计算值" not in answer.calculation
        if result != "right":
            expected = case.items or case.sides or (case.evidence if case.answer is None else case.answer)
            failures.append({"q": " → ".join([*case.history, case.q]), "kind": f"{kind}, {result}",
                             "expected": expected, "got": got})
    n = len(retrieval) or 1
    latencies.sort()

    def share(kind: str) -> tuple[int, int]:
        judged = [result for case, result in results if _kind(case) == kind]
        return sum(r == "right" for r in judged), len(judged)

    (figures_right, figures), (found, passages), (abstained, unanswerable) = map(share, ("figure", "passage",
                                                                                         "unanswerable"))
    return {
        "questions": len(cases),
        "hit@1": sum(r == 1 for r in ranks) / n,
        "hit@3": sum(r is not None and r <= 3 for r in ranks) / n,
        "mrr": sum(1 / r for r in ranks if r) / n,
        "right": sum(r == "right" for _, r in results), "missed": sum(r == "missed" for _, r in results),
        "kinds": {kind: dict(counts) for kind, counts in sorted(kinds.items())},
        "figure_exact": figures_right / (figures or 1), "figure_questions": figures,
        "evidence_found": found / (passages or 1), "evidence_questions": passages,
        "correct_abstentions": abstained, "unanswerable_questions": unanswerable,
        "wrong_figures": sum(r == "wrong" for _, r in results),
        "computed_without_formula": unlabelled,
        "ask_ms_p50": 1000 * latencies[len(latencies) // 2] if latencies else 0.0,
        "failures": failures,
    }


def _kind(case: Case) -> str:
    """How a case is judged: list, comparison, unanswerable, passage or figure (a computed value among these)."""
    return ("list" if case.items else "comparison" if case.sides else "unanswerable" if case.answer == UNANSWERABLE
            else "passage" if case.answer is None else "figure")


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
        f"right                {report['right']} of {report['questions']} ({report['missed']} missed)",
        *(f"  {kind:19s}{counts.get('right', 0)} right, {counts.get('wrong', 0)} wrong, "
          f"{counts.get('missed', 0)} missed" for kind, counts in report["kinds"].items()),
    ]
    if report["computed_without_formula"]:
        lines.append(f"computed values without 计算值  {report['computed_without_formula']}")
    for failure in report["failures"]:
        lines.append(f"FAIL [{failure['kind']}] {failure['q']}\n     expected {failure['expected']!r}\n"
                     f"     got      {failure['got']!r}")
    return "\n".join(lines)
