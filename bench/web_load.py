"""Load check of the web page: branches uploading and checking a workbook at the same time.

    python bench/web_load.py [--branches 20] [--uploads 5]

A server (uvicorn, one process, as `docgen serve` runs it) on 127.0.0.1 over a fresh data
folder; --branches accounts, each signed in from its own client thread, each uploading the
sample workbook --uploads times as fast as it can (上传并校验: the upload, the check and the
redirect to the result). Prints the requests per second and the median and 95th-percentile
time of one 上传并校验, for one branch alone and for all at once; first with one checking process
per core (as docgen serve runs), then, in the same run, with the checks in the server's threads.

Then, on a third server, two figures each beside its alternative:
- the median and 95th-percentile time of GET /static/site.css while --logins sign-ins run at once
  (each a password check), against the same file with nothing else running;
- the server's peak resident memory (VmHWM of its process, reset after the setup) while the
  previews of --previews branches run at once, each an approved workbook with --photos 12-megapixel
  JPEG photos, against its memory before.
"""
from __future__ import annotations

import argparse
import contextlib
import io
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
from typing import Iterator

import httpx2 as httpx  # the project's HTTP client (pyproject's test extra)

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
    with httpx.Client(base_url=base, follow_redirects=False, timeout=60) as client:
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)[1]
        client.post("/login", data={"name": f"branch{number}", "password": PASSWORD, "csrf": token})
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/branch").text)[1]
        data = branch_workbook(number, f"第{number}党支部", 0)  # its own: the check finds nothing to refuse
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
    return all_at_once(threads), times, failures


def all_at_once(threads: list[threading.Thread]) -> float:
    """Start every thread, wait for all: the seconds they took together."""
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start


def line(label: str, text: str) -> None:
    print(f"{label:50s} {text}", flush=True)


def report(label: str, seconds: float, times: list[float], failures: list[str]) -> None:
    times = sorted(times)
    p95 = times[max(0, int(len(times) * 0.95) - 1)]
    line(label, f"{len(times)} 上传并校验 in {seconds:.1f} s = {len(times) / seconds:.1f}/s; "
         f"median {statistics.median(times):.2f} s, p95 {p95:.2f} s" + (f"; {len(failures)} failed" if failures else ""))


@contextlib.contextmanager
def serving(branches: int, checkers: int) -> Iterator[tuple[str, str, int]]:
    """A server over a fresh data folder with `branches` branch accounts and `checkers` checking processes, up and
    answering: its base URL, its data folder and its process id; stopped when the block ends."""
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
            yield base, data, server.pid
        finally:
            server.terminate()
            server.wait(10)


def serve_and_load(checkers: int, branches: int, uploads: int) -> tuple[float, list[float]]:
    """Start a server with `checkers` checking processes, load it, stop it; the figures printed."""
    with serving(branches, checkers) as (base, _, _):
        run(base, 1, 2)  # warm: templates, imports, the checking processes
        where = f"{checkers} checking processes" if checkers > 1 else "checks in the server's threads"
        report(f"one branch alone ({where})", *run(base, 1, uploads))
        seconds, times, failures = run(base, branches, uploads)
        report(f"{branches} branches at once", seconds, times, failures)
        return seconds, times


# --- a static file during sign-ins; the server's memory during previews with large photos --------

PHOTO_HEADERS = ["项目编号*", "照片*", "说明*", "拍摄日期"]
SAMPLE_BRANCH = "城关供电服务中心党支部"


def signed_in(base: str, name: str):
    """An httpx client signed in as `name`, and its CSRF token from /branch."""
    client = httpx.Client(base_url=base, follow_redirects=False, timeout=300)
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)[1]
    client.post("/login", data={"name": name, "password": PASSWORD, "csrf": token})
    return client, re.search(r'name="csrf" value="([^"]+)"', client.get("/branch").text)[1]


def static_times(base: str, count: int = 0, until: threading.Event | None = None) -> list[float]:
    """Times of GET /static/site.css: `count` of them, or one every 20 ms until `until` is set."""
    times = []
    with httpx.Client(base_url=base, timeout=60) as client:
        while (until is None and len(times) < count) or (until is not None and not until.is_set()):
            start = time.perf_counter()
            client.get("/static/site.css").raise_for_status()
            times.append(time.perf_counter() - start)
            time.sleep(0.02)
    return times


def login_once(base: str, name: str, failures: list[str]) -> None:
    with httpx.Client(base_url=base, follow_redirects=False, timeout=120) as client:
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)[1]
        response = client.post("/login", data={"name": name, "password": PASSWORD, "csrf": token})
        if response.status_code != 303:
            failures.append(str(response.status_code))


