"""Uploads that stream to the disk: a workbook and its photos are copied from the form's spooled files to the
stored upload in chunks, so parallel uploads of large photos do not grow the server's memory by what they send
(against a live uvicorn, its peak resident memory read from /proc), and what is stored is what was sent."""
from __future__ import annotations

import hashlib
import io
import os
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2 as httpx
from PIL import Image

from builder import full_book
from conftest import CONFIG
from liveserver import LiveServer, live_server, signed_in
from webaccounts import PASSWORD, XLSX, data_folder

HEADERS = ["项目编号*", "照片*", "说明*", "拍摄日期"]
PHOTOS, PHOTO_BYTES, UPLOADS = 5, 15 * 1024 * 1024, 4


def _kilobytes(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise LookupError(field)


def large_photo(path: Path) -> Path:
    """A real 640×480 JPEG followed by random bytes up to PHOTO_BYTES (a viewer and the check read its picture,
    nothing reads past its end)."""
    picture = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 40, 40)).save(picture, "JPEG")
    with path.open("wb") as out:
        out.write(picture.getvalue())
        left = PHOTO_BYTES - picture.tell()
        while left > 0:
            out.write(os.urandom(min(left, 1024 * 1024)))
            left -= 1024 * 1024
    return path


def sent_upload(folder: Path, number: int) -> tuple[Path, list[Path]]:
    """A workbook of 城关 naming PHOTOS photos of its project in 活动照片, and those photos, in `folder`."""
    folder.mkdir()
    names = [f"现场{number}-{n}.jpg" for n in range(PHOTOS)]
    rows = [["DJ-2024-001", name, "开班仪式", None] for name in names]
    book = full_book().sheet("活动照片", HEADERS, rows).save(folder / f"城关{number}.xlsx")
    return book, [large_photo(folder / name) for name in names]


def post(browser: httpx.Client, token: str, book: Path, photos: list[Path], api: bool) -> dict:
    """The upload sent by a signed-in browser (through the JSON API or the page), files streamed from the disk;
    the check it made."""
    with book.open("rb") as workbook:
        opened = [path.open("rb") for path in photos]
        try:
            files = [("workbook", (book.name, workbook, XLSX)),
                     *[("photos", (path.name, handle, "image/jpeg")) for path, handle in zip(photos, opened)]]
            if api:
                response = browser.post("/api/checks", files=files, headers={"X-CSRF-Token": token})
                assert response.status_code == 201, response.text
                return response.json()
            page = re.search(r'name="csrf" value="([^"]+)"', browser.get("/branch").text)[1]
            response = browser.post("/checks", data={"csrf": page}, files=files)
            assert response.status_code == 303, response.text
            return browser.get(f"/api{response.headers['location']}").json()
        finally:
            for handle in opened:
                handle.close()
            browser.close()


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_parallel_uploads_of_large_photos_stream_to_the_disk_and_are_stored_as_sent(tmp_path):
    data = tmp_path / "数据"
    data_folder(data).close()
    uploads = [sent_upload(tmp_path / f"上传{n}", n) for n in range(UPLOADS)]
    # the checks in processes of their own, as `docgen serve` runs them on more than one core: what the server
    # itself holds is the uploads' (a check reads each photo whole, one at a time, in its checking process)
    with live_server(data, CONFIG, checkers=2) as server:
        post(*signed_in(server, "chengguan", PASSWORD), full_book().save(tmp_path / "预热.xlsx"), [], api=True)
        browsers = [signed_in(server, "chengguan", PASSWORD) for _ in range(UPLOADS)]  # one after another
        Path(f"/proc/{server.pid}/clear_refs").write_text("5")  # the peak starts again from here
        before = _kilobytes(server.pid, "VmHWM")
        with ThreadPoolExecutor(UPLOADS) as pool:
            checks = list(pool.map(lambda n: post(*browsers[n], *uploads[n], api=n % 2 == 0), range(UPLOADS)))
        grown = (_kilobytes(server.pid, "VmHWM") - before) * 1024
    sent = UPLOADS * PHOTOS * PHOTO_BYTES
    assert grown < sent / 10, f"the server grew by {grown / 2**20:.0f} MB while {sent / 2**20:.0f} MB of photos came"

    assert [check["errors"] for check in checks] == [0] * UPLOADS, [check["issues"] for check in checks]
    stored = {path.name: path for path in (data / "uploads").rglob("*") if path.is_file()}
    for check, (book, photos) in zip(checks, uploads):
        content = book.read_bytes()
        assert (check["sha256"], check["size"]) == (digest(content), len(content))
        kept = [path for path in stored.values() if path.suffix == ".xlsx" and digest(path.read_bytes())
                == check["sha256"]]
        assert len(kept) == 1  # the workbook as sent, its photos beside it under their names, as sent
        assert sorted(p.name for p in kept[0].parent.iterdir() if p != kept[0]) == sorted(p.name for p in photos)
        for photo in photos:
            assert (kept[0].parent / photo.name).read_bytes() == photo.read_bytes(), photo.name
