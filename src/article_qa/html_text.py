"""A saved web page's main text as the Markdown the splitter reads: headings, paragraphs, lists, code.

The page's bytes are decoded with the charset the page declares (a declared ISO-8859-1 or ASCII is
read as windows-1252, as browsers do; a BOM wins; a page that is not what it declares is read as
UTF-8 or as detected). Before extraction, what a reader never sees as text is taken out of the page:
footnote markers (``<sup>[2]</sup>``), ``[edit]`` links, infoboxes, navigation boxes, tables of contents;
a formula keeps one readable form (its TeX, not MathML, TeX and a fallback image one after the other).
Text written straight into the body (an old page's opening lines) is wrapped in paragraphs,
preformatted text becomes code with its lines, a figure holding code or a table is read as those
blocks with its caption (a "Listing 6: ..." under its code), and a table that lays the page out (its
cells hold headings and paragraphs) is read as what its cells hold. Buttons, a heading's "§" link and a
manual's "Next: ..., Up: ..." row go. trafilatura, a maintained main-text
extractor, then drops navigation, comments and other page furniture, and its XML is written out here
as plain paragraphs: no ``**``, ``<sup>``, ``[1]`` or a heading's "¶" that a reader would see, a link's
words kept as text, headings only from the page's own headings (a bold label line is a paragraph;
headings the extractor lost on a page it found no container for are put back over their
paragraphs; a heading the page repeats under different parents, an API page's "Panics" under every
method, is named with the heading above it: "pub fn push(&mut self) › Panics"), a glossary's entries
as "term: definition" paragraphs, tables as readable lines
("Founded: 1998") under the heading they stand in, and never as the first passage; a byline or date
line opening the text is left out. The title is the heading the page's <title> names it by (a book's
chapter under the book's h1, an API page under the library's), else the page's one h1, else the
page's title.

A Markdown document goes the same way (`markdown_page`): rendered with markdown-it, then every block
read, as a reader sees it (links as their words, badges and struck-out words out, tables as lines).

This module reads no file and writes none (see `sources`), and it splits or embeds nothing.
"""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

