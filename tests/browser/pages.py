"""What the browser journeys do on the pages, as a person would: find fields by their labels and
buttons by their names, never by the markup's structure. Every page a journey visits goes through
`shot`, which saves a full-page screenshot and checks the page's accessibility basics."""

from __future__ import annotations

import re
import shutil
import struct
import zlib
from collections import defaultdict
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, expect

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
DEMO_PASSWORD = "pingshan2026"  # load_sample_district's default

_counters: dict[str, int] = defaultdict(int)

# Construction noise at night in 六和城, as a citizen fills in the form.
NOISE = {
    "title": "工地半夜施工噪音太大",
    "content": "六和城旁边的工地每天半夜施工打桩，吵得无法入睡，请尽快处理。",
    "location": "六和城旁边的工地",
    "community": "六和社区",
}


def clear_screenshots() -> Path:
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True)
    _counters.clear()
    return SCREENSHOTS


# Runs in the page: the names of the things a screen reader could not name.
_A11Y_SCRIPT = r"""
() => {
  const offenders = [];
  const shown = el => {
    const style = getComputedStyle(el);
    return el.getClientRects().length > 0 && style.visibility !== "hidden" && style.display !== "none";
  };
  const text = el => (el ? el.textContent.replace(/\s+/g, " ").trim() : "");
  const brief = el => el.outerHTML.replace(/\s+/g, " ").slice(0, 140);
  const unnamedTypes = new Set(["hidden", "submit", "button", "reset", "image"]);
  for (const el of document.querySelectorAll("input, select, textarea")) {
    if ((el.tagName === "INPUT" && unnamedTypes.has(el.type)) || !shown(el)) continue;
    let name = [...(el.labels || [])].map(text).join(" ").trim();
    if (!name) name = (el.getAttribute("aria-label") || "").trim();
    if (!name && el.getAttribute("aria-labelledby")) {
      name = el.getAttribute("aria-labelledby").split(/\s+/).map(id => text(document.getElementById(id))).join(" ").trim();
    }
    if (!name) offenders.push("field without an accessible name: " + brief(el));
  }
  for (const img of document.querySelectorAll("img")) {
    if (!img.hasAttribute("alt")) offenders.push("image without alt: " + brief(img));
  }
  for (const el of document.querySelectorAll("button, a[href]")) {
    if (shown(el) && !text(el) && !el.getAttribute("aria-label") && !el.querySelector("img[alt]")) {
      offenders.push("button or link without a name: " + brief(el));
    }
  }
  const h1 = document.querySelectorAll("h1").length;
  if (h1 !== 1) offenders.push(`${h1} h1 elements (one expected)`);
  if (!document.documentElement.getAttribute("lang")) offenders.push("<html> has no lang");
  if (!document.title.trim() || /[<>]/.test(document.title)) offenders.push("page title empty or with markup: " + document.title.slice(0, 80));
  return offenders;
}
"""


def accessibility_problems(page: Page) -> list[str]:
    return page.evaluate(_A11Y_SCRIPT)


def check_accessibility(page: Page) -> None:
    problems = accessibility_problems(page)
    assert not problems, f"accessibility problems on {page.url}:\n  " + "\n  ".join(problems)


def shot(page: Page, name: str, *, check: bool = True) -> Path:
    """Save a full-page screenshot as artifacts/screenshots/<journey>-NN-<step>.png, numbered in
    the order of the journey (name is "<journey>-<step>"), then check the page's accessibility."""
    journey, _, step = name.partition("-")
    _counters[journey] += 1
    path = SCREENSHOTS / f"{journey}-{_counters[journey]:02d}-{step or 'page'}.png"
    page.wait_for_load_state()
    page.screenshot(path=str(path), full_page=True)
    if check:
        check_accessibility(page)
    return path


def tiny_png(width: int = 8, height: int = 8) -> bytes:
    """A valid PNG of a plain colour, made here so the tests need no image library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" + b"\xb3\x26\x1e" * width
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def log_in(page: Page, username: str, journey: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the real login form, reached from the header link."""
    page.goto("/")
    page.get_by_role("link", name="工作人员登录").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("工作人员登录")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    shot(page, f"{journey}-login-{username}")
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.get_by_role("button", name="退出")).to_be_visible()


def fill_demand_form(
    page: Page,
    journey: str,
    *,
    title: str,
    content: str,
    location: str = "",
    community: str = "",
    photo: bool = False,
    phone: str = "13812345678",
) -> None:
    """Open the citizen form and fill it in, as far as the submit button."""
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("反映民生诉求")
    shot(page, f"{journey}-form")
    page.get_by_label("标题").fill(title)
    page.get_by_label("诉求内容").fill(content)
    if community:
        page.get_by_label("所在社区").select_option(label=community)
    if location:
        page.get_by_label("事发地点").fill(location)
    page.get_by_label("紧急程度").select_option(label="一般")
    page.get_by_label("您的姓名").fill("张三")
    page.get_by_label("联系电话").fill(phone)
    page.get_by_label("联系地址").fill("坪山街道六和城3栋502")
    if photo:
        page.get_by_label("照片或材料").set_input_files(
            files=[{"name": "site.png", "mimeType": "image/png", "buffer": tiny_png()}]
        )
    page.get_by_label("我已阅读并同意《个人信息使用说明》", exact=False).check()
    shot(page, f"{journey}-form-filled")


def receipt_shown(page: Page, journey: str) -> dict[str, str]:
    """The tracking number and query code the confirmation page shows."""
    expect(page.get_by_role("heading", level=1)).to_have_text("您的诉求已受理")
    receipt = {
        "tracking_number": page.locator("#tracking-number").inner_text().strip(),
        "query_code": page.locator("#query-code").inner_text().strip(),
    }
    assert re.fullmatch(r"\S{6,}", receipt["tracking_number"]) and re.fullmatch(r"\S{6,}", receipt["query_code"])
    shot(page, f"{journey}-confirmation")
    return receipt


def submit_demand(page: Page, journey: str, **form: object) -> dict[str, str]:
    """Fill and send the citizen form; return the tracking number and query code it shows."""
    fill_demand_form(page, journey, **form)  # type: ignore[arg-type]
    page.get_by_role("button", name="提交诉求").click()
    return receipt_shown(page, journey)


def open_case_on_workbench(page: Page, tracking_number: str, journey: str) -> None:
    page.get_by_role("link", name="部门工作台").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("部门工作台")
    shot(page, f"{journey}-workbench")
    page.get_by_role("link", name=tracking_number).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(tracking_number)
    shot(page, f"{journey}-case")


def give_assisting_opinion(context: BrowserContext, username: str, tracking_number: str, journey: str) -> None:
    page = context.new_page()
    log_in(page, username, journey)
    open_case_on_workbench(page, tracking_number, journey)
    page.get_by_label("协办意见").fill("夜间噪声监测结果超标，已立案并将依法处罚。")
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("已提交协办意见")
    shot(page, f"{journey}-assist-opinion-sent")
    page.close()
