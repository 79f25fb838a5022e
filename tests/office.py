"""Small Word documents (.docx), Excel workbooks (.xlsx) and EPUB books written for the tests with
zipfile: paragraphs in Word's own styles (Title, headings, list paragraphs with numbering) and tables; a
workbook's sheets of strings, numbers and dates; an EPUB's chapters in their reading order with a table
of contents page and printed page numbers. Reading them can be tried without Word, Excel, an e-book
library or the shared documents."""

from __future__ import annotations

import io
import re
import zipfile
from xml.sax.saxutils import escape

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL = "http://schemas.openxmlformats.org/package/2006/relationships"
STYLES = {"Title": "Title", "Heading1": "heading 1", "Heading2": "heading 2", "ListParagraph": "List Paragraph"}

Block = tuple[str, str] | list[list[str]]  # (style id or "", text), or a table's rows of cells


def _paragraph(style: str, text: str) -> str:
    """A paragraph; "[^N]" in its text is a reference to footnote N."""
    props = f'<w:pStyle w:val="{style}"/>' if style else ""
    if style == "ListParagraph":
        props += '<w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>'
    runs = []
    for i, part in enumerate(re.split(r"\[\^(\d+)\]", text)):
        if i % 2:
            runs.append(f'<w:r><w:footnoteReference w:id="{part}"/></w:r>')
        elif part:
            runs.append(f'<w:r><w:t xml:space="preserve">{escape(part)}</w:t></w:r>')
    return f"<w:p><w:pPr>{props}</w:pPr>{''.join(runs)}</w:p>"


def _table(rows: list[list[str]]) -> str:
    cells = "".join("<w:tr>" + "".join(f"<w:tc>{_paragraph('', c)}</w:tc>" for c in row) + "</w:tr>" for row in rows)
    return f"<w:tbl>{cells}</w:tbl>"


