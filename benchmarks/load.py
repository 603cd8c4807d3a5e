"""Load test of the app over plain HTTP: Gradio's own API called with http.client, no gradio_client.

    python benchmarks/load.py                         # start the app, 1 / 8 / 32 clients, then RSS over 10,000 requests
    python benchmarks/load.py --compare               # the same for the old settings and the new, one after the other
    python benchmarks/load.py --processes 1 2         # one app process, then two with clients spread over both
    python benchmarks/load.py --url http://127.0.0.1:7860/ --pid 1234 --clients 8

One request is what a browser-less client does: POST /gradio_api/call/ask {"data": [question, []]} returns an
event id, GET /gradio_api/call/ask/<id> streams the answer as server-sent events. Every answer is checked
against the expected figure. The server's CPU per answer and resident memory come from /proc/<pid>.
Traffic goes to the loopback address only, and every run is bounded in requests.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
# What app.py switched off in issue 15, switched back on; with 2 BLAS threads as before.
BEFORE = {"QA_THREADS": "2", "GRADIO_ANALYTICS_MAX_EVENTS": "10000", "GRADIO_ANALYTICS_CACHE_FREQUENCY": "1",
          "QA_SESSIONS": "10000"}


@dataclass(frozen=True)
class LoadResult:
    requests: int
    failures: list[str]
    latencies: list[float]
    seconds: float
    server_cpu: float = 0.0  # seconds of CPU the server processes used during the run
    client_cpu: float = 0.0  # seconds of CPU this (client) process used during the run

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds

    @property
    def cpu_per_answer_ms(self) -> float:
        return 1000 * self.server_cpu / max(1, self.requests)

    @property
    def client_cpu_per_answer_ms(self) -> float:
        return 1000 * self.client_cpu / max(1, self.requests)

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")


def figure_questions() -> list[tuple[str, str]]:
    """(question, expected figure) pairs from the dev set."""
    rows = [json.loads(line) for line in (ROOT / "tests" / "data" / "dev.jsonl").read_text("utf-8").splitlines()]
    return [(r["q"], r["answer"]) for r in rows if isinstance(r["answer"], str) and r["answer"] != "UNANSWERABLE"]


class Client:
    """One keep-alive connection to one app; `ask` returns the /ask endpoint's answer dict."""

    def __init__(self, url: str, timeout: float = 120):
        parts = urlsplit(url)
        self.prefix = parts.path.rstrip("/")
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=timeout)

    def _request(self, method: str, path: str, body: bytes | None = None) -> bytes:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        for attempt in (1, 2):  # a keep-alive connection the server closed is opened again once
            try:
                self.connection.request(method, self.prefix + path, body=body, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.connection.close()
                if attempt == 2:
                    raise
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status} from {path}: {data[:200]!r}")
        return data

    data: list = [[]]  # /ask takes (question, history); an app from before issue 22 takes the question only

    def ask(self, question: str) -> dict:
        try:
            return self._ask([question, *self.data])
        except RuntimeError:
            if not self.data:
                raise
            Client.data = []
            return self._ask([question])

    def _ask(self, data: list) -> dict:
        posted = self._request("POST", "/gradio_api/call/ask", json.dumps({"data": data}).encode())
        event_id = json.loads(posted)["event_id"]
        stream = self._request("GET", f"/gradio_api/call/ask/{event_id}").decode("utf-8")
        event = None
        for line in stream.splitlines():
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:") and event in ("complete", "error"):
                if event == "error":
                    raise RuntimeError(f"the app failed: {line[5:].strip()}")
                return json.loads(line[5:])[0]
        raise RuntimeError(f"no answer in the event stream: {stream[:200]!r}")

    def close(self) -> None:
        self.connection.close()


def cpu_seconds(pid: int) -> float:
    """User + system CPU of process `pid` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run_load(url: str | list[str], clients: int, questions: int, *, pids: list[int] = ()) -> LoadResult:
    """`clients` concurrent clients, each asking `questions` figure questions of /ask.

    With several URLs (app processes), client i talks to URL i mod len(urls), as a proxy's
    round robin would spread connections.
    """
    urls = [url] if isinstance(url, str) else list(url)
    pairs = figure_questions()
    failures: list[str] = []
    latencies: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)

    def one_client(number: int) -> None:
        client = Client(urls[number % len(urls)])
        mine_failed, mine_took = [], []
        start.wait()
        for i in range(questions):
            question, expected = pairs[(number + i) % len(pairs)]
            began = time.perf_counter()
            try:
                got = client.ask(question)["figure"]
            except Exception as err:  # a failed request is what this test counts
                mine_failed.append(f"{question}: {type(err).__name__}: {err}")
                continue
            mine_took.append(time.perf_counter() - began)
            if got != expected:
                mine_failed.append(f"{question}: expected {expected}, got {got}")
        client.close()
        with lock:
            failures.extend(mine_failed)
            latencies.extend(mine_took)

    threads = [threading.Thread(target=one_client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    server_before = sum(cpu_seconds(p) for p in pids)
    client_before = time.process_time()
    started = time.perf_counter()
    start.wait()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return LoadResult(clients * questions, failures, latencies, seconds,
                      sum(cpu_seconds(p) for p in pids) - server_before, time.process_time() - client_before)


def wait_for(port: int, process: subprocess.Popen, timeout: float = 180) -> None:
    """Until the app `process` listens on `port` on 127.0.0.1."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the app exited before it listened")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"the app did not listen on {port} within {timeout} s")


