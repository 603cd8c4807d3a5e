"""Answers by set and kind, scored as the project scorer does (NFKC; whitespace, commas and '|' dropped).

    python benchmarks/answers.py [TREE] [--work DIR] [--save NAME] [--diff NAME] [-v]

Answers the dev, held-out and paraphrase questions (tests/data/, over the three bundled district reports), the
public wild and wild2 sets (../shared/data/, each over its documents plus the bundled report) and the blind set
(tests/data/blind.jsonl, over all wild and wild2 documents), with the code of TREE (default: this checkout; an
older checkout gives the "before" column). Indexes are built once into --work (default /tmp/qa-answers).
--save NAME keeps the answers, --diff NAME lists the questions whose result changed since. Not a test.
"""
import collections, json, os, shutil, sys, tempfile
from pathlib import Path

ARGS = sys.argv[1:]
ROOT = Path(ARGS[0] if ARGS and not ARGS[0].startswith("-") else Path(__file__).resolve().parent.parent).resolve()
HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["HF_HUB_OFFLINE"] = "1"
import qa  # noqa: E402

SHARED = Path(os.environ.get("QA_SHARED", HERE.parent / "shared" / "data"))
IDX = Path(ARGS[ARGS.index("--work") + 1] if "--work" in ARGS else "/tmp/qa-answers")
SETS = {"reports": [HERE / "tests/data" / f"{n}.jsonl" for n in ("dev", "heldout", "paraphrase")],
        "wild": [SHARED / "wild/questions.jsonl"], "wild2": [SHARED / "wild2/questions.jsonl"],
        "blind": [HERE / "tests/data/blind.jsonl"]}


def norm(x):
    """The project scorer's normalisation: NFKC, whitespace, commas and '|' dropped."""
    import re, unicodedata
    if isinstance(x, list):
        return [norm(i) for i in x]
    return re.sub(r"[\s,|]", "", unicodedata.normalize("NFKC", x)) if isinstance(x, str) else x


def corpus_of(name, folder):
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(HERE / "corpus/hongqiao_2022_fazhi_zhengfu_report.txt", folder)
    if name == "reports":
        for p in (HERE / "tests/data").glob("*.txt"):
            shutil.copy(p, folder)
    else:
        for p in [*(SHARED / "wild").iterdir(), *(SHARED / "wild2").iterdir()] if name == "blind" else (SHARED / name).iterdir():
            if p.suffix in (".docx", ".pdf", ".html", ".txt", ".md") and p.stem not in ("README", "SOURCES"):
                shutil.copy(p, folder)


def main():
    args = ARGS
    verbose = "-v" in args
    save = args[args.index("--save") + 1] if "--save" in args else None
    diff = args[args.index("--diff") + 1] if "--diff" in args else None
    rows, stats = [], collections.defaultdict(collections.Counter)
    for name, files in SETS.items():
        if not (IDX / name / "CURRENT").exists():
            corpus_of(name, IDX / f"{name}-corpus")
            qa.build(IDX / f"{name}-corpus", IDX / name, progress=False)
        kb = qa.load(IDX / name)
        for f in files:
            for line in f.read_text("utf-8").splitlines():
                r = json.loads(line)
                a = kb.ask(r["q"])
                want = r.get("answer")
                got = [x.text for x in a.figures] if isinstance(want, list) else a.figure
                if want == "UNANSWERABLE":
                    res = "abstained" if a.figure is None else "wrong"
                elif want is None:
                    res = "passage"
                else:
                    res = "exact" if norm(got) == norm(want) else "none" if not a.figure else "wrong"
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


if __name__ == "__main__":
    main()
