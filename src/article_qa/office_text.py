"""Office documents and e-books as Markdown: Word (.docx), OpenDocument text (.odt), PowerPoint (.pptx),
EPUB and Rich Text Format (.rtf), each turned into plain semantic HTML and read whole by
`html_text.page_text`.

- Word: mammoth maps the document's paragraph styles to headings (Title, Heading 1-6), its numbering to
  lists and its tables to tables; footnotes go under "Notes"; pictures are left out.
- OpenDocument text: read from content.xml by hand: outline headings, paragraphs (a code style as code),
  lists, tables, footnotes; comments, frames and generated tables of contents left out.
- PowerPoint: a slide is a section ("Slide 2: Why tea?") with its text boxes, tables and speaker notes,
  in the deck's order; slide numbers, dates and footers left out.
- EPUB: the chapters in the package's reading order, without the table of contents page or a printed
  edition's page numbers.
- Excel workbooks (.xlsx): each sheet's cell texts, row by row (shared strings, inline strings, numbers
  and booleans as written, a date in a date format as its day: 2024-01-01), for `sources.rows_markdown`.
- Rich Text Format (TextEdit's, WordPad's and Word's): read by hand from its control words: paragraphs,
  heading styles, tables, the document's code page and Unicode; fonts, pictures, headers, footers,
  footnotes and fields' instructions left out.

Each reader returns a `PageText` (title, Markdown), the workbook reader its sheets' rows, or raises
`OfficeError` with the reason, worded to follow the source's name ("is not a Word document it can read
..."). Nothing here fetches, writes, splits or embeds: `sources` does the bringing in.
"""

from __future__ import annotations

import datetime
import io
import logging
import posixpath
import re
import zipfile
from html import escape
from pathlib import Path
from xml.etree import ElementTree

from .html_text import PageError, PageText, page_text

log = logging.getLogger(__name__)


class OfficeError(Exception):
    """A document that cannot be read, with the reason (to follow its name in a message)."""


# A document whose parts unpack to more than this is refused unread (a zip bomb would fill the memory).
MAX_UNPACKED = 500 * 1024 * 1024


def _unzipped(raw: bytes) -> zipfile.ZipFile:
    """The document's zip archive, checked to unpack to at most `MAX_UNPACKED` bytes."""
    archive = zipfile.ZipFile(io.BytesIO(raw))
    if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED:
        archive.close()
        raise OfficeError(f"unpacks to more than {MAX_UNPACKED // (1024 * 1024)} MB; it is refused unread")
    return archive


def _member(archive: zipfile.ZipFile, name: str) -> str:
    """A part of the archive as text, or "" when the archive has no such part."""
    return archive.read(name).decode("utf-8", "replace") if name in archive.namelist() else ""


def _list_html(items: list[str], tag: str = "ul") -> str:
    """Items (the blank ones left out) as an HTML list."""
    return f"<{tag}>" + "".join(f"<li>{escape(i)}</li>" for i in items if i.strip()) + f"</{tag}>"


def _table_html(rows: list[list[str]]) -> str:
    """Rows of cell texts as an HTML table."""
    return (
        "<table>" + "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in rows) + "</table>"
    )


def _read_whole(title: str, body: str, heading: bool = False) -> PageText:
    """A document's HTML `body` read whole by `html_text.page_text` under `title` (its first heading too,
    with `heading`: a body that does not hold its title)."""
    h1 = f"<h1>{escape(title)}</h1>" if heading else ""
    page = f'<html><head><meta charset="utf-8"><title>{escape(title)}</title></head><body>{h1}{body}</body></html>'
    try:
        return page_text(page.encode("utf-8"), title, whole=True)
    except PageError:
        raise OfficeError("has no text to quote") from None


def _properties_title(properties: str, default: str = "") -> str | None:
    """The title in a document's properties (``<dc:title>``), unless empty or the application's own
    ("Microsoft Word - tea.doc", "PowerPoint Presentation": `default`).

    >>> _properties_title("<dc:title>Tea  Notes</dc:title>")
    'Tea Notes'
    >>> _properties_title("<dc:title>Microsoft Word - a.doc</dc:title>", "microsoft word") is None
    True
    """
    found = re.search(r"<dc:title>([^<]+)</dc:title>", properties)
    title = " ".join(found.group(1).split()) if found else ""
    return title if title and not (default and title.lower().startswith(default)) else None


