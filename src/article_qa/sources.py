"""Bring an article in: a saved web page (HTML or MHTML), a URL, a PDF, a Word, OpenDocument or Rich Text
document, a PowerPoint deck, an EPUB book, an e-mail, a LaTeX source, a Jupyter notebook, a Markdown,
reStructuredText, Org or text file (a manual page saved as text, a Project Gutenberg book, subtitles
among them) -> a file in a corpus folder; `document_files` says which files of a folder are documents.

The article becomes a Markdown file the splitter reads (``# Title``, ``## Section`` headings, blank
lines between paragraphs, ``<!-- page N -->`` lines for a PDF's pages), opened by a front-matter block
that says where it came from::

    ---
    origin: https://example.org/coffee-and-sleep
    added: 2026-11-28
    sha256: <of the bytes read>
    ---

so every citation stays a verbatim slice of a file the reader can open. Web pages go through `html_text`
(main text only, no markup a reader would see), PDFs through `pdf_text` (sections, pages, paragraphs rebuilt
from the layout), office documents and e-books through `office_text` (Word, OpenDocument text, PowerPoint,
EPUB, Rich Text). A Markdown file's own front matter gives the title and is never indexed, and the file is
read as it shows rendered (`html_text.markdown_page`: link words without their targets, no badges, no
``**``, tables as readable lines), and a reStructuredText file as its reader sees it too (`rst_text`, then
the same rendering), a LaTeX source as it reads typeset (`latex_text`). A plain-text file keeps its own
headings (`text_headings`: underlined, numbered, in capitals or standing alone), its text unchanged. Every
failure (a URL that does not answer, a source over the size cap, a scanned PDF without a text layer, a page
with no main text, a file type it cannot read) raises `SourceError` with one clear sentence, and nothing is
written. The folder is created on the first `add`; a file is written atomically, never replaces another, and
the same source is recognised by its hash. A gzip-compressed file (a manual as a system ships it,
``valgrind_manual.pdf.gz``) is read as the file inside it, up to the same size cap. Nothing here splits or
embeds.
"""

from __future__ import annotations

import datetime
import gzip
import hashlib
import html
import io
import json
import os
import re
import tempfile
import time
import unicodedata
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlparse

from . import __version__
from .passages import _BULLET, _FRONT_MATTER, _is_heading_line

MAX_BYTES = 50 * 1024 * 1024  # a source larger than this is refused
FETCH_SECONDS = 60.0  # a URL download is given this long in all
USER_AGENT = f"article-qa/{__version__} (+local question answering over your own documents)"
KINDS = ("html", "mhtml", "email", "pdf", "markdown", "notebook", "rst", "latex", "text", "docx", "epub", "odt", "pptx",
         "rtf")  # fmt: skip
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")
_OVERSTRIKE = re.compile("[^\x08\n]\x08")  # a character struck over by the one after the backspace
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


def is_url(source: str) -> bool:
    """Whether a source is an http(s) URL rather than a path.

    >>> is_url("HTTPS://example.org/a"), is_url("notes/https.txt")
    (True, False)
    """
    return bool(re.match(r"^https?://", source, re.IGNORECASE))


def read_source(source: str, timeout: float = FETCH_SECONDS) -> tuple[bytes, str, str]:
    """The bytes of a file path or an http(s) URL, a name for it, and its kind (see `KINDS`). A URL is
    given `timeout` seconds and `MAX_BYTES` in all; a file over `MAX_BYTES` is refused unread. A page
    that only redirects elsewhere (``<meta http-equiv="refresh" content="0; URL=...">``, as a renamed
    chapter of a book leaves behind) is read as the page it names, up to `REDIRECTS` hops."""
    return _read_followed(source, timeout)[:3]


def _read_followed(source: str, timeout: float = FETCH_SECONDS) -> tuple[bytes, str, str, str]:
    """`read_source`, and the source last read (the page a redirect led to, or `source` itself)."""
    for _ in range(REDIRECTS + 1):
        raw, name, kind = _read_one(source, timeout)
        target = redirect_target(raw) if kind == "html" else None
        if target is None:
            return raw, name, kind, source
        source = urljoin(source, target) if is_url(source) else str(Path(source).expanduser().parent / target)
    raise SourceError(f"{source}: more than {REDIRECTS} redirects")


REDIRECTS = 3
_REFRESH = re.compile(
    rb"<meta\b(?=[^>]*http-equiv\s*=\s*[\"']?refresh)[^>]*content\s*=\s*[\"']?\s*\d+\s*;\s*url\s*=\s*['\"]?([^\"'>\s]+)",
    re.IGNORECASE,
)


def redirect_target(raw: bytes) -> str | None:
    """Where a page that only redirects sends its reader: the URL of its refresh tag, when the page is
    small and says little else (a page that refreshes itself while holding its text is read as it is).

    >>> redirect_target(b'<html><head><meta http-equiv="refresh" content="0; URL=ch18-01.html"></head>'
    ...                 b'<body><p>Redirecting to... <a href="ch18-01.html">ch18-01.html</a>.</p></body></html>')
    'ch18-01.html'
    >>> redirect_target(b"<html><body><p>" + b"Text. " * 200 + b"</p></body></html>") is None
    True
    """
    if len(raw) > 16_384:
        return None
    m = _REFRESH.search(raw)
    if m is None:
        return None
    words = re.sub(rb"<script.*?</script>|<style.*?</style>|<[^>]+>", b" ", raw, flags=re.IGNORECASE | re.S).split()
    if len(words) > 40:
        return None
    target = m.group(1).decode("utf-8", "replace").split("#")[0]
    return target or None


def _read_one(source: str, timeout: float) -> tuple[bytes, str, str]:
    """`read_source` of one source, no redirect followed."""
    mb = MAX_BYTES // (1024 * 1024)
    if is_url(source):
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
    else:
        path = Path(source).expanduser()
        if not path.is_file():
            raise SourceError(f"{source} is not a file (or an http/https URL)")
        if path.stat().st_size > MAX_BYTES:
            raise SourceError(f"{source} is larger than {mb} MB")
        raw, name, content_type = path.read_bytes(), path.name, None
    if raw.startswith(b"\x1f\x8b"):  # gzip: the file inside, by its own name
        raw, name, content_type = gunzipped(raw, source), re.sub(r"\.(gz|z)$", "", name, flags=re.I), None
    kind = _kind(name, content_type) or _sniffed(raw, name)
    if kind is None:
        raise SourceError(
            f"{source}: cannot read this kind of file; give a web page, a PDF, an office document or e-book "
            "(.docx, .odt, .pptx, .epub, .rtf), an e-mail (.eml), a notebook (.ipynb), a table (.csv, .tsv, "
            ".xlsx), or a text file (.md, .txt, .rst, .tex)"
        )
    return raw, name, kind


def gunzipped(raw: bytes, source: str) -> bytes:
    """The file inside gzip-compressed bytes, refused (`SourceError`) past `MAX_BYTES` unpacked, so that a
    small file that unpacks to gigabytes is never held whole."""
    out = bytearray()
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(raw)) as f:
            while chunk := f.read(1024 * 1024):
                out += chunk
                if len(out) > MAX_BYTES:
                    raise SourceError(f"{source} unpacks to more than {MAX_BYTES // (1024 * 1024)} MB")
    except (OSError, EOFError, zlib.error) as exc:
        raise SourceError(f"{source} is not a readable gzip file ({exc})") from None
    return bytes(out)


