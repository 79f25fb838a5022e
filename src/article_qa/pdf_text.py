"""A PDF's text as the Markdown the splitter reads, rebuilt from the layout: sections, pages, paragraphs.

pdfminer.six gives every line of text with its position and its characters' fonts and sizes. From
those, and nothing else:

- **Reading order.** A page is cut into bands at lines that span the columns (a title, a wide figure
  caption); in each band the left column is read before the right one. A page has two columns only
  where both halves hold lines in like numbers and few lines cross the middle (a manual's short lines
  are no column). Text that is not upright (a rotated stamp in the margin) is left out, and so is a
  bracketed label at the end of another line's row (a GNU manual's "[Function]").
- **Page furniture.** A line in the top or bottom margin whose text, digits aside, stands on many pages
  (a running header, "Page 3", a printer's footer), or on three or more pages near one another (a
  manual's chapter title over each of its pages), is dropped, unless it is set as a heading (larger
  and bold: the chapter's own title on its first page); so is a page number alone, and a table of
  contents' line with its dot leader ("2.1 Naming . . . . . 3", or a leader whose number is on the
  next line); so is a "Table of Contents" line and the numbered entries under it, leaders or not
  ("2.1. NAME", "2.2. SYNOPSIS", which ran together into one heading).
- **Title and headings.** The title is the largest text at the top of page 1 (never metadata that
  disagrees with it). A heading is a short line set larger than the body text, or bold, or numbered
  ("3.1 Hydrographic", "IV. RESULTS", "REFERENCES") and not ending a sentence; a table's row
  ("2 CARD16") is no heading, and neither, on page 1 above the first numbered or named section, is a
  line that does not stand over body text (a title page's authors and affiliation).
- **Paragraphs.** A new one starts after a vertical gap larger than the line spacing, at an indented
  first line, after a line that ends a sentence well short of the column's width, or where the font
  size changes (a footnote). A paragraph cut by a column or a page break is joined again.
- **Captions.** A figure's or a table's caption ("Figure 1:", "TABLE II.") is a paragraph of its own,
  read after the page's text, so that a paragraph running past the figure is not cut by it; a line
  that only opens with a table's name in the middle of a sentence ("...reported in" / "Table 3. This
  is...") stays in its paragraph. A table's rows of numbers are set aside the same way and never join
  a paragraph.
- **Code.** Lines set in a typewriter font (Courier, TeX's CMTT, any "Mono") are code: a run of them is
  one fenced block, line by line and indented as set, never a heading, never joined to the prose, and
  never dropped as a scrap however short its lines ("f();"). A document set mostly in such a font (an
  RFC, a printout) is text throughout.
- **Words.** A word broken by a hyphen at a line end is joined, unless the document writes it with
  the hyphen elsewhere ("dual-encoder"); text is NFKC-normalised, so ligatures become letters and
  accents written as combining marks, or as spacing accents set before their letter ("O˘guz"),
  become accented letters ("Oğuz"). An underscore that TeX draws as a short stroke between two
  characters, at the foot of the line, is read as "_" ("asn1_node"), and an identifier broken after
  its underscore at a line end is joined.
- **Symbols.** A glyph the font maps to no character is read by its glyph name where that is known
  (TeX's math fonts: "epsilon1" is ε, "prime" is ′; TeX's © is a "c" under "circlecopyrt"); only a
  nameless one stays U+FFFD.

Each page that holds text is announced by a ``<!-- page N -->`` line, so that a passage knows its page.
pdfminer's own warnings about a PDF's fonts are kept quiet while it reads (its errors still reach the
log); they are not the reader's concern. This module reads no file and writes none.
"""

from __future__ import annotations

import io
import logging
import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

log = logging.getLogger(__name__)

MARGIN = 0.15  # share of the page height at the top and bottom where running headers and footers stand
_NUMBERED = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2}){0,3}\.?|[IVX]{1,5}\.|[A-H](?:\.\d{1,2})*\.?)\s+\S")
_NAMED = re.compile(
    r"^(abstract|introduction|references|r[ée]f[ée]rences|bibliography|acknowledge?ments?|conclusions?|"
    r"appendix|summary|r[ée]sum[ée]|discussion|related work|background|methods?|results?)\b\W*$",
    re.IGNORECASE,
)
# Bold labels that open a paragraph in papers ("Definition 2.", "Proof:", "Assumption A"): text, not
# sections. The word alone does not make one: "Assumption of Contractual Obligations" is a heading.
_LABEL = re.compile(
    r"^(proposition|example|definition|theorem|lemma|corollary|proof|remark|note|figure|fig\.|table|algorithm|step|"
    r"case|claim|assumption|problem|exercise|exemple|d[ée]finition|th[ée]or[èe]me|propri[ée]t[ée]|lemme|preuve|"
    r"remarque)(?:\s*$|\s*[.:(\u2013\u2014-]|\s+(?:\d[\w.]*|[IVX]{1,4}\b|[A-Z]\b))",
    re.IGNORECASE,
)
_PAGE_NUMBER = re.compile(r"^(?:page\s*)?(?:\d{1,4}|[ivxlc]{1,6})(?:\s*(?:of|/)\s*\d{1,4})?$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?:;][\"'”’)\]]*$")
_NUMBER = re.compile(r"[-+±(]?\d+(?:[.,]\d+)*%?[)*†]?")  # a table's figure: "41.5", "(12.0%)", "78,713"
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DATE = re.compile(rf"^(?:\d{{1,2}}\s+)?(?:{_MONTHS})\s+(?:\d{{1,2}},?\s+)?\d{{4}}$", re.IGNORECASE)
# A figure's or a table's caption opens with its label: "Figure 1:", "Fig. 2.", "TABLE IV.", "FIG. 1 –"
# (a sentence of the text that names one, "Table 2 compares...", has no colon or full stop after it).
_CAPTION = re.compile(
    r"^(?:Figure|FIGURE|Fig\.|FIG\.|Table|TABLE|TAB\.|Tableau|TABLEAU)\s+(?:\d+|[IVXL]+)\s?[:.–—](?:\s|$)"
)