MIN_TEXT = 200  # characters of main text below which a page is taken to have none

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""")
# Markers a reader of the text would see as noise: footnotes "[12]", "[a]", "[citation needed]", "[edit]".
_MARKERS = re.compile(r"\s?\[(?:\d{1,3}|[a-z]|[ivx]{1,4}|edit|citation needed|note \d+|nb \d+)\]", re.IGNORECASE)
_DROP_CLASSES = re.compile(
    r"\b(mw-editsection|reference|noprint|navbox|vertical-navbox|infobox|sidebar|toc|mw-jump-link|headerlink|"
    r"mw-cite-backlink|hatnote|metadata|ambox|reflist|mwe-math-fallback-image-(inline|display)|pg-boilerplate)\b",
    re.IGNORECASE,
)  # an old DocBook page writes "TOC"; Sphinx marks a heading's "¶" link "headerlink"; Project Gutenberg
# sets its header about the eBook and its licence, around the book, as "pg-boilerplate" sections.
# A paragraph opening as a Markdown heading or code fence would ("# a shell comment", "```"): the Markdown
# written here would read it as one, so it opens with a word joiner (U+2060) the reader does not see.
_READS_AS_MARKUP = re.compile(r"^(?:#{1,6}(?:\s|$)|```|~~~)")
# A short numbered line that heads the paragraph after it, as a list article sets its items.
_NUMBERED_TIP = re.compile(r"^\d{1,2}[.)]\s+[^.!?]{3,90}$")
_DISPLAYSTYLE = re.compile(r"^\{\\displaystyle\s*(.*)\}$", re.DOTALL)
# Page furniture by class name: galleries, video players and their dialogs, share bars, teasers.
_FURNITURE_CLASS = re.compile(
    r"^(gallery|full-gallery|type-gallery|slideshow|carousel|video-js|vjs-.*|modal(-.*)?|share(-.*)?|sharing|"
    r"social(-.*)?|newsletter(-.*)?|related(-.*)?|breadcrumbs?|cookie(-.*)?|advert(isement)?|promo(-.*)?|"
    r"rightside|hideme)$"  # an API page's "1.0.0 · Source" beside a signature, its "Expand description"
)
# A DocBook title page's credits, set as headings ("<h3 class="author">Alan Coopersmith</h3>"): a
# person's name, not a section of the text.
_CREDIT_CLASS = re.compile(r"^(author|editor|othercredit|corpauthor)$", re.IGNORECASE)  # old DocBook: "AUTHOR"
# A block of navigation by its class: a manual's "Next: ..., Up: ..." rows (on a div only: an mdBook
# heading's link is an <a class="header">).
_NAVIGATION_CLASS = re.compile(r"^(header|nav-panel|navheader|navfooter)$")
# TeX as a reader reads it: font and spacing commands out, a few symbols as themselves.
_TEX_SYMBOLS = {
    "iff": "⟺", "implies": "⟹", "to": "→", "leq": "≤", "geq": "≥", "neq": "≠", "times": "×", "cdot": "·",
    "dagger": "†", "ast": "*", "in": "∈", "sum": "∑", "infty": "∞", "lambda": "λ", "mu": "μ", "sigma": "σ",
    "alpha": "α", "beta": "β", "pi": "π", "theta": "θ", "langle": "⟨", "rangle": "⟩", "pm": "±", "approx": "≈",
    "dots": "…", "ldots": "…", "cdots": "⋯", "Rightarrow": "⇒", "Leftrightarrow": "⇔", "forall": "∀",
    "exists": "∃", "subset": "⊂", "subseteq": "⊆", "cup": "∪", "cap": "∩", "le": "≤", "ge": "≥", "ne": "≠",
    "top": "⊤", "prod": "∏", "int": "∫", "partial": "∂", "nabla": "∇", "equiv": "≡", "oplus": "⊕", "otimes": "⊗",
}  # fmt: skip
_BLACKBOARD = {"R": "ℝ", "C": "ℂ", "N": "ℕ", "Z": "ℤ", "Q": "ℚ", "F": "𝔽", "H": "ℍ", "P": "ℙ"}
_TEX_FONT = re.compile(r"\\(?:displaystyle|textstyle|mathsf|mathbf|mathrm|mathit|mathcal|text|mbox|hbox|operatorname|"
                       r"left|right|big|Big)(?![A-Za-z])\s*")  # fmt: skip
_TEX_SPACE = re.compile(r"\\(?:quad|qquad|,|;|!)")
# Blocks whose words a reader sees apart from the words around them (trafilatura's and HTML's names).
_PARTED = frozenset("item list p head row cell quote table lb li ul ol dl dt dd div tr td th br pre".split())
_HEADS_ITEM = re.compile(r".{3,150}")  # an item's opening line short enough to head its paragraphs
_NUMBERING = re.compile(r"[\s\d.:()–—-]*")  # what a contents line holds beside its link: "1.1.", "2 –"
_HEADING_OR_SUMMARY = (
    "ancestor::*[self::h1 or self::h2 or self::h3 or self::h4 or self::h5 or self::h6 or self::summary]"
)
_BLOCKS = frozenset({"div", "p", "dl", "dd", "table", "figure", "center", "blockquote"})
_ENDS_SENTENCE = re.compile(r"[.!?][\"'”’)\]]*$")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_PAGE_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
# How a page's <title> joins the page's own name to its site's: "What Is Ownership? - The Rust Book".
_TITLE_PARTS = re.compile(r"\s+[-|–—·:]{1,2}\s+")
_LATIN1 = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "ascii", "us-ascii", "cp819", "iso_8859-1"}


class PageError(ValueError):
    """A page with no main text to quote."""


@dataclass(frozen=True)
class PageText:
    title: str
    markdown: str


def decode_html(raw: bytes) -> str:
    """A web page's text: BOM, then the declared charset (ISO-8859-1 read as windows-1252, as browsers
    do), then UTF-8, then a detected charset.

    >>> decode_html('<meta charset="iso-8859-1"><p>\\u201eDemut\\u201c</p>'.encode("cp1252"))
    '<meta charset="iso-8859-1"><p>„Demut“</p>'
    >>> decode_html("<p>caf\\u00e9</p>".encode("utf-8"))
    '<p>café</p>'
    """
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if raw.startswith(bom):
            return raw.decode(codec, "replace")
    head = raw[:4096]
    declared = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    candidates = []
    if declared:
        name = declared.group(1).decode("ascii", "replace").lower()
        candidates.append("cp1252" if name in _LATIN1 else name)
    candidates.append("utf-8")
    for codec in candidates:
        try:
            return raw.decode(codec)
        except (LookupError, UnicodeDecodeError):
            continue
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(raw).best()
        if best is not None:
            return str(best)
    except ImportError:  # pragma: no cover - charset_normalizer comes with trafilatura's dependencies
        pass
    return raw.decode("utf-8", "replace")


def _clean_tree(html: str) -> str:
    """The page with what is not reading text taken out, and each formula as its TeX."""
    import lxml.html
    from lxml import etree

    html = _XML_DECLARATION.sub("", html, count=1)  # an XHTML page's; lxml refuses it in decoded text
    try:
        tree = lxml.html.fromstring(html)
    except (etree.ParserError, ValueError):
        return html
    _unwrap_layout_tables(tree)
    for math in tree.xpath("//math"):
        alt = (math.get("alttext") or "").strip() or " ".join(math.xpath(".//annotation//text()")).strip()
        tex = tex_text(alt) if alt else " ".join(math.itertext()).strip()
        holder = math
        parent = math.getparent()
        while parent is not None and "mwe-math" in (parent.get("class") or ""):  # the formula's wrappers
            holder, parent = parent, parent.getparent()
        if parent is None:
            continue
        # A display formula completes the sentence before it ("...that is, it satisfies") or stands as a
        # paragraph of its own, never as a stray span between paragraphs; an inline one stays in place.
        block = holder.tag in _BLOCKS or math.get("display") == "block"
        before = holder.getprevious()
        completes = block and before is not None and before.tag == "p" and not _ENDS_SENTENCE.search(_text(before))
        replacement = lxml.html.Element("p" if block and not completes else "span")
        if completes:
            replacement.text = " " + tex
            before.append(replacement)
            _drop(holder)
        else:
            replacement.text, replacement.tail = tex, holder.tail
            parent.replace(holder, replacement)
    for container in tree.xpath("//body | //div"):
        _wrap_loose_text(container)
    for pre in tree.xpath("//pre"):  # preformatted text as code, its lines kept (not "<pre><b>...</b>")
        for control in pre.xpath(".//button | .//input"):  # a "copy" button set inside the code
            _drop(control)
        for br in pre.iter("br"):
            br.tail = "\n" + (br.tail or "")
        for variant in pre.findall(".//code")[1:]:  # the same example in another syntax, on its own lines
            variant.text = "\n" + (variant.text or "")
        text = pre.text_content()
        if text.strip():
            for child in list(pre):
                pre.remove(child)
            pre.text = None
            etree.SubElement(pre, "code").text = text
    for figure in tree.xpath("//figure[.//pre or .//table]"):  # a code listing or a table, not a picture
        _unwrap_figure(figure)
    for el in tree.xpath("//*[@class]"):
        classes = (el.get("class") or "").split()
        furniture = any(_FURNITURE_CLASS.match(c) for c in classes) and el.tag not in ("body", "main", "article")
        furniture = furniture or (el.tag == "div" and any(_NAVIGATION_CLASS.match(c) for c in classes))
        dropped = _DROP_CLASSES.search(" ".join(classes))
        if dropped and el.tag == "a" and dropped.group(1).lower() == "reference":
            dropped = None  # Sphinx marks every link "reference": its text is the sentence's
        credit = el.tag in ("h1", "h2", "h3", "h4", "h5", "h6") and any(_CREDIT_CLASS.match(c) for c in classes)
        furniture = furniture or (el.tag == "table" and "menu" in classes)  # a texinfo node's menu of its nodes
        if (furniture or dropped or credit) and el.getparent() is not None:
            _drop(el)
    for el in tree.xpath("//a[starts-with(@href, '#')]"):  # a heading's own link mark: "§", "¶", "#"
        if "".join(el.itertext()).strip() in ("§", "¶", "#", "\U0001f517") and el.getparent() is not None:
            _drop(el)
    for el in tree.xpath("//details/summary"):  # a disclosure's summary heads what it discloses (an FAQ's question)
        if not el.xpath(".//h1 | .//h2 | .//h3 | .//h4 | .//h5 | .//h6"):
            el.tag = "h3"
    for el in tree.xpath("//button"):
        words = " ".join(el.text_content().split())
        heads = el.xpath(_HEADING_OR_SUMMARY)
        if heads and words and " ".join(heads[0].text_content().split()) == words:
            el.tag = "span"  # an accordion's question: the heading's words are all the button's
        elif words.endswith("?") and len(words.split()) >= 3:
            el.tag = "p"  # a question that opens its answer, set as a button
    for el in tree.xpath("//dl | //ul | //ol"):
        if _contents(el) and el.getparent() is not None:
            _drop(el)
    for el in tree.xpath(
        "//video | //audio | //button | //*[@role='dialog'] | //*[@aria-hidden='true'] | //s | //del | //strike"
    ):  # struck-out words are not the text's
        if el.getparent() is not None:
            _drop(el)
    for el in tree.xpath("//sup"):
        if _MARKERS.fullmatch(" " + "".join(el.itertext()).strip()) and el.getparent() is not None:
            _drop(el)
    for el in tree.xpath("//*[@style]"):
        if re.search(r"display\s*:\s*none", el.get("style") or "") and el.getparent() is not None:
            _drop(el)
    _keep_spaces_between_inline(tree)
    return lxml.html.tostring(tree, encoding="unicode")


# Inline elements whose words run on in a sentence ("<b>bold</b> <i>italic</i>").
_INLINE = frozenset(
    "a abbr b big cite code dfn em font i kbd mark q samp small span strong sub sup time tt u var".split()
)


def _keep_spaces_between_inline(tree) -> None:  # type: ignore[no-untyped-def]
    """The space between two inline elements moved into the second one's text: the extractor drops a
    tail of white space alone, which glued "<strong>void</strong> <em>ffi_closure_free</em>" into
    "voidffi_closure_free" and "<b>bold</b> <i>italic</i>" into "bolditalic"."""
    for el in tree.iter(*_INLINE):
        following = el.getnext()
        if el.tail and not el.tail.strip() and following is not None and following.tag in _INLINE:
            el.tail = None
            following.text = " " + (following.text or "")


def tex_text(tex: str) -> str:
    """A formula's TeX as readable text.

    >>> tex_text(r"{\\displaystyle A{\\text{ Hermitian}}\\quad \\iff \\quad A={\\overline {A^{\\mathsf {T}}}}}")
    'A Hermitian ⟺ A = overline(A^T)'
    >>> tex_text(r"{\\tfrac {1}{\\sqrt {2}}}(E_{jk}+E_{kj})"), tex_text(r"\\langle v,Av\\rangle \\in \\mathbb {R}")
    ('1/√2(E_jk+E_kj)', '⟨v,Av⟩ ∈ ℝ')
    >>> tex_text(r"u_{1},\\dots ,u_{n} \\Rightarrow \\overline {(A+B)}_{ji}=\\Lambda")
    'u_1,…,u_n ⇒ overline(A+B)_ji = Λ'
    """
    tex = _DISPLAYSTYLE.sub(r"\1", tex.strip())
    tex = _TEX_SPACE.sub(" ", _TEX_FONT.sub("", tex))
    tex = _tex_structures(tex)
    tex = re.sub(r"\\([A-Za-z]+)\s*", lambda m: _tex_symbol(m.group(1)), tex)
    tex = tex.replace("{", "").replace("}", "")
    tex = re.sub(r"\s*([=<>⟺⟹⇒⇔→≤≥≠∈])\s*", r" \1 ", tex)
    tex = re.sub(r"([⟨(])\s+|\s+([⟩)])", lambda m: m.group(1) or m.group(2), tex)
    return " ".join(tex.split())


def _tex_group(tex: str, i: int) -> tuple[str, int]:
    """The argument that starts at `i` (after blanks): a braced group's inside, or one character; and
    where it ends."""
    while i < len(tex) and tex[i] == " ":
        i += 1
    if i >= len(tex):
        return "", i
    if tex[i] != "{":
        m = re.match(r"\\[A-Za-z]+|.", tex[i:], re.DOTALL)
        assert m is not None
        return m.group(0), i + len(m.group(0))
    depth, j = 0, i
    while j < len(tex):
        depth += {"{": 1, "}": -1}.get(tex[j], 0)
        if depth == 0:
            return tex[i + 1 : j], j + 1
        j += 1
    return tex[i + 1 :], len(tex)


def _tex_structures(tex: str) -> str:
    """Fractions, roots, bars and blackboard letters as a reader writes them: 1/√2, A̅, ℝ."""
    out, i = [], 0
    while i < len(tex):
        m = re.compile(r"\\(d?t?frac|sqrt|overline|bar|mathbb)(?![A-Za-z])").match(tex, i)
        if not m:
            out.append(tex[i])
            i += 1
            continue
        command, i = m.group(1), m.end()
        first, i = _tex_group(tex, i)
        first = _tex_structures(first)
        if command.endswith("frac"):
            second, i = _tex_group(tex, i)
            second = _tex_structures(second)
            out.append(f"{_grouped(first)}/{_grouped(second)}")
        elif command == "sqrt":
            out.append("√" + _grouped(first))
        elif command == "mathbb":
            out.append(_BLACKBOARD.get(first.strip(), first))
        else:
            plain = first.replace("{", "").replace("}", "").strip()
            bracketed = plain.startswith("(") and plain.endswith(")")
            out.append(plain + "\u0305" if len(plain) == 1 else f"overline{plain if bracketed else f'({plain})'}")
    return "".join(out)


def _grouped(text: str) -> str:
    """A fraction's or a root's argument, in brackets when it is more than one term."""
    plain = text.replace("{", "").replace("}", "").strip()
    return plain if re.fullmatch(r"[\w.^√]+|\\[A-Za-z]+", plain) else f"({plain})"


def _tex_symbol(name: str) -> str:
    """A TeX command as its symbol: the table's, a Greek letter's ("Lambda" is Λ), else its name."""
    if name in _TEX_SYMBOLS:
        return _TEX_SYMBOLS[name]
    case = "CAPITAL" if name[:1].isupper() else "SMALL"
    try:
        letter = name.upper().replace("LAMBDA", "LAMDA")  # Unicode's spelling
        return unicodedata.lookup(f"GREEK {case} LETTER {letter}")
    except KeyError:
        return name + " "


_LAYOUT = "//table[.//td//p or .//td//h1 or .//td//h2 or .//td//h3 or .//td//pre or .//td//table]"


def _unwrap_layout_tables(tree) -> None:  # type: ignore[no-untyped-def]
    """Tables that lay a page out (their cells hold headings, paragraphs, code or other tables) replaced
    by what their cells hold, in reading order; a table of data stays a table. A row of contents goes,
    and a DocBook FAQ's question row ("1.1." "How do you pronounce ...?") is the heading of its answer."""
    import lxml.html

    for table in tree.xpath(_LAYOUT):  # in document order: the outer table before the ones inside it
        parent = table.getparent()
        if parent is None:
            continue
        holder = lxml.html.Element("div")
        for cell in list(table.iter("td", "th")):
            if cell.xpath("ancestor::table[1]")[0] is not table:
                continue  # a cell of a nested table goes with that table
            row = cell.getparent()
            kind = (row.get("class") or "") if row is not None and row.tag == "tr" else ""
            if _DROP_CLASSES.search(kind):
                continue  # a row of contents ("toc") between a DocBook FAQ's parts
            if kind == "question":  # a DocBook FAQ's question row: "1.1." and the question, one heading
                if not cell.xpath("preceding-sibling::td | preceding-sibling::th"):  # read at its first cell
                    cells = [c for c in row if c.tag in ("td", "th")]
                    shown = [pre for c in cells for pre in c.iter("pre")]  # an error it quotes: code after it
                    for pre in shown:
                        pre.drop_tree()
                    heading = lxml.html.Element("h4")
                    heading.text = " ".join(" ".join(c.text_content().split()) for c in cells)
                    holder.append(heading)
                    for pre in shown:
                        pre.tail = None
                        holder.append(pre)
                continue
            box = lxml.html.Element("div")
            box.text = cell.text
            for child in list(cell):
                box.append(child)
            holder.append(box)
        holder.tail = table.tail
        parent.replace(table, holder)