def _kind(name: str, content_type: str | None) -> str | None:
    """The kind a content type or a file name's suffix says; None when neither says."""
    suffix = Path(name).suffix.lower()
    by_type = {"text/html": "html", "application/xhtml+xml": "html", "application/pdf": "pdf",
               "text/markdown": "markdown", "text/plain": "text", "text/x-rst": "rst",
               "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
               "application/epub+zip": "epub", "application/vnd.oasis.opendocument.text": "odt",
               "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
               "multipart/related": "mhtml", "application/x-mimearchive": "mhtml",
               "message/rfc822": "email", "application/rtf": "rtf", "text/rtf": "rtf",
               "application/x-tex": "latex", "text/x-tex": "latex", "text/vtt": "text", "text/csv": "table",
               "text/tab-separated-values": "table",
               "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx"}  # fmt: skip
    by_suffix = {".html": "html", ".htm": "html", ".xhtml": "html", ".pdf": "pdf", ".md": "markdown",
                 ".markdown": "markdown", ".txt": "text", ".text": "text", ".rst": "rst", ".rest": "rst",
                 ".adoc": "text", ".asciidoc": "text", ".docx": "docx", ".epub": "epub", ".odt": "odt", ".pptx": "pptx",
                 ".mhtml": "mhtml", ".mht": "mhtml", ".eml": "email", ".rtf": "rtf", ".tex": "latex",
                 ".latex": "latex", ".ltx": "latex", ".ipynb": "notebook", ".srt": "text", ".vtt": "text",
                 ".csv": "table", ".tsv": "table", ".xlsx": "xlsx"}  # fmt: skip
    if content_type in by_type:
        return by_type[content_type]
    return by_suffix.get(suffix)


# Suffixes of files that are text but no article to quote: code, data, settings, styles, logs.
NOT_ARTICLES = frozenset(
    """.css .js .mjs .ts .json .jsonl .xml .csv .tsv .yaml .yml .toml .ini .cfg .conf .py .c .h .cpp .java .go .rs
    .sh .bat .ps1 .sql .svg .log .lock .map .po .pot""".split()
)


# In a folder, files that build or configure a project rather than tell anything: never its articles.
_PROJECT_FILES = re.compile(
    r"^(?:(?:gnu)?makefile|dockerfile|containerfile|vagrantfile|procfile|gemfile|pipfile|jenkinsfile|"
    r"cmakelists\.txt|(?:dev-|test-)?requirements[\w.-]*\.txt|constraints[\w.-]*\.txt|robots\.txt|"
    r"make\.bat|manifest\.in|codeowners|authors|contributors)$",
    re.IGNORECASE,
)
# Pictures, sounds, fonts, archives and compiled files: passed over in a folder without a word.
_NOT_TEXT = frozenset(
    """.png .jpg .jpeg .gif .ico .webp .bmp .tif .tiff .mp3 .mp4 .wav .ogg .avi .mov .woff .woff2 .ttf .otf .eot
    .zip .gz .tgz .tar .bz2 .xz .7z .whl .pyc .so .o .a .exe .dll .bat .cmd .mo""".split()
)
# Folders of build output, caches, dependencies and page assets: never walked into.
_SKIPPED_FOLDERS = frozenset("__pycache__ node_modules _build _static _templates site-packages venv env".split())


def document_files(folder: str | Path) -> tuple[list[Path], list[Path]]:
    """The files of a folder and its subfolders to add as articles, and the ones passed over: hidden
    files and folders, build output and assets (``_build``, ``_static``, ``node_modules``), files
    whose suffix says code, data, settings or a picture, and a project's own files (``Makefile``,
    ``requirements.txt``). A file named on its own is always read; this is for a folder.

    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> for name in ("guide.rst", "Makefile", "conf.py", "logo.png", "api/ref.md", "_build/x.html", ".git/HEAD"):
    ...     (root / name).parent.mkdir(parents=True, exist_ok=True); _ = (root / name).write_text("x")
    >>> kept, passed = document_files(root)
    >>> [str(p.relative_to(root)) for p in kept], sorted(p.name for p in passed)
    (['api/ref.md', 'guide.rst'], ['Makefile', 'conf.py', 'logo.png'])
    """
    kept: list[Path] = []
    passed: list[Path] = []
    for path in sorted(Path(folder).rglob("*")):
        inside = path.relative_to(folder).parts
        if any(p.startswith(".") or p in _SKIPPED_FOLDERS for p in inside) or not path.is_file():
            continue
        suffix = path.suffix.lower()
        if suffix in NOT_ARTICLES or suffix in _NOT_TEXT or _PROJECT_FILES.match(path.name):
            passed.append(path)
        else:
            kept.append(path)
    return kept, passed


def _sniffed(raw: bytes, name: str = "") -> str | None:
    """The kind of a source its name does not tell ("README", "FAQ", "NEWS.Debian"), from its bytes: a
    PDF, a web page, or UTF-8 text; None for anything else (an image, an archive, a Word 97 file) and for
    a text whose suffix says it is code, data or settings (`NOT_ARTICLES`: "style.css", "desktop.ini").

    >>> _sniffed(b"%PDF-1.7 ..."), _sniffed(b"<!DOCTYPE html><p>x"), _sniffed(b"Notes\\n====\\n")
    ('pdf', 'html', 'text')
    >>> _sniffed(b"\\xef\\xbb\\xbf<!-- saved from url=(0023)https://example.org/ -->\\n<html><p>x")
    'html'
    >>> _sniffed(b"PK\\x03\\x04") is None, _sniffed(b"[.ShellClassInfo]", "desktop.ini") is None
    (True, True)
    """
    if Path(name).suffix.lower() in NOT_ARTICLES:
        return None
    head = raw[:8192]
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.lstrip().startswith(b"{\\rtf"):
        return "rtf"
    if head.startswith(b"PK\x03\x04"):  # a zip: an office document or e-book by its first entries, else none
        if b"word/" in raw[:65536]:
            return "docx"
        if b"ppt/" in raw[:65536]:
            return "pptx"
        if b"xl/" in raw[:65536]:
            return "xlsx"
        if head[30:58] == b"mimetypeapplication/epub+zip":  # the format's "mimetype" entry comes first
            return "epub"
        if head[30:77] == b"mimetypeapplication/vnd.oasis.opendocument.text":
            return "odt"
        return None
    if re.search(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]", head):  # control characters: not text
        return None
    opening = rb"(?:\xef\xbb\xbf)?\s*(?:<!--.*?-->\s*)*"  # a byte-order mark, comments ("saved from url=...")
    if re.match(opening + rb"(<!doctype html|<html|<\?xml[^>]*>\s*<(!doctype )?html)", head, re.IGNORECASE | re.S):
        return "html"
    if re.search(rb"^content-type:\s*multipart/related", head[:4096], re.IGNORECASE | re.MULTILINE):
        return "mhtml"  # a page saved as a single file
    if re.match(rb"(?:(?:return-path|received|delivered-to|from|to|date|subject|message-id|mime-version):[^\n]*\n"
                rb"(?:[ \t][^\n]*\n)*){3}", head, re.IGNORECASE):  # fmt: skip
        return "email"  # a message: it opens with its header lines
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3 and western_text(head) is None:  # not a character cut at the sample's end
            return None  # nor text in Windows' Western code page
    return "text"


