"""Real-browser helpers: Debian's chromium driven by Playwright, and axe-core scans.

Playwright cannot download its own browser on these machines, so it is launched with
`executable_path`. `scripts/ensure-browser-tools` (run by `make test`) installs chromium
and axe-core; when they are missing the browser tests are skipped locally and fail in CI.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from bot.config import PROJECT_ROOT

AXE_JS = PROJECT_ROOT / ".tools" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def chromium_path() -> str:
    path = os.environ.get("BRUKARROST_CHROMIUM") or shutil.which("chromium")
    if not path:
        _missing("chromium is not installed (scripts/ensure-browser-tools installs it)")
    return path


def _missing(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


async def axe_violations(page, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict[str, Any]]:
    """Run axe-core with the WCAG 2.1 A/AA rules; return the violations of the given impacts."""
    if not AXE_JS.exists():
        _missing(f"{AXE_JS} is missing (scripts/ensure-browser-tools installs axe-core)")
    await page.add_script_tag(path=str(AXE_JS))
    result = await page.evaluate(
        """async () => await axe.run(document, {runOnly: {type: 'tag',
             values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"""
    )
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"] if v["impact"] in impacts
    ]


def axe_path() -> Path:
    return AXE_JS
