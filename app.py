"""`python app.py`: the web chat over the reports in corpus/ (built into index/ when missing or stale)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def uploads_allowed(host: str, *, read_only: bool, allow_upload: bool) -> bool:
    """Uploads and deletes: never with --read-only; beyond this machine only with --allow-upload."""
    return not read_only and (allow_upload or host in LOOPBACK)


def feedback_kept(*, read_only: bool, asked: bool) -> bool:
    """👍/👎 are kept unless --read-only, where only --feedback keeps them."""
    return asked or not read_only


def skip_gradio_stub_check() -> None:
    """Make gradio's check of its `.pyi` stubs do nothing; call it before gradio is first imported.

    For every component class it defines on import, gradio reads and parses the class's source file to
    rewrite the stub beside it if it changed: 0.7-1.4 s of the 3-5 s that importing gradio takes here,
    for files that ship in its wheel and serve only editors. A gradio without the function is left as it is.
    """
    import importlib.abc
    import importlib.machinery
    import sys

    class Finder(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            if name != "gradio.component_meta":
                return None
            sys.meta_path.remove(self)
            spec = importlib.machinery.PathFinder.find_spec(name, path)
            if spec is None or not hasattr(spec.loader, "exec_module"):
                return spec
            run = spec.loader.exec_module

            def exec_module(module):
                run(module)
                if callable(getattr(module, "create_or_modify_pyi", None)):
                    module.create_or_modify_pyi = lambda *args, **kwargs: None

            spec.loader.exec_module = exec_module
            return spec

    if "gradio" not in sys.modules:
        sys.meta_path.insert(0, Finder())


def main(argv: list[str] | None = None) -> None:
    skip_gradio_stub_check()
    from qa.cli import add_store_arguments, quiet_logging

    parser = argparse.ArgumentParser(description="Chat with government reports.")
    parser.add_argument("--corpus", help="folder of reports (default: corpus/)")
    parser.add_argument("--index", help="index folder (default: index/)")
    parser.add_argument("--model", help="embedding model for a rebuild (default: the bundled USE model)")
    add_store_arguments(parser)
    parser.add_argument("--host", default=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"),
                        help="address to bind (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("GRADIO_SERVER_PORT", "7860")))
    parser.add_argument("--concurrency", type=int, default=4, help="questions answered at once (default 4)")
    parser.add_argument("--read-only", action="store_true", help="no uploads or deletes in the 报告 tab")
    parser.add_argument("--allow-upload", action="store_true",
                        help="allow uploads and deletes even when listening beyond localhost")
    parser.add_argument("--feedback", action="store_true", help="keep 👍/👎 even with --read-only (off there)")
    args = parser.parse_args(argv)
    quiet_logging()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    # Gradio's queue keeps up to 10,000 past events and summarises them after every request
    # (for its monitoring page, unused here): keep one and never summarise (issue 15).
    os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", "1")
    os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", str(2**62))
    if args.threads:
        from qa.retrieval.embedding import use_threads

        use_threads(args.threads)

    import qa
    from qa.app.layout import build_app
    from qa.app.page import launch_options
    from qa.app.reports import Library
    from qa.app.feedback import Feedback, feedback_path

    from qa.retrieval.index import BadIndex, IndexBusy

    # Loaded once here; every request reuses the same index and model.
    try:
        kb = qa.load(args.index, corpus=args.corpus, model=args.model, rebuild=True,
                     store=args.store, uri=args.uri, collection=args.collection)
    except BadIndex as err:  # e.g. another build holds an index that is missing or damaged: one line, not a traceback
        print(f"error: {err}{', then start the app again' if isinstance(err, IndexBusy) else ''}", file=sys.stderr)
        raise SystemExit(2) from None
    kb.ask("预热")  # load the model and caches before the first visitor waits for them
    library = Library(Path(args.corpus) if args.corpus else qa.api.default_corpus(),
                      index=args.index, store=args.store, uri=args.uri, collection=args.collection, model=args.model)
    uploads = uploads_allowed(args.host, read_only=args.read_only, allow_upload=args.allow_upload)
    if not uploads and not args.read_only:
        logging.info("uploads are off: the app listens on %s; add --allow-upload to allow them", args.host)
    feedback = Feedback(feedback_path(store=args.store, index=args.index, uri=args.uri)) \
        if feedback_kept(read_only=args.read_only, asked=args.feedback) else None
    app = build_app(kb, library=library, uploads=uploads, feedback=feedback)
    app.queue(default_concurrency_limit=args.concurrency, max_size=256)
    # Every API call is a new session, and Gradio keeps 10,000 sessions' copies of the page
    # config (~30 KB each here): the app grew 25 % over 10,000 requests. The chat keeps its
    # history in the browser, so an evicted session loses nothing. $QA_SESSIONS changes it.
    # Gradio's own start-up lines say to set share=True, which this app never does: its address instead.
    logging.info("政府报告问答 on http://%s:%s (Ctrl+C stops it)", args.host, args.port)
    app.launch(server_name=args.host, server_port=args.port, footer_links=["api"], quiet=True,
               state_session_capacity=int(os.environ.get("QA_SESSIONS", "256")), **launch_options(app))


if __name__ == "__main__":
    main()
