"""The Milvus store: passages, sentence vectors and BM25 in Milvus, for collections beyond one machine.

A URI ending in `.db` runs Milvus Lite inside this process (PyPI `milvus-lite`);
`http://host:19530` talks to a Milvus server or cluster through the same pymilvus calls.
A generation of the store is three collections, `{name}_g{generation}_…`:

- `…_passages`: the passage and `terms`, the passage's BM25 tokens (`qa.retrieval.tokens`), analysed
  by Milvus's jieba tokenizer into a sparse BM25 field by a Milvus `Function`; keyword counts
  read the same terms;
- `…_sentences`: one dense vector per sentence and the passage it belongs to (a passage
  scores as its best sentence, as in the FAISS store);
- `…_documents`: each report's metadata and file hash, plus one settings row (model, format).

The alias `{name}_current` names the documents collection of the generation in use; a write
builds a whole new generation and then moves the alias (see `write_store`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from qa.retrieval.index import BadIndex, IndexMissing, IndexUnwritable, corpus_state, dense_units
from qa.reading.passages import CHUNKER_VERSION, Passage
from qa.retrieval.store import Match

if TYPE_CHECKING:
    import numpy as np

    from qa.reading.document import Document

log = logging.getLogger(__name__)

FORMAT = 4  # 3: generations behind an alias, reports named by id; 4: keyword counts from the BM25 terms
BATCH = 1000  # rows per insert
TEXT = 65_535  # longest VARCHAR Milvus takes (bytes)
LONGEST = 8_000  # characters of a heading kept: 24 KB of UTF-8 at most
_SETTINGS = 0  # id of the settings row in the documents collection
_KINDS = ("documents", "passages", "sentences")
_ANALYZER = {"tokenizer": {"type": "jieba", "mode": "exact", "hmm": True}}  # see qa.retrieval.tokens._pieces


def connect(uri: str):
    """A pymilvus client for `uri`; a clear error when pymilvus or Milvus Lite is missing."""
    try:
        from pymilvus import MilvusClient
    except ImportError as err:
        raise ModuleNotFoundError("the milvus store needs pymilvus: pip install -e '.[milvus]'") from err
    if uri.endswith(".db"):
        try:
            import milvus_lite  # noqa: F401
        except ImportError as err:
            raise ModuleNotFoundError(f"{uri} is a Milvus Lite file, which needs milvus-lite: "
                                      "pip install -e '.[milvus]'") from err
        Path(uri).parent.mkdir(parents=True, exist_ok=True)
        # Milvus Lite lacks a timestamp call that pymilvus's iterators try first, then do without;
        # its gRPC server would log each try as an error.
        logging.getLogger("grpc._server").setLevel(logging.CRITICAL)
    for noisy in ("pymilvus", "milvus_lite"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    try:
        return MilvusClient(uri, timeout=10)
    except Exception as err:  # pymilvus raises MilvusException for every way of failing to connect
        raise BadIndex(f"cannot reach Milvus at {uri}: start the server or fix --milvus-uri ({err})") from err


def _alias(name: str) -> str:
    """The alias naming the documents collection of the generation in use."""
    return f"{name}_current"


def _names(name: str, generation: str, *, building: bool = False) -> tuple[str, str, str]:
    """The collections of a generation: `{name}_b…` while a write fills them, `{name}_g…` once complete."""
    return tuple(f"{name}_{'b' if building else 'g'}{generation}_{kind}" for kind in _KINDS)


def _generations(client, name: str) -> set[str]:
    """Every generation whose collections exist, whole or not."""
    pattern = re.compile(rf"{re.escape(name)}_[bg]([0-9a-f]+)_(?:{'|'.join(_KINDS)})")
    return {m.group(1) for c in client.list_collections() if (m := pattern.fullmatch(c))}


def _current(client, name: str) -> str | None:
    """The generation the alias points at, or None when no write completed."""
    if _alias(name) not in client.list_aliases().get("aliases", []):
        return None
    collection = client.describe_alias(_alias(name))["collection_name"]
    match = re.fullmatch(rf"{re.escape(name)}_g([0-9a-f]+)_documents", collection)
    return match.group(1) if match else None


def _id(*parts: object) -> int:
    """A stable positive int64 id."""
    digest = hashlib.blake2b("\0".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1 or 1


def _quote(text: str) -> str:
    """A string literal for a Milvus filter expression."""
    return json.dumps(text, ensure_ascii=False)


def _in(field: str, values) -> str:
    return f"{field} in {json.dumps(sorted(values), ensure_ascii=False)}"


def _settings(client, name: str) -> tuple[dict | None, str | None]:
    """The settings row of the generation in use, and that generation; (None, None) when there is none."""
    generation = _current(client, name)
    if generation is None or not all(client.has_collection(c) for c in _names(name, generation)):
        return None, None
    for collection in _names(name, generation):
        client.load_collection(collection)  # a reopened Milvus Lite file starts released
    documents, _, _ = _names(name, generation)
    rows = client.query(documents, ids=[_SETTINGS], output_fields=["record"])
    return (json.loads(rows[0]["record"]) if rows else None), generation


def _unusable(settings: dict | None, name: str, uri: str) -> str | None:
    """Why the collection cannot be searched as it stands, or None."""
    if settings is None:
        return f"no collection {name} at {uri}"
    if settings.get("format") != FORMAT or settings.get("chunker") != CHUNKER_VERSION:
        return f"collection {name} at {uri} was built by another version of qa"
    return None


def _rows(client, collection: str, fields: list[str], filter: str = ""):
    """Every row of `collection`, in batches (a plain query returns at most 16,384 rows)."""
    rows = client.query_iterator(collection, batch_size=1000, filter=filter, output_fields=fields)
    try:
        while batch := rows.next():
            yield from batch
    finally:
        rows.close()


def _stored_files(client, documents: str) -> dict[str, dict]:
    """source -> record of every file the documents collection holds."""
    return {row["source"]: json.loads(row["record"])
            for row in _rows(client, documents, ["source", "record"], f"id != {_SETTINGS}")}


def _create(client, names: tuple[str, str, str], dimension: int, settings: dict, *, exact: bool) -> None:
    from pymilvus import DataType, Function, FunctionType

    documents, passages, sentences = names
    for collection in names:
        client.drop_collection(collection)

    schema = client.create_schema(auto_id=False)
    schema.add_field("id", DataType.INT64, is_primary=True)
    schema.add_field("source", DataType.VARCHAR, max_length=TEXT)
    schema.add_field("record", DataType.VARCHAR, max_length=TEXT)
    schema.add_field("unused", DataType.FLOAT_VECTOR, dim=2)  # Milvus wants a vector field in every collection
    index = client.prepare_index_params()
    index.add_index("unused", index_type="FLAT", metric_type="L2")
    client.create_collection(documents, schema=schema, index_params=index)

    # Passages and sentences name their report by its id (`_id(source)`), not its path: filters then
    # hold numbers only, whatever characters a file name has.
    schema = client.create_schema(auto_id=False)
    schema.add_field("id", DataType.INT64, is_primary=True)
    schema.add_field("doc", DataType.INT64)
    schema.add_field("section", DataType.VARCHAR, max_length=TEXT)
    schema.add_field("text", DataType.VARCHAR, max_length=TEXT)
    schema.add_field("start", DataType.INT64)
    schema.add_field("end", DataType.INT64)
    schema.add_field("key", DataType.VARCHAR, max_length=64)
    schema.add_field("terms", DataType.VARCHAR, max_length=TEXT, enable_analyzer=True, analyzer_params=_ANALYZER)
    schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    schema.add_function(Function(name="bm25", function_type=FunctionType.BM25,
                                 input_field_names=["terms"], output_field_names=["sparse"]))
    index = client.prepare_index_params()
    # bm25s's defaults, which the FAISS store uses.
    index.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25",
                    params={"bm25_k1": 1.5, "bm25_b": 0.75})
    index.add_index("doc", index_type="INVERTED")
    client.create_collection(passages, schema=schema, index_params=index)

    schema = client.create_schema(auto_id=True)
    schema.add_field("id", DataType.INT64, is_primary=True)
    schema.add_field("passage", DataType.INT64)
    schema.add_field("doc", DataType.INT64)
    schema.add_field("start", DataType.INT64)
    schema.add_field("dense", DataType.FLOAT_VECTOR, dim=dimension)
    index = client.prepare_index_params()
    # Exact search in Milvus Lite, as in the FAISS store; a server picks its own ANN index.
    index.add_index("dense", index_type="FLAT" if exact else "AUTOINDEX", metric_type="IP")
    index.add_index("doc", index_type="INVERTED")
    client.create_collection(sentences, schema=schema, index_params=index)

    client.insert(documents, [{"id": _SETTINGS, "source": "", "record": json.dumps(settings), "unused": [0, 0]}])


def _copy(client, old: tuple[str, str, str], new: tuple[str, str, str], kept: set[str]) -> set[str]:
    """Copy the rows of the `kept` reports from generation `old` to `new`; returns their passage keys."""
    ids = {_id(source) for source in kept}
    keys = _copy_rows(client, old[1], new[1], ["doc", "section", "text", "start", "end", "key", "terms"], ids)
    _copy_rows(client, old[2], new[2], ["passage", "doc", "start", "dense"], ids)
    stored = _stored_files(client, old[0])
    records = [_document_row(source, stored[source]) for source in sorted(kept)]
    for start in range(0, len(records), BATCH):
        client.insert(new[0], records[start:start + BATCH])
    return keys


def _copy_rows(client, source: str, target: str, fields: list[str], docs: set[int]) -> set[str]:
    """Stream the rows of reports `docs` from `source` into `target`, BATCH at a time; returns their keys."""
    keys, batch = set(), []
    for row in _rows(client, source, fields):
        if row["doc"] in docs:
            if "key" in row:
                keys.add(row["key"])
            else:
                del row["id"]  # sentences get new ids (auto_id); passages keep theirs, which sentences point to
            batch.append(row)
        if len(batch) >= BATCH:
            client.insert(target, batch)
            batch = []
    if batch:
        client.insert(target, batch)
    return keys


def _document_row(source: str, record: dict) -> dict:
    return {"id": _id(source), "source": _clip(source), "record": _record(record), "unused": [0, 0]}


def _record(record: dict) -> str:
    """`record` as JSON that fits a VARCHAR: a long title (a page with a 70,000-character <h1>) is cut."""
    if len(record.get("title", "")) > LONGEST:
        record = {**record, "title": record["title"][:LONGEST]}
    text = json.dumps(record, ensure_ascii=False)
    while len(text.encode()) > TEXT and record.get("title"):
        record = {**record, "title": record["title"][:len(record["title"]) // 2]}
        text = json.dumps(record, ensure_ascii=False)
    return text


def open_store(uri: str | Path, name: str) -> MilvusStore:
    return MilvusStore(str(uri), name)


def write_store(corpus: Path, uri: str | Path, name: str, *, model_name: str, progress: bool = True,
                reuse: Path | None = None, steps: Callable[[str], None] | None = None) -> None:
    """Bring the Milvus collections `name` at `uri` up to date with `corpus`.

    A write builds a new generation of the three collections (the unchanged reports' rows
    copied, only new and changed reports read and embedded) and then points the alias
    `{name}_current` at it in one call: readers see the old generation or the new one, never
    a half-written one, and a write killed at any moment leaves the old one answering.
    The generation replaced is kept until the next write, for readers that opened it.
    `reuse` names a FAISS index folder built with the same model whose sentence vectors are
    taken instead of embedding again. `steps` is told "reading" (reports are read and embedded one after
    another here) and "indexing".
    """
    import time
    import uuid

    from qa.reading.corpus import corpus_files
    from qa.retrieval.embedding import load_model, model_dimension

    corpus, uri = Path(corpus), str(uri)
    if not corpus.is_dir():
        raise FileNotFoundError(f"corpus folder {corpus} does not exist: put reports in it or pass --corpus")
    client = connect(uri)
    settings = {"format": FORMAT, "chunker": CHUNKER_VERSION, "model": model_name}
    current, old = _settings(client, name)
    fresh = current is None or {k: current.get(k) for k in settings} != settings
    if fresh and current is not None:
        changed = ", ".join(f"{k} {current.get(k)} -> {v}" for k, v in settings.items() if current.get(k) != v)
        log.warning("rebuilding Milvus collection %s: %s", name, changed)
    state = corpus_state(corpus)
    stored = {} if fresh else _stored_files(client, _names(name, old)[0])
    gone = sorted(s for s, record in stored.items() if state.get(s) != record.get("sha256"))
    kept = set(stored) - set(gone)
    if gone:
        # A report that lost passages as copies of another's is redone: the other may be gone now.
        kept = {s for s in kept if not stored[s].get("copies")}
    todo = [p for p in corpus_files(corpus) if p.relative_to(corpus).as_posix() not in kept]
    if not fresh and not gone and not todo:
        return

    model = None
    if fresh:
        model = load_model(model_name)
        dimension = model_dimension(model)
    else:
        dimension = current["dimension"]
    generation = f"{time.time_ns() // 1000:x}{uuid.uuid4().hex[:4]}"
    names = _names(name, generation, building=True)
    try:
        _create(client, names, dimension, {**settings, "dimension": dimension}, exact=uri.endswith(".db"))
        keys = set() if fresh else _copy(client, _names(name, old), names, kept)
        if steps:
            steps("reading")
        _fill(client, names, corpus, todo, state, keys, model=model, model_name=model_name, progress=progress,
              reuse=reuse)
        if steps:
            steps("indexing")
        # Milvus Lite writes index files in a background thread after a flush, not atomically: one cut
        # short by a kill is an empty file that fails every later load. Renaming a collection closes
        # it, which waits for that thread; loading the renamed one writes any index file still missing.
        # All of this before the switch, so a kill here only leaves an unused generation behind.
        for building, done in zip(names, _names(name, generation)):
            client.flush(building)
            client.rename_collection(building, done)
            client.load_collection(done)
    except BaseException as err:
        # Nothing of this generation is in use yet: drop it now (a full disk would otherwise keep it until the
        # next write that completes), and say a full disk in one line.
        _drop_generation(client, name, generation)
        if full := _out_of_space(uri, err):
            raise full from err
        raise
    names = _names(name, generation)
    # The switch: one alias call makes the new generation the one in use.
    if old is None and _alias(name) not in client.list_aliases().get("aliases", []):
        client.create_alias(names[0], _alias(name))
    else:
        client.alter_alias(names[0], _alias(name))
    _drop_old(client, name, keep={generation, old})
    log.info("Milvus %s: %d reports added or changed, %d removed", name, len(todo), len(set(gone) - set(state)))


def _fill(client, names: tuple[str, str, str], corpus: Path, todo: list[Path], state: dict[str, str],
          keys: set[str], *, model, model_name: str, progress: bool, reuse: Path | None) -> None:
    """Read the `todo` reports once each, embed what is new, and insert them into the collections `names`."""
    from tqdm.auto import tqdm

    from qa.reading.corpus import read_report
    from qa.reading.document import UnreadableError
    from qa.reading.passages import split
    from qa.retrieval.index import dedupe_key, previous_build

    cache = previous_build(Path(reuse), model_name).vectors if reuse else {}
    pending: list[tuple[str, dict, Document | None, list[tuple[str, Passage]]]] = []
    for path in tqdm(todo, desc="reports", unit="report", disable=not progress or len(todo) < 2):
        source = path.relative_to(corpus).as_posix()
        record = {"sha256": state[source]}
        try:
            doc, record["sha256"] = read_report(path, corpus)  # the hash of the bytes read
        except (UnreadableError, OSError) as err:
            log.warning("skipping %s: %s", source, err)
            record["sha256"] = getattr(err, "sha256", record["sha256"])  # what was found unreadable
            pending.append((source, record, None, []))
            continue
        hashed: dict[str, Passage] = {}
        for p in map(_fit, split(doc, 0)):
            hashed.setdefault(hashlib.sha1(dedupe_key(p).encode()).hexdigest(), p)
        # A passage whose text already stands in another report (the same report saved twice) is left out.
        passages = [(key, p) for key, p in hashed.items() if key not in keys]
        record["copies"] = len(hashed) - len(passages)
        keys |= set(hashed)
        pending.append((source, record, doc, passages))
        if sum(len(p) for *_, p in pending) >= BATCH:
            model = _insert(client, names, pending, cache, model, model_name)
            pending = []
    _insert(client, names, pending, cache, model, model_name)


def _drop_old(client, name: str, keep: set[str | None]) -> None:
    """Drop the generations other than `keep` (a killed write's leftovers) and collections of format 2."""
    for generation in _generations(client, name) - keep:
        for collection in _names(name, generation) + _names(name, generation, building=True):
            client.drop_collection(collection)
    for kind in _KINDS:
        client.drop_collection(f"{name}_{kind}")  # format 2 wrote these, without generations



def _drop_generation(client, name: str, generation: str) -> None:
    """Drop the collections of an unfinished generation, as far as Milvus lets (it may be out of space too)."""
    for collection in _names(name, generation) + _names(name, generation, building=True):
        try:
            client.drop_collection(collection)
        except Exception as err:  # noqa: BLE001 - the next write that completes drops what is left
            log.warning("could not drop %s after a failed write: %s", collection, err)


def _out_of_space(uri: str, err: BaseException) -> IndexUnwritable | None:
    """The one-line error for a write that filled the disk (Milvus says "No space left on device"), else None."""
    import errno
    import shutil

    if getattr(err, "errno", None) not in (errno.ENOSPC, errno.EDQUOT) and "No space left on device" not in str(err):
        return None
    if not uri.endswith(".db"):
        return IndexUnwritable(f"the Milvus server at {uri} is out of disk space: free space on its disk "
                               "(the previous collection is unchanged)")
    folder = Path(uri).resolve().parent
    free = shutil.disk_usage(folder).free / 1e6
    return IndexUnwritable(f"the disk holding {uri} is full: {free:.1f} MB free; free some space or pass "
                           "--milvus-uri on another disk (the previous collection is unchanged)")

def _fit(passage: Passage) -> Passage:
    """The passage with its heading cut to what a VARCHAR holds (passages themselves are short)."""
    import dataclasses

    if len(passage.section) <= LONGEST:
        return passage
    return dataclasses.replace(passage, section=passage.section[:LONGEST])


def _clip(text: str) -> str:
    """`text` cut at a space to at most TEXT bytes of UTF-8."""
    data = text.encode()
    return text if len(data) <= TEXT else data[:TEXT].decode(errors="ignore").rsplit(" ", 1)[0]


def _insert(client, names: tuple[str, str, str], pending: list, cache: dict, model, model_name: str):
    """Embed and insert the passages of `pending` reports, then record the reports. Returns the model."""
    import numpy as np

    from qa.retrieval.embedding import embed, load_model
    from qa.retrieval.index import context_text
    from qa.retrieval.tokens import tokenize

    documents, passages_name, sentences_name = names
    rows, vectors, records = [], [], []
    for source, record, doc, passages in pending:
        if doc is not None:
            units, owners = dense_units([doc], [p for _, p in passages])
            missing = sorted({u for u in units if u not in cache})
            if missing:
                model = model or load_model(model_name)
                cache.update(zip(missing, embed(model, missing, progress=False)))
            ids = [_id(source, p.start, p.end) for _, p in passages]
            rows += [{"id": i, "doc": _id(source), "section": p.section, "text": p.text, "start": p.start,
                      "end": p.end, "key": key, "terms": _clip(" ".join(tokenize(context_text(doc, p))))}
                     for i, (key, p) in zip(ids, passages)]
            vectors += [{"passage": ids[o], "doc": _id(source), "start": passages[o][1].start,
                         "dense": np.asarray(cache[u], dtype=np.float32)} for u, o in zip(units, owners)]
            record.update({k: v for k, v in asdict(doc).items() if k != "text"})
        records.append(_document_row(source, record))
    for start in range(0, len(rows), BATCH):
        client.insert(passages_name, rows[start:start + BATCH])
    for start in range(0, len(vectors), BATCH):
        client.insert(sentences_name, vectors[start:start + BATCH])
    if records:
        client.insert(documents, records)
    return model


def stale(corpus: Path, uri: str | Path, name: str, model_name: str | None = None) -> str | None:
    """Why the collection no longer matches the corpus (or model), or None when it does."""
    uri = str(uri)
    client = connect(uri)
    settings, generation = _settings(client, name)
    if reason := _unusable(settings, name, uri):
        return reason
    if model_name and settings["model"] != model_name:
        return f"model changed from {settings['model']} to {model_name}"
    stored = {s: r.get("sha256") for s, r in _stored_files(client, _names(name, generation)[0]).items()}
    files = corpus_state(corpus)
    if files != stored:
        changed = sorted({s for s, _ in set(files.items()) ^ set(stored.items())})
        return f"corpus changed ({', '.join(changed[:3])})"
    return None


class MilvusStore:
    """The collections `name` at `uri`, opened for searching; write them with `write_store`."""

    def __init__(self, uri: str, name: str):
        from qa.reading.document import Document

        self.client = connect(uri)
        self.location = f"{uri} (collection {name})"
        settings, generation = _settings(self.client, name)
        if reason := _unusable(settings, name, uri):
            error = IndexMissing if settings is None else BadIndex
            raise error(f"{reason}: run `python -m qa build --store milvus --milvus-uri {uri} --collection {name}`")
        # The generation in use now: a later write switches the alias, not this store.
        self._documents, self._passages, self._sentences = _names(name, generation)
        self.model_name = settings["model"]
        records = _stored_files(self.client, self._documents)
        fields = set(Document.__dataclass_fields__) - {"text"}
        self.documents = [Document(text="", **{k: v for k, v in r.items() if k in fields})
                          for _, r in sorted(records.items()) if "title" in r]
        self._position = {_id(d.source): i for i, d in enumerate(self.documents)}
        rows = self.client.query(self._passages, filter="", output_fields=["count(*)"])
        self._count = int(rows[0]["count(*)"])

    def __len__(self) -> int:
        return self._count

    def _filter(self, docs: set[int] | None) -> str:
        return "" if docs is None else _in("doc", [_id(self.documents[i].source) for i in docs])

    def known(self, tokens: list[str]) -> list[str]:
        if not tokens:
            return []
        # One BM25 search per token, all in one request: a token some passage holds finds it.
        # (TEXT_MATCH would do too, but Milvus Lite scans every passage for it.)
        found = self.client.search(self._passages, data=tokens, anns_field="sparse", limit=1,
                                   search_params={"metric_type": "BM25"})
        return [t for t, hits in zip(tokens, found) if hits]

    def lexical(self, tokens: list[str], limit: int, docs: set[int] | None) -> list[Match]:
        if not tokens:
            return []
        found = self.client.search(self._passages, data=[" ".join(tokens)], anns_field="sparse", limit=limit,
                                   filter=self._filter(docs), output_fields=["doc", "start"],
                                   search_params={"metric_type": "BM25"})[0]
        # Milvus Lite reports BM25 as a negative distance, a server as a positive score.
        matches = [Match(int(r["id"]), self._position[r["entity"]["doc"]], r["entity"]["start"], abs(float(r["distance"])))
                   for r in found if r["entity"]["doc"] in self._position]
        return sorted((m for m in matches if m.score > 0), key=lambda m: -m.score)

    def dense(self, vector: np.ndarray, limit: int, docs: set[int] | None) -> list[Match]:
        found = self.client.search(self._sentences, data=[vector[0].tolist()], anns_field="dense", limit=limit,
                                   filter=self._filter(docs), output_fields=["passage", "doc", "start"],
                                   search_params={"metric_type": "IP"})[0]
        return [Match(int(r["entity"]["passage"]), self._position[r["entity"]["doc"]], r["entity"]["start"],
                      float(r["distance"]))
                for r in found if r["entity"]["doc"] in self._position]

    def passages(self, ids: list[int]) -> list[Passage]:
        if not ids:
            return []
        rows = self.client.query(self._passages, ids=list(ids), output_fields=["doc", "text", "section", "start", "end"])
        by_id = {int(r["id"]): r for r in rows}
        return [Passage(doc=self._position[r["doc"]], text=r["text"], start=int(r["start"]), end=int(r["end"]),
                        section=r["section"]) for r in (by_id[i] for i in ids)]

    def document_frequency(self, word: str) -> int:
        from qa.retrieval.tokens import tokenize

        tokens = sorted(set(tokenize(word)))
        if not tokens:
            return len(self)  # as the FAISS store: only stop words tell passages apart by nothing
        # The passages whose terms hold every token, as the FAISS store counts its BM25 columns.
        holds = []
        for token in tokens:
            escaped = token.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            holds.append("(" + " or ".join(f"terms like {_quote(pattern)}" for pattern in (
                f"{escaped} %", f"% {escaped} %", f"% {escaped}")) + f" or terms == {_quote(token)})")
        rows = self.client.query(self._passages, filter=" and ".join(holds), output_fields=["count(*)"])
        return int(rows[0]["count(*)"])