# Word's own styles that mammoth's default map leaves as paragraphs: the document's title and subtitle.
_DOCX_STYLES = "p[style-name='Title'] => h1.title:fresh\np[style-name='Subtitle'] => p.subtitle:fresh"


def docx_text(raw: bytes, name: str) -> PageText:
    """A Word document (.docx) as Markdown: mammoth turns its styles into headings, its numbering into
    lists and its tables into tables (pictures are left out), then the page is read whole as a web page
    is. The title is the paragraph styled Title, else the title in the document's properties, else the
    one Heading 1, else the file's name."""
    import mammoth  # imported when a Word document is read

    try:
        with _unzipped(raw) as z:
            core = _member(z, "docProps/core.xml")
            has_document = "word/document.xml" in z.namelist()
        if not has_document:
            raise OfficeError("is not a Word document (.docx): it holds no word/document.xml")
        no_pictures = mammoth.images.img_element(lambda image: {"alt": image.alt_text or ""})
        result = mammoth.convert_to_html(io.BytesIO(raw), style_map=_DOCX_STYLES, convert_image=no_pictures)
    except (zipfile.BadZipFile, KeyError, ValueError, EOFError):
        raise OfficeError("is not a Word document it can read (.docx, Word 2007 or later)") from None
    for message in result.messages:
        log.info("%s: %s", name, message.message)
    # a cell of one paragraph is that paragraph's text: a table of data, not a layout of blocks
    body = re.sub(r"<(td|th)((?: [^>]*)?)><p>((?:(?!</?p>).)*)</p></\1>", r"<\1\2>\3</\1>", result.value, flags=re.S)
    # a note's link back to its marker ("↑") is no text; the notes stand under a heading of their own
    body = re.sub(r'\s*<a href="#(?:footnote|endnote)-ref-[^"]*">[^<]*</a>', "", body)
    body = re.sub(r'(<ol><li id="(?:footnote|endnote)-)', r"<h2>Notes</h2>\1", body, count=1)
    styled = re.search(r'<h1 class="title">(.*?)</h1>', body, re.S)
    declared = _properties_title(core, "microsoft word")
    h1s = re.findall(r"<h1>(.*?)</h1>", body, re.S)
    text = lambda h: " ".join(re.sub(r"<[^>]+>", " ", h).split())  # noqa: E731
    if styled and text(styled.group(1)):
        title = text(styled.group(1))
    elif declared:
        title = declared
    elif len(h1s) == 1 and text(h1s[0]):
        title = text(h1s[0])
    else:
        title = Path(name).stem
    return _read_whole(title, body)


_PAGE_BREAK = re.compile(
    r"<(span|div|a)\b[^>]*(?:epub:type|role)=\"(?:doc-)?pagebreak\"[^>]*?(?:/>|>.*?</\1>)", re.S | re.IGNORECASE
)  # a printed edition's page number ("169") set into the text: no text of the book's own
_OPF = "{http://www.idpf.org/2007/opf}"
_DC = "{http://purl.org/dc/elements/1.1/}"


def epub_text(raw: bytes, name: str) -> PageText:
    """An EPUB book as Markdown: its chapters in reading order (the package's spine, without the table of
    contents page), the printed edition's page numbers left out, read whole as a web page is. The title
    is the package's main title, else the file's name."""
    try:
        with _unzipped(raw) as z:
            container = ElementTree.fromstring(z.read("META-INF/container.xml"))
            rootfile = next(e.get("full-path") for e in container.iter() if e.tag.endswith("rootfile"))
            package = ElementTree.fromstring(z.read(rootfile))
            folder = posixpath.dirname(rootfile)
            items = {i.get("id"): i for i in package.iter(f"{_OPF}item")}
            chapters = []
            for ref in package.iter(f"{_OPF}itemref"):
                item = items.get(ref.get("idref"))
                if item is None or ref.get("linear") == "no" or "nav" in (item.get("properties") or "").split():
                    continue
                if item.get("media-type") not in ("application/xhtml+xml", "text/html"):
                    continue
                text = z.read(posixpath.normpath(posixpath.join(folder, item.get("href", "")))).decode(
                    "utf-8", "replace"
                )
                body = re.search(r"<body\b[^>]*>(.*)</body>", text, re.S | re.IGNORECASE)
                chapters.append(_PAGE_BREAK.sub("", body.group(1) if body else ""))
    except (zipfile.BadZipFile, KeyError, StopIteration, ElementTree.ParseError, ValueError) as exc:
        raise OfficeError(f"is not an EPUB book it can read ({type(exc).__name__})") from None
    titles = [t.text.strip() for t in package.iter(f"{_DC}title") if t.text and t.text.strip()]
    title = titles[0] if titles else Path(name).stem
    return _read_whole(title, "".join(chapters))