def convert(raw: bytes, name: str, kind: str, origin: str) -> Article:
    """The article in a source's bytes, as Markdown the splitter reads."""
    digest = hashlib.sha256(raw).hexdigest()
    if kind == "mhtml":  # a page saved "as a single file": its HTML part is the page
        raw, kind = mhtml_page(raw, origin), "html"
    if kind == "email":  # a message: its subject is the title, its HTML (read whole) or plain text the article
        subject, body, body_kind = email_body(raw, origin)
        if body_kind == "html":
            from .html_text import PageError, page_text

            try:
                page = page_text(body, subject or Path(name).stem, whole=True)
            except PageError:
                raise SourceError(f"{origin} has no text to quote") from None
            read_title, markdown = page.title, page.markdown
        else:
            read_title, markdown = _from_text(body, name, origin, plain=True)
        title = subject or read_title
        markdown = markdown.replace(f"# {read_title}\n", f"# {title}\n", 1)
        return Article(title, markdown.strip() + "\n", origin, digest)
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
    elif kind in ("docx", "epub", "odt", "pptx", "rtf"):
        from .office_text import OfficeError, docx_text, epub_text, odt_text, pptx_text, rtf_text

        readers = {"docx": docx_text, "epub": epub_text, "odt": odt_text, "pptx": pptx_text, "rtf": rtf_text}
        reader = readers[kind]
        try:
            page = reader(raw, name)
        except OfficeError as exc:
            raise SourceError(f"{origin} {exc}") from None
        title, markdown = page.title, page.markdown
    elif kind in ("markdown", "notebook"):  # as its reader sees it rendered: no link targets, badges or **
        from .html_text import PageError, markdown_page

        if kind == "notebook":
            raw = notebook_markdown(raw, origin).encode("utf-8")
        title, body = _from_text(raw, name, origin)
        try:
            page = markdown_page(body, title)
        except PageError:
            raise SourceError(f"{origin} has no text to quote") from None
        title, markdown = page.title, page.markdown
    elif kind == "latex":  # a paper's LaTeX source, as it reads typeset: sections, words, formulas as text
        from .latex_text import latex_markdown

        try:
            title, body = latex_markdown(_decoded(raw, origin), Path(name).stem)
        except RecursionError:  # commands nested past reading ("\\emph{\\emph{..." a thousand deep)
            raise SourceError(f"{origin}: its commands are nested too deeply to read") from None
        if len(body) < 20:
            raise SourceError(f"{origin} has no text to quote")
        markdown = f"# {title}\n\n{body}\n"
    elif kind == "rst":  # reStructuredText: its blocks as Markdown, then rendered as a Markdown file is
        from .html_text import PageError, markdown_page
        from .rst_text import rst_markdown

        source = _decoded(raw, origin)
        try:
            local = None if is_url(origin) else Path(origin).expanduser()  # its includes are read beside it
            page = markdown_page(rst_markdown(source, local if local and local.is_file() else None), Path(name).stem)
        except PageError:
            elsewhere = re.search(r"^\.\. +(include|literalinclude|auto\w+)::", source, re.MULTILINE)
            why = f" (its text comes from elsewhere: .. {elsewhere.group(1)}::)" if elsewhere else ""
            raise SourceError(f"{origin} has no text to quote{why}") from None
        title, markdown = page.title, page.markdown
    elif kind == "table":  # a spreadsheet saved as CSV: a row a passage, a question's answer under it
        title = Path(name).stem
        markdown = f"# {title}\n\n{table_markdown(_decoded(raw, origin), name, origin)}"
    elif kind == "xlsx":  # an Excel workbook: each sheet's rows as a CSV's, under the sheet's name when several
        from .office_text import OfficeError, xlsx_sheets

        try:
            title, sheets = xlsx_sheets(raw, name)
        except OfficeError as exc:
            raise SourceError(f"{origin} {exc}") from None
        parts = []
        for sheet, rows in sheets:
            try:
                table = rows_markdown(rows, origin)
            except SourceError:
                continue  # an empty or one-cell sheet
            parts.append(f"## {sheet}\n\n{table}" if len(sheets) > 1 else table)
        if not parts:
            raise SourceError(f"{origin} has no table of rows and columns to quote")
        markdown = f"# {title}\n\n" + "\n\n".join(parts)
    else:
        title, markdown = _from_text(raw, name, origin, plain=True)
    return Article(title, markdown.strip() + "\n", origin, digest)


def mhtml_page(raw: bytes, origin: str = "") -> bytes:
    """The HTML of a web page saved as one file (MHTML, ``.mhtml``/``.mht``: a browser's "Webpage,
    Single File"), its transfer encoding undone and its charset declared, pictures and styles left
    behind.

    >>> saved = (b"MIME-Version: 1.0\\nContent-Type: multipart/related; boundary=B\\n\\n--B\\n"
    ...          b"Content-Type: text/html; charset=utf-8\\nContent-Transfer-Encoding: quoted-printable\\n\\n"
    ...          b"<p>Caf=C3=A9 au lait.</p>\\n--B--\\n")
    >>> mhtml_page(saved)
    b'<meta charset="utf-8"><p>Caf\\xc3\\xa9 au lait.</p>'
    """
    import email
    from email import policy

    message = email.message_from_bytes(raw, policy=policy.compat32)
    for part in message.walk():
        if part.get_content_type() in ("text/html", "application/xhtml+xml"):
            html = part.get_payload(decode=True) or b""
            charset = part.get_content_charset()
            return (f'<meta charset="{charset}">'.encode("ascii") if charset else b"") + html
    raise SourceError(f"{origin} is a saved page (MHTML) without an HTML part")


def email_body(raw: bytes, origin: str = "") -> tuple[str, bytes, str]:
    """A saved e-mail message (``.eml``): its subject, and the body a reader sees, as bytes and a kind
    ("html" when it has an HTML part, else "text"); attachments are left behind.

    >>> email_body(b"Subject: Tea notes\\nContent-Type: text/plain; charset=utf-8\\n\\nSteep it for two minutes.\\n")
    ('Tea notes', b'Steep it for two minutes.\\n', 'text')
    """
    import email
    from email import policy

    message = email.message_from_bytes(raw, policy=policy.default)
    subject = " ".join(str(message.get("subject", "")).split())
    part = message.get_body(preferencelist=("html", "plain"))
    if part is None:
        raise SourceError(f"{origin} is an e-mail message without a text body")
    text = part.get_content()
    if part.get_content_subtype() == "html":
        return subject, f'<meta charset="utf-8">{text}'.encode(), "html"
    return subject, text.encode("utf-8"), "text"