_INLINE = frozenset("a abbr b big cite code em font i kbd q s samp small span strong sub sup tt u var".split())


def _wrap_loose_text(container) -> None:  # type: ignore[no-untyped-def]
    """Text written straight into the body or a div, outside any paragraph (an old page's opening
    lines before its first <p>), wrapped in paragraphs so the extractor reads it, a line break ending
    one; runs shorter than a sentence ("|", "Note:") stay as they are."""
    import lxml.html

    loose = (container.text or "") + "".join(child.tail or "" for child in container)
    if len(loose.strip()) < 40:
        return
    arranged: list = []  # type: ignore[type-arg]
    run: list = []  # type: ignore[type-arg]
    run_text = container.text
    container.text = None

    def flush() -> None:
        nonlocal run_text, run
        words = (run_text or "") + "".join(e.text_content() + (e.tail or "") for e in run)
        if len(words.strip()) >= 40:
            paragraph = lxml.html.Element("p")
            paragraph.text = run_text
            for e in run:
                paragraph.append(e)
            arranged.append(paragraph)
        else:
            if run_text and arranged:
                arranged[-1].tail = (arranged[-1].tail or "") + run_text
            elif run_text:
                container.text = run_text
            arranged.extend(run)
        run_text, run = None, []

    for child in list(container):
        if isinstance(child.tag, str) and child.tag.lower() in _INLINE:
            run.append(child)
        else:  # a block, or a line break: "text<br><br>text" is two paragraphs
            flush()
            run_text, child.tail = child.tail, None
            arranged.append(child)
    flush()
    for child in list(container):
        container.remove(child)
    for child in arranged:
        container.append(child)


