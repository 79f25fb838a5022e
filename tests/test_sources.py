"""Bringing articles in (`article-qa add`): web pages, URLs, PDFs, text; every bad source refused cleanly.

The fixtures are written here: an HTML page with page furniture, PDFs made byte by byte, and a loopback
HTTP server for URLs. No test reaches the internet.
"""

import http.server
import json
import threading
from pathlib import Path

import pytest

from article_qa import Retriever, cli
from article_qa.passages import read_document, split_document
from article_qa.sources import SourceError, add

from .conftest import FakeEmbedder
from .office import make_docx, make_epub, make_odt, make_pptx, make_xlsx
from .pdfs import Text, column, make_pdf

PAGE = """<html><head><title>Coffee and Sleep | Health Site</title></head><body>
<nav><a href="/">Home</a> <a href="/about">About us</a> Subscribe to our newsletter</nav>
<article><h1>Coffee and Sleep</h1>
<p>Caffeine late in the day delays sleep by about forty minutes, according to a 2023 study of 500 adults.</p>
<h2>How caffeine works</h2>
<p>Caffeine blocks adenosine receptors in the brain. Adenosine builds up during the day and makes people sleepy.</p>
<p>The effect lasts for five to six hours in most adults, longer in older people.</p>
<h2>What to do</h2>
<ul><li>Stop drinking coffee after 2 pm.</li><li>Prefer decaffeinated tea in the evening.</li></ul>
</article>
<div class="comments"><h3>Comments</h3><p>Great post! I drink coffee at night and sleep fine.</p></div>
<footer>Copyright 2026 Health Site. All rights reserved.</footer></body></html>"""


PAPER = [
    [Text(72, 60, "Ketamine Dosing Notes", 18),
     *column(72, 120, ["In the alcohol trial, ketamine was given as three weekly",
                       "intravenous infusions of 0.8 mg/kg over 40 minutes.",
                       "Each infusion was followed by a therapy session."], 11, 14)],
    [*column(72, 120, ["At six months, participants given ketamine had more",
                       "days without drinking than those given saline.",
                       "The study was small and needs to be repeated."], 11, 14)],
]  # fmt: skip


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    return folder


@pytest.fixture
def server(tmp_path: Path):
    """A loopback HTTP server over a folder of its own; yields (folder, base URL)."""
    root = tmp_path / "site"
    root.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **k):
            super().__init__(*a, directory=str(root), **k)

        def log_message(self, *a):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_a_saved_web_page_keeps_its_main_text_and_headings(tmp_path, corpus):
    page = tmp_path / "coffee.html"
    page.write_text(PAGE, "utf-8")
    path = add(str(page), corpus)
    text = path.read_text("utf-8")
    assert path.name == "coffee-and-sleep.md" and text.startswith("---\norigin: ")
    assert "sha256: " in text and "# Coffee and Sleep" in text and "## How caffeine works" in text
    assert "Subscribe" not in text and "Great post" not in text and "Copyright" not in text
    passages = split_document(read_document(path))
    assert passages[0].title == "Coffee and Sleep" and "origin" not in passages[0].text  # front matter skipped
    assert {p.section for p in passages} >= {"How caffeine works", "What to do"}
    assert all(text[p.start : p.end] == p.text for p in passages)


def test_a_pdf_becomes_pages_and_citations_say_which(tmp_path, corpus):
    pdf = tmp_path / "notes.pdf"
    pdf.write_bytes(make_pdf(PAPER))
    path = add(str(pdf), corpus)
    passages = split_document(read_document(path))
    assert passages[0].title == "Ketamine Dosing Notes"  # the printed title, not the metadata's
    assert [p.page for p in passages] == [1, 2] and [p.paragraph for p in passages] == [1, 1]
    hit = Retriever(corpus, tmp_path / "index", embedder=FakeEmbedder()).search(
        "ketamine mg/kg infusion minutes", 1, min_score=None
    )[0]
    assert hit.citation == "Introduction, page 1, ¶1 (ketamine-dosing-notes.md)" and "0.8 mg/kg" in hit.text
    assert hit.page == 1 and hit.where == "Introduction, page 1, ¶1"


def test_urls_are_fetched_from_the_server(server, corpus):
    root, url = server
    (root / "coffee.html").write_text(PAGE, "utf-8")
    (root / "notes.pdf").write_bytes(make_pdf(PAPER))
    html = add(f"{url}/coffee.html", corpus)
    pdf = add(f"{url}/notes.pdf", corpus)
    assert f"origin: {url}/coffee.html" in html.read_text("utf-8") and "<!-- page 2 -->" in pdf.read_text("utf-8")


def _redirect(to: str) -> str:
    return (f'<!DOCTYPE html><html><head><title>Redirecting...</title><meta http-equiv="refresh" content="0; URL={to}">'
            f'</head><body><p>Redirecting to... <a href="{to}">{to}</a>.</p></body></html>')  # fmt: skip


