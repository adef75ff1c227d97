"""Headless Chromium for the review page tests: Debian's ``chromium`` and ``chromium-driver`` through Selenium.

``.ci/run`` installs both (``apt-get install chromium chromium-driver``); elsewhere the tests skip
and say what is missing. Selenium is given the driver's path, so it downloads nothing.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

#: Flags for a quiet, isolated browser: no sandbox (CI runs as root), no GPU, and none of the
#: background traffic (updates, sync, field trials) a fresh profile would otherwise start.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,1000",
)


def missing() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[dev]')"
    if not (shutil.which("chromium") or Path("/usr/bin/chromium").exists()):
        return "Chromium is not installed (Debian: apt-get install chromium chromium-driver; .ci/run does)"
    if not (shutil.which("chromedriver") or Path("/usr/bin/chromedriver").exists()):
        return "chromedriver is not installed (Debian: apt-get install chromium-driver; .ci/run does)"
    return None


def start(profile: Path, downloads: Path) -> Any:
    """A new headless Chromium with its own profile folder, saving downloads into ``downloads``."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.add_experimental_option(
        "prefs", {"download.default_directory": str(downloads), "download.prompt_for_download": False}
    )
    service = Service(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    return webdriver.Chrome(service=service, options=options)