_ODF_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_ODF_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODF_STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
_ODF_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
# A glossary's paragraph styles (LibreOffice's own names): a term, and the definition after it.
_TERM_STYLES = frozenset({"list heading", "definition list term"})
_DEFINITION_STYLES = frozenset({"list contents", "definition list definition"})


def odt_text(raw: bytes, name: str) -> PageText:
    """An OpenDocument text (.odt, as LibreOffice writes it) as Markdown: its outline headings as sections,
    its paragraphs, lists and tables, its footnotes under "Notes" at the end; pictures, comments and a
    generated table of contents left out. The title is the paragraph styled Title, else the title in the
    document's properties, else the file's name."""
    try:
        with _unzipped(raw) as z:
            content = ElementTree.fromstring(z.read("content.xml"))
            meta = _member(z, "meta.xml")
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, ValueError) as exc:
        raise OfficeError(f"is not an OpenDocument text it can read ({type(exc).__name__})") from None
    parents = {
        st.get(f"{_ODF_STYLE}name"): st.get(f"{_ODF_STYLE}parent-style-name") or ""
        for st in content.iter(f"{_ODF_STYLE}style")
    }
    notes: list[str] = []

    def loose(text: str | None) -> str:  # in ODF, white space in the XML is one space; breaks are elements
        return re.sub(r"[ \t\r\n]+", " ", text or "")

    def text_of(element: ElementTree.Element) -> str:
        out = [loose(element.text)]
        for child in element:
            tag = child.tag
            if tag == f"{_ODF_TEXT}s":
                out.append(" " * int(child.get(f"{_ODF_TEXT}c", "1")))
            elif tag == f"{_ODF_TEXT}tab":
                out.append("\t")
            elif tag == f"{_ODF_TEXT}line-break":
                out.append("\n")
            elif tag == f"{_ODF_TEXT}note":  # the marker goes; the note's text is kept for the end
                body = child.find(f"{_ODF_TEXT}note-body")
                if body is not None:
                    notes.append(" ".join(text_of(p) for p in body))
            elif not tag.startswith(f"{_ODF_OFFICE}annotation") and "drawing" not in tag:
                out.append(text_of(child))
            out.append(loose(child.tail))
        return "".join(out)

    title: str | None = None
    html: list[str] = []
    terms: list[str] = []  # a glossary's term waiting for its definition

    def flush_terms() -> None:
        html.extend(f"<p>{escape(t)}</p>" for t in terms if t)
        terms.clear()

    def paragraph(element: ElementTree.Element) -> None:
        nonlocal title
        style = element.get(f"{_ODF_TEXT}style-name", "")
        named = (parents.get(style) or style).lower().replace("_20_", " ")
        text = text_of(element)
        if named in _TERM_STYLES or "deflist-term" in named:  # a glossary's term: its definition follows
            flush_terms()
            terms.append(" ".join(text.split()))
            return
        term = terms.pop() if terms and (named in _DEFINITION_STYLES or "deflist-def" in named) else None
        flush_terms()
        if named.endswith("title") and "subtitle" not in named and title is None and text.strip():
            title = " ".join(text.split())
        elif text.strip() and ("code" in named or "preformatted" in named):  # a code listing's line
            html.append(f"<pre><code>{escape(text)}</code></pre>")
        elif text.strip():
            lead = f"{escape(term)}: " if term else ""  # "Parser: Takes a sequence of characters..."
            html.append("<p>" + lead + escape(text).replace("\n", "<br>") + "</p>")

    def walk(element: ElementTree.Element) -> None:
        for child in element:
            tag = child.tag
            if tag == f"{_ODF_TEXT}p":
                paragraph(child)
                continue
            flush_terms()
            if tag == f"{_ODF_TEXT}h":
                level = min(int(child.get(f"{_ODF_TEXT}outline-level", "1") or 1) + 1, 6)
                html.append(f"<h{level}>{escape(text_of(child))}</h{level}>")
            elif tag == f"{_ODF_TEXT}list":
                items = [" ".join(text_of(p) for p in item) for item in child.iter(f"{_ODF_TEXT}list-item")]
                html.append(_list_html(items))
            elif tag == f"{_ODF_TABLE}table":
                rows = [[" ".join(text_of(p) for p in cell) for cell in row.iter(f"{_ODF_TABLE}table-cell")]
                        for row in child.iter(f"{_ODF_TABLE}table-row")]  # fmt: skip
                html.append(_table_html(rows))
            elif tag in (f"{_ODF_TEXT}section", f"{_ODF_OFFICE}text", f"{_ODF_OFFICE}body"):
                walk(child)
            # a generated table of contents, frames, forms and settings are no text of the document's

    walk(content)
    flush_terms()
    if notes:
        html.append("<h2>Notes</h2>" + _list_html(notes, "ol"))
    title = title or _properties_title(meta) or Path(name).stem
    return _read_whole(title, "".join(html), heading=True)


