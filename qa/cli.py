"""`python -m qa build | add | search | ask | inspect | eval | figures | feedback`."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from dataclasses import asdict


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m qa", description="Question answering over government reports.")
    commands = parser.add_subparsers(dest="command", required=True)

    build = commands.add_parser("build", help="index the reports of a corpus folder")
    build.add_argument("--corpus", help="folder of reports (default: corpus/)")
    build.add_argument("--index", help="index folder to write (default: index/)")
    build.add_argument("--model", help="sentence-transformers model name or folder (default: bundled USE)")
    add_store_arguments(build)

    add = commands.add_parser("add", help="copy reports into the corpus and update the index")
    add.add_argument("files", nargs="+")
    add.add_argument("--corpus", help="corpus folder (default: corpus/)")
    add.add_argument("--index", help="index folder (default: index/)")
    add.add_argument("--replace", action="store_true",
                     help="overwrite a different report of the same name already in the corpus")
    add_store_arguments(add)

    for name, helptext in (("search", "print the passages that best answer a question"),
                           ("ask", "print the figure and evidence that answer a question")):
        sub = commands.add_parser(name, help=helptext)
        sub.add_argument("question")
        sub.add_argument("-k", type=_k, default=5, help="number of passages, 1 to 100 (default 5)")
        sub.add_argument("--index", help="index folder (default: index/, rebuilt when stale)")
        sub.add_argument("--doc", action="append", help="only this document (source path or title); repeatable")
        sub.add_argument("--json", action="store_true", help="print JSON")
        add_store_arguments(sub)
    commands.choices["search"].add_argument("--mode", choices=("fused", "bm25", "dense"), default="fused")

    inspect = commands.add_parser("inspect", help="show how report files are read: coverage, headings, tables, "
                                  "title, region, year")
    inspect.add_argument("files", nargs="+")
    inspect.add_argument("--json", action="store_true", help="print JSON")

    evaluate = commands.add_parser("eval", help="measure answers against a question file (JSON lines)")
    evaluate.add_argument("questions")
    where = evaluate.add_mutually_exclusive_group()
    where.add_argument("--corpus", help="build a temporary index of this folder first")
    where.add_argument("--index", help="index folder (default: index/)")
    evaluate.add_argument("--json", action="store_true", help="print one JSON object")
    add_store_arguments(evaluate)

    figures = commands.add_parser("figures", help="list every figure a report file states (section, label, figure)")
    figures.add_argument("file", help="a report file (.txt .md .html .docx .pdf)")
    figures.add_argument("--csv", action="store_true", help="print CSV")

    feedback = commands.add_parser("feedback", help="print the 👍/👎 the app recorded")
    feedback.add_argument("--index", help="index folder whose feedback to read (default: index/)")
    feedback.add_argument("--csv", action="store_true", help="print CSV")
    add_store_arguments(feedback)
    for sub in commands.choices.values():
        sub.add_argument("--follow-symlinks", action="store_true",
                         help="read symbolic links in the corpus whose target is inside it (default: skip links)")
    return parser


def _k(text: str) -> int:
    from qa.reading.limits import check_k

    try:
        return check_k(int(text))
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err) if text.lstrip("-").isdigit() else
                                         f"k must be a whole number from 1 to 100, not {text!r}") from None


def add_store_arguments(parser: argparse.ArgumentParser) -> None:
    """--store, --milvus-uri, --collection and --threads, for the CLI and app.py."""
    from qa.retrieval.backends import STORES

    parser.add_argument("--store", choices=STORES, default="faiss",
                        help="where the index lives (default: faiss, the index folder)")
    parser.add_argument("--milvus-uri", dest="uri", help="with --store milvus: ./reports.db (Milvus Lite) "
                        "or http://host:19530 (a Milvus server)")
    parser.add_argument("--collection", help="with --store milvus: collection name prefix (default: reports)")
    parser.add_argument("--threads", type=int, help="threads per encoder (default: $QA_THREADS or 1; builds "
                        "also start one worker process per spare core)")


def _where(args) -> dict:
    return {"store": args.store, "uri": args.uri, "collection": args.collection}


def _kb(args):
    import qa

    if args.store == "milvus":
        return qa.load(args.index, **_where(args))
    return qa.load(args.index) if args.index else qa.api.default_kb()


def quiet_logging() -> None:
    """qa's progress lines at INFO; the libraries' own chatter (faiss's AVX512 probing, HTTP requests) only
    when something is wrong."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for noisy in ("faiss", "bm25s", "sentence_transformers", "jieba", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    quiet_logging()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.follow_symlinks:
        os.environ["QA_FOLLOW_SYMLINKS"] = "1"  # read by qa.reading.corpus.corpus_files, wherever the corpus is listed
    from qa.retrieval.embedding import ModelUnavailable, use_threads
    from qa.retrieval.index import BadIndex

    if getattr(args, "threads", None):  # inspect, figures and feedback embed nothing
        use_threads(args.threads)

    try:
        return _run(args)
    except (BadIndex, ModelUnavailable, FileNotFoundError, FileExistsError, ValueError, ImportError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


def _run(args) -> int:
    import qa

    if args.command in ("build", "add"):
        if args.command == "build":
            kb = qa.build(args.corpus, args.index, model=args.model, **_where(args))
        else:
            kb = qa.add(args.files, corpus=args.corpus, index=args.index, replace=args.replace, **_where(args))
        print(f"indexed {len(kb.documents)} documents, {len(kb)} passages into {kb.store.location}")
        for doc in kb.documents:
            print(f"  {doc.source}: {doc.title}")
    elif args.command == "search":
        hits = _kb(args).search(args.question, args.k, mode=args.mode, doc=args.doc)
        if args.json:
            print(json.dumps([asdict(h) for h in hits], ensure_ascii=False, indent=1))
        for rank, hit in enumerate([] if args.json else hits, 1):
            where = f"{hit.title} · {hit.section or '正文'} ({hit.source}:{hit.start}-{hit.end})"
            print(f"{rank}. [{hit.score:.3f}] {where}")
            print(f"   {hit.text}")
        if not hits and not args.json:
            print("没有找到相关段落。")
    elif args.command == "ask":
        answer = _kb(args).ask(args.question, k=args.k, doc=args.doc)
        if args.json:
            print(json.dumps(asdict(answer), ensure_ascii=False, indent=1))
        else:
            from qa.answers.answering import describe

            print(describe(answer))
    elif args.command == "inspect":
        from qa.reading.inspect import describe, inspect

        reports = [inspect(path) for path in args.files]
        if args.json:
            print(json.dumps([asdict(r) for r in reports], ensure_ascii=False, indent=1))
        else:
            print("\n\n".join(describe(r) for r in reports))
    elif args.command == "eval":
        from qa.evaluate import evaluate, format_report, load_questions

        if args.corpus:
            import tempfile

            with tempfile.TemporaryDirectory() as tmp:
                kb = qa.build(args.corpus, tmp, progress=False, **_where(args))
                report = evaluate(kb, load_questions(args.questions))
        else:
            report = evaluate(_kb(args), load_questions(args.questions))
        print(json.dumps(report, ensure_ascii=False, indent=1) if args.json else format_report(report))
    elif args.command == "figures":
        _figures(args)
    elif args.command == "feedback":
        from qa.app.feedback import Feedback, feedback_path

        store = Feedback(feedback_path(store=args.store, index=args.index, uri=args.uri))
        if args.csv:
            sys.stdout.write(store.to_csv())
        for row in [] if args.csv else store.rows():
            print(f"{row['time']} {'👍' if row['rating'] == 'up' else '👎'} {row['question']} → {row['answer'][:60]}")
    return 0


def _figures(args) -> None:
    from pathlib import Path

    from qa.reading.corpus import read_document
    from qa.reading.report_figures import document_figures, to_csv

    path = Path(args.file)
    if not path.is_file():
        raise FileNotFoundError(f"{path} is not a file")
    figures = document_figures(read_document(path.resolve(), path.resolve().parent))
    if args.csv:
        sys.stdout.write(to_csv(figures))
        return
    for f in figures:
        print(f"{f.section or '正文'} | {f.label} | {f.figure}")