class PdfError(ValueError):
    """A PDF that cannot be read, or that has no text layer."""


@dataclass
class Line:
    """One line of text on a page, with its box and font."""

    page: int
    x0: float
    y0: float  # distance from the top of the page to the line's top
    x1: float
    y1: float
    text: str
    size: float
    bold: bool
    column: int = 0  # 0 spans the page (or a single column), 1 left, 2 right
    caption: bool = False  # opens a figure's or a table's caption (`_captions_last`)
    aside: bool = False  # belongs to a caption or a table: read after the page's text, never a footnote
    cells: bool = False  # a row of a table's numbers ("41.5 56.8 42.4"), never part of a paragraph
    mono: bool = False  # set in a typewriter font: a line of code
    spread: bool = False  # words set apart as a table's cells are ("IB   Top-5   Top-20"): never a heading

    @property
    def height(self) -> float:
        return self.y1 - self.y0


@dataclass
class Block:
    kind: str  # "heading" | "paragraph" | "code"
    page: int
    lines: list[Line] = field(default_factory=list)


@dataclass(frozen=True)
class PdfText:
    title: str
    markdown: str
    pages: int


def _lines(raw: bytes) -> tuple[list[list[Line]], list[tuple[float, float]]]:
    """Every page's upright text lines (top to bottom as pdfminer found them) and the pages' sizes."""
    from pdfminer.layout import LAParams, LTChar, LTTextContainer, LTTextLine
    from pdfminer.pdfparser import PDFSyntaxError

    pages: list[list[Line]] = []
    sizes: list[tuple[float, float]] = []
    quiet = [logging.getLogger(name) for name in ("pdfminer", "pdfminer.pdfpage", "pdfminer.pdfinterp")]
    levels = [logger.level for logger in quiet]
    for logger in quiet:
        logger.setLevel(logging.ERROR)
    try:
        for number, page in enumerate(_layouts(raw, LAParams(line_margin=0.3)), 1):
            width, height = page.width, page.height
            sizes.append((width, height))
            found: list[Line] = []
            rules = _underscore_rules(page)
            for element in page:
                if not isinstance(element, LTTextContainer):
                    continue
                for line in element if not isinstance(element, LTTextLine) else [element]:
                    if not isinstance(line, LTTextLine):
                        continue
                    chars = [c for c in line if isinstance(c, LTChar) and c.upright]
                    if not chars:
                        continue
                    size = statistics.median(round(c.size, 1) for c in chars)
                    text = " ".join(_line_text(line, size, rules).split())
                    if _LEADER.search(text):
                        continue  # a table of contents' entry ("2.1 Naming . . . . . 3"), not text to quote
                    inked = [c for c in chars if c.get_text().strip()]
                    mono = bool(inked) and sum(_is_mono(c.fontname) for c in inked) >= 0.9 * len(inked)
                    if not text or (not re.search(r"\w", text) and len(text) <= 2 and text != "•" and not mono):
                        continue
                    bold = sum(_is_bold(c.fontname) for c in chars) > 0.6 * len(chars)
                    top, bottom = height - line.y1, height - line.y0
                    run_in = None if bold else _run_in_heading(list(line), size)
                    if run_in is not None:  # "3.1 Overview Our retriever ...": the bold start is a heading
                        (head, head_x1), (rest, rest_x0) = run_in
                        found.append(Line(number, line.x0, top, head_x1, bottom, head, size, True))
                        found.append(Line(number, rest_x0, top, line.x1, bottom, rest, size, False))
                        continue
                    spread = _spread(inked, size)
                    found.append(
                        Line(number, line.x0, top, line.x1, bottom, text, size, bold, mono=mono, spread=spread)
                    )
            pages.append(_without_contents(_code_alone(_without_margin_labels(_merge_row_starts(found)))))
    except PDFSyntaxError as exc:
        raise PdfError(f"not a readable PDF ({exc})") from None
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many kinds of errors on broken files
        raise PdfError(f"not a readable PDF ({type(exc).__name__}: {exc})") from None
    finally:
        for logger, level in zip(quiet, levels, strict=True):
            logger.setLevel(level)
    return pages, sizes


# A table of contents' dot leader and page number: "2.1 ASN.1 syntax. . . . . . 2", "Index .......... 33".
# A leader may end the line, its number set on the next one ("Valgrind User Manual ........" / "iv").
_LEADER = re.compile(r"(?:\.\s?){5,}\s*(?:(?:\d{1,4}|[ivxlc]{1,8})\b|$)")
# A table of contents without leaders: its title, then its numbered entries ("2.1. NAME", "2.2. SYNOPSIS").
_CONTENTS_TITLE = re.compile(r"^(?:table of )?contents$", re.IGNORECASE)
_CONTENTS_ENTRY = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2}){0,4}\.?|[A-H]\.|[IVX]{1,5}\.)\s+\S")
_ROW_START = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2}){0,3}\.?|[IVX]{1,5}\.|[A-H]\.?|•)$")


# Glyph names a TeX font (or Zapf Dingbats) gives its characters that the Adobe Glyph List, which
# pdfminer reads names by, does not know. A name with a size suffix ("parenleftbigg", "summationtext")
# is read without it.
GLYPH_NAMES = {
    "epsilon1": "\u03f5", "theta1": "\u03d1", "phi1": "\u03d5", "rho1": "\u03f1", "sigma1": "\u03c2",
    "omega1": "\u03d6", "prime": "\u2032", "angbracketleft": "\u27e8", "angbracketright": "\u27e9",
    "bardbl": "\u2016", "lessmuch": "\u226a", "greatermuch": "\u226b", "triangleleft": "\u22b2",
    "triangleright": "\u22b3", "intercal": "\u22ba", "notexistential": "\u2204", "a19": "\u2713",
    "a20": "\u2714", "a21": "\u2715", "a22": "\u2716", "a23": "\u2717", "a24": "\u2718",
    "negationslash": "\u0338", "circlecopyrt": "\u20dd",
}  # fmt: skip
_SIZED = re.compile(r"(?:text|display|big|Big|bigg|Bigg)$")