def test_a_page_that_only_redirects_is_read_as_the_page_it_names(server, corpus, tmp_path):
    root, url = server
    (root / "coffee.html").write_text(PAGE, "utf-8")
    (root / "old-coffee.html").write_text(_redirect("coffee.html"), "utf-8")
    added = add(f"{url}/old-coffee.html", corpus)
    assert "Caffeine late in the day" in added.read_text("utf-8")
    assert f"origin: {url}/coffee.html" in added.read_text("utf-8")  # the page read, not the signpost
    book = tmp_path / "book"
    book.mkdir()
    (book / "ch18-01.html").write_text(PAGE.replace("Coffee and Sleep", "Tea and Sleep"), "utf-8")
    (book / "ch17-01.html").write_text(_redirect("ch18-01.html#top"), "utf-8")
    assert "# Tea and Sleep" in add(str(book / "ch17-01.html"), corpus).read_text("utf-8")
    with pytest.raises(SourceError, match="already in"):  # the same page by its new name
        add(str(book / "ch18-01.html"), corpus)
    (book / "a.html").write_text(_redirect("b.html"), "utf-8")
    (book / "b.html").write_text(_redirect("a.html"), "utf-8")
    with pytest.raises(SourceError, match="more than 3 redirects"):
        add(str(book / "a.html"), corpus)
    assert len(list(corpus.glob("*.md"))) == 2


BAD = {
    "blank.pdf": make_pdf([[], []]),
    "broken.pdf": b"%PDF-1.4 not really",
    "links.html": b"<html><body><a href=x>x</a></body></html>",
    "report.docx": b"PK\x03\x04",
    "old.doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512),  # Word 97-2003: not read
    "cyrillic.txt": "Привет, как дела? Это простой текст.".encode("koi8-r"),  # neither UTF-8 nor Western
}


@pytest.mark.parametrize(
    "source, message",
    [
        ("URL/missing.html", "could not fetch"),
        ("http://127.0.0.1:9/closed.html", "could not fetch"),
        ("blank.pdf", "no text layer"),
        ("broken.pdf", "PDF"),
        ("links.html", "no main text"),
        ("report.docx", "not a Word document it can read"),
        ("old.doc", "cannot read this kind"),
        ("cyrillic.txt", "UTF-8"),
        ("nowhere.md", "is not a file"),
    ],
)
def test_bad_sources_are_refused_and_change_nothing(server, corpus, source, message):
    root, url = server
    for name, data in BAD.items():
        (root / name).write_bytes(data)
    if not source.startswith(("URL", "http")):
        source = str(root / source)
    (corpus / "kept.md").write_text("# Kept\n\nA paragraph that stays.\n", "utf-8")
    before = {p.name: p.read_bytes() for p in corpus.iterdir()}
    with pytest.raises(SourceError, match=message):
        add(source.replace("URL", url), corpus)
    assert {p.name: p.read_bytes() for p in corpus.iterdir()} == before


def test_the_same_source_twice_is_refused_and_names_clash_safely(tmp_path, corpus):
    page = tmp_path / "coffee.html"
    page.write_text(PAGE, "utf-8")
    add(str(page), corpus)
    with pytest.raises(SourceError, match="already in"):
        add(str(page), corpus)
    (tmp_path / "coffee2.html").write_text(PAGE.replace("forty minutes", "forty-one minutes"), "utf-8")
    assert add(str(tmp_path / "coffee2.html"), corpus).name == "coffee-and-sleep-2.md"


def test_add_on_the_command_line(tmp_path, corpus, capsys):
    page = tmp_path / "coffee.html"
    page.write_text(PAGE, "utf-8")
    assert cli.main(["add", str(page), "--corpus", str(corpus)]) == 0
    assert "added " in capsys.readouterr().out
    assert cli.main(["add", str(tmp_path / "nothing.pdf"), "--corpus", str(corpus)]) == 2
    assert "is not a file" in capsys.readouterr().err


LICENCE = """                    THE TEA LICENCE
                     Version 2, May 2026

                            Preamble

  This licence lets you share the tea recipes in this file with anyone.

                    TERMS AND CONDITIONS

  0. Definitions.

  "The Recipes" means every recipe in this file.

  1. Selling Copies.

  You may charge any price or no price for each copy that you give away
or sell, as long as this licence goes with it.

Brewing Notes
-------------
Steep green tea for two minutes at eighty degrees.

To install the recipe book:

1. download the archive.

    make install
"""


