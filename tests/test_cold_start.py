"""Starting cold (issue 21): the app on a built index serves without torch; a first build loads
sentence-transformers then, saying so; the CLI's question path imports nothing a build alone needs."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, free_port

HEAVY = ("torch", "sentence_transformers", "transformers", "sklearn", "pandas", "jionlp", "gradio")


def _holds_torch(pid: int) -> bool:
    """Has process `pid` loaded torch's library?"""
    return "libtorch" in Path(f"/proc/{pid}/maps").read_text()


def _serve(args: list[str], log: Path):
    from benchmarks.load import wait_for

    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    app = subprocess.Popen([sys.executable, str(ROOT / "app.py"), *args, "--port", str(port)], env=env,
                           stdout=subprocess.DEVNULL, stderr=log.open("w"))
    try:
        wait_for(port, app, timeout=240)
    except (RuntimeError, TimeoutError):
        app.kill()
        app.wait()
        pytest.fail(log.read_text()[-3000:])
    return app, port


def test_the_app_builds_with_sentence_transformers_and_serves_a_built_index_without_torch(hongqiao_corpus, tmp_path):
    from benchmarks.load import Client, stop

    index = tmp_path / "index"
    first, _ = _serve(["--corpus", str(hongqiao_corpus), "--index", str(index)], tmp_path / "first.log")
    try:
        assert _holds_torch(first.pid)  # it embedded the reports
    finally:
        stop(first)
    assert "loading the embedding model use-multilingual-v3 with sentence-transformers…" in \
        (tmp_path / "first.log").read_text()
    app, port = _serve(["--corpus", str(hongqiao_corpus), "--index", str(index)], tmp_path / "again.log")
    try:
        client = Client(f"http://127.0.0.1:{port}/")
        assert client.ask("行政复议维持多少宗")["figure"] == "13宗"
        client.close()
        assert not _holds_torch(app.pid)
    finally:
        stop(app)
    started = (tmp_path / "again.log").read_text()
    assert "sentence-transformers" not in started
    # Start-up says where the app is, and nothing that reads as an error or contradicts the README (#23).
    assert f"on http://127.0.0.1:{port}" in started
    assert "AVX512" not in started and "Could not load" not in started and "share=True" not in started


_QUESTION_PATH = """
import sys
from qa.cli import main
main(["ask", "行政复议维持多少宗", "--index", sys.argv[1]])
print(sorted(m for m in {heavy!r} if m in sys.modules))
"""


def test_asking_from_the_command_line_imports_nothing_heavy(kb, tmp_path):
    """Every module named here costs 0.1-3 s to import; a question needs none of them once the index is built and
    qa's cache folder holds jieba's dictionary and the gazetteer (the first run makes them)."""
    env = {"PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "PATH": os.environ.get("PATH", ""),
           "QA_CACHE": str(tmp_path / "cache")}
    code = _QUESTION_PATH.format(heavy=HEAVY)
    for run in ("cache made", "cache read"):
        result = subprocess.run([sys.executable, "-c", code, str(kb.store.path)], capture_output=True, text=True,
                                cwd=ROOT, env=env, timeout=300)
        assert result.returncode == 0, result.stderr[-2000:]
        lines = result.stdout.strip().splitlines()
        assert lines[0] == "答案: 13宗", run
        if run == "cache read":
            assert lines[-1] == "[]"


def test_gradios_stub_check_is_skipped_and_nothing_else_changes():
    code = ("import sys, app; app.skip_gradio_stub_check(); import gradio, gradio.component_meta as meta;"
            "print(meta.create_or_modify_pyi(None, 'Textbox', []),"
            "all(type(f).__module__ != 'app' for f in sys.meta_path), gradio.Textbox.__name__)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300,
                            env={"PYTHONPATH": str(ROOT), "PATH": os.environ.get("PATH", "")})
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["None", "True", "Textbox"]  # a no-op; the finder removed itself
