"""How likely a chosen figure is the one asked for: a small logistic model over the named evidence of the choice.

The weights (`confidence.json`) are plain data trained by `benchmarks/train_confidence.py` on the labelled
questions, with the threshold chosen on reports left out of training (leave-one-document-out); the same
`features` function computes the inputs for training and for answering. A figure below the threshold is not
given: the answer shows its sentence instead. Without the file, every figure passes.
"""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path

MODEL = Path(__file__).with_name("confidence.json")
EVIDENCE = ("support", "unit", "bare", "retrieval", "coverage", "kind", "part", "unasked", "narrower", "change",
            "year", "label", "period", "target")


def features(evidence: dict[str, float], *, score: float, margin: float, candidates: int, listed: bool,
             table: bool, rewritten: bool, unit_asked: bool, measure_asked: bool, change_asked: bool) -> dict[str, float]:
    """The named inputs of the model for the best candidate: its evidence, how far it leads, what was asked."""
    named = {f"evidence_{name}": float(evidence.get(name, 0.0)) for name in EVIDENCE}
    named.update(score=score, margin=min(margin, 1.0), candidates=math.log1p(candidates), listed=float(listed),
                 table=float(table), rewritten=float(rewritten), unit_asked=float(unit_asked),
                 measure_asked=float(measure_asked), change_asked=float(change_asked))
    return named


@functools.lru_cache(maxsize=1)
def _model() -> dict | None:
    return json.loads(MODEL.read_text(encoding="utf-8")) if MODEL.is_file() else None


def probability(named: dict[str, float]) -> float | None:
    """P(the figure is the one asked for), or None without a trained model."""
    model = _model()
    if model is None:
        return None
    z = model["bias"] + sum(w * (named.get(f, 0.0) - m) / s
                            for f, w, m, s in zip(model["features"], model["weights"], model["mean"], model["scale"]))
    return 1.0 / (1.0 + math.exp(-z))


def confident(named: dict[str, float]) -> bool:
    """The figure may be given: the model rates it at or above its threshold (or there is no model)."""
    p = probability(named)
    return p is None or p >= _model()["threshold"]
