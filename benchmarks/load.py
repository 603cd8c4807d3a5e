"""Load test: many gradio_client clients asking the running app at once.

    python benchmarks/load.py                        # starts the app on 127.0.0.1, 50 clients x 20 questions
    python benchmarks/load.py --url http://127.0.0.1:7860/ --clients 10 --questions 5

Every answer is checked against the expected figure; prints failures, p50/p95 latency and throughput.
Traffic goes to the loopback address only, and the run is bounded in requests.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class LoadResult:
    requests: int
    failures: list[str]
    latencies: list[float]
    seconds: float

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")


def figure_questions() -> list[tuple[str, str]]:
    """(question, expected figure) pairs from the dev set."""
    rows = [json.loads(line) for line in (ROOT / "tests" / "data" / "dev.jsonl").read_text("utf-8").splitlines()]
    return [(r["q"], r["answer"]) for r in rows if isinstance(r["answer"], str) and r["answer"] != "UNANSWERABLE"]


def run_load(url: str, clients: int, questions: int) -> LoadResult:
    """`clients` concurrent gradio_client clients, each asking `questions` figure questions via /ask."""
    from gradio_client import Client

    pairs = figure_questions()

    def one_client(number: int) -> tuple[list[str], list[float]]:
        client = Client(url, verbose=False)
        failures, latencies = [], []
        for i in range(questions):
            question, expected = pairs[(number + i) % len(pairs)]
            started = time.perf_counter()
            try:
                got = client.predict(question, api_name="/ask")["figure"]
            except Exception as err:  # a failed request is what this test counts
                failures.append(f"{question}: {type(err).__name__}: {err}")
                continue
            latencies.append(time.perf_counter() - started)
            if got != expected:
                failures.append(f"{question}: expected {expected}, got {got}")
        return failures, latencies

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        results = list(pool.map(one_client, range(clients)))
    seconds = time.perf_counter() - started
    return LoadResult(clients * questions, [f for fs, _ in results for f in fs],
                      [lat for _, ls in results for lat in ls], seconds)


def wait_for(port: int, process: subprocess.Popen, timeout: float = 180) -> None:
    """Until the app `process` listens on `port` on 127.0.0.1."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the app exited before it listened")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.5)
    raise TimeoutError(f"the app did not listen on {port} within {timeout} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running app (default: start one on 127.0.0.1)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--questions", type=int, default=20, help="questions per client")
    parser.add_argument("--port", type=int, default=7871)
    args = parser.parse_args()
    process = None
    url = args.url
    if not url:
        env = {**os.environ, "HF_HUB_OFFLINE": "1"}
        process = subprocess.Popen([sys.executable, "app.py", "--port", str(args.port)], cwd=ROOT, env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(args.port, process)
        url = f"http://127.0.0.1:{args.port}/"
    try:
        result = run_load(url, args.clients, args.questions)
    finally:
        if process:
            process.terminate()
            process.wait()
    print(f"{args.clients} clients x {args.questions} questions = {result.requests} requests in {result.seconds:.1f} s")
    print(f"failed or wrong: {len(result.failures)}")
    for failure in result.failures[:20]:
        print(f"  {failure}")
    print(f"latency p50 {result.percentile(0.5):.0f} ms, p95 {result.percentile(0.95):.0f} ms; "
          f"throughput {result.throughput:.1f} requests/s")
    raise SystemExit(1 if result.failures else 0)


if __name__ == "__main__":
    main()