def static_during_logins(base: str, logins: int, branches: int) -> None:
    quiet = static_times(base, count=40)
    done, failures = threading.Event(), []
    threads = [threading.Thread(target=login_once, args=(base, f"branch{n % branches}", failures))
               for n in range(logins)]
    sampled: list[float] = []
    sampler = threading.Thread(target=lambda: sampled.extend(static_times(base, until=done)))
    sampler.start()
    seconds = all_at_once(threads)
    done.set()
    sampler.join()

    def figures(times: list[float]) -> str:
        times = sorted(times)
        p95 = times[max(0, -(-len(times) * 95 // 100) - 1)]  # the nearest rank: a few samples still give their worst
        return (f"median {statistics.median(times) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
                f"longest {times[-1] * 1000:.0f} ms ({len(times)} requests)")
    line("static file, nothing else running", figures(quiet))
    line(f"static file during {logins} logins ({seconds:.1f} s)",
         figures(sampled) + (f"; {len(failures)} logins failed: {sorted(set(failures))}" if failures else ""))


def photo(seed: int, size: tuple[int, int] = (4000, 3000)) -> bytes:
    """A 12-megapixel phone-sized JPEG with sensor noise (about as large as a phone's)."""
    from PIL import Image

    sky = Image.linear_gradient("L").rotate(seed * 37).resize(size).convert("RGB")
    picture = Image.blend(sky, Image.effect_noise(size, 40 + seed).convert("RGB"), 0.25)
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def branch_workbook(number: int, branch: str, photos: int) -> bytes:
    """The sample workbook as `branch`'s own (its name, its project codes), with `photos` rows of 活动照片."""
    from openpyxl import load_workbook

    book = load_workbook(SAMPLE)
    codes = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.value = cell.value.replace(SAMPLE_BRANCH, branch).replace("DJ-2024-", f"B{number}-2024-")
                    if re.fullmatch(r"B\d+-2024-\d+", cell.value):
                        codes.append(cell.value)
    sheet = book.create_sheet("活动照片")
    sheet.append(PHOTO_HEADERS)
    for n in range(photos):
        sheet.append([codes[0], f"照片{n + 1}.jpg", f"活动照片{n + 1}", None])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def peak_memory(pid: int) -> tuple[int, int]:
    """The process's resident memory now and its peak since the last reset, in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return tuple(int(re.search(rf"{key}:\s+(\d+) kB", status)[1]) // 1024 for key in ("VmRSS", "VmHWM"))


def previews_memory(base: str, data: str, pid: int, previews: int, photos: int) -> None:
    """Each of `previews` branches uploads its workbook with `photos` photos and hands it in; the store approves
    them; then all open their previews at once, the server's peak memory measured around it."""
    from docgen.web import Store

    pictures = [photo(n) for n in range(photos)]
    clients = []
    for number in range(previews):
        client, token = signed_in(base, f"branch{number}")
        files = [("workbook", ("申报表.xlsx", branch_workbook(number, f"第{number}党支部", photos))),
                 *[("photos", (f"照片{n + 1}.jpg", content)) for n, content in enumerate(pictures)]]
        check = client.post("/checks", data={"csrf": token}, files=files).headers["location"]
        page = client.get(check).text
        token = re.search(r'name="csrf" value="([^"]+)"', page)[1]
        client.post(f"{check}/submit", data={"csrf": token, "confirm": "yes"})
        clients.append(client)
    store = Store(data)
    for row in store.submissions():
        store.review(row["id"], "approved")
    store.close()
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # the peak from here on
    before, _ = peak_memory(pid)
    results: list[str] = []

    def preview(client) -> None:
        page = client.get("/branch/preview")
        made = len(re.findall(r'href="/branch/preview/[^"]+\.pdf"', page.text))
        results.append(f"{page.status_code}:{made} PDF" + ("，有未生成的文书" if "以下文书未能生成" in page.text else ""))

    threads = [threading.Thread(target=preview, args=(client,)) for client in clients]
    seconds = all_at_once(threads)
    _, peak = peak_memory(pid)
    for client in clients:
        client.close()
    line(f"server memory, {previews} previews × {photos} 12 MP photos", f"peak {peak} MB vs {before} MB before "
         f"(+{peak - before} MB) in {seconds:.1f} s; {', '.join(sorted(results))}")


def serve_and_measure(checkers: int, logins: int, previews: int, photos: int) -> None:
    with serving(max(previews, 1), checkers) as (base, data, pid):
        login_once(base, "branch0", [])  # warm
        static_during_logins(base, logins, max(previews, 1))
        if previews:
            previews_memory(base, data, pid, previews, photos)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--branches", type=int, default=20)
    parser.add_argument("--uploads", type=int, default=5)
    parser.add_argument("--checkers", type=int, default=os.cpu_count() or 1,
                        help="checking processes of the server (docgen serve: one per core)")
    parser.add_argument("--logins", type=int, default=10, help="sign-ins at once while the static file is timed")
    parser.add_argument("--previews", type=int, default=3, help="branches opening their previews at once")
    parser.add_argument("--photos", type=int, default=4, help="12-megapixel photos in each previewed workbook")
    args = parser.parse_args()
    pooled, pooled_times = serve_and_load(args.checkers, args.branches, args.uploads)
    threaded, threaded_times = serve_and_load(1, args.branches, args.uploads)
    line("processes vs threads", f"{threaded / pooled:.1f}× the throughput; p95 "
         f"{sorted(pooled_times)[int(len(pooled_times) * 0.95) - 1]:.2f} s vs "
         f"{sorted(threaded_times)[int(len(threaded_times) * 0.95) - 1]:.2f} s")
    serve_and_measure(args.checkers, args.logins, args.previews, args.photos)


if __name__ == "__main__":
    main()