def make_docx(
    blocks: list[Block], properties_title: str | None = None, footnotes: dict[int, str] | None = None
) -> bytes:
    """A .docx holding `blocks` in order; `properties_title` goes in the document's properties, and
    `footnotes` (number: text) are the notes the blocks' "[^N]" refer to."""
    body = "".join(_table(b) if isinstance(b, list) else _paragraph(*b) for b in blocks)
    styles = "".join(
        f'<w:style w:type="paragraph" w:styleId="{i}"><w:name w:val="{n}"/></w:style>' for i, n in STYLES.items()
    )
    numbering = (
        f'<w:numbering xmlns:w="{W}"><w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0">'
        '<w:numFmt w:val="bullet"/></w:lvl></w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/>'
        "</w:num></w:numbering>"
    )
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.document.main+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{REL}"><Relationship Id="rId1" Target="word/document.xml" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
            "</Relationships>"
        ),
        "word/_rels/document.xml.rels": (
            f'<Relationships xmlns="{REL}">'
            f'<Relationship Id="rId1" Type="{R}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId2" Type="{R}/numbering" Target="numbering.xml"/>'
            f'<Relationship Id="rId3" Type="{R}/footnotes" Target="footnotes.xml"/></Relationships>'
        ),
        "word/footnotes.xml": f'<w:footnotes xmlns:w="{W}">'
        + "".join(f'<w:footnote w:id="{n}">{_paragraph("", t)}</w:footnote>' for n, t in (footnotes or {}).items())
        + "</w:footnotes>",
        "word/document.xml": f'<w:document xmlns:w="{W}" xmlns:r="{R}"><w:body>{body}</w:body></w:document>',
        "word/styles.xml": f'<w:styles xmlns:w="{W}">{styles}</w:styles>',
        "word/numbering.xml": numbering,
    }
    if properties_title is not None:
        parts["docProps/core.xml"] = (
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            f'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{escape(properties_title)}</dc:title>'
            "</cp:coreProperties>"
        )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, xml in parts.items():
            z.writestr(name, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' + xml)
    return out.getvalue()


def make_epub(title: str, chapters: list[str]) -> bytes:
    """An EPUB 3 book: `chapters` (each the inner HTML of a body) in reading order, after a table of
    contents page that is not reading text; the mimetype entry first, stored, as the format asks."""
    opf = "http://www.idpf.org/2007/opf"
    items = '<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>' + "".join(
        f'<item id="c{i}" href="text/c{i}.xhtml" media-type="application/xhtml+xml"/>' for i in range(len(chapters))
    )
    spine = '<itemref idref="nav"/>' + "".join(f'<itemref idref="c{i}"/>' for i in range(len(chapters)))
    page = '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"><body>{}</body></html>'
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        z.writestr(
            "META-INF/container.xml",
            '<container xmlns="urn:oasis:names:tc:opendocument:xmlns:container" version="1.0"><rootfiles>'
            '<rootfile full-path="OEBPS/book.opf" media-type="application/oebps-package+xml"/></rootfiles></container>',
        )
        z.writestr(
            "OEBPS/book.opf",
            f'<package xmlns="{opf}" version="3.0"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<dc:title>{escape(title)}</dc:title></metadata><manifest>{items}</manifest><spine>{spine}</spine></package>",
        )
        z.writestr("OEBPS/nav.xhtml", page.format('<nav epub:type="toc"><ol><li>Contents page</li></ol></nav>'))
        for i, chapter in enumerate(chapters):
            z.writestr(f"OEBPS/text/c{i}.xhtml", page.format(chapter))
    return out.getvalue()


def make_odt(body: str, title: str | None = None) -> bytes:
    """An OpenDocument text whose body is `body` (ODF text XML: text:h, text:p, text:list, table:table,
    with the text: and table: prefixes); the paragraph styles "P1" to "P4" are automatic styles over
    "Title", "Preformatted Text", "List Heading" and "List Contents", as LibreOffice writes them, and
    `title` goes in the document's properties."""
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"'
    )
    content = (
        f"<office:document-content {ns}><office:automatic-styles>"
        '<style:style style:name="P1" style:family="paragraph" style:parent-style-name="Title"/>'
        '<style:style style:name="P2" style:family="paragraph" style:parent-style-name="Preformatted_20_Text"/>'
        '<style:style style:name="P3" style:family="paragraph" style:parent-style-name="List_20_Heading"/>'
        '<style:style style:name="P4" style:family="paragraph" style:parent-style-name="List_20_Contents"/>'
        f"</office:automatic-styles><office:body><office:text>{body}</office:text></office:body>"
        "</office:document-content>"
    )
    meta = (
        f"<office:document-meta {ns}><office:meta>"
        + (f"<dc:title>{escape(title)}</dc:title>" if title else "")
        + "</office:meta></office:document-meta>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED
        )
        z.writestr("content.xml", content)
        z.writestr("meta.xml", meta)
    return out.getvalue()