def _unwrap_figure(figure) -> None:  # type: ignore[no-untyped-def]
    """A figure that holds code or a table (which the extractor drops with pictures) as the blocks it
    holds, in place: its code and its caption as a paragraph ("Listing 16-6: Creating a channel"); a
    label such as "Filename: src/main.rs" is left out, as it would be a passage of its own."""
    import lxml.html

    parent = figure.getparent()
    if parent is None:
        return
    at = parent.index(figure)
    blocks = []
    for child in figure:
        if not isinstance(child.tag, str):
            continue
        if child.tag in ("pre", "table", "p", "div"):
            blocks.append(child)
        elif child.tag == "figcaption":
            paragraph = lxml.html.Element("p")
            paragraph.text = " ".join("".join(child.itertext()).split())
            blocks.append(paragraph)
    for n, block in enumerate(blocks):
        block.tail = None
        parent.insert(at + n, block)
    _drop(figure)


def _contents(listing) -> bool:  # type: ignore[no-untyped-def]
    """Whether a list is a table of contents: two or more items, each links to places in a page and at
    most their numbers ("1.1. <a href="faq.html#pronounce">How do you pronounce ...?</a>"); an API
    page's "request <a href="#ClientRequest">&lt;http.ClientRequest&gt;</a>" is no contents."""
    # Its items at every depth: one heading's entry with the page's sections nested under it is contents too.
    items = list(listing.iter("li", "dt", "dd"))
    if len(items) < 2:
        return False
    for item in items:
        text = " ".join(item.text_content().split())
        links = [" ".join(a.text_content().split()) for a in item.xpath(".//a[contains(@href, '#')]")]
        if not links or not text:
            return False
        for link in links:
            text = text.replace(link, " ", 1)
        if not _NUMBERING.fullmatch(text):
            return False
    return True