def test_a_text_file_keeps_its_own_headings(tmp_path, corpus):
    source = tmp_path / "tea.txt"
    source.write_text(LICENCE, "utf-8")
    passages = split_document(read_document(add(str(source), corpus)))
    where = {p.text.split()[0]: p.section for p in passages}
    assert passages[0].title == "THE TEA LICENCE"
    assert where['"The'] == "0. Definitions"  # numbered, title case: a heading, its full stop left out
    assert where["You"] == "1. Selling Copies"
    assert where["Steep"] == "Brewing Notes"  # underlined: a heading, and the rule is no passage
    assert not any(set(p.text.strip()) <= {"-"} for p in passages)
    # a numbered step in lower case (with the line that leads into it) and an indented command stay
    # text under their heading
    assert where["To"] == "Brewing Notes" and where["make"] == "Brewing Notes"
    assert "To install the recipe book:\n\n1. download the archive." in [p.text for p in passages]
    assert where["This"] == "Preamble"  # centred, alone: a heading
    assert not {"TERMS AND CONDITIONS", "0. Definitions.", "Preamble"} & {p.text.strip() for p in passages}


def test_text_files_known_by_their_bytes_and_their_heading_styles(tmp_path, corpus):
    faq = tmp_path / "FAQ"  # no suffix: read as text because it is text
    faq.write_text("Frequently Asked Questions\n==========================\n\nWhy use tea?\n------------\n"
                   "Because it calms the mind.\n", "utf-8")  # fmt: skip
    notes = tmp_path / "notes.adoc"
    notes.write_text("= Tea Notes\n\n== Brewing\n\nSteep it for two minutes.\n", "utf-8")
    guide = tmp_path / "guide.rst"
    guide.write_text("=========\nTea Guide\n=========\n\nStorage\n-------\n\nKeep it dry.\n", "utf-8")
    seen = {}
    for source in (faq, notes, guide):
        for p in split_document(read_document(add(str(source), corpus))):
            seen[p.text.strip()] = (p.title, p.section)
    assert seen["Because it calms the mind."] == ("Frequently Asked Questions", "Why use tea?")
    assert seen["Steep it for two minutes."] == ("Tea Notes", "Brewing")
    assert seen["Keep it dry."] == ("Tea Guide", "Storage")


def test_a_readme_opening_with_html_is_titled_by_its_heading_or_its_tagline(tmp_path, corpus):
    logo = tmp_path / "README.md"  # GitHub READMEs open with a centred logo, badges and a tagline in HTML
    logo.write_text('<div align="center">\n  <img src="logo.svg" width="300">\n</div>\n\n# Hypothesis\n\n'
                    "Hypothesis is a testing library for Python.\n", "utf-8")  # fmt: skip
    passages = split_document(read_document(added := add(str(logo), corpus)))
    assert added.name == "hypothesis.md" and [(p.title, p.text) for p in passages] == [
        ("Hypothesis", "Hypothesis is a testing library for Python.")
    ]
    tagline = tmp_path / "httpx.md"
    tagline.write_text('<p align="center">\n  <a href="https://x.org/"><img src="b.png" alt="HTTPX"></a>\n</p>\n\n'
                       '<p align="center"><strong>HTTPX</strong> <em>- A next-generation HTTP client.</em></p>\n\n'
                       "HTTPX is a fully featured HTTP client library.\n\n"
                       "## Install\n\n```\n# pip\npip install httpx\n```\n", "utf-8")  # fmt: skip
    passages = split_document(read_document(added := add(str(tagline), corpus)))
    assert added.name == "httpx-a-next-generation-http-client.md"
    assert {p.title for p in passages} == {"HTTPX - A next-generation HTTP client."}
    assert "HTTPX is a fully featured HTTP client library." in [p.text for p in passages]
    assert [p.section for p in passages if "pip install" in p.text] == ["Install"]
    bare = tmp_path / "notes.md"  # HTML without words above the text: the file's name
    bare.write_text('<img src="banner.png">\n\nSome notes on tea.\n', "utf-8")
    assert [p.title for p in split_document(read_document(add(str(bare), corpus)))] == ["notes"]
    badges = tmp_path / "plotting.md"  # a line of Markdown badges over the text: no words, no title
    badges.write_text("[![PyPi](https://img.shields.io/pypi/v/m)](https://pypi.org/m) ![CI](ci.svg)\n\n"
                      "Matplotlib is a plotting library.\n", "utf-8")  # fmt: skip
    assert [p.title for p in split_document(read_document(add(str(badges), corpus)))] == ["plotting"]
    headed = tmp_path / "headed.md"  # ... and a heading under them is the title
    headed.write_text("[![CI](ci.svg)](ci)\n\n# Plotting\n\nPlots.\n", "utf-8")
    assert [p.title for p in split_document(read_document(add(str(headed), corpus)))] == ["Plotting"]


