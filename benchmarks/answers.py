"""Answers by set and kind, scored as the project scorer does (NFKC; whitespace, commas and '|' dropped).

    python benchmarks/answers.py [TREE] [--work DIR] [--sets A,B] [--save NAME] [--diff NAME] [-v]

Answers the dev, held-out and paraphrase questions (tests/data/, over the three bundled district reports), the
public wild and wild2 sets (../shared/data/, each over its documents plus the bundled report) and the blind set
(tests/data/blind.jsonl, over all wild and wild2 documents), with the code of TREE (default: this checkout; an
older checkout gives the "before" column). Indexes are built once into --work (default /tmp/qa-answers).
--save NAME keeps the answers, --diff NAME lists the questions whose result changed since. Not a test.
"""
import collections
import json
import os
import sys
from pathlib import Path

from question_sets import QUESTIONS, given, index, judge  # beside this script, whichever tree runs

ARGS = sys.argv[1:]
ROOT = Path(ARGS[0] if ARGS and not ARGS[0].startswith("-") else Path(__file__).resolve().parent.parent).resolve()
sys.path.insert(0, str(ROOT))
os.environ["HF_HUB_OFFLINE"] = "1"
import qa  # noqa: E402

CONVERSATIONAL = ("conversation", "lists")  # asked with their history and scored by qa.evaluate
IDX = Path(ARGS[ARGS.index("--work") + 1] if "--work" in ARGS else "/tmp/qa-answers")


def main():
    args = ARGS
    verbose = "-v" in args
    save = args[args.index("--save") + 1] if "--save" in args else None
    diff = args[args.index("--diff") + 1] if "--diff" in args else None
    rows, stats = [], collections.defaultdict(collections.Counter)
    chosen = args[args.index("--sets") + 1].split(",") if "--sets" in args else list(QUESTIONS)
    for name in (n for n in CONVERSATIONAL if n in chosen):
        _conversational(name, stats, verbose)
    for name, files in QUESTIONS.items():
        if name in CONVERSATIONAL or name not in chosen:
            continue
        kb = qa.load(index(name, IDX))
        for f in files:
            for line in f.read_text("utf-8").splitlines():
                r = json.loads(line)
                a = kb.ask(r["q"])
                want = r.get("answer")
                got, res = given(a, want), judge(want, a)
                kind = r.get("kind") or f.stem
                stats[f"{name}"][res] += 1
                stats[f"{name}:{kind}"][res] += 1
                rows.append({"set": name, "q": r["q"], "want": want, "got": got, "res": res, "kind": kind,
                             "evidence": a.evidence[:100]})
    for k in sorted(stats):
        print(f"{k:24s}", dict(sorted(stats[k].items())))
    if save:
        Path(IDX / f"answers-{save}.json").write_text(json.dumps(rows, ensure_ascii=False))
    if diff:
        old = {(r["set"], r["q"]): r for r in json.loads(Path(IDX / f"answers-{diff}.json").read_text())}
        for r in rows:
            o = old.get((r["set"], r["q"]))
            if o and (o["res"], o["got"]) != (r["res"], r["got"]):
                print(f"  {o['res']:>9s} -> {r['res']:9s} [{r['set']}:{r['kind']}] {r['q']} | {o['got']} -> {r['got']} (want {r['want']})")
    if verbose:
        for r in rows:
            if r["res"] in ("wrong",):
                print(f"  WRONG [{r['set']}:{r['kind']}] {r['q']} -> {r['got']} (want {r['want']}) | {r['evidence']}")


def _conversational(name, stats, verbose):
    """A set scored by the tree's own `qa.evaluate`: conversations (history, sides, computed operands), lists."""
    from qa.evaluate import evaluate, load_questions

    kb = qa.load(index(name, IDX))
    for path in [p for p in QUESTIONS[name] if p.exists()]:
        try:
            report = evaluate(kb, load_questions(path))
        except TypeError as err:  # an older tree: no history, sides or items
            print(f"{name}: not measurable with this tree ({err})")
            return
        for kind, counts in report["kinds"].items():
            stats[f"{name}:{kind}"].update(counts)
            stats[name].update(counts)
        for failure in report["failures"] if verbose else ():
            if failure["kind"] != "retrieval":
                print(f"  [{name}:{failure['kind']}] {failure['q']} -> {failure['got']} (want {failure['expected']})")


if __name__ == "__main__":
    main()