def _drop(el) -> None:  # type: ignore[no-untyped-def]
    """Remove an element but keep the text that follows it."""
    parent = el.getparent()
    tail = el.tail or ""
    prev = el.getprevious()
    if prev is not None:
        prev.tail = (prev.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(el)


def _text(el, markers: bool = True) -> str:  # type: ignore[no-untyped-def]
    """An element's text as a reader sees it: one line, markers out (with `markers`), white space folded,
    and the blocks inside it (a nested list's items, a line break, a code block) parted by a space: "one
    of the following: 'der' (default) ...", not "following:'der'"."""
    parts: list[str] = []

    def read(node, inner: bool) -> None:  # type: ignore[no-untyped-def]
        block = inner and isinstance(node.tag, str) and node.tag in _PARTED
        parts.append(" " if block else "")
        parts.append(node.text or "" if isinstance(node.tag, str) else "")
        for child in node:
            read(child, True)
        parts.append(" " if block else "")
        parts.append(node.tail or "" if inner else "")

    read(el, False)
    text = "".join(parts)
    return " ".join((_MARKERS.sub("", text) if markers else text).split())


_NOT_XML = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f\ufffe\uffff]")


def page_text(raw: bytes, fallback_title: str, whole: bool = False) -> PageText:
    """The main text of a web page's bytes as Markdown (``# Title``, ``## Heading``, paragraphs, ``- item``
    lists, fenced code); with `whole`, every block of the page (a document rendered from Markdown, all
    text). Raises `PageError` when the page has no main text."""
    # Control characters no reader sees and XML refuses: a page break is a space, the others nothing.
    decoded = _NOT_XML.sub("", decode_html(raw).replace("\x0c", " ").replace("\x0b", " "))
    html = _clean_tree(decoded)
    walked = _walk(html) if whole else None  # the page read whole, when that is wanted; read once

    def page_blocks() -> Any:
        nonlocal walked
        walked = walked if walked is not None else _walk(html)
        return walked

    doc = page_blocks() if whole else _extract(html)
    parts = _title_parts(decoded)
    page_headings = 0 if whole else _headings(html)
    # Where the extractor kept under half of the page's headings and found no container for the text
    # (an old DocBook book), it gathered the paragraphs without them; they are put back before the
    # paragraph each stands over in the page, where it kept that paragraph.
    restore = doc is not None and page_headings >= 2 and len(doc.findall("main//head")) < 0.5 * page_headings
    main = doc.find("main") if doc is not None else None
    if doc is None or main is None:
        raise PageError("no main text")
    metadata_title = " ".join((doc.get("title") or "").split())
    byline = {x for x in (doc.get("author"), doc.get("date")) if x}
    title = ""
    blocks: list[str] = []  # Markdown blocks, separated by blank lines
    levels: dict[int, int] = {}  # a heading block's position -> its level (2 for h2)
    seen_text = False
    children = _flat_quotes(list(main))
    if restore:
        children = _with_headings(children, list(page_blocks().find("main")))
    several_h1 = sum(c.tag == "head" and c.get("rend") == "h1" for c in children) > 1
    # The title: the heading the page's <title> names the page by (a book's chapter under the book's name,
    # an API page under the library's; of two it names, "Path | Node.js documentation", the first), else
    # the page's one h1 before the text; of several h1s ("Abstract", "Contents"), none.
    before_text = itertools.takewhile(lambda c: c.tag in ("head", "table"), children)  # a side table is no text
    opening = [c for c in before_text if c.tag == "head" and _text(c)]
    ranks = {id(c): r for c in children if c.tag == "head" and (r := _title_part(_text(c), parts)) is not None}
    named = min((c for c in children if id(c) in ranks), key=lambda c: ranks[id(c)], default=None)
    lone_h1 = next((c for c in opening if c.get("rend") == "h1"), None) if not several_h1 else None
    chosen = named if named is not None else lone_h1
    # Above the title: a site's name in a heading, and its short navigation lines ("Table of contents").
    preceding = list(itertools.takewhile(lambda c: c is not chosen, children)) if chosen is not None else []
    short = all(c.tag in ("head", "list", "table") or len(_text(c)) < 60 for c in preceding)
    above = set(map(id, preceding)) if short else set()  # a paragraph of text above the title is kept
    for i, el in enumerate(children):
        if id(el) in above:
            continue
        tag = el.tag
        if tag == "head":
            heading = _text(el)
            if not heading:
                continue
            if el is chosen:
                title = heading
                continue
            level = int(rend[1]) if (rend := el.get("rend") or "").startswith("h") and rend[1:].isdigit() else 2
            levels[len(blocks)] = level
            blocks.append(f"## {heading}")
        elif tag in ("p", "quote"):
            line = _text(el)
            if not line:
                continue
            if not seen_text and byline and len(line) < 120 and any(b in line for b in byline):
                continue  # the byline or date opening the text
            following = children[i + 1] if i + 1 < len(children) else None
            if tag == "p" and _NUMBERED_TIP.match(line) and following is not None and following.tag == "p":
                blocks.append(f"## {line}")  # "3. Don't use a wooden luggage rack": a numbered item's heading
                continue
            blocks.append("\u2060" + line if _READS_AS_MARKUP.match(line) else line)
            seen_text = True
        elif tag == "list":
            terms = _definitions(el) if el.get("rend") == "dl" else []
            if terms:  # a glossary's entries, each a paragraph: "root: Root is (typically) the superuser."
                blocks += terms
                seen_text = True
                continue
            items: list[str] = []
            for item in el.findall("item"):
                entry = _faq_entry(item)
                if entry is None:
                    items += [f"- {text}"] if (text := _text(item)) else []
                    continue
                if items:  # the plain items before it
                    blocks.append("\n".join(items))
                    items = []
                levels[len(blocks)] = 3
                blocks += [f"## {entry[0]}", entry[1]]  # its question heads its answer, one paragraph
                seen_text = True
            if items:
                blocks.append("\n".join(items))
                seen_text = True
        elif tag == "code":
            code = "".join(el.itertext()).strip("\n")
            if code.strip():
                fence = "````" if "```" in code else "```"
                blocks.append(f"{fence}\n{code}\n{fence}")
                seen_text = True
        elif tag == "table":
            if not seen_text and not whole:
                continue  # a web page's infobox or side table before the text: never the first passage
            rows = []
            for row in el.findall("row"):
                cells = [_text(c) for c in row.findall("cell")]
                cells = [c for c in cells if c]
                if cells:
                    label = cells[0] if cells[0].endswith(":") else cells[0] + ":"  # "ctxt:" is labelled already
                    rows.append(label + " " + " · ".join(cells[1:]) if len(cells) > 1 else cells[0])
            if rows:
                blocks.append("\n".join(rows))
    blocks = _named_by_parents(blocks, levels)
    body = [b for b in blocks if not b.startswith("## ")]
    if sum(len(b) for b in body) < (1 if whole else MIN_TEXT):
        raise PageError("no main text")
    if not title:  # a heading of the page that its <title> names it by (not a site's name over it)
        title = next((t for h in page_blocks().iter("head") if _names_the_page(t := _text(h), parts)), "")
    if not title and several_h1:  # the extractor's title is then one of them; the page's <title> is its own
        title = _page_title(decoded)
    if not title and _folded(metadata_title) in {_folded(b[3:]) for b in blocks if b.startswith("## ")}:
        title = _page_title(decoded)  # the extractor named the page by a section's heading, not by its <title>
    title = title or metadata_title or fallback_title
    return PageText(title, f"# {title}\n\n" + "\n\n".join(_no_empty_sections(blocks)) + "\n")


