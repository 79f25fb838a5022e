"""Small PDFs written byte by byte for the tests: text placed where a layout puts it, in regular or bold
Helvetica at any size, with the fi ligature as its own glyph, so that every rule of `pdf_text` can be
tried without a PDF library and without the shared documents."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT = 612, 792
LIGATURE = "\ufb01"  # written with the font's own "fi" glyph
# Characters written by a glyph name the Adobe Glyph List does not know, as TeX's math fonts name them
# ("\ufffd" is written as a glyph whose name means nothing), each at its code in the font's /Differences.
# The codes are ones WinAnsiEncoding leaves undefined, as a TeX font's own encoding does.
NAMED_GLYPHS = {"\u03f5": (129, "epsilon1"), "\u27e8": (141, "angbracketleft"), "\u27e9": (143, "angbracketright"),
                "\ufffd": (144, "zzznoname"), "\u20dd": (157, "circlecopyrt")}  # fmt: skip


@dataclass(frozen=True)
class Text:
    """One line of text: its left edge and its distance from the top of the page, in points."""

    x: float
    top: float
    text: str
    size: float = 10.0
    bold: bool = False
    font: str = (
        ""  # "" (Helvetica), "symbols" (a word processor's symbol font), "math" (a TeX math font), "mono" (Courier)
    )


@dataclass(frozen=True)
class Rule:
    """A short horizontal stroke, as TeX draws an underscore in a text font: from `x`, `width` long, `rise`
    points above the baseline of a line of 10-point text set at `top`."""

    x: float
    top: float
    width: float
    rise: float = 0.0


def column(x: float, top: float, lines: list[str], size: float = 10.0, leading: float = 12.0) -> list[Text]:
    """Lines set one under another, `leading` apart."""
    return [Text(x, top + i * leading, line, size) for i, line in enumerate(lines)]


def _escape(text: str) -> str:
    out = []
    for ch in text:
        if ch == LIGATURE:
            out.append("\\310")  # code 200, mapped to the glyph "fi" by the font's /Differences
        elif ch in NAMED_GLYPHS:
            out.append(f"\\{NAMED_GLYPHS[ch][0]:o}")
        elif ch in "\\()":
            out.append("\\" + ch)
        elif ord(ch) > 255:  # WinAnsiEncoding's own (an en dash is 0x96 there)
            out.append(f"\\{ch.encode('cp1252')[0]:o}")
        else:
            out.append(ch)
    return "".join(out)


def make_pdf(pages: list[list[Text | Rule]], info_title: str | None = None) -> bytes:
    """A PDF with one page per list; text in Helvetica (regular or bold), WinAnsi plus the fi glyph."""
    named = " ".join(f"{code} /{name}" for code, name in NAMED_GLYPHS.values())
    encoding = f"<< /Type /Encoding /BaseEncoding /WinAnsiEncoding /Differences [200 /fi {named}] >>"
    objects: dict[int, bytes] = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        3: f"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding {encoding} >>".encode(),
        4: f"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding {encoding} >>".encode(),
    }
    fonts = {"": "/F1", "symbols": "/F3", "math": "/F4", "mono": "/F5"}
    extra = {"/F3": "ABCDEF+WPTypographicSymbols", "/F4": "ABCDEF+LMMathSymbols10-Regular"}
    fonts_at = 6 + 2 * len(pages)  # after the pages and the info dictionary
    kids = " ".join(f"{5 + 2 * i} 0 R" for i in range(len(pages)))
    objects[2] = f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode()
    for i, texts in enumerate(pages):
        ops = []
        for t in texts:
            if isinstance(t, Rule):
                y = HEIGHT - t.top - 10 + t.rise
                ops.append(f"0.4 w {t.x} {y} m {t.x + t.width} {y} l S")
                continue
            font = "/F2" if t.bold else fonts[t.font]
            ops.append(f"BT {font} {t.size} Tf 1 0 0 1 {t.x} {HEIGHT - t.top - t.size} Tm ({_escape(t.text)}) Tj ET")
        content = "\n".join(ops).encode("latin-1")
        objects[5 + 2 * i] = (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {WIDTH} {HEIGHT}] "
            f"/Resources << /Font << /F1 3 0 R /F2 4 0 R /F3 {fonts_at} 0 R /F4 {fonts_at + 1} 0 R "
            f"/F5 {fonts_at + 2} 0 R >> >> "
            f"/Contents {6 + 2 * i} 0 R >>"
        ).encode()
        objects[6 + 2 * i] = f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream"
    info = 5 + 2 * len(pages)
    objects[info] = f"<< /Title ({_escape(info_title or '')}) >>".encode("latin-1")
    widths = " ".join(["500"] * 224)
    for n, base in enumerate(extra.values()):
        descriptor = (f"<< /Type /FontDescriptor /FontName /{base} /Flags 4 /FontBBox [0 -200 1000 800] "
                      "/ItalicAngle 0 /Ascent 800 /Descent -200 /CapHeight 700 /StemV 80 >>")  # fmt: skip
        objects[fonts_at + n] = (
            f"<< /Type /Font /Subtype /Type1 /BaseFont /{base} /Encoding {encoding} /FirstChar 32 /LastChar 255 "
            f"/Widths [{widths}] /FontDescriptor {descriptor} >>"
        ).encode()
    objects[fonts_at + 2] = f"<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding {encoding} >>".encode()
    out, offsets = b"%PDF-1.4\n", {}
    for num in sorted(objects):
        offsets[num] = len(out)
        out += f"{num} 0 obj\n".encode() + objects[num] + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offsets[num]:010d} 00000 n \n".encode() for num in sorted(objects))
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info {info} 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def paper(pages: int = 3) -> bytes:
    """A two-column paper: a title larger than the text, a running header and a page footer on every
    page, numbered bold headings, a paragraph that runs from the left column into the right one and
    from one page into the next, a word hyphenated at a line end, a ligature, a references section."""
    out = []
    for n in range(1, pages + 1):
        texts = [Text(72, 30, "JOURNAL OF TESTS, VOL. 1", 8), Text(300, 760, f"Page {n}", 8)]
        if n == 1:
            texts += [Text(120, 60, "Ketamine Infusions for Alcohol Use", 18), Text(200, 84, "A. Author", 10)]
        top = 130
        left = [
            f"Intro text on page {n} explains the",
            "setting in which the trial took place",
            "and why it mattered to the clinicians.",
        ]
        texts += column(72, top, left)
        texts.append(Text(72, top + 48, f"{n}.1 Dosing on page {n}", 10, bold=True))
        texts += column(72, top + 66, [
            "Ketamine was given as three weekly",
            f"intravenous infusions of 0.{n} mg/kg",
            "over forty minutes, each followed by a",
            "therapy session with a trained coun-",
        ])  # fmt: skip
        texts += column(320, top, [
            "selor who had not been told the group.",
            f"The {LIGATURE}ndings on page {n} were clear",
            "and the participants were followed up",
            "for six months after the last dose and",
            "then asked about",
        ])  # fmt: skip
        if n == pages:
            texts.append(Text(320, top + 80, "References", 10, bold=True))
            texts += column(320, top + 98, ["[1] A. Author. A trial. Journal, 2020."])
        out.append(texts)
    if pages > 1:  # the last sentence of page 1's right column goes on at the top of page 2's left column
        out[1] = [
            t if t.text != "Intro text on page 2 explains the" else Text(72, 130, "their drinking.") for t in out[1]
        ]
    return make_pdf(out, info_title="paper-final-v3.docx")


REPORT = {
    "title": "Riverside Community Garden: Water Use in 2026",
    "pages": [
        [
            ("1 Summary", None),
            ("The garden used 412 cubic metres of water this season, a fifth less than in 2025. Most", None),
            ("of the saving came from drip lines on the vegetable beds and from mulching the paths", None),
            ("in May, before the dry weeks of June.", None),
            ("2 Irrigation", None),
            ("2.1 Drip lines", None),
            ("Drip lines were laid on all forty raised beds in April. Each bed is watered for twelve", None),
            ("minutes at dawn on a timer, and members no longer water the beds by hand. The lines", None),
            ("cost 1,850 euros, paid from the council's climate grant.", None),
            ("2.2 Rain barrels", None),
            ("Six rain barrels on the shed roofs collected about 30 cubic metres. They filled twice in", None),
            ("March and once in September, and ran dry for most of the summer.", None),
        ],
        [
            ("3 Costs", None),
            ("The water bill fell from 1,240 euros to 980 euros. The committee proposes to spend the", None),
            ("difference on two more barrels and a moisture sensor for the orchard.", None),
            ("4 Next season", None),
            ("Members asked for a shaded bench by the tap and for watering rotas to be posted online.", None),
            ("The committee will vote on both at the general meeting in February.", None),
        ],
    ],
}


def report() -> bytes:
    """A short two-page report of our own, laid out as one: title, numbered headings, a running footer."""
    pages = []
    for n, lines in enumerate(REPORT["pages"], 1):
        texts = [Text(72, 750, "Riverside Community Garden", 8), Text(500, 750, f"Page {n}", 8)]
        if n == 1:
            texts.append(Text(72, 60, REPORT["title"], 17, bold=True))
        top = 110.0
        for line, _ in lines:
            heading = line[:1].isdigit() and len(line) < 40
            if heading:
                top += 8
            texts.append(Text(72, top, line, 11 if heading else 10, bold=heading))
            top += 18 if heading else 13
        pages.append(texts)
    return make_pdf(pages, info_title="report_final2.docx")