def test_a_text_opening_with_a_sentence_is_titled_by_its_name(tmp_path, corpus):
    source = tmp_path / "README.FHS"
    source.write_text("The standard names /var/mail as the spool, but it also says\nthat /var/spool/mail works.\n")
    passages = split_document(read_document(add(str(source), corpus)))
    assert passages[0].title == "README.FHS"
    assert passages[0].text.startswith("The standard names /var/mail")


def test_add_takes_several_sources_and_a_folder_and_says_which_failed(tmp_path, corpus, capsys):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "coffee.html").write_text(PAGE, "utf-8")
    (inbox / "tea.txt").write_text(LICENCE, "utf-8")
    (inbox / "scan.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (inbox / ".hidden.txt").write_text("Secret\n\nNot for the corpus.\n", "utf-8")
    (inbox / "desktop.ini").write_text("[.ShellClassInfo]\nIconResource=x\n", "utf-8")  # text, but settings
    extra = tmp_path / "notes.txt"
    extra.write_text("Notes\n\nA line about oolong.\n", "utf-8")
    assert cli.main(["add", str(inbox), str(extra), "--corpus", str(corpus)]) == 0  # picture, settings passed over
    out, err = capsys.readouterr()
    assert out.count("added ") == 3 and "passed over 2 file(s) that are code, settings or pictures" in out
    assert "desktop.ini, scan.png" in out and not err
    assert sorted(p.name for p in corpus.glob("*.md")) == ["coffee-and-sleep.md", "notes.md", "the-tea-licence.md"]
    (tmp_path / "scan.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")  # named on its own: read, and refused
    assert cli.main(["add", str(tmp_path / "scan.png"), "--corpus", str(corpus)]) == 2
    assert "scan.png: cannot read this kind of file" in capsys.readouterr().err
    assert cli.main(["add", str(extra), "--corpus", str(corpus)]) == 2  # once is enough
    assert "already in" in capsys.readouterr().err


def test_a_word_document_keeps_its_title_headings_lists_and_tables(tmp_path, corpus):
    source = tmp_path / "tea.docx"
    source.write_bytes(make_docx([
        ("Title", "Tea Guide"), ("", "A short guide to brewing tea at home."),
        ("Heading1", "Brewing"), ("", "Steep green tea for two minutes at eighty degrees."),
        ("ListParagraph", "Warm the pot first."), ("ListParagraph", "Use fresh water."),
        ("Heading1", "Storage"), ("", "Keep tea dry[^1] and away from light."),
        [["Green", "2 minutes"], ["Black", "4 minutes"]],
    ], properties_title="Microsoft Word - tea.doc", footnotes={1: "Below 60% humidity."}))  # fmt: skip
    passages = split_document(read_document(add(str(source), corpus)))
    where = {p.text: p.section for p in passages}
    assert {p.title for p in passages} == {"Tea Guide"}  # the Title style, not the properties' "Microsoft Word - ..."
    assert where["Steep green tea for two minutes at eighty degrees."] == "Brewing"
    assert where["Warm the pot first."] == "Brewing" and where["Use fresh water."] == "Brewing"
    assert where["Green: 2 minutes\nBlack: 4 minutes"] == "Storage"  # a table as readable lines
    assert where["Keep tea dry and away from light."] == "Storage"  # no "[1]" marker in the text
    assert where["Below 60% humidity."] == "Notes"  # the notes under a heading of their own, no "↑" link
    assert cli.main(["add", str(source), "--corpus", str(tmp_path / "other")]) == 0


def test_a_word_document_without_a_title_style_takes_its_properties_or_its_name(tmp_path, corpus):
    titled = tmp_path / "a.docx"
    titled.write_bytes(make_docx([("Heading1", "Intro"), ("", "One."), ("Heading1", "End"), ("", "Two.")], "Tea Notes"))
    unnamed = tmp_path / "b.docx"
    unnamed.write_bytes(make_docx([("Heading1", "Intro"), ("", "One."), ("Heading1", "End"), ("", "Two!")]))
    assert split_document(read_document(add(str(titled), corpus)))[0].title == "Tea Notes"
    assert split_document(read_document(add(str(unnamed), corpus)))[0].title == "b"


WORD_RTF = r"""{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0\fnil\fcharset0 Calibri;}}{\colortbl ;\red0\green0\blue255;}
{\stylesheet{ Normal;}{\s1\b\fs32 heading 1;}{\s15\fs56 Title;}}{\*\generator Riched20 10.0.19041}
{\info{\title Brewing Tea at Home}{\author Ann Example}}\viewkind4\uc1
\pard\s15\fs56 Brewing Tea at Home\par
\pard\s1\b\fs32 Water temperature\b0\fs22\par
\pard Green tea wants water at 80\'b0C. Boiling water makes it bitter.{\super\chftn{\footnote\pard A dial helps.}}\par
Steep for three minutes \endash  no more \emdash  then remove the leaves.\par
\pard\s1\b\fs32 Times\b0\fs22\par
\trowd\cellx3000\cellx6000\pard\intbl Green\cell 2 minutes\cell\row
\trowd\cellx3000\cellx6000\pard\intbl Black\cell 4 minutes\cell\row
\pard See {\field{\*\fldinst{HYPERLINK "https://example.org/tea"}}{\fldrslt{\ul\cf1 the tea guide}}} for more.\par
{\pict\pngblip\picw100\pich100 89504e470d0a1a0a0000000d49484452}\u8364?5 a box, na\u239?ve price.\par
}"""


def test_a_rich_text_document_keeps_its_title_headings_tables_and_characters(tmp_path, corpus):
    source = tmp_path / "tea.rtf"
    source.write_text(WORD_RTF, "latin-1")
    passages = split_document(read_document(add(str(source), corpus)))
    where = {p.text: p.section for p in passages}
    assert {p.title for p in passages} == {"Brewing Tea at Home"}
    assert where["Green tea wants water at 80°C. Boiling water makes it bitter."] == "Water temperature"
    assert where["Steep for three minutes – no more — then remove the leaves."] == "Water temperature"
    assert where["Green: 2 minutes\nBlack: 4 minutes"] == "Times"  # a table as readable lines
    assert where["See the tea guide for more."] == "Times"  # a link's words, not its address
    assert where["€5 a box, naïve price."] == "Times"  # Unicode, without its fallback "?"
    assert not any(w in p.text for p in passages for w in ("dial", "Calibri", "89504e", "rtf", "Ann Example"))
    unnamed = tmp_path / "notes"  # no suffix: known by its opening
    unnamed.write_text(WORD_RTF.replace("Brewing Tea at Home}", "Tea Notes}"), "latin-1")
    assert split_document(read_document(add(str(unnamed), corpus)))[0].title == "Tea Notes"


def test_a_file_named_rtf_that_is_not_one_is_refused_with_the_reason(tmp_path, corpus):
    source = tmp_path / "tea.rtf"
    source.write_text("Just some words, not rich text.")
    with pytest.raises(SourceError, match="not a Rich Text Format document"):
        add(str(source), corpus)


PAPER_TEX = r"""\documentclass[11pt]{article}
\usepackage{amsmath}
% a comment no reader sees
\title{Dense Retrieval for Small Corpora\thanks{Work done at home.}}
\author{Ann Example}
\begin{document}
\maketitle
\begin{abstract}
A \emph{small} dual encoder beats BM25 by 9\%--19\% on top-20 accuracy~\cite{karpukhin2020}.
\end{abstract}
\section{Introduction}\label{sec:intro}
Question answering relies on ``efficient'' passage retrieval---the step that selects
candidate contexts.\footnote{See \url{https://example.org}.}
\subsection*{Our approach}
We rank by
\begin{equation}
\mathrm{sim}(q, p) = E_Q(q)^\top E_P(p).
\end{equation}
\begin{itemize}
\item[Speed] Retrieval takes 995 questions per second.
\end{itemize}
\begin{figure}[t]\includegraphics{fig1.pdf}\caption{Top-20 accuracy against training size.}\end{figure}
\begin{verbatim}
python train.py --batch 128
\end{verbatim}
\end{document}
"""


def test_a_latex_source_reads_as_typeset(tmp_path, corpus):
    source = tmp_path / "paper.tex"
    source.write_text(PAPER_TEX, "utf-8")
    passages = split_document(read_document(add(str(source), corpus)))
    where = {p.text: p.section for p in passages}
    assert {p.title for p in passages} == {"Dense Retrieval for Small Corpora"}  # no "\thanks" note
    assert where["A small dual encoder beats BM25 by 9%–19% on top-20 accuracy."] == "Abstract"
    quotes_and_dashes = (
        "Question answering relies on “efficient” passage retrieval—the step that selects candidate contexts."
    )
    assert where[quotes_and_dashes] == "Introduction"
    assert where["We rank by sim(q, p) = E_Q(q)^⊤E_P(p)."] == "Our approach"  # the formula as text
    assert where["Speed: Retrieval takes 995 questions per second."] == "Our approach"  # a list item
    assert where["Top-20 accuracy against training size."] == "Our approach"  # a figure: its caption
    assert next(p for p in passages if p.code).text == "python train.py --batch 128"
    assert not any("\\" in p.text or "comment" in p.text or "example.org" in p.text for p in passages)


def test_a_jupyter_notebook_reads_as_its_cells_and_printed_output(tmp_path, corpus):
    cells = [
        {"cell_type": "markdown", "source": ["# Tea analysis\n", "\n", "How long **green tea** steeps."]},
        {"cell_type": "code", "execution_count": 1, "source": ["import numpy as np\n", "np.mean([1, 3])"],
         "outputs": [{"output_type": "execute_result", "data": {"text/plain": ["2.0"], "image/png": "iVBOR"}}]},
        {"cell_type": "markdown", "metadata": {}, "source": "## Results\nTwo minutes at 80 degrees is best."},
    ]  # fmt: skip
    source = tmp_path / "tea.ipynb"
    source.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    passages = split_document(read_document(add(str(source), corpus)))
    where = {p.text: (p.section, p.code) for p in passages}
    assert {p.title for p in passages} == {"Tea analysis"}
    assert where["How long green tea steeps."] == (None, False)  # rendered: no "**"
    assert where["import numpy as np\nnp.mean([1, 3])"] == (None, True) and where["2.0"] == (None, True)
    assert where["Two minutes at 80 degrees is best."] == ("Results", False)
    assert not any("cell_type" in p.text or "iVBOR" in p.text for p in passages)
    broken = tmp_path / "broken.ipynb"
    broken.write_text('{"cells": [')
    with pytest.raises(SourceError, match="not a Jupyter notebook"):
        add(str(broken), corpus)


def test_an_epub_book_is_read_in_reading_order_without_its_page_numbers(tmp_path, corpus):
    source = tmp_path / "tea.epub"
    source.write_bytes(make_epub("The Book of Tea", [
        '<h1>The Cup of Humanity</h1><p>Tea began as a medicine and grew into a beverage.</p>',
        '<h1>The Schools of Tea</h1><p>Tea is a work of art and needs a master hand '
        '<span epub:type="pagebreak" title="12" id="p12">12</span> to bring out its noblest qualities.</p>',
    ]))  # fmt: skip
    passages = split_document(read_document(add(str(source), corpus)))
    assert [(p.title, p.section) for p in passages] == [
        ("The Book of Tea", "The Cup of Humanity"), ("The Book of Tea", "The Schools of Tea")]  # fmt: skip
    assert "Contents page" not in read_document(corpus / "the-book-of-tea.md").text  # the table of contents
    assert " ".join(passages[1].text.split()) == (
        "Tea is a work of art and needs a master hand to bring out its noblest qualities."  # no "12"
    )
    unnamed = tmp_path / "book"  # no suffix: known by its first entry
    unnamed.write_bytes(make_epub("Tea Notes", ["<p>Green tea wants cooler water.</p>"]))
    assert split_document(read_document(add(str(unnamed), corpus)))[0].title == "Tea Notes"
    broken = tmp_path / "broken.epub"
    broken.write_bytes(b"PK\x03\x04 not a book")
    with pytest.raises(SourceError, match="not an EPUB book"):
        add(str(broken), corpus)


def test_an_opendocument_text_keeps_its_title_outline_lists_tables_and_notes(tmp_path, corpus):
    source = tmp_path / "tea.odt"
    source.write_bytes(make_odt(
        '<text:p text:style-name="P1">Tea Guide</text:p>'
        '<text:h text:outline-level="1">Brewing</text:h>'
        "<text:p>Steep green tea for two\n   minutes<text:note><text:note-citation>1</text:note-citation>"
        "<text:note-body><text:p>At eighty degrees.</text:p></text:note-body></text:note>.</text:p>"
        "<text:list><text:list-item><text:p>Warm the pot first.</text:p></text:list-item>"
        "<text:list-item><text:p>Use fresh water.</text:p></text:list-item></text:list>"
        '<text:p text:style-name="P2">brew --green<text:s text:c="2"/>--minutes 2</text:p>'
        '<text:section><text:h text:outline-level="2">Storage</text:h>'
        '<text:p text:style-name="P3">Oolong</text:p>'
        '<text:p text:style-name="P4">A tea between green and black.</text:p>'
        "<table:table><table:table-row><table:table-cell><text:p>Green</text:p></table:table-cell>"
        "<table:table-cell><text:p>12 months</text:p></table:table-cell></table:table-row></table:table>"
        "</text:section>",
        title="Untitled 1",
    ))  # fmt: skip
    passages = split_document(read_document(add(str(source), corpus)))
    where = {p.text: p.section for p in passages}
    assert {p.title for p in passages} == {"Tea Guide"}  # the Title style, before the properties
    assert where["Steep green tea for two minutes."] == "Brewing"  # XML white space is one space, no "1"
    assert where["Warm the pot first."] == "Brewing" and where["brew --green  --minutes 2"] == "Brewing"
    assert where["Green: 12 months"] == "Storage" and where["At eighty degrees."] == "Notes"
    assert where["Oolong: A tea between green and black."] == "Storage"  # a glossary's term with its definition
    unnamed = tmp_path / "notes"  # no suffix: known by its first entry; no Title style: the properties' title
    unnamed.write_bytes(make_odt("<text:p>Oolong sits between green and black.</text:p>", title="Tea Notes"))
    assert split_document(read_document(add(str(unnamed), corpus)))[0].title == "Tea Notes"


def test_a_slide_deck_is_a_section_a_slide_with_its_notes(tmp_path, corpus):
    source = tmp_path / "tea.pptx"
    source.write_bytes(make_pptx([
        ("Tea at Work", ["A short talk on brewing"], None),
        ("Why tea?", ["Less caffeine than coffee", "Cheap to brew"], "Green tea has about half the caffeine."),
        (None, ["Questions welcome"], None),
    ]))  # fmt: skip
    passages = split_document(read_document(add(str(source), corpus)))
    where = {p.text: p.section for p in passages}
    assert {p.title for p in passages} == {"Tea at Work"}  # the first slide's title, not "PowerPoint Presentation"
    assert where["Less caffeine than coffee"] == "Slide 2: Why tea?" and where["Cheap to brew"] == "Slide 2: Why tea?"
    assert where["Green tea has about half the caffeine."] == "Slide 2: Why tea?"  # the speaker's notes
    assert where["Questions welcome"] == "Slide 3"
    assert not any(p.text.strip() in {"1", "2", "3"} for p in passages)  # slide numbers are furniture


def test_a_workbook_is_its_sheets_rows_with_questions_as_sections_and_dates_as_days(tmp_path, corpus):
    import datetime

    source = tmp_path / "desk.xlsx"
    source.write_bytes(make_xlsx([
        ("FAQ", [["Question", "Answer"], ["How do I reset my password?", "Go to Settings, then Security."],
                 ["Can I change my username?", "No, usernames are permanent."]]),
        ("Prices", [["Plan", "Price", "Since"], ["Basic", 5, datetime.date(2024, 1, 1)], ["Team", 20, None]]),
        ("Empty", [["just one cell"]]),
    ], title="Help desk"))  # fmt: skip
    passages = split_document(read_document(add(str(source), corpus)))
    assert {p.title for p in passages} == {"Help desk"}
    assert [(p.section, p.text) for p in passages] == [
        ("How do I reset my password?", "Go to Settings, then Security."),
        ("Can I change my username?", "No, usernames are permanent."),
        ("Prices", "Plan: Basic\nPrice: 5\nSince: 2024-01-01"),
        ("Prices", "Plan: Team\nPrice: 20"),
    ]
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(SourceError, match="is not an Excel workbook it can read"):
        add(str(broken), corpus)


def test_a_document_opening_with_a_table_keeps_it(tmp_path, corpus):
    source = tmp_path / "times.docx"  # a web page's leading table is an infobox; a document's is its text
    source.write_bytes(make_docx([[["Green", "2 minutes"], ["Black", "4 minutes"]], ("", "Steep as the table says.")]))
    texts = [p.text for p in split_document(read_document(add(str(source), corpus)))]
    assert texts == ["Green: 2 minutes\nBlack: 4 minutes", "Steep as the table says."]


def test_an_office_document_that_unpacks_too_big_is_refused_unread(tmp_path, corpus, monkeypatch):
    from article_qa import office_text

    source = tmp_path / "tea.docx"
    source.write_bytes(make_docx([("", "Steep green tea for two minutes. " * 200)]))
    monkeypatch.setattr(office_text, "MAX_UNPACKED", 4000)  # a zip bomb, in small
    with pytest.raises(SourceError, match="unpacks to more than"):
        add(str(source), corpus)
    assert not list(corpus.glob("*.md"))


def test_a_text_saved_in_windows_western_code_page_is_read_with_its_accents(tmp_path, corpus):
    notes = tmp_path / "notes.txt"  # Notepad's "ANSI"
    notes.write_bytes("Crème brûlée\n\nLa crème doit reposer une nuit – au frais, « sans » sucre.\n".encode("cp1252"))
    text = add(str(notes), corpus).read_text("utf-8")
    assert "La crème doit reposer une nuit – au frais, « sans » sucre." in text
    readme = tmp_path / "README"  # no suffix: known by its bytes
    readme.write_bytes("Größe\n=====\n\nDie Größe der Straße wird in Metern gemessen.\n".encode("latin-1"))
    assert "Die Größe der Straße wird in Metern gemessen." in add(str(readme), corpus).read_text("utf-8")


def test_a_compressed_file_is_read_as_the_file_inside_it(tmp_path, corpus, monkeypatch):
    import gzip

    from article_qa import sources

    pdf = tmp_path / "dosing_manual.pdf.gz"
    pdf.write_bytes(gzip.compress(make_pdf(PAPER)))
    added = add(str(pdf), corpus)
    passages = split_document(read_document(added))
    assert passages[0].title == "Ketamine Dosing Notes" and passages[-1].page == 2
    faq = tmp_path / "FAQ.gz"
    faq.write_bytes(gzip.compress(b"Questions\n=========\n\nIs it safe?\n\nMostly, when a doctor watches.\n"))
    assert "Mostly, when a doctor watches." in add(str(faq), corpus).read_text("utf-8")
    broken = tmp_path / "broken.txt.gz"
    broken.write_bytes(gzip.compress(b"Some text. " * 50)[:-12])  # cut short
    with pytest.raises(SourceError, match="not a readable gzip file"):
        add(str(broken), corpus)
    monkeypatch.setattr(sources, "MAX_BYTES", 5000)  # a small file that unpacks big, in small
    bomb = tmp_path / "notes.txt.gz"
    bomb.write_bytes(gzip.compress(b"a" * 100_000))
    with pytest.raises(SourceError, match="unpacks to more than"):
        add(str(bomb), corpus)
    assert len(list(corpus.glob("*.md"))) == 2


def test_a_page_saved_as_a_single_file_is_read_as_the_page(tmp_path, corpus):
    import base64
    import quopri

    html = PAGE.replace("Caffeine late", "Caféine late").encode("utf-8")  # a non-ASCII letter, encoded
    saved = (
        b"From: <Saved by Blink>\r\nSnapshot-Content-Location: https://example.org/coffee\r\n"
        b"Subject: Coffee and Sleep\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/related;\r\n\ttype="text/html";\r\n\tboundary="----MultipartBoundary--x"\r\n\r\n'
        b"------MultipartBoundary--x\r\nContent-Type: text/html\r\nContent-ID: <frame-1@mhtml.blink>\r\n"
        b"Content-Transfer-Encoding: quoted-printable\r\nContent-Location: https://example.org/coffee\r\n\r\n"
        + quopri.encodestring(html).replace(b"\n", b"\r\n")
        + b"\r\n------MultipartBoundary--x\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + base64.b64encode(b"\x89PNG not really") + b"\r\n------MultipartBoundary--x--\r\n"
    )  # fmt: skip
    for name in ("coffee.mhtml", "coffee-saved"):  # by its suffix, and by its bytes
        (tmp_path / name).write_bytes(saved)
    passages = split_document(read_document(add(str(tmp_path / "coffee.mhtml"), corpus)))
    assert passages[0].title == "Coffee and Sleep"
    assert any(p.text.startswith("Caféine late in the day") and p.section is None for p in passages)
    assert any(p.section == "How caffeine works" for p in passages)
    assert not any("=3D" in p.text or "MultipartBoundary" in p.text for p in passages)
    other = tmp_path / "other"
    assert split_document(read_document(add(str(tmp_path / "coffee-saved"), other)))[0].title == "Coffee and Sleep"


def test_an_office_file_with_an_entity_bomb_is_refused(tmp_path, corpus):
    import io
    import zipfile

    entities = '<!ENTITY a0 "tea">' + "".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10))
    bomb = f'<?xml version="1.0"?><!DOCTYPE d [{entities}]><d>&a9;</d>'  # 10^9 words once expanded
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", bomb)
    source = tmp_path / "bomb.odt"
    source.write_bytes(packed.getvalue())
    with pytest.raises(SourceError, match="not an OpenDocument text it can read"):  # expat's amplification limit
        add(str(source), corpus)
    assert not list(corpus.glob("*.md"))


