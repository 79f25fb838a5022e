"""Bring an article in: a saved web page, a URL, a PDF, a Markdown or text file -> a file in `corpus/`.

The article becomes a Markdown file the splitter reads (``# Title``, ``## Section`` headings, blank
lines between paragraphs), opened by a front-matter block that says where it came from::

    ---
    origin: https://example.org/coffee-and-sleep
    added: 2026-11-28
    sha256: <of the bytes read>
    ---

so every citation stays a verbatim slice of a file the reader can open. Web pages go through
trafilatura, a maintained main-text extractor (navigation, comments, footers and other page furniture
are dropped; headings kept). PDFs go through pypdf, one ``## Page N`` section a page, so citations say
which page. Every failure (a URL that does not answer, a scanned PDF without a text layer, a page with
no main text, a file type it cannot read) raises `SourceError` with one clear sentence, and nothing is
written. The file is written atomically and never replaces another. Nothing here splits or embeds.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import os
import re
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

MAX_BYTES = 50 * 1024 * 1024  # a source larger than this is refused
MIN_TEXT = 200  # characters of main text below which a page is taken to have none
KINDS = ("html", "pdf", "markdown", "text")


class SourceError(ValueError):
    """A source that cannot be brought in, with a sentence saying why."""


@dataclass(frozen=True)
class Article:
    """An article read from a source: its title and its Markdown text (without front matter)."""

    title: str
    markdown: str
    origin: str
    sha256: str


def read_source(source: str, timeout: float = 30.0) -> tuple[bytes, str, str]:
    """The bytes of a file path or an http(s) URL, a name for it, and its kind (see `KINDS`)."""
    if re.match(r"^https?://", source, re.IGNORECASE):
        try:
            with urllib.request.urlopen(source, timeout=timeout) as response:
                raw = response.read(MAX_BYTES + 1)
                content_type = response.headers.get_content_type()
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise SourceError(f"could not fetch {source}: {getattr(exc, 'reason', exc)}") from None
        name = Path(urlparse(source).path).name or urlparse(source).netloc
        kind = _kind(name, content_type)
    else:
        path = Path(source).expanduser()
        if not path.is_file():
            raise SourceError(f"{source} is not a file (or an http/https URL)")
        raw = path.read_bytes()[: MAX_BYTES + 1]
        name, kind = path.name, _kind(path.name, None)
    if len(raw) > MAX_BYTES:
        raise SourceError(f"{source} is larger than {MAX_BYTES // (1024 * 1024)} MB")
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
        title, markdown = _from_html(raw, origin)
    elif kind == "pdf":
        title, markdown = _from_pdf(raw, name, origin)
    else:
        try:
            markdown = raw.decode("utf-8-sig").replace("\r\n", "\n")
        except UnicodeDecodeError:
            raise SourceError(f"{origin} is not UTF-8 text; re-save it as UTF-8") from None
        if not markdown.strip():
            raise SourceError(f"{origin} is empty")
        first = markdown.strip().splitlines()[0].lstrip("# ").strip()
        title = first if len(first) <= 120 else Path(name).stem
    return Article(title, markdown.strip() + "\n", origin, digest)


def _from_html(raw: bytes, origin: str) -> tuple[str, str]:
    import trafilatura

    html = raw.decode("utf-8", "replace")
    markdown = trafilatura.extract(
        html, output_format="markdown", include_comments=False, include_formatting=True, include_tables=True,
        favor_recall=True,
    )  # fmt: skip
    if not markdown or len(markdown.strip()) < MIN_TEXT:
        raise SourceError(f"{origin} has no main text to quote (is it a page of links, or made by scripts?)")
    metadata = trafilatura.extract_metadata(html)
    title = (metadata.title if metadata and metadata.title else "") or Path(urlparse(origin).path).stem or "Article"
    if not markdown.lstrip().startswith("# "):
        markdown = f"# {title}\n\n{markdown}"
    return title, markdown


def _from_pdf(raw: bytes, name: str, origin: str) -> tuple[str, str]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(raw))
        pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata
    except (PdfReadError, ValueError, OSError) as exc:
        raise SourceError(f"{origin} is not a readable PDF ({exc})") from None
    if sum(len(p.strip()) for p in pages) < 20:
        raise SourceError(f"{origin} has no text layer (a scanned PDF?); run it through OCR first")
    title = (info.title if info and info.title else "") or Path(name).stem
    parts = [f"# {title}"]
    for number, text in enumerate(pages, 1):
        paragraphs = pdf_paragraphs(text)
        if paragraphs:
            parts.append(f"## Page {number}")
            parts += paragraphs
    return title, "\n\n".join(parts)


def pdf_paragraphs(text: str) -> list[str]:
    """A PDF page's text as paragraphs: lines joined (words broken by a hyphen at a line end mended),
    a paragraph ending at a line that ends a sentence and is shorter than the page's long lines.

    >>> pdf_paragraphs("Ketamine is an anes-\\nthetic used in surgery.\\nShort one.\\n\\nNext part here.")
    ['Ketamine is an anesthetic used in surgery. Short one.', 'Next part here.']
    """
    lines = [line.strip() for line in text.replace("\r", "").split("\n")]
    longest = max((len(line) for line in lines), default=0)
    paragraphs, current = [], ""
    for line in lines:
        if not line:
            if current:
                paragraphs.append(current)
            current = ""
            continue
        current = current[:-1] + line if current.endswith("-") and line[:1].islower() else f"{current} {line}".strip()
        if line[-1] in ".!?:" and len(line) < 0.8 * longest:
            paragraphs.append(current)
            current = ""
    if current:
        paragraphs.append(current)
    return [" ".join(p.split()) for p in paragraphs if p.strip()]


def file_name(title: str, suffix: str = ".md") -> str:
    """A file name for an article from its title.

    >>> file_name("Can Ketamine Be Used to Treat Addictions?"), file_name("Sky_(United_Kingdom)", ".txt")
    ('can-ketamine-be-used-to-treat-addictions.md', 'sky-united-kingdom.txt')
    """
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:80].strip("-")
    return f"{slug or 'article'}{suffix}"


def add(source: str, corpus_dir: str | Path, *, today: datetime.date | None = None) -> Path:
    """Read `source`, convert it, and write it into `corpus_dir` as a new Markdown file with its origin;
    returns the file's path. Raises `SourceError` and writes nothing when the source cannot be used."""
    corpus = Path(corpus_dir)
    if not corpus.is_dir():
        raise SourceError(f"corpus folder {corpus} does not exist")
    raw, name, kind = read_source(source)
    origin = source if re.match(r"^https?://", source, re.IGNORECASE) else str(Path(source).expanduser().resolve())
    article = convert(raw, name, kind, origin)
    for existing in corpus.glob("*.md"):
        head = existing.read_text("utf-8", "replace")[:400]
        if f"sha256: {article.sha256}" in head:
            raise SourceError(f"{source} is already in the corpus as {existing.name}")
    added = (today or datetime.date.today()).isoformat()
    header = f"---\norigin: {origin}\nadded: {added}\nsha256: {article.sha256}\n---\n\n"
    target = corpus / file_name(article.title)
    n = 2
    while target.exists():
        target = corpus / f"{Path(file_name(article.title)).stem}-{n}.md"
        n += 1
    fd, tmp = tempfile.mkstemp(prefix=".add-", suffix=".md", dir=corpus)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(header + article.markdown)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target
