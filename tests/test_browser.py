"""The web page in a real browser (Debian's Chromium, driven by Playwright): both roles' whole flow.

A server on 127.0.0.1 with a pool of two workers; each page is saved as a screenshot in
build/screenshots/ (look at them). Skipped with a message when Chromium is not installed
(make test installs it).
"""
from __future__ import annotations

import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from builder import project_row, valid_book
from conftest import CONFIG
from docgen.render.environment import template_dir
from docgen.web import create_app
from webaccounts import PASSWORD, data_folder

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SHOTS = Path(__file__).resolve().parents[1] / "build" / "screenshots"
TEMPLATES = template_dir()

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="没有安装 Chromium（make test 会安装）")


@pytest.fixture
def server(tmp_path):
    import uvicorn

    data_folder(tmp_path / "数据", ("chengguan",))
    app = create_app(tmp_path / "数据", CONFIG, secret="browser", workers=2)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    running = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    while not running.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", tmp_path
    running.should_exit = True
    thread.join(10)


def test_a_branch_fixes_and_hands_in_and_the_department_approves_and_generates(server):
    from playwright.sync_api import expect, sync_playwright

    base, tmp_path = server
    faulty = valid_book(projects=[project_row(**{"项目负责人*": None})]).save(tmp_path / "城关党支部.xlsx")
    fixed = valid_book().save(tmp_path / "城关党支部（改）.xlsx")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--lang=zh-CN"])
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        refused = []  # what the Content-Security-Policy stopped: nothing of the site's own may be
        page.on("console", lambda message: refused.append(message.text)
                if "Content Security Policy" in message.text else None)

        def shot(name: str) -> None:
            page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

        def sign_in(name: str, landing: str) -> None:
            page.fill("input[name=name]", name)
            page.fill("input[name=password]", PASSWORD)
            page.click("button:has-text('登录')")
            page.wait_for_url(landing)

        def sign_out() -> None:
            page.click("button:has-text('退出')")
            page.wait_for_url("**/login")

        page.goto(f"{base}/login")
        shot("01-登录")
        sign_in("chengguan", "**/branch")
        expect(page.locator(".limits")).to_contain_text("今天还可上传 50 次")  # the limits, before any upload
        shot("02-支部")

        page.set_input_files("input[name=workbook]", str(faulty))
        page.click("button:has-text('上传并校验')")
        page.wait_for_url("**/checks/*")
        expect(page.locator(".summary")).to_contain_text("错误 1 处")
        cell = page.locator("td#s0-G2")
        assert "error" in cell.get_attribute("class")
        assert cell.evaluate("c => getComputedStyle(c).backgroundColor") == "rgb(255, 199, 206)"  # the copy's red
        page.click("ol.issues a:has-text('项目信息!G2')")
        expect(cell.locator(".note")).to_be_visible()  # the message beside the cell
        expect(cell.locator(".note")).to_contain_text("必填项未填写")
        assert page.locator("button:has-text('提交给党建部')").count() == 0
        shot("03-校验结果")

        page.goto(f"{base}/branch")
        page.set_input_files("input[name=workbook]", str(fixed))
        page.click("button:has-text('上传并校验')")
        page.wait_for_url("**/checks/*")
        expect(page.locator(".summary")).to_contain_text("没有错误")
        page.click("button:has-text('提交给党建部')")
        page.wait_for_url("**/branch")
        expect(page.locator("table.list")).to_contain_text("待审核")
        shot("04-已提交")
        sign_out()

        sign_in("admin", "**/admin")
        row = page.locator("tr", has_text="城关供电服务中心党支部").first
        expect(row).to_contain_text("待审核")
        shot("05-总览")
        row.locator("a:has-text('第 1 版')").click()  # the submission's own page: issues, sheets, history
        page.wait_for_url("**/admin/submissions/*")
        expect(page.locator("h1")).to_have_text("城关供电服务中心党支部 · 第 1 版")
        expect(page.locator("table.grid").first).to_be_visible()
        shot("06-审核")
        page.click("a:has-text('申报总览')")
        page.wait_for_url("**/admin")
        page.locator("tr", has_text="城关供电服务中心党支部").first.locator("button:has-text('通过')").click()
        page.wait_for_url("**/admin")
        expect(page.locator("tr", has_text="城关供电服务中心党支部").first).to_contain_text("已通过")
        page.evaluate("window.notReloaded = true")
        page.click(".filters a:has-text('已通过')")  # htmx swaps the table in place and keeps the address
        page.wait_for_url("**/admin?status=approved")
        expect(page.locator("#overview tbody tr")).to_have_count(1)
        assert page.evaluate("window.notReloaded === true")

        page.click("a:has-text('生成文书')")
        page.wait_for_url("**/admin/jobs")
        for kind in ("进度报告", "“四公开”公示", "结题报告"):
            page.uncheck(f"label:has-text('{kind}') input")
        page.fill("input[name=date]", "2024-12-23")  # the workbook describes 2024: its year end is made then
        shot("07-生成文书")
        page.click("button:has-text('开始生成')")
        page.wait_for_url("**/admin/jobs/*")
        assert page.evaluate("typeof window.htmx") == "object"  # the bar is htmx's, polling the progress box
        status = page.locator("#progress .status")
        expect(status).to_have_text("已完成", timeout=120_000)  # the page reloads once at the end, with the files
        assert page.locator("#progress progress").evaluate("bar => bar.value === bar.max")
        results = page.locator(".results")
        expect(results).to_contain_text("全部文书.zip")
        expect(results).to_contain_text("年度党建项目汇总报告.pdf")
        expect(results).to_contain_text("年度党建项目管理台账.xlsx")
        shot("08-生成完成")
        with page.expect_download() as download:
            page.click("a[href$='按支部打包/城关供电服务中心党支部.zip']")
        assert download.value.suggested_filename == "城关供电服务中心党支部.zip"
        pdf = page.locator("a[href$='立项表.pdf']").first.get_attribute("href")
        response = page.request.get(f"{base}{pdf}")
        assert response.ok and response.headers["content-type"] == "application/pdf"
        assert response.body().startswith(b"%PDF")
        page.goto(f"{base}/api/docs")
        expect(page.locator("table.api")).to_contain_text("/api/checks")
        shot("09-接口说明")
        page.goto(f"{base}/admin/templates")
        own = tmp_path / "proposal.html"
        own.write_text(TEMPLATES.joinpath("proposal.html").read_text(encoding="utf-8").replace(
            "{{ leader }}", "{{ leadr }}"), encoding="utf-8")
        page.set_input_files("input[name=template]", str(own))
        page.click("button:has-text('上传并检查')")
        expect(page.locator("ol.issues")).to_contain_text("proposal.html 第")
        expect(page.locator("ol.issues")).to_contain_text("没有变量“leadr”；要写的可能是“leader”")
        shot("11-模板")
        page.click("button:has-text('删除，恢复自带的')")
        page.wait_for_url("**/admin/templates")
        expect(page.locator("ol.issues")).to_have_count(0)
        page.goto(f"{base}/admin")  # the accounts: stopped and started again, the branch signs in after
        account = page.locator("#accounts tr", has_text="chengguan")
        account.locator("button:has-text('停用')").click()
        page.wait_for_url("**/admin*")
        expect(page.locator("#accounts tr", has_text="chengguan")).to_contain_text("已停用")
        shot("12-账号")
        page.set_viewport_size({"width": 390, "height": 900})  # a phone: the 申报党组织 is not squeezed to a column
        branch_cell = page.locator("#accounts tr", has_text="chengguan").locator("td").nth(1)
        assert branch_cell.evaluate("td => td.getBoundingClientRect().width") > 150
        shot("12-账号-手机")
        page.set_viewport_size({"width": 1280, "height": 900})
        page.locator("#accounts tr", has_text="chengguan").locator("button:has-text('启用')").click()
        page.wait_for_url("**/admin*")
        expect(page.locator("#accounts tr", has_text="chengguan")).to_contain_text("已激活")
        sign_out()

        sign_in("chengguan", "**/branch")
        expect(page.locator("table.list")).to_contain_text("已通过")
        page.click("a:has-text('预览本支部的文书')")
        page.wait_for_url("**/branch/preview")
        documents = page.locator("table.documents")
        expect(documents.locator("tr").nth(1)).to_contain_text("立项表")  # in the order of the kinds
        shot("10-文书预览")
        link = documents.locator("tr", has_text="立项表").locator("a").get_attribute("href")
        response = page.request.get(f"{base}{link}")
        assert response.ok and response.body().startswith(b"%PDF")
        browser.close()
    assert not refused, refused
