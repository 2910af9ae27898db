"""Photos that would take the server's memory: refused at the 照片 cell when uploaded, a picture swapped into the
stored uploads after its check never decoded by the branch's preview, and one within the limit decoded in bounded
memory (each measured in a process of its own: its peak resident memory, VmHWM)."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from builder import full_book
from conftest import CONFIG
from docgen.web import create_app
from photos import phone_photo
from webaccounts import check_id, client, csrf, data_folder

HEADERS = ["项目编号*", "照片*", "说明*", "拍摄日期"]
SECRET = "test-secret"
PREVIEW_MB = 600  # the preview's process at its peak, WeasyPrint and all (a 9400² palette PNG once took 900+)


def bomb(size: int = 13000, transparent: bool = False) -> bytes:
    """A palette PNG of size × size pixels, one colour (a few KB to a few hundred KB)."""
    buffer = io.BytesIO()
    Image.new("P", (size, size)).save(buffer, "PNG", **({"transparency": 0} if transparent else {}))
    return buffer.getvalue()


def send(browser, tmp_path: Path, photo: tuple[str, bytes]):
    data = full_book().sheet("活动照片", HEADERS, [["DJ-2024-001", photo[0], "开班仪式", None]]).save(
        tmp_path / "城关.xlsx").read_bytes()
    return browser.post("/checks", data={"csrf": csrf(browser, "/branch")},
                        files=[("workbook", ("城关.xlsx", data)), ("photos", photo)])


def child_env() -> dict[str, str]:
    """The environment of a measured process: this docgen first on its path."""
    import docgen

    source = str(Path(docgen.__file__).parents[1])
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [source, os.environ.get("PYTHONPATH")]))}


@pytest.fixture
def web(tmp_path):
    store = data_folder(tmp_path / "数据")
    app = create_app(tmp_path / "数据", CONFIG, secret=SECRET)
    yield app, store, tmp_path
    store.close()
    app.state.site.store.close()


def test_an_uploaded_photo_of_too_many_pixels_is_an_issue_at_its_cell(web):
    app, _, tmp_path = web
    branch = client(app, "chengguan")
    made = check_id(send(branch, tmp_path, ("开班.png", bomb())))
    found = branch.get(f"/api/checks/{made}").json()
    issues = [(i["sheet"], i["cell"], i["code"]) for i in found["issues"]]
    assert issues == [("活动照片", "B2", "photo_too_many_pixels")], found
    assert "超过 5000 万像素的上限" in found["issues"][0]["message"]
    page = branch.get(f"/checks/{made}").text
    assert "开班.png" in page and "超过 5000 万像素的上限" in page
    phone = io.BytesIO()  # a 48-megapixel phone photo (8000 × 6000) is no issue
    Image.linear_gradient("L").resize((8000, 6000)).convert("RGB").save(phone, "JPEG", quality=80)
    made = check_id(send(branch, tmp_path, ("开班.jpg", phone.getvalue())))
    assert branch.get(f"/api/checks/{made}").json()["issues"] == []


PREVIEW = r"""
import json, re, sys
from pathlib import Path
sys.path[:0] = sys.argv[3:]
from conftest import CONFIG
from docgen.web import create_app
from webaccounts import client

app = create_app(Path(sys.argv[1]), CONFIG, secret=sys.argv[2])
branch = client(app, "chengguan")
response = branch.get("/branch/preview")
status = Path("/proc/self/status").read_text()
peak = int(re.search(r"VmHWM:\s+(\d+) kB", status)[1]) // 1024
print(json.dumps({"status": response.status_code, "page": response.text, "peak_mb": peak,
                  "unmade": branch.get("/api/preview").json()["unmade"]}))
"""


@pytest.mark.parametrize("swapped", [bomb(), bomb(9400, transparent=True)], ids=["13000²", "9400²-transparent"])
def test_a_photo_swapped_after_approval_does_not_take_the_previews_memory(web, swapped):
    """The 9400² palette PNG with transparency is within Pillow's own limit: only docgen's stops it."""
    app, store, tmp_path = web
    phone_photo(tmp_path / "开班.png", (600, 400), fmt="PNG")
    branch = client(app, "chengguan")
    made = check_id(send(branch, tmp_path, ("开班.png", (tmp_path / "开班.png").read_bytes())))
    assert branch.get(f"/api/checks/{made}").json()["issues"] == []
    branch.post(f"/checks/{made}/submit", data={"csrf": csrf(branch, f"/checks/{made}")})
    store.review(store.submissions()[0]["id"], "approved")
    stored = store.uploads / store.check(made)["stored"]
    (stored.parent / "开班.png").write_bytes(swapped)  # behind the page's back

    tests = str(Path(__file__).parent)
    done = subprocess.run([sys.executable, "-c", PREVIEW, str(tmp_path / "数据"), SECRET, tests],
                          capture_output=True, text=True, timeout=300, env=child_env())
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["status"] == 200
    assert seen["peak_mb"] < PREVIEW_MB, seen["peak_mb"]
    print(f"peak {seen['peak_mb']} MB")
    assert len(seen["unmade"]) == 1 and "活动照片!B2（照片）" in seen["unmade"][0], seen["unmade"]
    assert "超过 5000 万像素的上限" in seen["unmade"][0] and "超过 5000 万像素的上限" in seen["page"]


def test_a_photo_swapped_between_its_check_and_its_printing_is_refused_before_decoding(tmp_path):
    from docgen.errors import DocgenError
    from docgen.pipeline.photos import ready

    (tmp_path / "开班.png").write_bytes(bomb(9400, transparent=True))
    with pytest.raises(DocgenError) as refused:
        ready(tmp_path / "开班.png", tmp_path / "out")
    assert str(refused.value).startswith("照片的像素过多（9400 × 9400，约 8836 万像素），超过 5000 万像素的上限，未印入文书")
    assert not (tmp_path / "out").exists()


READY = r"""
import re, sys
from pathlib import Path
from docgen.pipeline.photos import ready
from PIL import Image
made = ready(Path(sys.argv[1]), Path(sys.argv[2]))
peak = int(re.search(r"VmHWM:\s+(\d+) kB", Path("/proc/self/status").read_text())[1]) // 1024
print(Image.open(made).size, peak)
"""


def test_a_large_palette_photo_within_the_limit_is_never_turned_into_colour_at_full_size(tmp_path):
    """7000 × 7000 with a transparent colour: 49 MB as a palette, 196 MB as RGBA, as much again flattened on white."""
    (tmp_path / "开班.png").write_bytes(bomb(7000, transparent=True))
    done = subprocess.run([sys.executable, "-c", READY, str(tmp_path / "开班.png"), str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=300, env=child_env())
    assert done.returncode == 0, done.stderr[-3000:]
    size, peak = done.stdout.strip().rsplit(" ", 1)
    assert size == "(1800, 1800)" and int(peak) < 250, done.stdout