def make_pptx(
    slides: list[tuple[str | None, list[str], str | None]], properties_title: str = "PowerPoint Presentation"
) -> bytes:
    """A PowerPoint deck: each slide (title or None, the lines of its text box, speaker notes or None),
    with a slide-number box on every slide, in the deck's order (its slide files numbered backwards, so
    that the order comes from the deck, not from the file names)."""
    pml = "http://schemas.openxmlformats.org/presentationml/2006/main"
    dml = "http://schemas.openxmlformats.org/drawingml/2006/main"
    ns = f'xmlns:p="{pml}" xmlns:a="{dml}" xmlns:r="{R}"'

    def shape(kind: str | None, lines: list[str]) -> str:
        ph = f'<p:nvSpPr><p:nvPr><p:ph type="{kind}"/></p:nvPr></p:nvSpPr>' if kind else "<p:nvSpPr/>"
        paras = "".join(f"<a:p><a:r><a:t>{escape(line)}</a:t></a:r></a:p>" for line in lines)
        return f"<p:sp>{ph}<p:txBody>{paras}</p:txBody></p:sp>"

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        ids, targets = [], []
        for n, (title, lines, notes) in enumerate(slides, 1):
            part = f"slide{len(slides) + 1 - n}.xml"
            ids.append(f'<p:sldId id="{255 + n}" r:id="rId{n}"/>')
            targets.append(f'<Relationship Id="rId{n}" Type="{R}/slide" Target="slides/{part}"/>')
            tree = (shape("title", [title]) if title else "") + shape(None, lines) + shape("sldNum", [str(n)])
            z.writestr(f"ppt/slides/{part}", f"<p:sld {ns}><p:cSld><p:spTree>{tree}</p:spTree></p:cSld></p:sld>")
            if notes:
                z.writestr(
                    f"ppt/slides/_rels/{part}.rels",
                    f'<Relationships xmlns="{REL}"><Relationship Id="rId1" Type="{R}/notesSlide" '
                    f'Target="../notesSlides/notes{n}.xml"/></Relationships>',
                )
                z.writestr(
                    f"ppt/notesSlides/notes{n}.xml",
                    f"<p:notes {ns}><p:cSld><p:spTree>{shape('body', [notes])}</p:spTree></p:cSld></p:notes>",
                )
        z.writestr(
            "ppt/presentation.xml", f"<p:presentation {ns}><p:sldIdLst>{''.join(ids)}</p:sldIdLst></p:presentation>"
        )
        z.writestr(
            "ppt/_rels/presentation.xml.rels", f'<Relationships xmlns="{REL}">{"".join(targets)}</Relationships>'
        )
        z.writestr(
            "docProps/core.xml",
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            f'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{escape(properties_title)}</dc:title>'
            "</cp:coreProperties>",
        )
    return out.getvalue()


def make_xlsx(sheets: list[tuple[str, list[list[object]]]], title: str = "") -> bytes:
    """An Excel workbook: each sheet (name, rows), a string cell a shared string (every third an inline
    string), a number as a number, a `datetime.date` as its serial number in the built-in date format,
    the sheets' files numbered backwards (the order comes from the workbook)."""
    import datetime

    sml = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    shared: list[str] = []
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        listed, targets = [], []
        for n, (name, rows) in enumerate(sheets, 1):
            part = f"sheet{len(sheets) + 1 - n}.xml"
            listed.append(f'<sheet name="{escape(name)}" sheetId="{n}" r:id="rId{n}"/>')
            targets.append(f'<Relationship Id="rId{n}" Type="{R}/worksheet" Target="worksheets/{part}"/>')
            xml_rows = []
            for r, row in enumerate(rows, 1):
                cells = []
                for c, value in enumerate(row):
                    ref = f"{chr(65 + c)}{r}"
                    if value is None or value == "":
                        continue
                    if isinstance(value, datetime.date):
                        days = (value - datetime.date(1899, 12, 30)).days
                        cells.append(f'<c r="{ref}" s="1"><v>{days}</v></c>')
                    elif isinstance(value, (int, float)):
                        cells.append(f'<c r="{ref}"><v>{value}</v></c>')
                    elif (r + c) % 3 == 0:
                        cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>')
                    else:
                        shared.append(str(value))
                        cells.append(f'<c r="{ref}" t="s"><v>{len(shared) - 1}</v></c>')
                xml_rows.append(f'<row r="{r}">{"".join(cells)}</row>')
            z.writestr(
                f"xl/worksheets/{part}",
                f'<worksheet xmlns="{sml}"><sheetData>{"".join(xml_rows)}</sheetData></worksheet>',
            )
        z.writestr(
            "xl/workbook.xml", f'<workbook xmlns="{sml}" xmlns:r="{R}"><sheets>{"".join(listed)}</sheets></workbook>'
        )
        z.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{REL}">{"".join(targets)}</Relationships>')
        strings = "".join(f"<si><t>{escape(x)}</t></si>" for x in shared)
        z.writestr("xl/sharedStrings.xml", f'<sst xmlns="{sml}">{strings}</sst>')
        z.writestr(
            "xl/styles.xml",
            f'<styleSheet xmlns="{sml}"><cellXfs><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs></styleSheet>',
        )
        if title:
            z.writestr(
                "docProps/core.xml",
                '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
                f'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{escape(title)}</dc:title></cp:coreProperties>',
            )
    return out.getvalue()
