"""Drive the chat page in headless Chromium: serve `app.py` on a free port, open a browser.

Used by the browser tests and by `make screenshot` (``python -m tests.browser docs/screenshot.png``).
Chromium comes from Debian's packages (/usr/bin/chromium); Playwright only drives it, it downloads
nothing.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

from .support import running_app

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def browser_available() -> bool:
    try:
        import playwright  # noqa: F401
    except ImportError:
        return False
    return Path(CHROMIUM).exists()


@contextlib.contextmanager
def serve_app(env: dict[str, str] | None = None) -> Iterator[str]:
    """`python app.py` on a free loopback port; yields its URL once it answers HTTP 200."""
    with running_app(env=env) as (url, _):
        yield url


@contextlib.contextmanager
def chromium() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def ask(page, question: str) -> None:
    """Type a question, send it, and wait for the reply bubble."""
    before = page.locator("#answers .message.bot").count()
    page.locator("#question textarea").fill(question)
    page.locator("#ask").click()
    page.locator("#answers .message.bot").nth(before).wait_for(timeout=60_000)


def screenshot(path: Path, absent: Path | None = None) -> None:
    """`path`: an answer, its passage opened in the article; `absent`: a question the article does not
    answer, the related passages folded under the reply."""
    with serve_app() as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1200, "height": 940}, device_scale_factor=1)
        page.goto(url)
        ask(page, "Which drug did the control group get in the cocaine study?")
        page.get_by_role("button", name="Show [1] in the article").click()
        page.get_by_text("Whole article").wait_for()
        page.wait_for_timeout(800)
        page.screenshot(path=str(path))
        print(f"wrote {path}")
        if absent is not None:
            shoot(browser, url, "Can ketamine treat PTSD?", absent)


def shoot(browser, url: str, question: str, path: Path) -> None:
    """A new page at `url`, `question` asked, the reply shown: a screenshot to `path`."""
    page = browser.new_page(viewport={"width": 1200, "height": 940}, device_scale_factor=1)
    page.goto(url)
    ask(page, question)
    page.wait_for_timeout(800)
    page.screenshot(path=str(path))
    print(f"wrote {path}")


def screenshot_articles(path: Path) -> None:
    """Two articles in one corpus: the shipped one and a web page brought in with `article-qa add`."""
    import shutil
    import tempfile

    from article_qa.sources import add

    from .test_sources import PAGE

    with tempfile.TemporaryDirectory() as scratch:
        corpus = Path(scratch) / "corpus"
        shutil.copytree(Path(__file__).resolve().parents[1] / "corpus", corpus)
        (corpus / "page.json").unlink()  # the page describes the corpus itself
        (Path(scratch) / "coffee.html").write_text(PAGE, "utf-8")
        add(str(Path(scratch) / "coffee.html"), corpus)
        env = {"ARTICLE_QA_CORPUS": str(corpus), "ARTICLE_QA_INDEX": str(Path(scratch) / "index")}
        with serve_app(env) as url, chromium() as browser:
            shoot(browser, url, "How long does caffeine delay sleep?", path)


@contextlib.contextmanager
def own_pdf_app() -> Iterator[str]:
    """The page over a folder of one's own holding only a PDF report, brought in with `article-qa add`."""
    import tempfile

    from article_qa import cli

    from .pdfs import report

    with tempfile.TemporaryDirectory() as scratch:
        pdf, mine = Path(scratch) / "water-report.pdf", Path(scratch) / "my-docs"
        pdf.write_bytes(report())
        if cli.main(["add", str(pdf), "--corpus", str(mine)]) != 0:
            raise RuntimeError(f"could not add {pdf}")
        with serve_app({"ARTICLE_QA_CORPUS": str(mine), "ARTICLE_QA_INDEX": str(mine / ".index")}) as url:
            yield url


def screenshot_own_pdf(path: Path) -> None:
    """A page serving only a user's PDF: its title, its headings as examples, a citation with its page."""
    with own_pdf_app() as url, chromium() as browser:
        shoot(browser, url, "How much did the drip lines cost?", path)


README = """# HTTPX

HTTPX is a fully featured HTTP client library for Python 3.

## Installation

Install HTTPX using pip:

```shell
$ pip install httpx
```

HTTPX requires Python 3.9+.
"""


def screenshot_code(path: Path) -> None:
    """A README of one's own: the sentence that introduces a command, and the command as it stands."""
    import tempfile

    from article_qa import cli

    with tempfile.TemporaryDirectory() as scratch:
        readme, mine = Path(scratch) / "README.md", Path(scratch) / "my-docs"
        readme.write_text(README, "utf-8")
        if cli.main(["add", str(readme), "--corpus", str(mine)]) != 0:
            raise RuntimeError(f"could not add {readme}")
        env = {"ARTICLE_QA_CORPUS": str(mine), "ARTICLE_QA_INDEX": str(mine / ".index")}
        with serve_app(env) as url, chromium() as browser:
            shoot(browser, url, "how do I install httpx", path)


if __name__ == "__main__":
    if len(sys.argv) > 5:
        screenshot_code(Path(sys.argv[5]))
    if len(sys.argv) > 4:
        screenshot_own_pdf(Path(sys.argv[4]))
    if len(sys.argv) > 3:
        screenshot_articles(Path(sys.argv[3]))
    screenshot(
        Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshot.png"),
        Path(sys.argv[2]) if len(sys.argv) > 2 else None,
    )