def glyph_char(name: str | None) -> str | None:
    """The character a glyph name stands for, or None.

    >>> [glyph_char(n) for n in ("epsilon1", "parenleftbigg", "summationtext", "alpha", "uni2208", "zzz")]
    ['ϵ', '(', '∑', 'α', '∈', None]
    """
    from pdfminer.encodingdb import name2unicode

    for candidate in (name, _SIZED.sub("", name or "")):
        if not candidate:
            continue
        if candidate in GLYPH_NAMES:
            return GLYPH_NAMES[candidate]
        try:
            return name2unicode(candidate)
        except (KeyError, ValueError):
            continue
    return None


def _glyph_names(font: object, spec: dict | None) -> dict[int, str]:
    """A simple font's character codes and their glyph names: from its encoding's Differences, else
    from the encoding built into its embedded Type 1 program ("dup 104 /angbracketleft put")."""
    from pdfminer.pdftypes import list_value, resolve1, stream_value
    from pdfminer.psparser import literal_name

    names: dict[int, str] = {}
    descriptor = getattr(font, "descriptor", None) or {}
    if "FontFile" in descriptor:
        stream = stream_value(descriptor["FontFile"])
        clear = resolve1(stream.get("Length1"))
        data = stream.get_data()[: clear if isinstance(clear, int) else None]
        for code, name in re.findall(rb"dup\s+(\d+)\s*/([^\s/\[\]{}()<>]+)\s+put", data):
            names[int(code)] = name.decode("latin-1")
    encoding = resolve1(spec.get("Encoding")) if isinstance(spec, dict) else None
    if isinstance(encoding, dict):
        code = 0
        for item in list_value(encoding.get("Differences", [])):
            if isinstance(item, int):
                code = item
            else:
                names[code] = literal_name(item)
                code += 1
    return names


def _layouts(raw: bytes, laparams: object) -> Iterator[Any]:
    """pdfminer's page layouts (as `extract_pages` gives them), except that a character the font maps
    to no Unicode is read by its glyph name where that name is known (TeX's "epsilon1" is ϵ); only a
    glyph with no usable name stays U+FFFD."""
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage

    class Resources(PDFResourceManager):
        def get_font(self, objid: object, spec: Any) -> Any:
            font = super().get_font(objid, spec)
            if not hasattr(font, "glyph_names"):
                try:
                    font.glyph_names = _glyph_names(font, spec)
                except Exception:  # noqa: BLE001 - a damaged font program only means no names
                    font.glyph_names = {}
            return font

    class Aggregator(PDFPageAggregator):
        def handle_undefined_char(self, font: Any, cid: int) -> str:
            return glyph_char(getattr(font, "glyph_names", {}).get(cid)) or f"(cid:{cid})"

    resources = Resources()
    device = Aggregator(resources, laparams=laparams)
    interpreter = PDFPageInterpreter(resources, device)
    for page in PDFPage.get_pages(io.BytesIO(raw)):
        interpreter.process_page(page)
        yield device.get_result()


def _on_its_row(line: Line, lines: list[Line]) -> list[Line]:
    """The other lines set on `line`'s row (its middle within their height)."""
    middle = (line.y0 + line.y1) / 2
    return [o for o in lines if o is not line and o.y0 <= middle <= o.y1]


def _merge_row_starts(lines: list[Line]) -> list[Line]:
    """A bullet or a section number that pdfminer set apart from its text ("4.1" | "Intuition") joined
    to the text beside it on the same row."""
    out = []
    for ln in lines:
        if _ROW_START.match(ln.text):
            beside = [o for o in _on_its_row(ln, lines) if 0 <= o.x0 - ln.x1 < 6 * ln.size]
            if beside:
                target = min(beside, key=lambda o: o.x0)
                target.text = f"{ln.text} {target.text}"
                target.x0 = min(target.x0, ln.x0)
                target.bold = target.bold or ln.bold
                continue
        out.append(ln)
    return out


def _without_contents(lines: list[Line]) -> list[Line]:
    """The page's lines without a table of contents set without dot leaders: a "Table of Contents"
    line and the numbered entries right under it ("2.1. NAME", "2.2. SYNOPSIS"; DocBook's chapter
    contents), which would otherwise run together into one heading."""
    out: list[Line] = []
    last: Line | None = None  # the contents' line read last
    for ln in lines:
        if _CONTENTS_TITLE.match(ln.text):
            last = ln
            continue
        entry = _CONTENTS_ENTRY.match(ln.text) and len(ln.text) <= 90 and not ln.bold
        if last is not None and entry and 0 <= ln.y0 - last.y1 < 2 * ln.height:
            last = ln  # the next entry, set close under the one before (a bold heading after it is none)
            continue
        last = None
        out.append(ln)
    return out


def _code_alone(lines: list[Line]) -> list[Line]:
    """A typewriter line is code only where its row holds no other type: a table's cell set in
    Courier beside cells in the text's font ("4" | "CARD32" | "MIME_TYPE_OFFSET") is the table's."""
    for ln in lines:
        if ln.mono and any(not o.mono for o in _on_its_row(ln, lines)):
            ln.mono = False
    return lines


_MARGIN_LABEL = re.compile(r"^\[[A-Z][A-Za-z ]{1,30}\]$")


def _without_margin_labels(lines: list[Line]) -> list[Line]:
    """The lines less a bracketed label set at the end of another line's row: a GNU manual's "[Function]"
    beside a function's signature, which would otherwise cut the signature from its next line."""
    out = []
    for ln in lines:
        if _MARGIN_LABEL.match(ln.text):
            if any(o.x1 < ln.x0 for o in _on_its_row(ln, lines)):
                continue
        out.append(ln)
    return out


