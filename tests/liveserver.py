"""A live docgen server for the tests that need real HTTP: bodies that stream, requests in parallel.

live_server() starts `docgen.web.create_app` over a data folder under uvicorn in a process of its own, on a
free port of 127.0.0.1, with its temporary files in a folder the test names; it yields the server (its base
URL and process id) and stops it afterwards; served_here() serves an app in a thread of the test's own process. post_streamed() sends a chunked body from a generator over a raw
socket and reads the answer while it is still sending, as a browser or an attacker would.
"""
from __future__ import annotations

import contextlib
import http.client
import os
import re
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import httpx2

from docgen.config import CONFIG_NAME, Config, dump_config

SRC = Path(__file__).resolve().parents[1] / "src"
RUN = """
import sys, uvicorn
from docgen.web import create_app
app = create_app(sys.argv[1], secret="live", checkers=int(sys.argv[3]))
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
"""


@dataclass
class LiveServer:
    url: str  # http://127.0.0.1:PORT
    pid: int
    temp: Path  # its TMPDIR
    log: Path  # what it wrote to stderr

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def served_here(app) -> Iterator[str]:
    """`app` served by uvicorn in a thread of this process (a test may patch what it calls), on a free port of
    127.0.0.1: its base URL while the block runs."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning",
                                           lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(10)


@contextlib.contextmanager
def live_server(data: Path, config: Config | None = None, temp: Path | None = None,
                checkers: int = 1) -> Iterator[LiveServer]:
    """docgen's web page over `data` (with `config` saved as its docgen.toml) served by uvicorn in a process
    of its own, its temporary files in `temp`; stopped when the block ends."""
    data.mkdir(parents=True, exist_ok=True)
    if config is not None:
        (data / CONFIG_NAME).write_text(dump_config(config), encoding="utf-8")
    temp = temp or data.parent / "server-tmp"
    temp.mkdir(parents=True, exist_ok=True)
    log = data.parent / "server.log"
    port = free_port()
    environment = {**os.environ, "TMPDIR": str(temp), "PYTHONPATH": os.pathsep.join(
        [str(SRC), *filter(None, [os.environ.get("PYTHONPATH")])])}
    with log.open("wb") as errors:
        process = subprocess.Popen([sys.executable, "-c", RUN, str(data), str(port), str(checkers)],
                                   env=environment, stdout=errors, stderr=errors)
    server = LiveServer(f"http://127.0.0.1:{port}", process.pid, temp, log)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server stopped: {log.read_text(errors='replace')}")
            with contextlib.suppress(httpx2.TransportError):
                if httpx2.get(f"{server.url}/login", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start within 60 s")
            time.sleep(0.1)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def signed_in(server: LiveServer, name: str | None, password: str) -> tuple[httpx2.Client, str]:
    """A browser that opened the login page (and signed in as `name` when given), and its CSRF token."""
    browser = httpx2.Client(base_url=server.url, follow_redirects=False, timeout=120)
    token = re.search(r'name="csrf" value="([^"]+)"', browser.get("/login").text)[1]
    if name is None:
        return browser, token
    response = browser.post("/login", data={"name": name, "password": password, "csrf": token})
    assert response.status_code == 303, response.text
    me = browser.get("/api/me").json()
    return browser, me["csrf"]


def cookie_header(browser: httpx2.Client | None) -> dict[str, str]:
    if browser is None:
        return {}
    return {"Cookie": "; ".join(f"{name}={value}" for name, value in browser.cookies.items())}


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    sent: int  # bytes of the body that went out before the server answered or closed

    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def post_streamed(server: LiveServer, path: str, headers: dict[str, str], chunks: Iterable[bytes]) -> Answer:
    """POST `chunks` as a chunked body (no Content-Length), reading the answer while it is sent; the sending
    stops when the answer has come or the server closed the connection."""
    connection = socket.create_connection(("127.0.0.1", server.port), timeout=120)
    head = "".join(f"{k}: {v}\r\n" for k, v in {"Host": f"127.0.0.1:{server.port}", "Transfer-Encoding": "chunked",
                                               **headers}.items())
    connection.sendall(f"POST {path} HTTP/1.1\r\n{head}\r\n".encode("latin-1"))
    answered = threading.Event()
    sent = 0

    def send() -> None:
        nonlocal sent
        try:
            for chunk in chunks:
                if answered.is_set():
                    return
                connection.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
            connection.sendall(b"0\r\n\r\n")
        except OSError:  # the server answered and closed: nothing more is taken
            pass

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    try:
        response = http.client.HTTPResponse(connection)
        response.begin()
        answered.set()
        body = response.read() if response.getheader("content-length") else b""
        answer = Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, body, sent)
    finally:
        answered.set()
        with contextlib.suppress(OSError):
            connection.shutdown(socket.SHUT_RDWR)
        connection.close()
        sender.join(30)
    return answer


def temporary_bytes(server: LiveServer) -> int:
    """The bytes the server holds in its temporary folder: its files there, and the ones it opened and
    unlinked (a spooled upload), seen through its open file descriptors."""
    total = folder_bytes(server.temp)
    fds = Path(f"/proc/{server.pid}/fd")
    with contextlib.suppress(OSError):
        for fd in fds.iterdir():
            with contextlib.suppress(OSError):
                if os.readlink(fd).startswith(str(server.temp)) and os.readlink(fd).endswith("(deleted)"):
                    total += os.stat(fd).st_size
    return total


def folder_bytes(folder: Path) -> int:
    total = 0
    for path in folder.rglob("*"):
        with contextlib.suppress(OSError):
            if path.is_file():
                total += path.stat().st_size
    return total


class Peak:
    """The largest value of `measure()` sampled every few milliseconds while the block runs."""

    def __init__(self, measure) -> None:
        self.measure, self.peak, self.base = measure, 0, measure()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.measure())
            time.sleep(0.005)

    def __enter__(self) -> Peak:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.measure())

    @property
    def grown(self) -> int:
        return self.peak - self.base