def _faq_entry(item) -> tuple[str, str] | None:  # type: ignore[no-untyped-def]
    """An FAQ's entry set as a list item: its question (the item's opening words, wholly emphasised or
    ending in "?", and short) and its answer (the paragraphs after it, as one); None for any other item."""
    opening = [item.text] if item.text and item.text.strip() else []
    asked, answer, emphasised = [], [], not opening
    for child in item:
        if answer or child.tag in ("p", "list", "quote", "table"):
            answer.append(_text(child))  # a nested list's items parted, as `_text` reads any block
            answer += [" ".join(child.tail.split())] if child.tail and child.tail.strip() else []
        else:
            asked.append(_text(child) + " " + (child.tail or ""))
            emphasised = emphasised and child.tag == "hi" and not (child.tail or "").strip()
    question = " ".join(" ".join([*opening, *asked]).split())
    if not answer or not any(c.tag == "p" for c in item) or not _HEADS_ITEM.fullmatch(question):
        return None
    if not (emphasised or question.endswith("?")) or question.endswith((":", ",", ";")):
        return None
    return question, " ".join(a for a in answer if a)


def _named_by_parents(blocks: list[str], levels: dict[int, int]) -> list[str]:
    """Headings the page repeats under different parents ("Examples" and "Panics" under every method of
    an API page) named with the heading above them, so each section says whose it is.

    >>> _named_by_parents(["## fn push", "## Panics", "x", "## fn pop", "## Panics", "y"], {0: 4, 1: 5, 3: 4, 4: 5})
    ['## fn push', '## fn push › Panics', 'x', '## fn pop', '## fn pop › Panics', 'y']
    """
    from collections import Counter

    counts = Counter(blocks[i] for i in levels)
    out = list(blocks)
    above: list[tuple[int, str]] = []  # the headings over the current place: (level, text), outermost first
    for i in sorted(levels):
        text, level = blocks[i][3:], levels[i]
        while above and above[-1][0] >= level:
            above.pop()
        if counts[blocks[i]] > 1 and above:
            out[i] = f"## {above[-1][1]} › {text}"
        above.append((level, text))
    return out


def _definitions(el) -> list[str]:  # type: ignore[no-untyped-def]
    """A definition list's entries, each term with its definition ("root: Root is the superuser."),
    or [] for a list of terms alone or of definitions alone, which stays a list."""
    entries: list[list[str]] = []  # [term, definition...]
    for item in el.findall("item"):
        text = _text(item)
        if not text:
            continue
        if (item.get("rend") or "").startswith("dt"):
            entries.append([text])
        elif entries:
            entries[-1].append(text)
        else:
            entries.append(["", text])
    if not any(entry[0] and len(entry) > 1 for entry in entries):
        return []  # terms alone (a contents list), or definitions alone (an encyclopedia's indented lines)
    out = []
    for term, *definition in entries:
        joined = " ".join(definition)
        out.append(f"{term}{'' if term.endswith(':') else ':'} {joined}".strip() if term and joined else term or joined)
    return out


def _extract(html: str) -> Any:
    """trafilatura's XML of a page's main text, parsed; None when it finds none."""
    import trafilatura
    from lxml import etree

    xml = trafilatura.extract(
        html, output_format="xml", include_comments=False, include_formatting=True, include_tables=True,
        include_images=False, with_metadata=True, favor_recall=True,
    )  # fmt: skip
    return etree.fromstring(xml.encode("utf-8")) if xml else None


def _with_headings(children: list[Any], page: list[Any]) -> list[Any]:
    """The extractor's blocks with the page's headings put back: each heading of the page (`page`, as
    `_walk` reads it) that the extractor lost goes before the first block after it in the page that the
    extractor kept, within five blocks (blocks matched in order, by their words); one it kept as a
    paragraph of the heading's words (an FAQ's questions) is that heading again."""

    def key(el: Any) -> str:
        return re.sub(r"\W+", "", _text(el).casefold())

    keys = [key(c) for c in children]
    present = {k for c, k in zip(children, keys, strict=True) if c.tag == "head"}
    positions: dict[str, list[int]] = {}  # a kept block's words -> where it stands, in order
    for j, (c, k) in enumerate(zip(children, keys, strict=True)):
        if k and c.tag != "head":
            positions.setdefault(k, []).append(j)
    before: dict[int, list[Any]] = {}
    promoted: dict[int, Any] = {}  # a kept block that is a heading the extractor read as a paragraph
    headings: list[Any] = []  # the headings over the next block: a site's h1 and a page's h2, say
    skipped, at = 0, 0
    for el in page:
        if el.tag == "head":
            found = positions.get(key(el), [])
            n = bisect.bisect_left(found, at)
            if key(el) and n < len(found) and found[n] <= at + 1 and key(el) not in present:
                before[found[n]] = [h for h in headings if key(h) and key(h) not in present]
                promoted[found[n]] = el  # the heading itself, not a paragraph of its words
                at, headings, skipped = found[n] + 1, [], 0
                continue
            headings, skipped = (headings if skipped == 0 else []) + [el], 0
            continue
        k = key(el)
        found = positions.get(k, [])
        n = bisect.bisect_left(found, at)
        j = found[n] if n < len(found) else None
        if j is None:
            # A block the extractor left out (a signature's code, a row of navigation links): the headings
            # wait a little, and a scrap of a few words does not count.
            skipped += len(k) >= 20
            if skipped > 4:
                headings = []
            continue
        before[j] = [h for h in headings if key(h) and key(h) not in present]
        at, headings, skipped = j + 1, [], 0
    out = []
    for j, c in enumerate(children):
        out += before.get(j, [])
        out.append(promoted.get(j, c))
    return out