def _run_in_heading(items: list[object], size: float) -> tuple[tuple[str, float], tuple[str, float]] | None:
    """A line that opens with a short bold run ("3.1 Overview", "Encoders") followed by plain text
    starting a sentence: the run's text and right edge, and the rest's text and left edge."""
    from pdfminer.layout import LTChar

    head, head_x1 = "", 0.0
    for i, c in enumerate(items):
        if isinstance(c, LTChar) and not _is_bold(c.fontname) and c.get_text().strip():
            rest = " ".join("".join(_char_text(x, size) for x in items[i:]).split())
            head = " ".join(head.split())
            words = head.split()
            if 1 <= len(words) <= 6 and len(head) <= 50 and re.search(r"[^\W\d_]{3}", head) and not _LABEL.match(head):
                if rest[:1].isupper() or head.endswith((".", ":")):
                    return (head.rstrip(".:"), head_x1), (rest, c.x0)
            return None
        head += _char_text(c, size)
        if isinstance(c, LTChar):
            head_x1 = c.x1
    return None


def _underscore_rules(page: Any) -> list[tuple[float, float, float]]:
    """The page's short horizontal strokes (x0, x1, y) that could be an underscore: TeX draws "_" in a
    text font as a rule, not as a character ("asn1_create_element")."""
    from pdfminer.layout import LTLine, LTRect

    return [
        (el.x0, el.x1, el.y0)
        for el in page
        if isinstance(el, (LTLine, LTRect)) and el.height <= 1.0 and 1.5 <= el.width <= 8.0
    ]


_SECTION_NUMBER = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2}){0,3}\.?|[IVX]{1,5}\.?|[A-H](?:\.\d{1,2})*\.?)$")


def _spread(inked: list[Any], size: float) -> bool:
    """Whether a line's words stand apart as a table's cells do: a gap of 0.6 em or more between two
    words, other than after a section's number ("3.1  Overview") or after a stop or a colon."""
    chars = sorted(inked, key=lambda c: c.x0)
    before = ""  # the line's text up to the gap
    for a, b in pairwise(chars):
        before += a.get_text()
        if b.x0 - a.x1 >= 0.6 * size and not (_SECTION_NUMBER.match(before) or before[-1] in ".:;,"):
            return True
    return False


def _line_text(line: Any, size: float, rules: list[tuple[float, float, float]]) -> str:
    """A text line's characters and spaces; where an underscore rule lies between two characters, near
    the line's foot, it is read as "_" in place of the space pdfminer put there."""
    from pdfminer.layout import LTChar

    items = list(line)
    if not rules:
        return "".join(_char_text(c, size) for c in items)
    low, high = line.y0 - 1.0, line.y0 + 0.45 * (line.y1 - line.y0)
    here = [r for r in rules if low <= r[2] <= high and line.x0 - 1 <= r[0] and r[1] <= line.x1 + 1]
    out: list[str] = []
    previous: Any = None
    gap: list[str] = []
    for item in items:
        if not isinstance(item, LTChar):
            gap.append(_char_text(item, size))
            continue
        if previous is not None and here:
            drawn = sum(previous.x1 - 1.0 <= r[0] and r[1] <= item.x0 + 1.0 for r in here)
            if drawn:
                gap = ["_" * drawn]
        out += gap
        gap = []
        out.append(_char_text(item, size))
        previous = item
    return "".join(out + gap)


def _char_text(c: object, size: float) -> str:
    """What a layout item adds to its line's text: a character, a space, or nothing for a footnote
    marker set small above the line ("(DMCA)¹") and for text that is not upright; a symbol font's
    bullet is a bullet."""
    from pdfminer.layout import LTChar

    if not isinstance(c, LTChar):
        return " "
    if not c.upright:
        return ""
    text = c.get_text()
    if c.size < 0.8 * size and (text.isdigit() or text in "*†‡§"):
        return ""
    # A symbol font's mark that reads as no real symbol is a bullet (a WordPerfect bullet reads as "!",
    # Word's as a private-use character); a real one stays: a check mark, and a TeX math font's "∈".
    unread = text.startswith("(cid:") or "\ue000" <= text[:1] <= "\uf8ff" or (text.isascii() and not text.isalnum())
    if unread and re.search(r"(?<!math)symbol|wingding|dingbat", c.fontname, re.IGNORECASE):
        return "•"
    return text


def _is_bold(fontname: str) -> bool:
    name = fontname.split("+")[-1].lower()
    return any(w in name for w in ("bold", "black", "heavy", "semibold", "demi", "medi", "caps", ",b", "-b", ".b"))


def _is_mono(fontname: str) -> bool:
    """Whether a font is a typewriter face, as code is set: Courier, TeX's CMTT, Nimbus Mono, any "Mono"."""
    name = fontname.split("+")[-1].lower()
    return any(
        w in name for w in ("courier", "mono", "cmtt", "cmsltt", "typewriter", "consola", "menlo", "inconsolata")
    )


NEAR_PAGES = 2  # a running header stands on pages at most this far apart
NEAR_RUN = 3  # on at least this many such pages


