"""The tour's site in a real browser (Debian's chromium through Playwright): every page opens without a console
error, every image loads, every link resolves. Skipped only where /usr/bin/chromium is missing (CI installs it)."""
import os
import subprocess
import sys
import warnings
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]

if not os.path.exists(CHROMIUM):   # pragma: no cover - CI installs chromium
    warnings.warn(f"BROWSER TESTS SKIPPED: {CHROMIUM} is missing; the tour's site is untested.", UserWarning,
                  stacklevel=1)
    pytest.skip(f"{CHROMIUM} missing: site browser tests not run", allow_module_level=True)

playwright = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    result = subprocess.run([sys.executable, "-m", "nnlab.cli", "tour", "--labs", "--only", "history,costs",
                             "--out", str(out)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return out


def test_every_page_opens_clean_with_its_images_and_links(site):
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = browser.new_page()
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        todo, seen = [(site / "index.html").as_uri()], set()
        while todo:
            url = todo.pop()
            if url in seen:
                continue
            seen.add(url)
            path = Path(urlparse(url).path)
            assert path.is_file(), f"broken link: {url}"
            page.goto(url)
            broken = page.evaluate("[...document.images].filter(i => !i.complete || i.naturalWidth === 0)"
                                   ".map(i => i.getAttribute('src').slice(0, 80))")
            assert not broken, f"{url}: images that did not load: {broken}"
            for href in page.evaluate("[...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))"):
                target = urljoin(url, href)
                assert not target.endswith(".md"), f"{url} links raw Markdown: {href}"
                if target.startswith("file:"):
                    todo.append(target.split("#")[0])
        browser.close()
    assert not errors, errors
    assert {Path(urlparse(u).path).relative_to(site).as_posix() for u in seen} >= {
        "index.html", "report.html", "history/report.html", "costs/report.html"}