def _headings(html: str) -> int:
    """How many headings with text the page has."""
    return len(re.findall(r"<h[1-6]\b[^>]*>\s*(?:<[^>]+>\s*)*[^<\s]", html, re.IGNORECASE))


_SKIPPED = frozenset({"script", "style", "nav", "header", "footer", "aside", "form", "noscript", "button", "head"})


def _walk(html: str) -> Any:
    """The page's text read in document order, as the extractor's XML (``head``, ``p``, ``list``,
    ``code``, ``table``), to find where its headings stand. Navigation, forms and scripts are
    skipped; a block is taken whole, any other element is looked into."""
    import lxml.html
    from lxml import etree

    tree = lxml.html.fromstring(_XML_DECLARATION.sub("", html, count=1))
    for br in tree.iter("br"):
        br.tail = " " + (br.tail or "")
    doc = etree.Element("doc", title=_page_title(html))
    main = etree.SubElement(doc, "main")

    def add(tag: str, text: str, **attributes: str) -> Any:
        el = etree.SubElement(main if tag != "item" else attributes.pop("parent"), tag, **attributes)
        el.text = text
        return el

    def visit(parent: Any) -> None:
        for el in parent:
            if not isinstance(el.tag, str):
                continue
            tag = el.tag.lower()
            words = " ".join(el.text_content().split())
            if tag in _SKIPPED:
                continue
            if re.fullmatch(r"h[1-6]", tag):
                add("head", words, rend=tag)
            elif tag == "p":
                add("p", words)
            elif tag == "pre":
                add("code", el.text_content())
            elif tag in ("ul", "ol", "dl"):
                listed = add("list", "", **({"rend": "dl"} if tag == "dl" else {}))
                for item in el:
                    kind = item.tag.lower() if isinstance(item.tag, str) else ""
                    if kind in ("li", "dt", "dd"):
                        text = _text(item, markers=False)  # "(recommended) pip install x", not ")pip"
                        add("item", text, parent=listed, **({"rend": f"{kind}-1"} if kind != "li" else {}))
            elif tag == "table":
                table = add("table", "")
                for row in el.iter("tr"):
                    cells = etree.SubElement(table, "row")
                    for cell in row:
                        if isinstance(cell.tag, str) and cell.tag.lower() in ("td", "th"):
                            etree.SubElement(cells, "cell").text = " ".join(cell.text_content().split())
            else:
                visit(el)

    body = tree.find("body")
    visit(body if body is not None else tree)
    return doc


def _title_parts(html: str) -> list[str]:
    """The parts of the page's <title>, case folded ("What Is Ownership? - The Rust Book": the page's own
    name, then its site's); none without a <title>.

    >>> _title_parts("<title>A - Keywords - The Rust Book</title>"), _title_parts("<p>x</p>")
    (['a', 'keywords', 'the rust book'], [])
    >>> _title_parts("<title>Top (libffi: the portable library)</title>")
    ['top (libffi: the portable library)', 'top', 'libffi: the portable library']
    """
    page_title = _page_title(html).casefold()
    parts = []
    for part in _TITLE_PARTS.split(page_title) if page_title else []:
        parts.append(part)
        # a texinfo page's "Node (Manual)": "The Closure API (libffi: the portable ... library)"
        parts += list(m.groups()) if (m := re.fullmatch(r"(.+?)\s+\((.{4,})\)", part)) else []
    return parts


def _names_the_page(heading: str, parts: list[str]) -> bool:
    """Whether a heading is one part of the page's <title> (`parts`): "What Is Ownership?" of "What is
    Ownership? - The Rust Programming Language", a book's chapter or a site's page whose h1 is the
    site's name.

    >>> _names_the_page("What Is Ownership?", _title_parts("<title>What is Ownership? - The Rust Book</title>"))
    True
    >>> _names_the_page("Introduction", _title_parts("<title>Introduction to Rust</title>"))
    False
    """
    return " ".join(heading.split()).casefold() in parts


def _title_part(heading: str, parts: list[str]) -> int | None:
    """How early the page's <title> (`parts`) names a heading: twice the index of the part that is the
    heading, one more for a part the heading holds ("Keywords" of "Appendix A: Keywords"); None when it
    does not.

    >>> parts = _title_parts("<title>A - Keywords - The Rust Book</title>")
    >>> _title_part("Appendix A: Keywords", parts), _title_part("The Rust Book", parts)
    (3, 4)
    """
    folded = " ".join(heading.split()).casefold()
    for i, part in enumerate(parts):
        if folded == part:
            return 2 * i
        if len(part) >= 4 and len(folded.split()) <= 12 and re.search(rf"(?<!\w){re.escape(part)}(?!\w)", folded):
            return 2 * i + 1
    return None


def _folded(text: str) -> str:
    """Text compared as a reader reads it: spaces collapsed, case folded."""
    return " ".join(text.split()).casefold()


def _page_title(html: str) -> str:
    """The text of the page's <title> element, or ""."""
    import html as entities

    m = _PAGE_TITLE.search(html[:20000])
    return " ".join(entities.unescape(m.group(1)).split()) if m else ""


