"""Bring an article in: a saved web page, a URL, a PDF, a Markdown or text file -> a file in a corpus folder.

The article becomes a Markdown file the splitter reads (``# Title``, ``## Section`` headings, blank
lines between paragraphs, ``<!-- page N -->`` lines for a PDF's pages), opened by a front-matter block
that says where it came from::

    ---
    origin: https://example.org/coffee-and-sleep
    added: 2026-11-28
    sha256: <of the bytes read>
    ---

so every citation stays a verbatim slice of a file the reader can open. Web pages go through
`html_text` (main text only, no markup a reader would see), PDFs through `pdf_text` (sections, pages,
paragraphs rebuilt from the layout). A Markdown file's own front matter gives the title and is never
indexed, and the file is read as it shows rendered (`html_text.markdown_page`: link words without their
targets, no badges, no ``**``, tables as readable lines). Every failure (a URL that does not answer,
a source over the size cap, a scanned PDF without a text layer, a page with no main text, a file type
it cannot read) raises `SourceError` with one clear sentence, and nothing is written. The folder is
created on the first `add`; a file is written atomically, never replaces another, and the same source
is recognised by its hash. Nothing here splits or embeds.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import re
import tempfile
import time
import unicodedata
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from . import __version__
from .passages import _FRONT_MATTER

MAX_BYTES = 50 * 1024 * 1024  # a source larger than this is refused
FETCH_SECONDS = 60.0  # a URL download is given this long in all
USER_AGENT = f"article-qa/{__version__} (+local question answering over your own documents)"
KINDS = ("html", "pdf", "markdown", "text")
_TITLE_LINE = re.compile(r"^title\s*:\s*(.+?)\s*$", re.IGNORECASE | re.MULTILINE)
_SHA_LINE = re.compile(r"^sha256\s*:\s*([0-9a-f]{64})\s*$", re.MULTILINE)


class SourceError(ValueError):
    """A source that cannot be brought in, with a sentence saying why."""


@dataclass(frozen=True)
class Article:
    """An article read from a source: its title and its Markdown text (without front matter)."""

    title: str
    markdown: str
    origin: str
    sha256: str


def read_source(source: str, timeout: float = FETCH_SECONDS) -> tuple[bytes, str, str]:
    """The bytes of a file path or an http(s) URL, a name for it, and its kind (see `KINDS`). A URL is
    given `timeout` seconds and `MAX_BYTES` in all; a file over `MAX_BYTES` is refused unread."""
    mb = MAX_BYTES // (1024 * 1024)
    if re.match(r"^https?://", source, re.IGNORECASE):
        request = urllib.request.Request(source, headers={"User-Agent": USER_AGENT})
        deadline = time.monotonic() + timeout
        chunks: list[bytes] = []
        try:
            with urllib.request.urlopen(request, timeout=min(timeout, 30.0)) as response:
                content_type = response.headers.get_content_type()
                size = 0
                while chunk := response.read(64 * 1024):
                    size += len(chunk)
                    if size > MAX_BYTES:
                        raise SourceError(f"{source} is larger than {mb} MB")
                    if time.monotonic() > deadline:
                        raise SourceError(f"{source} did not finish downloading in {timeout:.0f} s")
                    chunks.append(chunk)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            if isinstance(exc, SourceError):
                raise
            raise SourceError(f"could not fetch {source}: {getattr(exc, 'reason', exc)}") from None
        raw = b"".join(chunks)
        name = Path(urlparse(source).path).name or urlparse(source).netloc
        kind = _kind(name, content_type)
    else:
        path = Path(source).expanduser()
        if not path.is_file():
            raise SourceError(f"{source} is not a file (or an http/https URL)")
        if path.stat().st_size > MAX_BYTES:
            raise SourceError(f"{source} is larger than {mb} MB")
        raw = path.read_bytes()
        name, kind = path.name, _kind(path.name, None)
    if kind is None:
        raise SourceError(f"{source}: cannot read this kind of file; give a web page, a PDF, or a .md or .txt file")
    return raw, name, kind


def _kind(name: str, content_type: str | None) -> str | None:
    suffix = Path(name).suffix.lower()
    by_type = {"text/html": "html", "application/xhtml+xml": "html", "application/pdf": "pdf",
               "text/markdown": "markdown", "text/plain": "text"}  # fmt: skip
    by_suffix = {".html": "html", ".htm": "html", ".pdf": "pdf", ".md": "markdown", ".markdown": "markdown",
                 ".txt": "text"}  # fmt: skip
    if content_type in by_type:
        return by_type[content_type]
    return by_suffix.get(suffix)


def convert(raw: bytes, name: str, kind: str, origin: str) -> Article:
    """The article in a source's bytes, as Markdown the splitter reads."""
    digest = hashlib.sha256(raw).hexdigest()
    if kind == "html":
        from .html_text import PageError, page_text

        try:
            page = page_text(raw, Path(urlparse(origin).path).stem or "Article")
        except PageError:
            no_text = "has no main text to quote (is it a page of links, or made by scripts?)"
            raise SourceError(f"{origin} {no_text}") from None
        title, markdown = page.title, page.markdown
    elif kind == "pdf":
        from .pdf_text import PdfError, pdf_text

        try:
            pdf = pdf_text(raw, Path(name).stem)
        except PdfError as exc:
            raise SourceError(f"{origin}: {exc}") from None
        title, markdown = pdf.title, pdf.markdown
    elif kind == "markdown":  # as its reader sees it rendered: no link targets, badges or ** in a passage
        from .html_text import PageError, markdown_page

        title, body = _from_text(raw, name, origin)
        try:
            page = markdown_page(body, title)
        except PageError:
            raise SourceError(f"{origin} has no text to quote") from None
        title, markdown = page.title, page.markdown
    else:
        title, markdown = _from_text(raw, name, origin)
    return Article(title, markdown.strip() + "\n", origin, digest)