def test_a_saved_email_is_read_by_its_subject_and_body(tmp_path, corpus):
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"], message["To"], message["Date"] = (
        "Tea Club <club@example.org>",
        "me@example.org",
        "Mon, 30 Nov 2026",
    )
    message["Subject"] = "Brewing notes for December"
    message.set_content("Steep green tea for two minutes.\n\nBlack tea wants four.\n")
    message.add_alternative(
        "<html><body><h1>December</h1><p>Steep green tea for two minutes at eighty degrees, never with "
        "boiling water.</p><h2>Black tea</h2><p>Black tea wants four minutes and water just off the boil.</p>"
        "</body></html>",
        subtype="html",
    )
    message.add_attachment(b"\x89PNG not really", maintype="image", subtype="png", filename="cup.png")
    (tmp_path / "notes.eml").write_bytes(bytes(message))
    passages = split_document(read_document(add(str(tmp_path / "notes.eml"), corpus)))
    assert {p.title for p in passages} == {"Brewing notes for December"}  # the subject, not the page's heading
    assert [p.section for p in passages if p.text.startswith("Black tea wants")] == ["Black tea"]
    plain = EmailMessage()
    plain["From"], plain["Subject"], plain["Date"] = "a@example.org", "Oolong", "Mon, 30 Nov 2026"
    plain.set_content("Oolong sits between green and black tea.\n")
    (tmp_path / "saved-message").write_bytes(bytes(plain))  # no suffix: known by its header lines
    passages = split_document(read_document(add(str(tmp_path / "saved-message"), corpus)))
    assert [(p.title, p.text) for p in passages] == [("Oolong", "Oolong sits between green and black tea.")]