_PML = "{http://schemas.openxmlformats.org/presentationml/2006/main}"
_DML = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_RID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_RUN, _BREAK = f"{_DML}t", f"{_DML}br"


def pptx_text(raw: bytes, name: str) -> PageText:
    """A PowerPoint deck (.pptx) as Markdown: each slide a section ("Slide 3: Why tea?") holding its
    text boxes (a box of several lines as a list), its tables and its speaker notes, slides in the
    deck's order. The title is the deck's properties' title, else the first slide's title, else the
    file's name."""

    def rels(z: zipfile.ZipFile, part: str) -> dict[str, str]:
        path = posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")
        if path not in z.namelist():
            return {}
        tree = ElementTree.fromstring(z.read(path))
        return {
            r.get("Id", ""): posixpath.normpath(posixpath.join(posixpath.dirname(part), r.get("Target", "")))
            for r in tree.iter(f"{_REL}Relationship")
        }

    def paragraphs(body: ElementTree.Element) -> list[str]:
        """The text of each of a text body's paragraphs (its runs' text; a line break is a space)."""
        out = []
        for para in body.iter(f"{_DML}p"):
            parts = [(t.text or "") if t.tag == f"{_DML}t" else " " for t in para.iter() if t.tag in (_RUN, _BREAK)]
            if "".join(parts).strip():
                out.append(" ".join("".join(parts).split()))
        return out

    def blocks(slide: ElementTree.Element) -> tuple[str | None, list[str]]:
        title, html = None, []
        for shape in slide.iter():
            if shape.tag == f"{_PML}sp":
                kind = next((ph.get("type", "body") for ph in shape.iter(f"{_PML}ph")), None)
                body = shape.find(f"{_PML}txBody")
                lines = paragraphs(body) if body is not None else []
                if not lines:
                    continue
                if kind in ("title", "ctrTitle") and title is None:
                    title = " ".join(lines)
                elif kind in ("sldNum", "dt", "ftr"):  # slide number, date, footer: furniture
                    continue
                elif len(lines) == 1:
                    html.append(f"<p>{escape(lines[0])}</p>")
                else:
                    html.append(_list_html(lines))
            elif shape.tag == f"{_DML}tbl":
                rows = [[" ".join(paragraphs(c)) for c in row.iter(f"{_DML}tc")] for row in shape.iter(f"{_DML}tr")]
                html.append(_table_html(rows))
        return title, html

    try:
        with _unzipped(raw) as z:
            deck = ElementTree.fromstring(z.read("ppt/presentation.xml"))
            targets = rels(z, "ppt/presentation.xml")
            core = _member(z, "docProps/core.xml")
            slides = []
            for n, ref in enumerate(deck.iter(f"{_PML}sldId"), 1):
                part = targets.get(ref.get(_RID, ""), "")
                slide_title, html = blocks(ElementTree.fromstring(z.read(part)))
                notes = [t for t in rels(z, part).values() if "notesSlide" in t]
                for note_part in notes[:1]:
                    for shape in ElementTree.fromstring(z.read(note_part)).iter(f"{_PML}sp"):
                        if next((ph.get("type") for ph in shape.iter(f"{_PML}ph")), None) == "body":
                            body = shape.find(f"{_PML}txBody")
                            html += [
                                f"<p>{escape(line)}</p>" for line in (paragraphs(body) if body is not None else [])
                            ]
                slides.append((n, slide_title, html))
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, ValueError) as exc:
        raise OfficeError(f"is not a PowerPoint deck it can read ({type(exc).__name__})") from None
    first = next((t for _, t, _ in slides if t), None)
    title = _properties_title(core, "powerpoint presentation") or first or Path(name).stem
    body = "".join(
        f"<h2>{escape(f'Slide {n}: {t}' if t else f'Slide {n}')}</h2>{''.join(html)}" for n, t, html in slides
    )
    return _read_whole(title, body, heading=True)