def _decoded(raw: bytes, origin: str) -> str:
    """A text file's bytes as text: UTF-8 (a byte-order mark left out), else Windows' Western code page
    when that reads as Western text (Notepad's "ANSI", an old Latin-1 README), "\\r\\n" as "\\n", and no
    control characters, which are invisible and never a passage's or a title's words (a page break
    stays)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        legacy = western_text(raw)
        if legacy is None:
            raise SourceError(
                f"{origin} is neither UTF-8 nor Western text in another code page; save it as UTF-8"
            ) from None
        text = legacy
    text = _OVERSTRIKE.sub("", text.replace("\r\n", "\n"))  # a terminal's bold and underline: "N\bN", "_\bN"
    return _CONTROL.sub("", text)


# Letters and signs a Western European text holds beyond ASCII (Windows-1252's and Latin-1's).
_WESTERN = re.compile("[\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u0152\u0153\u0160\u0161\u017d\u017e\u0178\u0192"
                      "\u201c\u201d\u2018\u2019\u201a\u201e\u2013\u2014\u2026\u2022\u20ac\u2122\u00a0-\u00bf"
                      "\u00d7\u00f7\u02c6\u02dc\u2030\u2039\u203a\u2020\u2021]")  # fmt: skip


def western_text(raw: bytes) -> str | None:
    """Bytes that are not UTF-8 read as Windows-1252 (ISO-8859-1 as browsers read it), when nearly every
    character beyond ASCII is then a Western letter or sign, set inside words as Western languages set
    them; None otherwise (Cyrillic, Greek or Asian text in a code page of its own reads as runs of
    accented Latin letters).

    >>> western_text("Größe und Übermaß: „Straßen“ – café".encode("cp1252"))
    'Größe und Übermaß: „Straßen“ – café'
    >>> western_text("Привет, как дела? Это простой текст.".encode("koi8-r")) is None
    True
    """
    text = raw.decode("cp1252", "replace")
    beyond = [c for c in text if ord(c) > 127]
    if not beyond or sum(bool(_WESTERN.match(c)) for c in beyond) < 0.95 * len(beyond):
        return None
    return None if re.search("[\u00c0-\u00ff]{3,}", text) else text


def _from_text(raw: bytes, name: str, origin: str, *, plain: bool = False) -> tuple[str, str]:
    """A Markdown or text file: its front matter read for the title and left out; a ``# Title`` first.
    A `plain` text file's headings are marked as Markdown headings first (`text_headings`).

    >>> _from_text(b"---\\ntitle: Notes\\ntags: [a]\\n---\\nSome text here.", "n.md", "n.md")
    ('Notes', '# Notes\\n\\nSome text here.')
    >>> _from_text(b"TRIGGERS\\n========\\n\\nA trigger.", "t.txt", "t.txt", plain=True)
    ('TRIGGERS', '# TRIGGERS\\n\\nA trigger.')
    """
    text = _decoded(raw, origin)
    front = _FRONT_MATTER.match(text)
    declared = _TITLE_LINE.search(front.group(0)) if front else None
    given = declared.group(1).strip("\"' ") if declared else ""
    body = text[front.end() :] if front else text
    book = gutenberg_book(body) if plain else None
    if book is not None:  # a Project Gutenberg book: the book, without the project's header and licence
        given, body = book[0] or given, book[1]
    if not body.strip():
        raise SourceError(f"{origin} is empty")
    if plain and (Path(name).suffix.lower() in (".srt", ".vtt") or body.lstrip().startswith("WEBVTT")):
        captions = transcript_markdown(body)  # subtitles or captions: what was said, by the minute
        if captions is None:
            raise SourceError(f"{origin} has no timed captions to quote")
        named = re.match(r"\s*WEBVTT[ \t]+-?[ \t]*(\S.*)", body)  # "WEBVTT - Lecture 3"
        given = given or (named.group(1).strip() if named else Path(name).stem)
        body, plain = captions, False
    if plain and (Path(name).suffix.lower() == ".org" or _ORG_KEYWORD.search(body[:2000])):
        org_title, body = org_markdown(body)  # Emacs Org: its headings, blocks and links as Markdown's
        given = given or org_title
        plain = False
        if not body.strip():
            raise SourceError(f"{origin} has no text to quote")
    manual = (manual_page(body) or pydoc_page(body)) if plain else None
    if manual is not None:  # "man tar > tar.txt", "pydoc json > json.txt": as a reader reads them
        return manual[0], f"# {manual[0]}\n\n{manual[1]}"
    if plain:
        body = _without_contents(text_headings(option_list(body)))
        opening = body.lstrip().split("\n", 1)
        if given and opening[0].startswith("## ") and opening[0][3:].casefold() == given.casefold():
            body = opening[1] if len(opening) > 1 else ""  # the book's title over its text, once is enough
        elif body.lstrip().startswith("## "):  # an underlined first line is the title
            body = body.lstrip()[1:]
        if not body.strip():
            raise SourceError(f"{origin} has no text to quote")
    if not plain:  # comments above the text ("<!-- Do not edit. -->") are not shown, nor a title
        shown = _LEADING_COMMENTS.sub("", body, count=1)
        body = shown if shown.strip() else body
    first = body.strip().splitlines()[0]
    if not plain and (first.startswith("<") or _PICTURES.fullmatch(first)):  # a README's logo, badges or
        # tagline in HTML above its text, or a line of badges in Markdown ("[![PyPi](...)](...) [![Conda]...")
        heading = _first_heading(body)
        if heading is not None and not given:  # "<div align=center><img></div>\n\n# Hypothesis": that h1
            return heading, body.strip()
        given = given or _html_opening(body) or Path(name).stem
    if given:
        title = given
    elif first.startswith("# ") or (len(first) <= 120 and not plain and not _LIST_OR_ROW.match(first)):
        title = first.lstrip("# ").strip()
    elif plain and _is_text_heading(first.strip()):
        title = first.strip()
    else:  # a text opening with a sentence ("The FHS standard specifies ..., but it also says"): its name
        title = Path(name).stem if Path(name).suffix.lower() in (".txt", ".text", ".rst", ".adoc", ".md") else name
    if not first.startswith("# "):
        body = f"# {title}\n\n{body.strip()}"
    return title, body.strip()


# A Markdown line of pictures only, each perhaps a link: a README's badges.
_PICTURES = re.compile(r"(?:\s*\[?!\[[^\]]*\]\([^)]*\)(?:\]\([^)]*\))?)+\s*")
_LIST_OR_ROW = re.compile(r"\s*(?:[-*+]|\d{1,3}[.)])\s|\s*\|")  # a list's item or a table's row: no title
_LEADING_COMMENTS = re.compile(r"\A\s*(?:<!--.*?-->\s*)+", re.DOTALL)


def _first_heading(markdown: str, lines: int = 60) -> str | None:
    """The first ``# Title`` of a Markdown text's opening lines, outside fenced code.

    >>> _first_heading('<div align="center"><img src="logo.svg"></div>\\n\\n# Hypothesis\\n\\nText.')
    'Hypothesis'
    >>> _first_heading("<p>Text</p>\\n```\\n# a comment\\n```\\n## Usage") is None
    True
    """
    fence = None
    for line in markdown.split("\n")[:lines]:
        marker = re.match(r"^\s{0,3}(`{3,}|~{3,})", line)
        if marker:
            fence = None if fence and marker.group(1)[0] == fence[0] else (fence or marker.group(1))
        elif fence is None and (m := re.match(r"^ {0,3}# +(\S.*?)[ #]*$", line)):
            return m.group(1).strip()
    return None


def _html_opening(markdown: str) -> str | None:
    """The words of a Markdown text's opening HTML blocks (a README's centred logo and tagline), the first
    line that has any, as a title: "HTTPX - A next-generation HTTP client for Python."; None when they
    hold no words or too many for a title.

    >>> _html_opening('<p align="center"><img src="b.svg"></p>\\n\\n<p><strong>HTTPX</strong> <em>- A client.</em></p>')
    'HTTPX - A client.'
    """
    for block in re.split(r"\n\s*\n", markdown.strip()):
        if not block.lstrip().startswith("<"):
            return None
        words = " ".join(html.unescape(re.sub(r"<!--.*?-->|<[^>]*>", " ", block, flags=re.DOTALL)).split())
        if words:
            return words if len(words) <= 120 else None
    return None


_CUE_TIME = re.compile(r"^\s*(?:(\d{1,2}):)?(\d{1,2}):(\d{2})[.,]\d{1,3}\s*-->\s*(?:\d{1,2}:)?\d{1,2}:\d{2}[.,]\d{1,3}")
TRANSCRIPT_SECTION_SECONDS = 120  # a transcript's section: what was said in about this many seconds


_QUESTION_HEADER = re.compile(r"^(?:q|questions?|faq|frage|pregunta|question posée)$", re.IGNORECASE)


def table_markdown(text: str, name: str = "", origin: str = "") -> str:
    """A table saved as CSV or TSV (a spreadsheet's FAQ, glossary or catalogue), as Markdown
    (`rows_markdown`); its delimiter (comma, semicolon, tab or bar) read from the text.

    >>> print(table_markdown("Question,Answer\\nCan I pay later?,Yes: within 30 days.\\n"))
    ## Can I pay later?
    <BLANKLINE>
    Yes: within 30 days.
    """
    import csv

    delimiter = "\t" if Path(name).suffix.lower() == ".tsv" else ","
    if delimiter != "\t":
        try:
            delimiter = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|").delimiter
        except csv.Error:
            pass
    return rows_markdown(list(csv.reader(io.StringIO(text), delimiter=delimiter)), origin or name)


def rows_markdown(rows: list[list[str]], origin: str = "") -> str:
    """A table's rows as Markdown: a row a paragraph of "Header: value" lines (its cells alone when the
    first row is no header); a table of two columns whose first asks questions (a "Question" header,
    or most cells ending in "?") as a heading a question, its answer under it. Empty cells, rows and
    columns are left out; a table of fewer than two rows or one column is refused (`SourceError`).

    >>> print(rows_markdown([["Name", "Price", "Notes"], ["Tea", "3", "Green"], ["Cake", "4", ""]]))
    Name: Tea
    Price: 3
    Notes: Green
    <BLANKLINE>
    Name: Cake
    Price: 4
    """
    rows = [[" ".join(str(cell).split()) for cell in row] for row in rows]
    rows = [row for row in rows if any(row)]
    used = [i for i in range(max(map(len, rows), default=0)) if any(i < len(r) and r[i] for r in rows)]
    rows = [[row[i] if i < len(row) else "" for i in used] for row in rows]
    if len(rows) < 2 or len(used) < 2:
        raise SourceError(f"{origin} has no table of rows and columns to quote")
    first = rows[0]
    header = all(first) and len(set(first)) == len(first) and not any(
        re.fullmatch(r"[\d.,%$€£ -]+", c) or len(c) > 60 for c in first
    )  # fmt: skip
    body = rows[1:] if header else rows
    asks = sum(r[0].endswith("?") for r in body) > len(body) / 2
    if len(used) == 2 and ((header and _QUESTION_HEADER.match(first[0])) or asks):
        return "\n\n".join(f"## {q}\n\n{a}" for q, a in body if q and a)
    if header:
        return "\n\n".join("\n".join(f"{h}: {c}" for h, c in zip(first, row, strict=True) if c) for row in body)
    return "\n\n".join("\n".join(c for c in row if c) for row in body)


def transcript_markdown(text: str) -> str | None:
    """Subtitles or captions (SubRip .srt, WebVTT .vtt, as a video site or a meeting tool saves them) as
    what was said: the cues' text without their numbers, times and tags, a line repeated by rolling
    captions said once, in paragraphs of a few sentences under a section named by the time it starts
    ("## 02:00"), so a citation says where in the recording to listen. None when no cue has a time.

    >>> srt = "1\\n00:00:01,000 --> 00:00:04,000\\nWelcome to the <i>lecture</i>.\\n\\n2\\n"
    >>> srt += "00:02:05,000 --> 00:02:08,000\\nTea began as a medicine.\\n"
    >>> transcript_markdown(srt)
    '## 00:01\\n\\nWelcome to the lecture.\\n\\n## 02:05\\n\\nTea began as a medicine.'
    """
    cues: list[tuple[int, str]] = []  # (seconds from the start, words)
    start: int | None = None
    words: list[str] = []
    last = ""  # the line shown last: rolling captions show it again at the top of the next cue
    for line in [*text.split("\n"), ""]:
        time = _CUE_TIME.match(line)
        if time:
            start = int(time.group(1) or 0) * 3600 + int(time.group(2)) * 60 + int(time.group(3))
            words = []
        elif not line.strip():
            if start is not None and words:
                cues.append((start, " ".join(words)))
            start, words = None, []
        elif start is not None:
            said = " ".join(re.sub(r"<[^>]*>|\{\\[^}]*\}", "", line).split())  # tags, karaoke times, styles
            if said and said not in words and said != last:
                words.append(said)
            last = said or last
    if not cues:
        return None
    blocks: list[str] = []
    paragraph: list[str] = []
    section_start = -TRANSCRIPT_SECTION_SECONDS
    for at, said in cues:
        if at - section_start >= TRANSCRIPT_SECTION_SECONDS:
            if paragraph:
                blocks.append(" ".join(paragraph))
                paragraph = []
            section_start = at
            hours, minutes, seconds = at // 3600, at % 3600 // 60, at % 60
            blocks.append(f"## {hours}:{minutes:02d}:{seconds:02d}" if hours else f"## {minutes:02d}:{seconds:02d}")
        paragraph.append(said)
        if len(" ".join(paragraph)) > 400 and re.search(r"[.!?][\"')\]]*$", said):
            blocks.append(" ".join(paragraph))  # a paragraph ends at a sentence's end past 400 characters
            paragraph = []
    if paragraph:
        blocks.append(" ".join(paragraph))
    return "\n\n".join(blocks)


_ORG_KEYWORD = re.compile(r"^#\+(?:TITLE|STARTUP|OPTIONS|AUTHOR):", re.IGNORECASE | re.MULTILINE)
_ORG_STATE = re.compile(r"^(?:(?:TODO|DONE|NEXT|WAITING|CANCELL?ED)\s+)?(?:\[#[A-C]\]\s*)?")  # "TODO [#A] "
_ORG_TAGS = re.compile(r"\s+:[\w@#%:]+:\s*$")  # a heading's tags, ":kitchen:"
_ORG_EMPHASIS = re.compile(r"(?<![\w*/=~+])([*/=~+])(?=\S)([^*/=~+\n]*?\S)\1(?![\w*/=~+])")


def org_markdown(text: str) -> tuple[str, str]:
    """An Emacs Org file as Markdown: its ``#+TITLE:``, its ``*`` headings as sections (without TODO
    keywords, priorities or tags), source and example blocks as fenced code, links as their words,
    emphasis markers off; settings lines, comments, property drawers and planning lines left out.

    >>> org_markdown("#+TITLE: Tea\\n* TODO Brewing :kitchen:\\nSteep *green* tea, see [[https://t.org][the guide]].")
    ('Tea', '## Brewing\\n\\nSteep green tea, see the guide.')
    """
    title = ""
    out: list[str] = []
    block: str | None = None  # the kind of the #+BEGIN_ block being read
    drawer = False
    for line in text.split("\n"):
        stripped = line.strip()
        if block is not None:
            if re.match(rf"#\+end_{block}\b", stripped, re.IGNORECASE):
                out += ["```", ""] if block in ("src", "example") else [""]
                block = None
            else:
                out.append(line if block in ("src", "example") else _org_inline(line))
            continue
        if begin := re.match(r"#\+begin_(\w+)", stripped, re.IGNORECASE):
            block = begin.group(1).lower()
            out += ["", "```"] if block in ("src", "example") else [""]
            continue
        if m := re.match(r"#\+title:\s*(.*)", stripped, re.IGNORECASE):
            title = title or _org_inline(m.group(1))
            continue
        if stripped.startswith(("#+", "# ")) or stripped == "#":
            continue  # settings and comments
        if re.fullmatch(r":[A-Za-z_]+:", stripped):
            drawer = stripped.upper() != ":END:"
            continue
        if drawer or re.match(r"(?:CLOSED|SCHEDULED|DEADLINE):", stripped):
            continue
        if heading := re.match(r"\*+\s+(.*)", line):
            words = _ORG_TAGS.sub("", _ORG_STATE.sub("", heading.group(1).strip()))
            out += ["", f"## {_org_inline(words)}", ""]
            continue
        out.append(_org_inline(line))
    body = re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip()
    return title, body


def _org_inline(text: str) -> str:
    """A line of Org text as its words: links as their descriptions, emphasis markers off."""
    text = re.sub(r"\[\[([^\]]+)\]\[([^\]]+)\]\]", r"\2", text)
    text = re.sub(r"\[\[([^\]]+)\]\]", r"\1", text)
    return _ORG_EMPHASIS.sub(r"\2", text)


NOTEBOOK_OUTPUT_LINES = 20  # of a code cell's printed output, the first this many lines are kept


def notebook_markdown(raw: bytes, origin: str) -> str:
    """A Jupyter notebook (.ipynb) as the Markdown its reader sees: its Markdown cells as they are, each
    code cell as a fenced listing in the notebook's language, and what a cell printed (its text output,
    the first `NOTEBOOK_OUTPUT_LINES` lines) as a listing after it; pictures and HTML outputs left out.

    >>> cells = [{"cell_type": "markdown", "source": ["# Tea\\n", "Steep it."]},
    ...          {"cell_type": "code", "source": "print(2)", "outputs": [{"output_type": "stream", "text": "2"}]}]
    >>> notebook_markdown(json.dumps({"cells": cells, "nbformat": 4}).encode(), "t.ipynb")
    '# Tea\\nSteep it.\\n\\n```python\\nprint(2)\\n```\\n\\n```\\n2\\n```\\n'
    """
    try:
        notebook = json.loads(_decoded(raw, origin))
        cells = notebook["cells"]
        language = (notebook.get("metadata", {}).get("language_info", {}) or {}).get("name") or "python"
        if not isinstance(cells, list):
            raise TypeError
    except (ValueError, KeyError, TypeError, AttributeError):
        raise SourceError(f"{origin} is not a Jupyter notebook it can read") from None

    def text_of(value: object) -> str:
        return "".join(value) if isinstance(value, list) else value if isinstance(value, str) else ""

    blocks: list[str] = []
    for cell in cells:
        if not isinstance(cell, dict):
            continue
        source = text_of(cell.get("source")).strip("\n")
        if cell.get("cell_type") == "markdown" and source.strip():
            blocks.append(source)
        elif cell.get("cell_type") == "code" and source.strip():
            blocks.append(_fence(source, str(language)))
            for output in cell.get("outputs") or []:
                data = output.get("data", {}) if isinstance(output, dict) else {}
                printed = text_of(output.get("text")) if isinstance(output, dict) else ""
                printed = printed or text_of(data.get("text/plain") if isinstance(data, dict) else "")
                lines = printed.strip("\n").splitlines()[:NOTEBOOK_OUTPUT_LINES]
                if any(x.strip() for x in lines):
                    blocks.append(_fence("\n".join(lines), ""))
    return "\n\n".join(blocks) + "\n"


def _fence(code: str, language: str) -> str:
    fence = "````" if "```" in code else "```"
    return f"{fence}{language}\n{code}\n{fence}"


# A command's option as its --help lists it: "-a, --all", "--block-size=SIZE", "-b ADDRESS, --bind ADDRESS",
# "--color[=WHEN]", "--alt-svc <file name>"; then two spaces (one after "<...>") and what it does.
_OPTION_ARG = r"(?:[ =](?:<[^>\n]*>|\[[^\]\n]*\]|[A-Z][A-Z0-9_.-]*)|\[=[^\]\n]*\]|=\S+)"
_OPTION_TAG = rf"--?[A-Za-z0-9?#][\w-]*{_OPTION_ARG}*"
_OPTION_LINE = re.compile(
    rf"^([ \t]{{0,12}})({_OPTION_TAG}(?:,[ \t]*{_OPTION_TAG})*)(?:(?:[ \t]{{2,}}|(?<=[>\]]) )(\S.*))?$"
)


def option_list(text: str, least: int = 3) -> str:
    """A text's option list, as a command's ``--help`` prints it, one paragraph an option: its tag and
    what it does ("-a, --all: do not ignore entries starting with ."), the description's lines under
    the tag joined; a line ending in ":" alone over a run ("Compression options:") its heading; every
    other line kept as it is. Only a run of `least` options or more, one after another, is a list: a
    line of prose that opens with an option ("--indicator-style=slash.  Use ...") is left as it is.

    >>> help = "Usage: ls [OPTION]...\\n  -a, --all         do not ignore entries\\n"
    >>> help += "                    starting with .\\n  -C                list by columns\\n"
    >>> help += "      --color[=WHEN]  color the output\\n"
    >>> for paragraph in option_list(help).strip().split("\\n\\n"):
    ...     print(paragraph)
    Usage: ls [OPTION]...
    -a, --all: do not ignore entries starting with .
    -C: list by columns
    --color[=WHEN]: color the output
    """
    lines = text.split("\n")
    entries: list[tuple[int, int, str]] = []  # (first line, line after its description, paragraph)
    i = 0
    while i < len(lines):
        m = _OPTION_LINE.match(lines[i])
        if m is None:
            i += 1
            continue
        indent, described = len(m.group(1).expandtabs()), [m.group(3)] if m.group(3) else []
        j = i + 1
        while j < len(lines) and lines[j].strip() and not _OPTION_LINE.match(lines[j]):
            if len(lines[j]) - len(lines[j].lstrip()) <= indent:
                break
            described.append(lines[j].strip())
            j += 1
        table = "\t" in " ".join(described) or re.search(r"\S {3,}\S", m.group(3) or "")  # a table's row
        if described and not m.group(2).endswith((".", ",")) and not table:  # nor prose
            entries.append((i, j, f"{m.group(2)}: {' '.join(described)}"))
        i = j
    runs: list[list[tuple[int, int, str]]] = []  # options listed one after another (blank lines between)
    for entry in entries:
        if runs and not any(x.strip() for x in lines[runs[-1][-1][1] : entry[0]]):
            runs[-1].append(entry)
        else:
            runs.append([entry])
    listed = [entry for run in runs if len(run) >= least for entry in run]
    if not listed:
        return text
    leads = {run[0][0] for run in runs if len(run) >= least}
    out, at = [], 0
    for first, after, paragraph in listed:
        out += lines[at:first]
        last = next((n for n in range(len(out) - 1, -1, -1) if out[n].strip()), None) if first in leads else None
        if last is not None:  # " Compression options:" over a run of options: its heading
            head = out[last].strip()
            alone = last == 0 or not out[last - 1].strip()
            if alone and head.endswith(":") and len(head) <= 60 and not _OPTION_LINE.match(out[last]):
                out[last] = f"## {head[:-1].strip()}"
        out += ["", paragraph, ""]
        at = after
    out += lines[at:]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out))


def _without_contents(marked: str) -> str:
    """A text (its headings marked by `text_headings`) without its table of contents: a "Contents"
    heading and the lines under it, when most of those lines name headings that follow.

    >>> _without_contents("## CONTENTS\\n\\n  I. Tea\\n II. Cups\\n\\n## I. Tea\\n\\nText.\\n\\n## II. Cups\\n\\nMore.")
    '## I. Tea\\n\\nText.\\n\\n## II. Cups\\n\\nMore.'
    """
    m = re.search(r"^## (?:table of )?contents\.?[ \t]*\n(.*?)(?=^## |\Z)", marked, re.I | re.M | re.S)
    if m is None:
        return marked

    def folded(line: str) -> str:
        return " ".join(re.sub(r"[^\w\s]|\s\d+$", " ", line.casefold()).split())

    entries = [folded(x) for x in m.group(1).splitlines() if x.strip()]
    later = {folded(h) for h in re.findall(r"^## (.+)$", marked[m.end() :], re.M)}
    if len(entries) < 2 or sum(e in later for e in entries) < 0.5 * len(entries):
        return marked
    return marked[: m.start()] + marked[m.end() :]


# A Project Gutenberg book's markers around the book itself (the project's header before, its licence after).
_GUTENBERG_START = re.compile(r"^\*{3}\s*START OF (?:THE|THIS) PROJECT GUTENBERG E-?BOOK\b.*$", re.I | re.M)
_GUTENBERG_END = re.compile(r"^\*{3}\s*END OF (?:THE|THIS) PROJECT GUTENBERG E-?BOOK\b.*$", re.I | re.M)


def gutenberg_book(text: str) -> tuple[str, str] | None:
    """A Project Gutenberg plain-text book's title (its header's "Title:" line, "" when it has none) and
    the book itself: the text between the project's START and END lines, without the header about the
    eBook and the licence after it, which are no part of the book. None for any other text.

    >>> page = "The Project Gutenberg eBook of Tea\\n\\nTitle: The Book of Tea\\n\\n*** START OF THE PROJECT "
    >>> page += "GUTENBERG EBOOK TEA ***\\n\\nTea began as a medicine.\\n\\n*** END OF THE PROJECT GUTENBERG "
    >>> page += "EBOOK TEA ***"
    >>> gutenberg_book(page + "\\n\\nTHE FULL PROJECT GUTENBERG LICENSE")
    ('The Book of Tea', 'Tea began as a medicine.')
    """
    start = _GUTENBERG_START.search(text)
    if start is None:
        return None
    end = _GUTENBERG_END.search(text, start.end())
    book = text[start.end() : end.start() if end else len(text)].strip()
    title = re.search(r"^Title:[ \t]*(.+(?:\n[ \t]+\S.*)*)", text[: start.start()], re.MULTILINE)
    # The title page's "by Okakura Kakuzo" (or "By JANE AUSTEN"), among the book's first lines: a byline.
    book = re.sub(r"\A((?:[^\n]*\n){0,8}?)[ \t]*by[ \t]+[^\n]{2,80}\n(?=[ \t]*\n)", r"\1", book, count=1, flags=re.I)
    return (" ".join(title.group(1).split()) if title else ""), book


# A manual page as `man` prints it: its header line names the page twice ("TAR(1)   GNU TAR Manual   TAR(1)").
_MAN_HEADER = re.compile(r"^([\w.:+@-]+)\(([0-9][\w]*)\)(?:\s{2,}.*)?\s{2,}\1\(\2\)$")


def manual_page(text: str) -> tuple[str, str] | None:
    """A manual page saved as `man` prints it (``man tar > tar.txt``), as Markdown: its title from its
    NAME line ("tar - an archiving utility"), a section for each heading at the margin ("DESCRIPTION")
    or just in from it ("Traditional usage"), each paragraph on one line with words hyphenated at a line
    end mended, an option and its description one paragraph ("-A, --catenate: Append archive to ..."),
    an example set in from the text around it a listing of its own (``# a comment`` there is no
    heading), and the header and footer lines left out; None for any other text.

    >>> page = "LS(1)      User Commands      LS(1)\\n\\nNAME\\n       ls - list directory\\n       contents\\n\\n"
    >>> page += "OPTIONS\\n       -a, --all\\n              do not ignore entries starting\\n              with .\\n"
    >>> page += "       -C     list entries by\\n              columns\\n\\n"
    >>> page += "GNU coreutils 9.1      March 2023      LS(1)\\n"
    >>> title, markdown = manual_page(page)
    >>> title
    'ls - list directory contents'
    >>> markdown.split("\\n\\n")[2:]
    ['## OPTIONS', '-a, --all: do not ignore entries starting with .', '-C list entries by columns']
    """
    lines = [line.rstrip().expandtabs() for line in text.split("\n")]  # `man x | col -b` sets tabs
    filled = [i for i, line in enumerate(lines) if line.strip()]
    if not filled:
        return None
    header = lines[filled[0]].strip()
    named = _MAN_HEADER.match(header)
    if named is None or not any(lines[i] == "NAME" for i in filled[1:6]):
        return None
    footer = lines[filled[-1]].strip()
    furniture = {header} | ({footer} if footer.endswith(f"{named.group(1)}({named.group(2)})") else set())
    body = [line for line in lines if line.strip() not in furniture]
    after_name = body[body.index("NAME") + 1 :]
    first = next((x for x in after_name if x.strip()), "")
    base = len(first) - len(first.lstrip())  # the text's margin, as the NAME line is set (7 spaces)
    words = " ".join(body).replace("\u2010", "-")
    hyphenated = {w.lower() for w in re.findall(r"\w+-\w+", words)}

    def joined(parts: list[str]) -> str:
        out = ""
        for part in parts:
            part = " ".join(part.replace("\u2010", "-").split())
            end = re.search(r"(\w+)-$", out)
            word = f"{end.group(1)}-{part.split()[0]}".lower().rstrip(".,;:") if end else ""
            if end and part[:1].islower() and word not in hyphenated:
                out = out[:-1] + part  # "discus-" / "sion": a word the page broke at the margin
            elif end:
                out += part  # "MS-" / "DOS", "non-" / "empty": a hyphenated word broken at its hyphen
            else:
                out = f"{out} {part}" if out else part
        return out

    blocks: list[str] = []
    unit: tuple[list[str], list[str]] = ([], [])  # a paragraph's lines at the margin of the text, and deeper
    width = max(len(line) for line in body)
    # Where the text under way is set (the margin, or the last option's description), and whether the
    # last block is an option's tag whose description comes after a blank line ("-n, --quiet" / "" / "...").
    margin, tag = [base], [False]

    def indent_of(lines: list[str]) -> int:
        return min(len(x) - len(x.lstrip()) for x in lines)

    def flush() -> None:
        if not unit[0] and unit[1]:
            indent = indent_of(unit[1])
            if tag[0]:  # the description of the tag above it
                margin[0] = indent
                blocks[-1] = f"{blocks[-1]}: {joined(unit[1])}"
                unit[1].clear(), tag.clear(), tag.append(False)
                return
            lines = unit[1][:-1] or unit[1]
            filled = sum(len(x) >= width - 10 for x in lines)  # a justified paragraph's lines reach the edge
            sentence = len(unit[1]) == 1 and re.fullmatch(r"[A-Z]\w*(?: \S+){3,}[.!?]", unit[1][0].strip())
            if indent > margin[0] and 2 * filled < len(lines) and not sentence:  # set in: an example
                blocks.append(_fence("\n".join(x[indent:] for x in unit[1]), ""))
                unit[1].clear()
                return
        elif unit[0]:
            margin[0] = indent_of(unit[1]) if unit[1] else base
        term, deeper = (joined(unit[0]), joined(unit[1]))
        # A tag alone on its line ("-A, --catenate") is an option its description follows; a tag with its
        # description beside it ("-X      Enables X11 forwarding. ...") goes on as one paragraph, and
        # so does a sentence with an example under it.
        alone = bool(unit[0]) and not re.search(r"\S\s{2,}\S", unit[0][0].strip())
        tag[0] = alone and not deeper and len(unit[0]) == 1 and term.startswith("-")
        if term and deeper:
            blocks.append(f"{term}: {deeper}" if alone and not term.endswith((".", ":", "?")) else f"{term} {deeper}")
        elif term or deeper:
            blocks.append(term or deeper)
        unit[0].clear(), unit[1].clear()

    for line in body:
        indent = len(line) - len(line.lstrip())
        if not line.strip():
            flush()
        elif indent < base and (indent == 0 or len(line.split()) <= 8):  # "DESCRIPTION", "   Traditional usage"
            flush()
            margin[0], tag[0] = base, False
            blocks.append(f"## {line.strip()}")
        elif indent <= base:
            if unit[1]:
                flush()  # a new entry after an option's description, with no blank line between
            unit[0].append(line)
        else:
            unit[1].append(line)
    flush()
    name_at = blocks.index("## NAME") if "## NAME" in blocks else -1
    title = blocks[name_at + 1] if 0 <= name_at < len(blocks) - 1 and not blocks[name_at + 1].startswith("## ") else ""
    return title or f"{named.group(1).lower()}({named.group(2)})", "\n\n".join(blocks)


# Python's help as pydoc prints it ("python3 -m pydoc json > json.txt", or help() saved from a terminal).
_PYDOC_HEADER = re.compile(r"^Help on (?:package|module|built-in module|class|function|built-in function|method) (\S+)")
_PYDOC_FURNITURE = frozenset({"MODULE REFERENCE", "FILE"})  # "automatically generated ...", a path
_SIGNATURE = re.compile(r"^(?:class )?[\w.]+\(.*\)(?: -> .*)?$|^[\w.]+ = ")  # "fill(text, width=70)", "x = 1"
_ROLE = re.compile(r":[\w:]+:`([^`]+)`|``([^`]+)``|`([^`]+)`")  # ":mod:`json`", "``obj``": their words


def pydoc_page(text: str) -> tuple[str, str] | None:
    """Python's help as pydoc prints it (``python3 -m pydoc textwrap > textwrap.txt``), as Markdown:
    titled by its NAME ("textwrap - Text wrapping and filling."), a section for each heading at the
    margin ("FUNCTIONS"), a subsection for each function, class or method with its documentation
    ("### fill(text, width=70, **kwargs)"), a class's "|" bars and rules left out, a docstring's roles
    as their words (":mod:`json`" as "json"), its ``>>>`` examples as listings; the generated notice
    and the file's path left out. None for any other text.

    >>> page = "Help on module tea:\\n\\nNAME\\n    tea - Brewing.\\n\\nFUNCTIONS\\n    steep(leaves, minutes=3)\\n"
    >>> page += "        Steep ``leaves`` in hot water.\\n        \\n        >>> steep('green')\\n"
    >>> title, markdown = pydoc_page(page)
    >>> title
    'tea - Brewing.'
    >>> blocks = markdown.split("\\n\\n")
    >>> blocks[:5]
    ['## NAME', 'tea - Brewing.', '## FUNCTIONS', '### steep(leaves, minutes=3)', 'Steep leaves in hot water.']
    >>> blocks[5].splitlines()
    ['```', ">>> steep('green')", '```']
    """
    lines = [line.rstrip().expandtabs() for line in text.split("\n")]
    filled = [i for i, line in enumerate(lines) if line.strip()]
    if not filled or not _PYDOC_HEADER.match(lines[filled[0]]) or "NAME" not in lines[filled[0] : filled[0] + 6]:
        return None
    body = []
    for line in lines[filled[0] + 1 :]:
        line = re.sub(r"^( *)\|", r"\1 ", line).rstrip()  # a class's body, set behind " |  "
        body.append("" if re.fullmatch(r" *-{20,}", line) else line)
    blocks: list[str] = []
    para: list[str] = []
    skipping = False

    def flush() -> None:
        if para and not skipping:
            if para[0].lstrip().startswith(">>>"):
                blocks.append(_fence("\n".join(x.strip() for x in para), ""))
            else:
                blocks.append(_ROLE.sub(lambda m: next(g for g in m.groups() if g), " ".join(x.strip() for x in para)))
        para.clear()

    for i, line in enumerate(body):
        indent = len(line) - len(line.lstrip())
        after = next((x for x in body[i + 1 :] if x.strip()), "")
        if not line.strip():
            flush()
        elif indent == 0:
            flush()
            skipping = line.strip() in _PYDOC_FURNITURE
            if not skipping:
                blocks.append(f"## {line.strip()}")
        elif not para and _SIGNATURE.match(line.strip()) and len(after) - len(after.lstrip()) > indent:
            if not skipping:  # a function, class or method whose documentation follows, set in
                signature = line.strip()
                short = signature if len(signature) <= 80 else re.sub(r"\(.*", "(...)", signature)
                blocks += [f"### {short}"] + ([signature] if short != signature else [])
        else:
            para.append(line)
    flush()
    name_at = blocks.index("## NAME") if "## NAME" in blocks else -1
    title = blocks[name_at + 1] if 0 <= name_at < len(blocks) - 1 and not blocks[name_at + 1].startswith("#") else ""
    return title or _PYDOC_HEADER.match(lines[filled[0]]).group(1).rstrip(":"), "\n\n".join(blocks)  # type: ignore[union-attr]


_UNDERLINE = re.compile(r"^[ \t]*([=\-~^*+#])\1{2,}[ \t]*$")  # "=====", "-----": a heading's rule
_ASCIIDOC = re.compile(r"^={1,6}[ \t]+(\S.*?)[ \t]*=*[ \t]*$")  # "== Section ==", AsciiDoc's heading line
_CODE_LIKE = re.compile(r"[,;{}]$|\w\(.*\)|^[$>]")  # "printf(...);", "$ make": code under a rule, no heading
_SIGNED = re.compile(r"\S@\S|https?://|www\.")  # "Craig Small <csmall@debian.org>": a signature, no heading
_NUMBERED = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3})*\.?|[IVXLC]{1,6}\.|[A-Z]\.)[ \t]+(?=[A-Z])")  # "3.1 ", "IV. "


def text_headings(text: str) -> str:
    """A plain-text document with its headings marked as ``## `` lines, for the splitter: a line
    underlined with ``===`` or ``---`` (the rule dropped), or between ``===`` rules; and a line standing
    alone between blank lines that reads as a heading: numbered and in title case ("4. Conveying Verbatim
    Copies."), in capitals ("TERMS AND CONDITIONS"), or short and title-like as the splitter reads a text
    file ("Preamble"); and AsciiDoc's ``== Section`` lines. A numbered heading's closing full stop is left
    out; every other line is kept as it is.

    >>> text_headings("Intro\\n-----\\nText here.\\n\\n  0. Definitions.\\n\\nMore text.")
    '## Intro\\n\\nText here.\\n\\n## 0. Definitions\\n\\nMore text.'
    >>> text_headings("A list:\\n\\n1. install the package.\\n\\n    make install\\n")
    'A list:\\n\\n1. install the package.\\n\\n    make install\\n'
    >>> text_headings("Output:\\n\\n-----\\nfoo.c:2: printf(s);\\n-----\\n")  # a listing between rules
    'Output:\\n\\n-----\\nfoo.c:2: printf(s);\\n-----\\n'
    """
    lines = text.split("\n")
    blank = [not line.strip() for line in lines] + [True]
    out: list[str] = []
    i = 0
    while i < len(lines):
        line, stripped = lines[i], lines[i].strip()
        alone_before = i == 0 or blank[i - 1]
        ruled = _UNDERLINE.match(line)
        if ruled and i + 2 < len(lines) and alone_before and lines[i + 2].strip() == line.strip():
            if _is_text_heading(lines[i + 1].strip()):  # "=====" / "Title" / "=====" (reStructuredText)
                out += [f"## {lines[i + 1].strip()}"] + ([] if blank[i + 3] else [""])
                i += 3
                continue
        marked = _ASCIIDOC.match(line)
        if marked and alone_before and _heading_words(marked.group(1)):  # "== Section" (AsciiDoc)
            out += [f"## {marked.group(1)}"] + ([] if blank[i + 1] else [""])
            i += 1
            continue
        below = _UNDERLINE.match(lines[i + 1]) if i + 1 < len(lines) else None
        if stripped and alone_before and below and len(lines[i + 1].strip()) >= max(3, len(stripped) // 2):
            if _heading_words(stripped) and not _CODE_LIKE.search(stripped):
                out.append(f"## {stripped}")
                if not blank[i + 2]:
                    out.append("")  # the text under a rule without a blank line is a paragraph of its own
                i += 2
                continue
        if stripped and alone_before and blank[i + 1] and _is_text_heading(stripped):
            out.append("## " + (stripped[:-1] if _NUMBERED.match(stripped) and stripped.endswith(".") else stripped))
        else:
            out.append(line)
        i += 1
    return "\n".join(out)


def _heading_words(line: str) -> bool:
    """Whether a line can name a section: it has a letter, at most 14 words and 120 characters."""
    return any(c.isalpha() for c in line) and len(line.split()) <= 14 and len(line) <= 120


def _is_text_heading(line: str) -> bool:
    """Whether a line standing alone is a heading (see `text_headings`).

    >>> [_is_text_heading(x) for x in ("4. Conveying Verbatim Copies.", "TERMS AND CONDITIONS", "Preamble")]
    [True, True, True]
    >>> [_is_text_heading(x) for x in ("1. Install the package.", "[verse]", "make install", "* Item")]
    [False, False, False, False]
    >>> _is_text_heading("Craig Small <csmall@debian.org>"), _is_text_heading("README        this file")
    (False, False)
    """
    if not _heading_words(line) or not (line[0].isupper() or line[0].isdigit()) or _SIGNED.search(line):
        return False
    if re.search(r"\S {3,}\S|\t", line):  # columns ("README        this file"): a table's row, no heading
        return False
    numbered = _NUMBERED.match(line)
    if numbered:
        rest = line[numbered.end() :].rstrip(".")
        return bool(rest) and rest[-1] not in ",;:" and _is_heading_line(rest) and _title_case(rest)
    if _BULLET.match(line):
        return False
    letters = [c for c in line if c.isalpha()]
    if len(letters) >= 3 and all(c.isupper() for c in letters):
        return line[-1] not in ",;"
    return _is_heading_line(line)


def _title_case(text: str) -> bool:
    """Whether most of a line's longer words begin in capitals ("Conveying Verbatim Copies")."""
    words = [w for w in re.findall(r"[A-Za-z][\w'’-]*", text) if len(w) > 3]
    return not words or sum(w[0].isupper() for w in words) >= max(1, round(0.75 * len(words)))


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
    raw, name, kind, source = _read_followed(source)
    origin = source if is_url(source) else str(Path(source).expanduser().resolve())
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