def markdown_page(text: str, fallback_title: str) -> PageText:
    """A Markdown document as its reader sees it rendered: links as their words, pictures and badges
    out, emphasis and inline code as plain text, tables as readable lines, code blocks kept; every
    block read (no main-text extraction: a document is all text).

    >>> markdown_page("# Clippy [![CI](b.svg)](ci)\\n\\nA collection of **lints** for [Rust](https://r).", "x")
    PageText(title='Clippy', markdown='# Clippy\\n\\nA collection of lints for Rust.\\n')
    """
    from markdown_it import MarkdownIt

    rendered = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(_github_extras(text))
    # An aside the author wrote (a Notion callout, a tip box) is the document's text, not a page's sidebar.
    rendered = re.sub(r"<aside\b[^>]*>(.*?)</aside>", _aside_quote, rendered, flags=re.IGNORECASE | re.DOTALL)
    html = f'<html><head><meta charset="utf-8"></head><body>{rendered}</body></html>'
    return page_text(html.encode("utf-8"), fallback_title, whole=True)


def _aside_quote(m: re.Match[str]) -> str:
    """An aside's content as a quotation, its bare text a paragraph (Notion writes a callout's text raw)."""
    inner = m.group(1).strip()
    if not re.search(r"<(?:p|ul|ol|pre|table|h[1-6])\b", inner):
        inner = f"<p>{inner}</p>"
    return f"<blockquote>{inner}</blockquote>"


_ALERT = re.compile(r"^(\s*>\s*)\\?\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\][ \t]*", re.IGNORECASE)
_FOOTNOTE_MARK = re.compile(r" ?\[\^[^\]\s]+\](?!:)")
_FOOTNOTE_TEXT = re.compile(r"^(\s*)\[\^[^\]\s]+\]:\s*")
_TASK = re.compile(r"^(\s*(?:[-*+]|\d{1,3}[.)])\s+)\[([ xX])\]\s+")  # a task list's item: "- [ ] Windows"
_SHORTCODE = re.compile(r"(?<![\w:/]):(?=[a-z0-9_+-]*[a-z])[a-z0-9_+-]{1,30}:(?![\w:/])")  # ":rocket:", an emoji
# The emoji that say something in words (a warning, a table's yes and no); any other is a picture.
_SHORTCODE_WORDS = {":warning:": "Warning:", ":information_source:": "Note:", ":white_check_mark:": "yes",
                    ":heavy_check_mark:": "yes", ":x:": "no", ":heavy_multiplication_x:": "no"}  # fmt: skip


def _github_extras(text: str) -> str:
    r"""GitHub's Markdown beyond CommonMark, as its reader sees it: an alert (``> [!TIP]``) led by its
    name ("Tip:"), a footnote's mark (``[^1]``) gone and its text a paragraph where it is written, a task
    list's box as "Done:" or "Not done:", an emoji's shortcode gone (``:rocket:``, drawn as a picture) or
    said in words when it says something (``:warning:`` "Warning:", ``:x:`` "no").
    Fenced code is left as it is.

    >>> print(_github_extras("- [x] Linux\n- [ ] Windows :rocket: at 10:30:00"))
    - Done: Linux
    - Not done: Windows  at 10:30:00

    >>> print(_github_extras("Lints[^r] here.\n\n> [!TIP]\n> Build it.\n\n[^r]: Some uses.\n\n```\nx[^r]\n```"))
    Lints here.
    <BLANKLINE>
    > Tip:
    > Build it.
    <BLANKLINE>
    Some uses.
    <BLANKLINE>
    ```
    x[^r]
    ```
    """
    out, fence = [], None
    for line in text.split("\n"):
        opening = re.match(r"^\s{0,3}(`{3,}|~{3,})", line)
        if fence is not None:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = None
        elif opening:
            fence = opening.group(1)
        else:
            alert = _ALERT.match(line)
            if alert:
                rest = line[alert.end() :]
                line = f"{alert.group(1)}{alert.group(2).capitalize()}:" + (f" {rest}" if rest.strip() else "")
            line = _FOOTNOTE_MARK.sub("", _FOOTNOTE_TEXT.sub(r"\1", line))
            task = _TASK.match(line)
            if task:  # "- [x] Linux supported": the box's state in words, as the ticked box shows it
                line = f"{task.group(1)}{'Not done' if task.group(2) == ' ' else 'Done'}: {line[task.end() :]}"
            line = _SHORTCODE.sub(lambda m: _SHORTCODE_WORDS.get(m.group(0), ""), line)
        out.append(line)
    return "\n".join(out)


def _flat_quotes(elements):  # type: ignore[no-untyped-def]
    """The blocks of trafilatura's text: a section (``div``) read as the blocks it holds, and a quotation
    that holds paragraphs or a list read as those ("...we will:" then each item), not as one run of text
    ("we will:Build and enable...")."""
    from lxml import etree

    def loose(text: str | None) -> list:  # type: ignore[type-arg]
        if not (text and text.strip()):
            return []
        paragraph = etree.Element("p")
        paragraph.text = text
        return [paragraph]

    out = []
    for el in elements:
        if el.tag == "div":  # the extractor's section of the text: its blocks, in order
            out += loose(el.text)
            for child in el:
                out += _flat_quotes([child]) + loose(child.tail)
        elif el.tag == "quote" and any(c.tag in ("p", "list", "quote", "code", "table") for c in el):
            out += loose(el.text)
            for child in el:
                out += _flat_quotes([child]) + loose(child.tail)
        else:
            out.append(el)
    return out


def _no_empty_sections(blocks: list[str]) -> list[str]:
    """Headings with text under them (a heading followed by another heading, or last, is dropped).

    >>> _no_empty_sections(["## A", "## B", "text", "## C"])
    ['## B', 'text']
    """
    out = []
    for i, block in enumerate(blocks):
        following = blocks[i + 1] if i + 1 < len(blocks) else None
        if block.startswith("## ") and (following is None or following.startswith("## ")):
            continue
        out.append(block)
    return out