def _furniture(pages: list[list[Line]], sizes: list[tuple[float, float]]) -> set[tuple[int, int]]:
    """(page, line number) of running headers, footers and page numbers: a margin line whose text,
    digits aside, stands on 30% of the pages, or the first or last line of `NEAR_RUN` pages each at
    most `NEAR_PAGES` from the next (a chapter's title over its pages; a table's row low on a few pages
    is not the last line); a line set as a heading (bold, larger than the text) is the chapter's own
    title, never furniture."""

    def key(line: Line) -> str:
        return re.sub(r"\d+", "#", line.text.lower()).strip()

    in_margin = []
    for p, lines in enumerate(pages):
        height = sizes[p][1]
        in_margin.append([i for i, ln in enumerate(lines) if ln.y1 < MARGIN * height or ln.y0 > (1 - MARGIN) * height])
    on_pages: dict[str, list[int]] = {}
    outermost: dict[str, list[int]] = {}  # the page's first or last line, page numbers aside
    for p, lines in enumerate(pages):
        for k in {key(lines[i]) for i in in_margin[p]}:
            on_pages.setdefault(k, []).append(p)
        text = sorted((ln for ln in lines if not _PAGE_NUMBER.match(ln.text)), key=lambda ln: ln.y0)
        for k in {key(ln) for ln in text[:1] + text[-1:]}:
            outermost.setdefault(k, []).append(p)
    often = max(2, round(0.3 * len(pages)))
    frequent = sorted((k for k, found in on_pages.items() if len(found) >= often), key=len, reverse=True)
    # A manual's header names the chapter each page is in ("Chapter 2: ASN.1 structure handling"): its
    # text changes with the chapter, its form stands on most pages (a texinfo manual's chapters may be
    # a page long, too short for the runs below).
    chaptered = sum(any(_CHAPTER_HEADER.match(pages[p][i].text) for i in in_margin[p]) for p in range(len(pages)))
    by_chapter = chaptered >= often
    running = {(k, p) for k, found in outermost.items() if len(on_pages.get(k, ())) < often for p in _near_runs(found)}
    body = _body_size(pages)
    drop = set()
    for p, lines in enumerate(pages):
        for i in in_margin[p]:
            rest = key(lines[i])
            if (rest, p) in running:
                rest = ""
            for k in frequent:  # a footer set as one line on one page and as three on the others
                rest = rest.replace(k, " ")
            if lines[i].bold and lines[i].y1 < MARGIN * sizes[p][1] and (p == 0 or lines[i].size > 1.15 * body):
                continue  # the document's or a chapter's own title, not the running header repeating it
            if lines[i].mono and not re.sub(r"[#\W]", "", key(lines[i])):
                continue  # a listing's brace, not a rule or an ornament
            if not re.sub(r"[#\W]", "", rest) or _PAGE_NUMBER.match(lines[i].text):
                drop.add((p, i))
            elif by_chapter and _CHAPTER_HEADER.match(lines[i].text):
                drop.add((p, i))
    return drop


_CHAPTER_HEADER = re.compile(r"^(?:chapter|appendix)\s+[\w.]{1,6}\s*:\s+\S", re.IGNORECASE)


def _body_size(pages: list[list[Line]]) -> float:
    """The type size most of the text is set in (by characters); 0 for no text."""
    chars: Counter[float] = Counter()
    for lines in pages:
        for ln in lines:
            chars[ln.size] += len(ln.text)
    return chars.most_common(1)[0][0] if chars else 0.0


def _near_runs(found: list[int]) -> list[int]:
    """The pages of `found` (sorted) that belong to a run of at least `NEAR_RUN` pages, each at most
    `NEAR_PAGES` after the one before.

    >>> _near_runs([3, 4, 5, 9, 20, 22, 24, 40])
    [3, 4, 5, 20, 22, 24]
    """
    out: list[int] = []
    run: list[int] = []
    for p in [*found, None]:
        if p is not None and run and p - run[-1] <= NEAR_PAGES:
            run.append(p)
            continue
        if len(run) >= NEAR_RUN:
            out += run
        run = [p] if p is not None else []
    return out


def _columns(lines: list[Line], width: float) -> list[Line]:
    """The page's lines in reading order: bands cut at page-wide lines, the left column before the right."""
    middle = width / 2
    for ln in lines:
        if ln.x1 <= middle + 0.02 * width:
            ln.column = 1
        elif ln.x0 >= middle - 0.02 * width:
            ln.column = 2
        else:
            ln.column = 0
    left, right = sum(ln.column == 1 for ln in lines), sum(ln.column == 2 for ln in lines)
    across = sum(ln.column == 0 for ln in lines)
    # Two columns of text: both sides hold lines in like numbers, and few lines cross the middle. A page
    # of one column has short lines on the left ("BER-encoded elements.") and a few on the right (a
    # right-aligned date), and they are not columns.
    two_columns = min(left, right) >= 3 and min(left, right) >= 0.3 * max(left, right) and across <= (left + right) / 2
    if not two_columns:
        for ln in lines:
            ln.column = 0
        return sorted(lines, key=lambda ln: (round(ln.y0, 0), ln.x0))
    ordered: list[Line] = []
    band: list[Line] = []
    for ln in sorted(lines, key=lambda ln: (ln.y0, ln.x0)):
        if ln.column == 0:
            ordered += sorted(band, key=lambda b: (b.column, b.y0, b.x0))
            band = []
            ordered.append(ln)
        else:
            band.append(ln)
    return ordered + sorted(band, key=lambda b: (b.column, b.y0, b.x0))


def _is_heading(line: Line, body: float, full: float) -> bool:
    """Whether a line is a heading, `full` being the width of the column's full lines."""
    text = line.text
    if line.spread or (line.size < 0.85 * body and not _NUMBERED.match(text)):
        return False  # a table's header row, in the table's smaller type or its cells set apart
    short = line.x1 - line.x0 < 0.75 * full
    named = text.split(None, 1)[-1] if _NUMBERED.match(text) else text  # "7.2.1 AES": the name, not its number
    if named is not text and not (named[:1].isalnum() or named[:1] in "\"'“‘«"):
        return False  # "1 (D) × ΠL": a formula's line, not a number and a name
    letters = len(re.findall(r"[^\W\d_]", named))
    if letters < 0.5 * len(named.replace(" ", "")) or text.count(",") >= 2 or _LABEL.match(text):
        return False  # a formula or a table's numbers, a list of names
    if len(text) > 90 or len(text) < 2 or not re.search(r"[^\W\d_]", text) or _DATE.match(text):
        return False  # too long or short for one, or a report's date ("December 1998")
    if _NAMED.match(text) and (line.bold or line.size > body * 1.05 or text.isupper()):
        return True
    if _NUMBERED.match(text) and not text.rstrip().endswith((".", ",", ";")) and (line.bold or line.size > body * 1.05):
        return True
    rest = text.split(None, 1)[-1]
    if _NUMBERED.match(text) and rest.isupper() and re.search(r"\b[^\W\d_]{2,}\b", rest) and len(text) < 60:
        return True  # "IV. RESULTS", but not a table's row "2 CARD16"
    words = re.findall(r"[^\W\d_]+", text)
    if line.bold and line.size > body * 1.05 and len(words) <= 10 and not _SENTENCE_END.search(text):
        return True  # larger bold type, however wide the line
    if line.bold and text.isupper() and 2 <= len(words) <= 10 and not _SENTENCE_END.search(text):
        return True  # bold capitals, however wide ("TITLE II: ONLINE COPYRIGHT ... LIMITATION", in small caps)
    if not short:
        return False
    if line.size >= body * 1.15 and not _SENTENCE_END.search(text) and len(text.split()) <= 14:
        return True
    return line.bold and len(words) <= 10 and not _SENTENCE_END.search(text) and text[:1].isupper()


