"""Screenshots of the chat widget for the README: docs/widget-320.png, docs/widget-1280.png.

    .venv/bin/python scripts/widget-screenshots.py

Starts `brukarrost serve` on a throw-away SQLite database and a free port, opens the demo
host page (/widget/demo) in Debian's chromium, opens the widget, answers the consent and one
question, and takes a screenshot at 320 and 1280 px wide (the 320 px one shows the
full-page chat, as a phone opening a QR link sees it).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.async_api import async_playwright

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
QUERY = "consultation=brukarundersokning-ifo&unit=ekonomiskt-bistand-norr"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server did not answer at {url}")


async def answer(page, presses: int) -> None:
    """Press the focused option after `presses` Tabs, as a keyboard user would."""
    before = await page.locator(".brr-bot").count()
    for _ in range(presses):
        await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")
    await page.locator(".brr-bot").nth(before).wait_for()
    await page.locator(".brr-typing").wait_for(state="hidden")


async def shoot(base: str) -> None:
    chromium = os.environ.get("BRUKARROST_CHROMIUM") or shutil.which("chromium")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium,
                                                   args=["--no-sandbox", "--disable-gpu"])
        for width, height in ((1280, 800), (320, 720)):
            page = await browser.new_page(viewport={"width": width, "height": height})
            await page.goto(f"{base}/widget/demo?{QUERY}")
            await page.get_by_role("button", name="Svara på frågor i chatten").click()
            await page.wait_for_selector(".brr-consent")
            await page.locator(".brr-option").first.focus()
            for presses in (0, 0, 0):  # consent, then two choices
                await answer(page, presses)
            await page.screenshot(path=str(DOCS / f"widget-{width}.png"))

        page = await browser.new_page(viewport={"width": 320, "height": 720})
        await page.goto(f"{base}/chat/brukarundersokning-ifo?unit=ekonomiskt-bistand-norr")
        await page.wait_for_selector(".brr-consent")
        for presses in (0, 0, 0, 0, 2):  # consent, three choices, contact time
            await answer(page, presses)
        await page.screenshot(path=str(DOCS / "chat-page-320.png"), full_page=True)
        await browser.close()


def main() -> int:
    DOCS.mkdir(exist_ok=True)
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/shots.sqlite3",
               "BRUKARROST_SECRET_KEY": "screenshots", "LOG_LEVEL": "WARNING"}
        server = subprocess.Popen([str(ROOT / ".venv/bin/brukarrost"), "serve", "--port", str(port)],
                                  env=env, cwd=ROOT)
        try:
            wait_for(f"http://127.0.0.1:{port}/health")
            asyncio.run(shoot(f"http://127.0.0.1:{port}"))
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"Wrote widget-320.png, widget-1280.png and chat-page-320.png in {DOCS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
