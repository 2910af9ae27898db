"""Load check of the web page: branches uploading and checking a workbook at the same time.

    python bench/web_load.py [--branches 20] [--uploads 5]

A server (uvicorn, one process, as `docgen serve` runs it) on 127.0.0.1 over a fresh data
folder; --branches accounts, each signed in from its own client thread, each uploading the
sample workbook --uploads times as fast as it can (上传并校验: the upload, the check and the
redirect to the result). Prints the requests per second and the median and 95th-percentile
time of one 上传并校验, for one branch alone and for all at once; first with one checking process
per core (as docgen serve runs), then, in the same run, with the checks in the server's threads.
"""
from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SAMPLE = HERE.parent / "samples" / "城关供电服务中心党支部.xlsx"
PASSWORD = "dangjian2024"
SERVER = """
import sys
from docgen.config import load_config
from docgen.web import Store, create_app
from docgen.web.security import hash_password
import uvicorn
data, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
store = Store(data)
for n in range(count):
    store.add_account(f"branch{{n}}", "branch", f"第{{n}}党支部", password=hash_password({password!r}))
app = create_app(data, load_config({config!r}), secret="load", checkers=int(sys.argv[4]))
uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def branch(base: str, number: int, uploads: int, times: list[float], failures: list[str]) -> None:
    import httpx

    with httpx.Client(base_url=base, follow_redirects=False, timeout=60) as client:
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)[1]
        client.post("/login", data={"name": f"branch{number}", "password": PASSWORD, "csrf": token})
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/branch").text)[1]
        data = SAMPLE.read_bytes()
        for _ in range(uploads):
            start = time.perf_counter()
            response = client.post("/checks", data={"csrf": token}, files={"workbook": (SAMPLE.name, data)})
            result = client.get(response.headers.get("location", "/branch"))
            times.append(time.perf_counter() - start)
            if response.status_code != 303 or result.status_code != 200:
                failures.append(f"{response.status_code}/{result.status_code}")


def run(base: str, branches: int, uploads: int) -> tuple[float, list[float], list[str]]:
    times: list[float] = []
    failures: list[str] = []
    threads = [threading.Thread(target=branch, args=(base, n, uploads, times, failures)) for n in range(branches)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start, times, failures


def line(label: str, text: str) -> None:
    print(f"{label:50s} {text}", flush=True)


def report(label: str, seconds: float, times: list[float], failures: list[str]) -> None:
    times = sorted(times)
    p95 = times[max(0, int(len(times) * 0.95) - 1)]
    line(label, f"{len(times)} 上传并校验 in {seconds:.1f} s = {len(times) / seconds:.1f}/s; "
         f"median {statistics.median(times):.2f} s, p95 {p95:.2f} s" + (f"; {len(failures)} failed" if failures else ""))


def serve_and_load(checkers: int, branches: int, uploads: int) -> tuple[float, list[float]]:
    """Start a server with `checkers` checking processes, load it, stop it; the figures printed."""
    import httpx

    with tempfile.TemporaryDirectory(prefix="docgen-load-") as data:
        port = free_port()
        code = SERVER.format(password=PASSWORD, config=str(HERE.parent / "samples" / "docgen.toml"))
        server = subprocess.Popen([sys.executable, "-c", code, data, str(port), str(branches), str(checkers)])
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    httpx.get(f"{base}/login", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.2)
            run(base, 1, 2)  # warm: templates, imports, the checking processes
            where = f"{checkers} checking processes" if checkers > 1 else "checks in the server's threads"
            report(f"one branch alone ({where})", *run(base, 1, uploads))
            seconds, times, failures = run(base, branches, uploads)
            report(f"{branches} branches at once", seconds, times, failures)
            return seconds, times
        finally:
            server.terminate()
            server.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--branches", type=int, default=20)
    parser.add_argument("--uploads", type=int, default=5)
    parser.add_argument("--checkers", type=int, default=os.cpu_count() or 1,
                        help="checking processes of the server (docgen serve: one per core)")
    args = parser.parse_args()
    pooled, pooled_times = serve_and_load(args.checkers, args.branches, args.uploads)
    threaded, threaded_times = serve_and_load(1, args.branches, args.uploads)
    line("processes vs threads", f"{threaded / pooled:.1f}× the throughput; p95 "
         f"{sorted(pooled_times)[int(len(pooled_times) * 0.95) - 1]:.2f} s vs "
         f"{sorted(threaded_times)[int(len(threaded_times) * 0.95) - 1]:.2f} s")


if __name__ == "__main__":
    main()