def _join(lines: list[Line], vocabulary: Counter[str]) -> str:
    """A block's lines as one line of text, words broken by a hyphen (or an identifier after its
    underscore) at a line end mended; before a capital or a digit the hyphen is the word's own."""
    out = ""
    for ln in lines:
        text = ln.text
        if not out:
            out = text
            continue
        m = re.search(r"(\w+)-$", out)
        if m and text[:1].islower():
            first = m.group(1)
            second = re.match(r"[\w]+", text)
            rest = second.group(0) if second else ""
            hyphenated = f"{first}-{rest}".lower()
            if vocabulary[hyphenated] > 0 and vocabulary[hyphenated] >= vocabulary[(first + rest).lower()]:
                out += text  # the document writes this word with its hyphen
            else:
                out = out[:-1] + text
        elif m and re.match(r"[A-Z0-9]", text):
            out += text  # a compound or a number broken after its hyphen: "Lucene-" / "BM25", "H2020-" / "700540"
        elif re.search(r"[^\W_]_$", out) and re.match(r"\w", text):
            out += text  # an identifier broken after an underscore: "ASN1_MAX_" / "NAME_SIZE"
        else:
            out += " " + text
    return " ".join(out.split())


def _title(lines: list[Line], height: float) -> list[Line]:
    """The title's lines: the largest text in the top half of page 1 (consecutive lines of that size)."""
    top = [ln for ln in lines if ln.y0 < height / 2 and len(ln.text) > 3 and re.search(r"[^\W\d_]{2}", ln.text)]
    if not top:
        return []
    largest = max(ln.size for ln in top)
    body = statistics.median(ln.size for ln in lines) if lines else largest
    if largest < body * 1.2:
        return []
    chosen = [ln for ln in top if abs(ln.size - largest) < 0.5]
    first = min(chosen, key=lambda ln: ln.y0)
    run = [first]
    for ln in sorted(chosen, key=lambda ln: ln.y0):
        if ln is not first and ln.y0 - run[-1].y1 < 1.2 * ln.height and len(run) < 4:
            run.append(ln)
    return run


def pdf_text(raw: bytes, fallback_title: str, metadata_title: str = "") -> PdfText:
    """The article in a PDF's bytes as Markdown: ``# Title``, ``## Heading`` sections, ``<!-- page N -->``
    lines, paragraphs. Raises `PdfError` for a broken PDF or one without a text layer."""
    pages, sizes = _lines(raw)
    total = sum(len(ln.text) for lines in pages for ln in lines)
    if total < 20:
        raise PdfError("no text layer (a scanned PDF?); run it through OCR first")
    if sum(len(ln.text) for lines in pages for ln in lines if ln.mono) > 0.5 * total:
        for lines in pages:  # set in a typewriter font throughout (an RFC, a printout): text, not code
            for ln in lines:
                ln.mono = False
    furniture = _furniture(pages, sizes)
    kept = [[ln for i, ln in enumerate(lines) if (p, i) not in furniture] for p, lines in enumerate(pages)]
    body = _body_size(kept)
    kept = [[ln for ln in lines if not (ln.text.isdigit() and ln.size < 0.8 * body)] for lines in kept]
    title_lines = _title(kept[0], sizes[0][1]) if kept else []
    title = " ".join(ln.text for ln in title_lines)
    meta = " ".join(metadata_title.split())
    if not title:
        usable = meta and not re.search(r"\.(pdf|docx?|tex|dvi)$|^untitled|^microsoft word", meta, re.IGNORECASE)
        title = meta if usable else fallback_title
    title = normalize(title)
    vocabulary: Counter[str] = Counter(
        w.lower() for lines in kept for ln in lines for w in re.findall(r"\w+(?:-\w+)*", normalize(ln.text))
    )

    blocks: list[Block] = []
    # Captions wait here until the paragraph they stand beside has ended, so that a paragraph going on
    # over a page or column break after a figure is joined, and the caption follows it.
    pending: list[Block] = []
    previous: Line | None = None  # kept across pages: a paragraph may go on over a page break
    last_line: Line | None = None  # the line read last, a caption's included
    front = True  # on page 1, above its first numbered or named section
    for p, lines in enumerate(kept):
        ordered = _columns([ln for ln in lines if ln not in title_lines], sizes[p][0])
        ordered = _footnotes_last(_captions_last(ordered), body)
        widths = {c: max((ln.x1 - ln.x0 for ln in ordered if ln.column == c), default=1.0) for c in (0, 1, 2)}
        for k, ln in enumerate(ordered):
            ln.text = normalize(ln.text)
            caption = pending[-1] if pending and last_line is pending[-1].lines[-1] else None
            last_line = ln
            if ln.cells:  # a table's rows of numbers, together, after the paragraph they stand beside
                if caption is not None and caption.lines[0].cells:
                    caption.lines.append(ln)
                else:
                    pending.append(Block("paragraph", ln.page, [ln]))
                continue
            if ln.caption:
                pending.append(Block("paragraph", ln.page, [ln]))
                continue
            if (caption is not None and caption.lines[0].caption
                    and not _starts_paragraph(caption.lines[-1], ln, [caption], body)):  # fmt: skip
                caption.lines.append(ln)  # the caption's next line
                continue
            if ln.mono and not _in_sentence(previous, ln, blocks, body):  # code: with the code lines above, or anew
                last = blocks[-1] if blocks else None
                if not (
                    last is not None
                    and last.kind == "code"
                    and previous is last.lines[-1]
                    and _in_listing(previous, ln)
                ):
                    blocks += pending
                    pending = []
                    blocks.append(Block("code", ln.page, []))
                blocks[-1].lines.append(ln)
                previous = ln
                continue
            heading = _is_heading(ln, body, widths[ln.column])
            if front and (ln.page != 1 or (heading and (_NUMBERED.match(ln.text) or _NAMED.match(ln.text)))):
                front = False  # the first section ("1 Introduction", "Abstract") opens the text
            elif front and heading and not _over_text(ordered, k, body):
                heading = False  # a title page's authors and affiliation ("Thomas Leonard") are no sections
            if heading:
                blocks += pending
                pending = []
                last = blocks[-1] if blocks else None
                if (last is not None and last.kind == "heading" and previous is not None and last.page == ln.page
                        and ln.y0 - previous.y1 < 0.8 * ln.height and abs(ln.size - previous.size) < 0.5):  # fmt: skip
                    last.lines.append(ln)  # a heading on two lines
                else:
                    blocks.append(Block("heading", ln.page, [ln]))
                previous = ln
                continue
            if previous is None or _starts_paragraph(previous, ln, blocks, body):
                if not _continues(blocks, previous, ln):
                    blocks += pending
                    pending = []
                    blocks.append(Block("paragraph", ln.page, []))
            blocks[-1].lines.append(ln)
            previous = ln
    blocks += pending

    first = blocks[0] if blocks else None
    if not title_lines and first is not None and first.page == 1 and all(ln.bold for ln in first.lines):
        if len(_join(first.lines, vocabulary)) <= 150:  # no larger title: a bold first line is the title
            title = _join(blocks.pop(0).lines, vocabulary)
    parts = [f"# {title}"]
    page = None
    for block in blocks:
        text = _join(block.lines, vocabulary) if block.kind != "code" else "\n".join(ln.text for ln in block.lines)
        if not text:
            continue
        if block.page != page:
            parts.append(f"<!-- page {block.page} -->")
            page = block.page
        if block.kind == "heading":
            parts.append(f"## {text}")
        elif block.kind == "code":
            parts.append(_fenced(block.lines))
        elif not _fragment(text):
            parts.append(_safe_paragraph(text))
    return PdfText(title, "\n\n".join(parts) + "\n", len(pages))