# RTF: a control word and its number, a hex-escaped byte, an escaped symbol, a group's brace, or text.
_SML = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _column(ref: str) -> int:
    """A cell reference's column, counted from 0 ("A1" -> 0, "AB7" -> 27).

    >>> _column("A1"), _column("AB7")
    (0, 27)
    """
    n = 0
    for ch in re.match(r"[A-Z]*", ref.upper()).group(0):  # type: ignore[union-attr]
        n = n * 26 + ord(ch) - 64
    return n - 1


def _date_styles(styles: str) -> frozenset[int]:
    """The cell styles of a workbook's styles part that show a number as a date: a built-in date format
    (14-22, 45-47) or a format of its own with days, months or years ("dd/mm/yyyy", not "0.00")."""
    if not styles:
        return frozenset()
    tree = ElementTree.fromstring(styles)
    own = {int(f.get("numFmtId", "0")): re.sub(r'"[^"]*"|\[[^\]]*\]', "", f.get("formatCode", "")).lower()
           for f in tree.iter(f"{_SML}numFmt")}  # fmt: skip
    dates = {n for n, code in own.items() if re.search(r"[dy]|m+[^\w]*[dy]|[dy][^\w]*m", code)}
    dates |= {*range(14, 23), 45, 46, 47}
    xfs = tree.find(f"{_SML}cellXfs")
    formats = [int(x.get("numFmtId", "0")) for x in (xfs if xfs is not None else [])]
    return frozenset(i for i, f in enumerate(formats) if f in dates)


def xlsx_sheets(raw: bytes, name: str) -> tuple[str, list[tuple[str, list[list[str]]]]]:
    """An Excel workbook's title (its properties' title, else the file's name) and each sheet's name and
    rows of cell texts, in the workbook's order; formulas as their last computed values."""
    try:
        with _unzipped(raw) as z:
            shared = []
            if "xl/sharedStrings.xml" in z.namelist():
                for item in ElementTree.fromstring(z.read("xl/sharedStrings.xml")).iter(f"{_SML}si"):
                    shared.append("".join(t.text or "" for t in item.iter(f"{_SML}t")))
            dated = _date_styles(_member(z, "xl/styles.xml"))
            book = ElementTree.fromstring(z.read("xl/workbook.xml"))
            rels = ElementTree.fromstring(_member(z, "xl/_rels/workbook.xml.rels") or "<r/>")
            targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_REL}Relationship")}
            core = _member(z, "docProps/core.xml")
            sheets = []
            for sheet in book.iter(f"{_SML}sheet"):
                target = targets.get(sheet.get(_RID), "")
                part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
                rows = []
                for row in ElementTree.fromstring(z.read(part)).iter(f"{_SML}row"):
                    cells: dict[int, str] = {}
                    for at, cell in enumerate(row.iter(f"{_SML}c")):
                        kind, value = cell.get("t"), cell.find(f"{_SML}v")
                        if kind == "inlineStr":
                            text = "".join(t.text or "" for t in cell.iter(f"{_SML}t"))
                        elif value is None or value.text is None:
                            continue
                        elif kind == "s":
                            text = shared[int(value.text)]
                        elif kind == "b":
                            text = "TRUE" if value.text == "1" else "FALSE"
                        elif kind in (None, "n") and int(cell.get("s", "0")) in dated:
                            day = datetime.date(1899, 12, 30) + datetime.timedelta(days=float(value.text))
                            text = day.isoformat()  # a date is stored as its serial number: 45292 is 2024-01-01
                        else:
                            text = value.text
                        cells[_column(cell.get("r", "")) if cell.get("r") else at] = text
                    rows.append([cells.get(i, "") for i in range(max(cells) + 1)] if cells else [])
                sheets.append((sheet.get("name") or f"Sheet {len(sheets) + 1}", rows))
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, ValueError, IndexError) as exc:
        raise OfficeError(f"is not an Excel workbook it can read ({type(exc).__name__})") from None
    return _properties_title(core, "microsoft excel") or Path(name).stem, sheets


