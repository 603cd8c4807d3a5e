"""Train the confidence model of figure choice (`qa/answers/confidence.json`), checked by leaving reports out.

    python benchmarks/train_confidence.py [--work DIR] [--cost 3] [--write]

Every labelled question of the dev, held-out and paraphrase sets (the three bundled district reports) and of the
public wild and wild2 sets is answered without the confidence gate; each figure given is labelled right or wrong
against the gold. A logistic regression over the named features (`qa.answers.confidence.features`) is fitted
leave-one-document-out: each report's figures are scored by a model fitted without that report. The threshold
keeps the most right figures for the fewest wrong ones on those left-out scores (a wrong figure costs `--cost`
right ones); the numbers printed are the left-out ones, beside the in-sample ones. `--write` fits on everything
and writes the model with those numbers. tests/data/blind.jsonl is never trained on: it measures what carries.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from question_sets import QUESTIONS, index, judge  # noqa: E402  (beside this script)

TRAINED_ON = ("reports", "wild", "wild2")  # never the blind set


def collect(work: Path) -> list[dict]:
    """One row per figure the system gives without the gate: its features, right or wrong, its report."""
    import qa
    from qa.answers.answering import proposal
    from qa.answers.asking import POOL_ANSWER

    rows = []
    for name in TRAINED_ON:
        kb = qa.load(index(name, work))
        for path in QUESTIONS[name]:
            for line in path.read_text(encoding="utf-8").splitlines():
                row = json.loads(line)
                if row.get("answer") is None:
                    continue  # a passage question: no figure to judge
                asked = kb.analyse(row["q"])
                scope = kb.scope(asked)
                if scope.missing:
                    continue
                hits = kb.hits(kb.rank(asked, k=POOL_ANSWER, scope=scope))
                must_name = {kb.documents[i].source: w for i, w in scope.must_name.items()}
                answer, named = proposal(asked, hits, weights=kb.keyword_weights(asked.keywords), must_name=must_name)
                if answer is None or not answer.figure:
                    continue
                rows.append({"set": name, "q": row["q"], "doc": answer.source, "features": named,
                             "right": judge(row["answer"], answer) == "exact"})
    return rows


def _fit(x, y):
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=0.5, max_iter=2000).fit((x - mean) / scale, y)
    return model, mean, scale, np.asarray(model.coef_[0]), float(model.intercept_[0])


def _kept(p, y, threshold):
    given = p >= threshold
    return int((given & y).sum()), int((given & ~y).sum())


def main() -> None:
    import numpy as np

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work", help="keep the indexes in this folder (default: a temporary one)")
    parser.add_argument("--cost", type=float, default=3.0, help="right figures one wrong figure is worth")
    parser.add_argument("--write", action="store_true", help="write qa/answers/confidence.json")
    args = parser.parse_args()
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="qa-confidence-"))
    rows = collect(work)
    names = sorted(rows[0]["features"])
    x = np.array([[r["features"][n] for n in names] for r in rows])
    y = np.array([r["right"] for r in rows])
    docs = np.array([r["doc"] for r in rows])
    left_out = np.zeros(len(rows))
    for doc in sorted(set(docs)):
        held = docs == doc
        if y[~held].all() or not y[~held].any():
            left_out[held] = 1.0
            continue
        model, mean, scale, _, _ = _fit(x[~held], y[~held])
        left_out[held] = model.predict_proba((x[held] - mean) / scale)[:, 1]
    model, mean, scale, weights, bias = _fit(x, y)
    in_sample = model.predict_proba((x - mean) / scale)[:, 1]
    thresholds = np.unique(np.round(left_out, 3))
    best = max([0.0, *thresholds], key=lambda t: (lambda r, w: r - args.cost * w)(*_kept(left_out, y, t)))
    print(f"{len(rows)} figures given without the gate over {len(set(docs))} reports: {int(y.sum())} right, "
          f"{int((~y).sum())} wrong")
    print("| threshold | right kept (left out) | wrong kept (left out) | right kept (in sample) | wrong kept (in sample) |")
    print("|---|---|---|---|---|")
    for t in sorted({0.0, 0.3, 0.4, 0.5, 0.6, float(best)}):
        print(f"| {t:.3f} | {_kept(left_out, y, t)[0]} | {_kept(left_out, y, t)[1]} | "
              f"{_kept(in_sample, y, t)[0]} | {_kept(in_sample, y, t)[1]} |")
    sets = np.array([r["set"] for r in rows])
    by_set = {name: _kept(left_out[sets == name], y[sets == name], best) for name in TRAINED_ON}
    print("chosen threshold", round(float(best), 3), "left-out right/wrong kept by set:", by_set)
    for name, w in sorted(zip(names, weights), key=lambda item: -abs(item[1])):
        print(f"  {name:22s} {w:+.3f}")
    if args.write:
        right, wrong = _kept(left_out, y, best)
        (ROOT / "qa" / "answers" / "confidence.json").write_text(json.dumps({
            "features": names, "weights": [round(float(w), 6) for w in weights], "bias": round(bias, 6),
            "mean": [round(float(m), 6) for m in mean], "scale": [round(float(s), 6) for s in scale],
            "threshold": round(float(best), 4),
            "trained_on": {name: [str(p.relative_to(p.parents[2])) for p in QUESTIONS[name]] for name in TRAINED_ON},
            "left_out": {"figures": len(rows), "right": int(y.sum()), "right_kept": right, "wrong_kept": wrong,
                         "wrong": int((~y).sum()), "by_set": by_set, "cost": args.cost},
        }, indent=1) + "\n", encoding="utf-8")
        print("wrote qa/answers/confidence.json")


if __name__ == "__main__":
    main()