def normalize(text: str) -> str:
    """Text as a reader reads it: ligatures as letters (NFKC), and an accent that the PDF set before its
    letter, apart ("O ̆guz", or a spacing "O˘guz"), put on that letter; a tilde after a slash is a URL's.

    >>> normalize("O \u0306guz de\ufb01nes"), normalize("m \u0338\u2208 M")
    ('Oğuz defines', 'm ∉ M')
    >>> normalize("Barlas O\u02d8guz, Eduard S\u00a8ackinger, tours.fr/\u02dcaligon")
    'Barlas Oğuz, Eduard Säckinger, tours.fr/~aligon'
    """
    text = re.sub("\u0338(\\S)", "\\1\u0338", text)  # TeX's \not set before its sign: "∈" + it is "∉"
    text = re.sub(r"\(cid:\d+\)", "\ufffd", text)  # a glyph the PDF gives no character for
    text = re.sub("[cC]\u20dd|\u20dd[cC]", "\u00a9", text)  # TeX's © is a "c" and a circle drawn over it
    text = text.replace("/\u02dc", "/~")
    text = unicodedata.normalize("NFKC", text)  # a spacing accent ("˘") becomes a space and its mark
    text = re.sub(r"\s([\u0300-\u036f]+)(\w)", r"\2\1", text)
    return unicodedata.normalize("NFC", text)


def _footnotes_last(ordered: list[Line], body: float) -> list[Line]:
    """The page's lines with the footnotes (small lines that end a column, below its middle) moved to
    the end, so that a paragraph running from one column into the next is not cut by them."""
    notes: list[Line] = []
    by_column: dict[int, list[Line]] = {}
    for ln in ordered:
        if not ln.aside:  # a caption set aside is no footnote, and does not hide the column's end
            by_column.setdefault(ln.column, []).append(ln)
    for lines in by_column.values():
        if not lines:
            continue
        bottom = max(ln.y1 for ln in lines)
        top = min(ln.y0 for ln in lines)
        tail = []
        for ln in reversed(lines):
            if ln.size < 0.92 * body and ln.y0 > top + 0.5 * (bottom - top):
                tail.append(ln)
            else:
                break
        notes += reversed(tail)
    chosen = set(map(id, notes))
    return [ln for ln in ordered if id(ln) not in chosen] + notes


def _captions_last(ordered: list[Line]) -> list[Line]:
    """The page's lines with each figure or table caption (a line opening with "Figure 1:" and the
    lines set close under it in its column), then each row of a table's numbers, moved after the text,
    so that a paragraph running past a figure or a table is not cut by it, nor reads it as its own."""
    captions: list[Line] = []
    cells: list[Line] = []
    rest: list[Line] = []
    run: list[Line] = []
    for i, ln in enumerate(ordered):
        if table_cells(ln.text) and not ln.mono:  # a table's row of numbers: set aside after the captions
            ln.cells = ln.aside = True
            cells.append(ln)
            continue
        if run and _close_under(run[-1], ln) and not _CAPTION.match(ln.text):
            run.append(ln)
            continue
        captions += run
        ln.caption = (
            not ln.mono and bool(_CAPTION.match(ln.text)) and not _mid_sentence(ordered[i - 1] if i else None, ln)
        )
        run = [ln] if ln.caption else []
        if not run:
            rest.append(ln)
    for ln in captions + run:
        ln.aside = True
    return rest + captions + run + cells


def table_cells(text: str) -> bool:
    """A line that is mostly numbers, as a table's row is (at least two, and three in five of its words),
    or a lone decimal figure ("24.1"; a whole number alone may be a page's number or a list's).

    >>> [table_cells(t) for t in ("41.5 56.8 42.4", "DPR 79.4 78.8 81.3", "24.1", "(e.g., 78.4% vs. 59.1% for", "2019")]
    [True, True, True, False, False]
    """
    words = text.split()
    numbers = sum(bool(_NUMBER.fullmatch(w)) for w in words)
    lone = len(words) == 1 and bool(re.fullmatch(r"\d+[.,]\d+%?", words[0]))
    return lone or (numbers >= 2 and numbers >= 0.6 * len(words))