_RTF_TOKEN = re.compile(
    r"\\([a-zA-Z]{1,32})(-?\d{1,10})? ?|\\'([0-9a-fA-F]{2})|\\(.)|([{}])|([^\\{}\r\n]+)|[\r\n]+", re.S
)
# Groups whose text is never the document's: tables of fonts, colours and lists, pictures, embedded
# objects, page headers and footers, fields' instructions (their results are read), revision marks.
_RTF_SKIPPED = frozenset(
    """fonttbl colortbl stylesheet info pict object header headerl headerr headerf footer footerl footerr
    footerf footnote annotation fldinst listtable listoverridetable rsidtbl generator themedata colorschememapping
    datastore latentstyles xmlnstbl pgdsctbl filetbl revtbl bkmkstart bkmkend""".split()
)
_RTF_SYMBOLS = {"emdash": "\u2014", "endash": "\u2013", "bullet": "\u2022", "lquote": "\u2018", "rquote": "\u2019",
                "ldblquote": "\u201c", "rdblquote": "\u201d", "tab": "\t", "line": "\n", "~": "\u00a0", "_": "-",
                "-": "", "emspace": " ", "enspace": " "}  # fmt: skip


def rtf_text(raw: bytes, name: str) -> PageText:
    """A Rich Text Format document (.rtf, as TextEdit, WordPad and Word save it) as Markdown, read by hand
    (a few dozen rules; no RTF library is needed for text): its paragraphs, a paragraph styled as a
    heading (or given an outline level) as a section, table rows as readable lines, characters in the
    document's code page or as Unicode; fonts, colours, pictures, page headers and footers, footnotes and
    fields' instructions left out. The title is the one in the document's information, else its first
    heading, else the file's name.

    >>> rtf = rb"{\\rtf1\\ansi\\ansicpg1252{\\fonttbl\\f0 Helvetica;}{\\info{\\title Tea}}\\f0 Caf\\'e9 au lait\\par "
    >>> rtf += rb"\\b\\u8220?Strong\\u8221?\\b0  tea.\\par}"
    >>> rtf_text(rtf, "tea.rtf").markdown
    '# Tea\\n\\nCafé au lait\\n\\n“Strong” tea.\\n'
    """
    text = raw.decode("latin-1")
    if not text.lstrip().startswith("{\\rtf"):
        raise OfficeError("is not a Rich Text Format document (it does not open with {\\rtf)")
    codepage = "cp1252"
    if (m := re.search(r"\\ansicpg(\d+)", text[:2000])) and _known_codec(f"cp{m.group(1)}"):
        codepage = f"cp{m.group(1)}"
    styles: dict[int, str] = {}  # a paragraph style's number -> its name ("heading 1")
    for number, style_name in re.findall(r"\{[^{}]*?\\s(\d+)\b[^{}]*?\s([^\\{};][^{};]*);\}", text[:200_000]):
        styles[int(number)] = style_name.strip().lower()
    info_title = re.search(r"\{\\title\s+([^{}]*)\}", text[:200_000])
    # Each group: whether its text is skipped, and how many fallback characters follow a \u character.
    stack: list[tuple[bool, int]] = []
    skip, uc, pending_skip = False, 1, 0
    destination_next = False  # after "\*": the group is a destination a reader may ignore
    paragraph: list[str] = []
    blocks: list[tuple[str, str]] = []  # ("heading" | "paragraph" | "row", text)
    cells: list[str] = []
    heading = in_table = False
    raw_bytes: list[int] = []  # \'hh bytes, decoded together in the document's code page

    def flush_bytes() -> None:
        if raw_bytes:
            if not skip:
                paragraph.append(bytes(raw_bytes).decode(codepage, "replace"))
            raw_bytes.clear()

    def taken() -> str:  # the text gathered since the last paragraph or cell ended, as one line
        flush_bytes()
        line = _paired(" ".join("".join(paragraph).split()))
        paragraph.clear()
        return line

    def end_paragraph() -> None:
        if in_table:  # a paragraph break inside a table's cell: the cell goes on
            flush_bytes()
            paragraph.append(" ")
            return
        line = taken()
        if line:
            blocks.append(("heading" if heading else "paragraph", line))

    for m in _RTF_TOKEN.finditer(text):
        word, number, hexbyte, symbol, brace, plain = m.groups()
        if hexbyte is None:
            flush_bytes()
        if pending_skip and (hexbyte is not None or plain is not None or symbol is not None):
            if plain is not None and len(plain) > pending_skip:  # the fallback is the first characters
                plain, pending_skip = plain[pending_skip:], 0
            else:
                pending_skip -= 1 if plain is None else len(plain)
                pending_skip = max(pending_skip, 0)
                continue
        if brace == "{":
            stack.append((skip, uc))
            destination_next = False
        elif brace == "}":
            if stack:
                skip, uc = stack.pop()
        elif word is not None:
            n = int(number) if number is not None else None
            if destination_next or word in _RTF_SKIPPED:
                skip, destination_next = True, False
            elif word == "uc" and n is not None:
                uc = n
            elif word == "u" and n is not None:
                if not skip and -65536 <= n <= 0x10FFFF:
                    paragraph.append(chr(n + 65536 if n < 0 else n))
                pending_skip = uc
            elif word in ("par", "sect", "page"):
                if not skip:
                    end_paragraph()
            elif word == "pard":
                heading = in_table = False
            elif word == "intbl":
                in_table = True
            elif word == "s" and n is not None:
                heading = bool(re.match(r"(heading \d|title)\b", styles.get(n, "")))
            elif word == "outlinelevel" and n is not None:
                heading = n < 9
            elif word == "cell" and not skip:
                cells.append(taken())
            elif word == "row" and not skip:
                if any(cells):
                    blocks.append(("row", "\t".join(cells)))
                cells.clear()
                paragraph.clear()
            elif word in _RTF_SYMBOLS and not skip:
                paragraph.append(_RTF_SYMBOLS[word])
        elif symbol is not None:
            if symbol == "*":
                destination_next = True
            elif not skip:
                paragraph.append(_RTF_SYMBOLS.get(symbol, symbol if symbol in "\\{}" else ""))
        elif hexbyte is not None:
            raw_bytes.append(int(hexbyte, 16))
        elif plain is not None and not skip:
            paragraph.append(plain)
    end_paragraph()
    title = _rtf_plain(info_title.group(1), codepage) if info_title else ""
    if not title:
        title = next((t for kind, t in blocks if kind == "heading"), "") or Path(name).stem
    parts: list[str] = []
    rows: list[list[str]] = []  # a table's rows, read as a table is on any page ("Green: 2 minutes")
    for kind, line in blocks:
        if kind == "row":
            rows.append(line.split("\t"))
            continue
        if rows:
            parts.append(_table_html(rows))
            rows = []
        if kind == "heading" and line == title and not parts:
            continue  # the title set as the document's first heading
        parts.append(f"<h2>{escape(line)}</h2>" if kind == "heading" else f"<p>{escape(line)}</p>")
    parts += [_table_html(rows)] if rows else []
    return _read_whole(title, "".join(parts))


def _rtf_plain(text: str, codepage: str) -> str:
    """A short run of RTF (the information's title) as text: escaped bytes in the code page, \\u
    characters, other control words dropped.

    >>> _rtf_plain(r"Caf\\'e9 \\u8220?Noir\\u8221?\\b", "cp1252")
    'Café “Noir”'
    """
    text = re.sub(
        r"(?:\\'[0-9a-fA-F]{2})+",
        lambda m: bytes.fromhex(m.group(0).replace("\\'", "")).decode(codepage, "replace"),
        text,
    )
    text = re.sub(
        r"\\u(-?\d{1,6}) ?\??",
        lambda m: chr(int(m.group(1)) % 65536) if -65536 <= int(m.group(1)) <= 65535 else "",
        text,
    )
    return _paired(" ".join(re.sub(r"\\[a-zA-Z]+-?\d* ?|\\.", "", text).split()))


def _paired(text: str) -> str:
    """Text with each UTF-16 surrogate pair (RTF writes an emoji as two \\u characters) as its one
    character, and a lone surrogate as U+FFFD, so the text can be written as UTF-8."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _known_codec(name: str) -> bool:
    import codecs

    try:
        codecs.lookup(name)
    except LookupError:
        return False
    return True