def start_app(port: int, env: dict[str, str] | None = None, *, args: list[str] = (),
              root: Path = ROOT) -> tuple[subprocess.Popen, float]:
    """app.py of the checkout `root` on 127.0.0.1:`port`; returns the process and the seconds until it served."""
    environment = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(root), **(env or {})}
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "app.py", "--port", str(port), *args], cwd=root, env=environment,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(port, process)
    return process, time.perf_counter() - started


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def measure(name: str, urls: list[str], pids: list[int], levels: list[int], per_level: int,
            long_run: int) -> list[str]:
    """Markdown rows: one per concurrency level, then memory from request 100 to `long_run`."""
    run_load(urls, 4, 25, pids=pids)  # 100 requests: warm caches, then memory is read
    done, early = 100, sum(rss_mb(p) for p in pids)
    rows = []
    for clients in levels:
        result = run_load(urls, clients, max(1, per_level // clients), pids=pids)
        done += result.requests
        rows.append(f"| {name} | {clients} | {result.throughput:.1f} | {result.percentile(0.5):.0f} / "
                    f"{result.percentile(0.95):.0f} ms | {result.cpu_per_answer_ms:.1f} ms "
                    f"| {result.client_cpu_per_answer_ms:.1f} ms | {len(result.failures)} |")
        print(rows[-1], flush=True)
        for failure in result.failures[:5]:
            print(f"  {failure}", file=sys.stderr)
    if long_run > done:
        result = run_load(urls, 8, max(1, (long_run - done) // 8), pids=pids)
        done += result.requests
        late = sum(rss_mb(p) for p in pids)
        rows.append(f"| {name} | RSS after 100 / {done} requests | {early:.0f} / {late:.0f} MB "
                    f"({100 * (late - early) / early:+.1f} %) | CPU per answer over the last "
                    f"{result.requests}: {result.cpu_per_answer_ms:.1f} ms | {result.throughput:.1f} answers/s "
                    f"at 8 clients | | {len(result.failures)} |")
        print(rows[-1], flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running app (default: start app.py on 127.0.0.1)")
    parser.add_argument("--pid", type=int, action="append", default=[], help="with --url: the app's process id")
    parser.add_argument("--clients", type=int, nargs="*", default=[1, 8, 32], help="concurrency levels")
    parser.add_argument("--requests", type=int, default=800, help="requests per concurrency level")
    parser.add_argument("--long-run", type=int, default=10_000,
                        help="total requests after which RSS is read again (0: skip)")
    parser.add_argument("--compare", action="store_true", help="first the settings before issue 15, then now")
    parser.add_argument("--before-tree", type=Path, metavar="DIR",
                        help="with --compare: the app of this checkout (e.g. a git worktree of an older commit) "
                             "as 'before', instead of this code with the old settings")
    parser.add_argument("--processes", type=int, nargs="*", default=[1],
                        help="app processes to start side by side; several values run one after the other")
    parser.add_argument("--port", type=int, default=7871)
    args = parser.parse_args()
    print("| app | clients | answers/s | latency p50 / p95 | server CPU per answer | client CPU per answer "
          "| failed |\n|---|---|---|---|---|---|---|", flush=True)
    if args.url:
        rows = measure("given", [args.url], args.pid, args.clients, args.requests, args.long_run if args.pid else 0)
        raise SystemExit(1 if any(not r.endswith("| 0 |") for r in rows) else 0)
    before = (f"before ({args.before_tree.name})", {}, 1, args.before_tree) if args.before_tree else \
        ("before (2 threads, Gradio event summaries)", BEFORE, 1, ROOT)
    setups = [before] if args.compare else []
    setups += [(f"now, {n} process{'es' if n > 1 else ''}", {}, n, ROOT) for n in args.processes]
    failed = False
    for name, env, processes, root in setups:
        ports = [args.port + i for i in range(processes)]
        started = [start_app(port, env, root=root) for port in ports]
        try:
            print(f"| {name} | serving {max(s for _, s in started):.1f} s after start, "
                  f"RSS {sum(rss_mb(p.pid) for p, _ in started):.0f} MB | | | | | |", flush=True)
            rows = measure(name, [f"http://127.0.0.1:{p}/" for p in ports], [p.pid for p, _ in started],
                           args.clients, args.requests, args.long_run)
            failed |= any(not r.endswith("| 0 |") for r in rows)
        finally:
            for process, _ in started:
                stop(process)
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