def _from_text(raw: bytes, name: str, origin: str) -> tuple[str, str]:
    """A Markdown or text file: its front matter read for the title and left out; a ``# Title`` first.

    >>> _from_text(b"---\\ntitle: Notes\\ntags: [a]\\n---\\nSome text here.", "n.md", "n.md")
    ('Notes', '# Notes\\n\\nSome text here.')
    """
    try:
        text = raw.decode("utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError:
        raise SourceError(f"{origin} is not UTF-8 text; re-save it as UTF-8") from None
    front = _FRONT_MATTER.match(text)
    declared = _TITLE_LINE.search(front.group(0)) if front else None
    body = text[front.end() :] if front else text
    if not body.strip():
        raise SourceError(f"{origin} is empty")
    first = body.strip().splitlines()[0]
    if declared:
        title = declared.group(1).strip("\"' ")
    elif first.startswith("# ") or len(first) <= 120:
        title = first.lstrip("# ").strip()
    else:
        title = Path(name).stem
    if not first.startswith("# "):
        body = f"# {title}\n\n{body.strip()}"
    return title, body.strip()


def file_name(title: str, suffix: str = ".md") -> str:
    """A file name for an article from its title, in the title's own script.

    >>> file_name("Can Ketamine Be Used to Treat Addictions?"), file_name("Sky_(United_Kingdom)", ".txt")
    ('can-ketamine-be-used-to-treat-addictions.md', 'sky-united-kingdom.txt')
    >>> file_name("Résumés de logs"), file_name("東京の歴史"), file_name("???")
    ('résumés-de-logs.md', '東京の歴史.md', 'article.md')
    """
    slug = re.sub(r"[\W_]+", "-", unicodedata.normalize("NFC", title).lower()).strip("-")[:80].strip("-")
    return f"{slug or 'article'}{suffix}"


def recorded_hash(text: str) -> str | None:
    """The sha256 a corpus file's front matter records for its source, wherever in the block it stands."""
    front = _FRONT_MATTER.match(text)
    found = _SHA_LINE.search(front.group(0)) if front else None
    return found.group(1) if found else None


def add(source: str, corpus_dir: str | Path, *, today: datetime.date | None = None) -> Path:
    """Read `source`, convert it, and write it into `corpus_dir` (created when missing) as a new Markdown
    file with its origin; returns the file's path. Raises `SourceError` and writes nothing when the
    source cannot be used or is already there."""
    corpus = Path(corpus_dir)
    if corpus.exists() and not corpus.is_dir():
        raise SourceError(f"{corpus} is a file, not a folder")
    raw, name, kind = read_source(source)
    origin = source if re.match(r"^https?://", source, re.IGNORECASE) else str(Path(source).expanduser().resolve())
    article = convert(raw, name, kind, origin)
    corpus.mkdir(parents=True, exist_ok=True)
    for existing in sorted(corpus.glob("*.md")):
        if recorded_hash(existing.read_text("utf-8", "replace")) == article.sha256:
            raise SourceError(f"{source} is already in {corpus} as {existing.name}")
    added = (today or datetime.date.today()).isoformat()
    header = f"---\norigin: {origin}\nadded: {added}\nsha256: {article.sha256}\n---\n\n"
    fd, tmp = tempfile.mkstemp(prefix=".add-", suffix=".md", dir=corpus)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(header + article.markdown)
        stem, n = Path(file_name(article.title)).stem, 1
        while True:
            target = corpus / (f"{stem}.md" if n == 1 else f"{stem}-{n}.md")
            try:
                os.link(tmp, target)  # atomic, and fails when the name is taken: never replaces a file
                return target
            except FileExistsError:
                n += 1
    finally:
        os.unlink(tmp)