def _mid_sentence(previous: Line | None, line: Line) -> bool:
    """Whether `line` goes on with the sentence before it ("... than those reported in" / "Table 3.
    This is due to ..."): then it only names a table, it is no caption. So it is when the line before
    stops short of a sentence's end just above it, or, across a column break, stops on a word while
    the label ends in a full stop (a caption labelled "Table 4:" may follow any line)."""
    if previous is None or _SENTENCE_END.search(previous.text):
        return False
    label = _CAPTION.match(line.text)
    on_a_word = bool(re.search(r"[a-z]$", previous.text))
    return _close_under(previous, line) or (label is not None and label.group(0).rstrip().endswith(".") and on_a_word)


def _close_under(upper: Line, lower: Line) -> bool:
    """Whether `lower` is set just under `upper` in its column, in type of the same size: the next
    line of the same block."""
    return (
        upper.column == lower.column and upper.y0 < lower.y0 and abs(lower.size - upper.size) <= 0.6
        and lower.y0 - upper.y1 < 0.7 * max(lower.height, upper.height)
    )  # fmt: skip


def _in_sentence(previous: Line | None, line: Line, blocks: list[Block], body: float) -> bool:
    """Whether a typewriter line ends a sentence of the text ("...or" / "ASN1_PRINT_ALL."): it follows
    the paragraph's last line, which stops short of a sentence's end, and opens no paragraph."""
    return (
        previous is not None and bool(blocks) and blocks[-1].kind == "paragraph" and previous is blocks[-1].lines[-1]
        and not _SENTENCE_END.search(previous.text) and not _starts_paragraph(previous, line, blocks, body)
    )  # fmt: skip


def _in_listing(previous: Line, line: Line) -> bool:
    """Whether a code line goes on with the listing of the code line before it: the next line of the
    same column, a blank line or two below at most (a listing's blank lines are set as gaps)."""
    if previous.page != line.page or previous.column != line.column:
        return False
    return _same_row(previous, line) or (
        line.y0 > previous.y0 and line.y0 - previous.y1 < 3 * max(line.height, previous.height)
    )


def _same_row(left: Line, right: Line) -> bool:
    """Whether `right` is set on `left`'s row, to its right (an option and its description)."""
    return (
        abs((right.y0 + right.y1) - (left.y0 + left.y1)) < 0.5 * max(left.height, right.height) and right.x0 >= left.x1
    )


def _fenced(lines: list[Line]) -> str:
    """A listing as a fenced code block: its lines as set, each indented by how far right of the
    listing's leftmost line it starts (in the font's character widths)."""
    left = min(ln.x0 for ln in lines)
    rows: list[str] = []
    for i, ln in enumerate(lines):
        width = 0.6 * ln.size  # a typewriter character's
        if i and _same_row(lines[i - 1], ln):
            rows[-1] += " " * max(1, round((ln.x0 - lines[i - 1].x1) / width)) + ln.text
        else:
            rows.append(" " * round((ln.x0 - left) / width) + ln.text)
    body = "\n".join(rows)
    ticks = max((len(run) for run in re.findall(r"`{3,}", body)), default=2)
    fence = "`" * (ticks + 1)
    return f"{fence}\n{body}\n{fence}"


def _fragment(text: str) -> bool:
    """A scrap of a formula or a figure ("(1)", "s , w(i)", "from"), not a paragraph a reader would quote.

    >>> [_fragment(t) for t in ("(1)", "s , w(i)", "from", "Yes.", "See Table 2 for the results.")]
    [True, True, True, False, False]
    """
    return len(re.findall(r"[^\W\d_]", text)) < 12 and not re.search(r"[^\W\d_]{2}[.!?]$", text)


def _safe_paragraph(text: str) -> str:
    """A paragraph line that the splitter cannot take for a heading, a page marker or a fence."""
    if re.match(r"^(#{1,6}\s|<!--|```|~~~)", text):
        return "\u2060" + text  # a word joiner: invisible, and the line is text
    return text


def _over_text(ordered: list[Line], k: int, body: float) -> bool:
    """Whether line `k` stands just over a line of body text, as a section's heading does (an author's
    name on a title page stands over another name, or over a gap)."""
    if k + 1 >= len(ordered):
        return False
    line, below = ordered[k], ordered[k + 1]
    return below.size <= body * 1.05 and 0 <= below.y0 - line.y1 < 2 * line.height and below.page == line.page


def _starts_paragraph(previous: Line, line: Line, blocks: list[Block], body: float) -> bool:
    """Whether `line` opens a new paragraph after `previous` (on the same page and column, or not)."""
    if not blocks or blocks[-1].kind != "paragraph" or line.text.startswith("•"):
        return True
    if previous.page != line.page or previous.column != line.column or line.y1 <= previous.y0:
        return not _continues(blocks, previous, line)  # a column or page break (a line on the same row is none)
    gap = line.y0 - previous.y1
    if gap > 0.7 * max(line.height, previous.height):
        return True
    if abs(line.size - previous.size) > 0.6:
        return True
    indent = line.x0 - previous.x0
    if indent > 0.8 * line.size and len(blocks[-1].lines) >= 1 and _SENTENCE_END.search(previous.text):
        return True
    widest = max(ln.x1 for ln in blocks[-1].lines)
    return bool(_SENTENCE_END.search(previous.text)) and previous.x1 < widest - 4 * line.size


def _continues(blocks: list[Block], previous: Line | None, line: Line) -> bool:
    """Whether `line`, first after a column or page break, goes on with the paragraph before the break."""
    if previous is None or not blocks or blocks[-1].kind != "paragraph":
        return False
    if blocks[-1].lines and blocks[-1].lines[0].caption:  # a caption, set after the page's text, ends there
        return False
    same_place = previous.page == line.page and previous.column == line.column and line.y1 > previous.y0
    if same_place:
        return False
    if abs(line.size - previous.size) > 0.6:
        return False
    return not _SENTENCE_END.search(previous.text) and (line.text[:1].islower() or previous.text.endswith("-"))
