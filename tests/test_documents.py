"""A user's own documents, as clean as the shipped article: each rule of `html_text`, `pdf_text`, the
splitter and `add`, on fixtures written here (HTML strings, PDFs made byte by byte), and a folder of
one's own that never touches another folder's files."""

from __future__ import annotations

import hashlib
import http.server
import json
import threading
from pathlib import Path

import pytest

from article_qa import Retriever, cli, sources
from article_qa.html_text import _clean_tree, decode_html, markdown_page, page_text
from article_qa.passages import (
    MAX_PASSAGE_PIECES,
    SPLITTER_VERSION,
    Document,
    embedded_texts,
    estimated_pieces,
    read_corpus,
    read_document,
    split_corpus,
    split_document,
)
from article_qa.pdf_text import pdf_text
from article_qa.retrieval import index_for
from article_qa.sources import SourceError, add
from article_qa.ui import page_text as page_words

from .conftest import CORPUS, ROOT, FakeEmbedder
from .pdfs import LIGATURE, Rule, Text, column, make_pdf, paper

MARKUP = ("**", "<sup", "</", "[edit]", "[1]", "[2]", "\\[", "&amp;", "&#", LIGATURE)

WIKI = """<html><head><meta charset="utf-8"><title>Caffeine - Wikipedia</title></head><body>
<div id="content"><h1>Caffeine</h1>
<table class="infobox"><tr><th>Formula</th><td>C8H10N4O2</td></tr><tr><th>Half-life</th><td>5 hours</td></tr></table>
<p><b>Caffeine</b> is a central nervous system stimulant of the methylxanthine class.<sup class="reference">
<a href="#cite-1">[1]</a></sup> It is the world's most widely consumed psychoactive drug.<sup>[2]</sup></p>
<p>Its molar mass is given by <span class="mwe-math-element">
<span class="mwe-math-mathml-inline" style="display: none;">
<math alttext="{\\displaystyle M=194.19}"><mi>M</mi><mo>=</mo><mn>194.19</mn>
<annotation encoding="application/x-tex">{\\displaystyle M=194.19}</annotation></math></span>
<img class="mwe-math-fallback-image-inline" alt="M=194.19" src="x.svg"></span> grams per mole in most tables.</p>
<h2>Uses<span class="mw-editsection">[<a href="#">edit</a>]</span></h2>
<p>Caffeine is used to treat the breathing disorder of premature infants and to prevent it in others.</p>
<h3>Tools</h3>
<p>Coffee makers brew the drink from roasted beans in a few minutes at home or at work.</p>
<p><b>Cons:</b></p>
<p>Drip coffee makers keep the pot warm for hours and the coffee turns bitter quickly.</p>
<h2>Effects</h2>
<p>Caffeine reduces tiredness and improves reaction time, memory and attention in most adults.</p>
<table><tr><th>Dose</th><th>Effect</th></tr><tr><td>100 mg</td><td>alertness</td></tr></table>
<div class="navbox">Stimulants: Caffeine Nicotine Amphetamine Cocaine Modafinil Theobromine</div>
</div></body></html>"""

GERMAN = (
    '<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
    "<title>Demut</title></head><body><article><h1>Warum wir Demut brauchen</h1>"
    "<p>Nietzsche befand, Demut gehöre „zu den gefährlichen Idealen“ – eine Haltung, die heute "
    "fast vollständig aus unserem Wortschatz verschwunden ist und die große Sicherheit ersetzt.</p>"
    "<p>Über Nacht sind alle sorgfältig aufgebauten Sicherheiten verschwunden, und viele Menschen "
    "schreien nach der starken Hand des Staates, um die verlorene Sicherheit zurückzuerlangen.</p>"
    "</article></body></html>"
).encode("cp1252")

BYLINE = """<html><head><title>Night Trains Return</title><meta name="author" content="Jane Doe"></head>
<body><article><h1>Night Trains Return</h1><p class="byline">By Jane Doe</p>
<p>Night trains are coming back to Europe as travellers look for ways to avoid short flights between big cities.</p>
<p>Operators have ordered new sleeper cars, and several routes open next spring with beds for four hundred people.</p>
<p>The first line links Brussels and Berlin three times a week, leaving in the evening and arriving before nine.</p>
<p>Tickets cost about as much as a flight once a hotel night is counted, and a seat can be booked months ahead.</p>
<p>Rail unions welcome the trains but warn that staff for overnight services are hard to find and to keep.</p>
</article></body></html>"""


def passages_of(markdown: str, name: str = "doc.md") -> list:
    return split_document(Document(name, markdown, "0"))


def all_text(passages) -> str:
    return "\n".join([p.text for p in passages] + [p.section or "" for p in passages] + [passages[0].title or ""])


# ----- web pages ---------------------------------------------------------------------------------------
def test_a_web_page_keeps_no_markup_a_reader_would_see():
    page = page_text(WIKI.encode("utf-8"), "fallback")
    passages = passages_of(page.markdown)
    text = all_text(passages)
    assert page.title == "Caffeine"
    assert not [m for m in MARKUP if m in text], text
    assert "[edit]" not in " ".join(p.section or "" for p in passages)
    assert passages[0].text.startswith("Caffeine is a central nervous system stimulant")  # not the infobox
    assert "Nicotine Amphetamine" not in text  # the navigation box
    assert "M = 194.19 grams per mole" in text and text.count("194.19") == 1  # the formula, once


DISPLAY = """<html><head><meta charset="utf-8"><title>Hermitian matrix - Wikipedia</title></head><body>
<div id="content"><h1>Hermitian matrix</h1>
<p>In mathematics, a Hermitian matrix is a complex square matrix that is equal to its own conjugate transpose.</p>
<p>A square matrix A is Hermitian if and only if it is equal to its adjoint, that is, it satisfies</p>
<div class="mwe-math-element"><div class="mwe-math-mathml-display mwe-math-mathml-a11y" style="display: none;">
<math display="block" alttext="{\\displaystyle \\langle w,Av\\rangle =\\langle Aw,v\\rangle ,}"><mi>w</mi></math></div>
<img src="x.svg" class="mwe-math-fallback-image-display" alt="formula"></div>
<p>This is also how a self-adjoint operator is defined in general, for operators on any inner product space.</p>
<div class="mwe-math-element"><div class="mwe-math-mathml-display" style="display: none;">
<math display="block" alttext="{\\displaystyle {\\tfrac {1}{\\sqrt {2}}}(E_{jk}+E_{kj})\\in \\mathbb {C} }">
<mi>E</mi></math></div></div>
</div></body></html>"""


def test_a_display_formula_is_read_with_its_sentence_or_as_a_paragraph_of_its_own():
    texts = [p.text for p in passages_of(page_text(DISPLAY.encode("utf-8"), "x").markdown)]
    assert texts[1:] == [
        "A square matrix A is Hermitian if and only if it is equal to its adjoint, that is, it satisfies "
        "⟨w,Av⟩ = ⟨Aw,v⟩,",
        "This is also how a self-adjoint operator is defined in general, for operators on any inner product space.",
        "1/√2(E_jk+E_kj) ∈ ℂ",
    ]


def test_a_quotation_with_a_list_keeps_its_lines_apart():
    quote = """<html><head><meta charset="utf-8"><title>Pledge</title></head><body><div id="content">
<h1>Pledge</h1><p>The foundation wrote a short pledge about the web and about its own work in 2005.</p>
<blockquote><p>The foundation pledges to support the manifesto in its activities. Specifically, we will:</p>
<ul><li>Build and enable open technologies that support the principles;</li>
<li>Promote the principles in public discourse and within the internet industry.</li></ul></blockquote>
<p>The pledge has not changed since it was written, although the products have.</p></div></body></html>"""
    texts = [p.text for p in passages_of(page_text(quote.encode("utf-8"), "x").markdown)]
    # the short list joins the line that leads into it, each line of its own ("will:Build" was a fault)
    assert (
        "The foundation pledges to support the manifesto in its activities. Specifically, we will:\n\n"
        "- Build and enable open technologies that support the principles;\n- Promote the principles" in texts[1]
    )
    assert not any("will:Build" in t for t in texts) and len(texts) == 3


def test_headings_come_from_the_page_not_from_bold_labels():
    passages = passages_of(page_text(WIKI.encode("utf-8"), "x").markdown)
    sections = {p.section for p in passages}
    assert {"Uses", "Tools", "Effects"} <= sections and "Cons:" not in sections
    drawback = next(p for p in passages if "turns bitter" in p.text)
    assert drawback.section == "Tools"  # the drawbacks of a tool stand under that tool
    table = next(p for p in passages if "100 mg" in p.text)
    assert table.section == "Effects" and "Dose: Effect" in table.text  # a table as readable lines


ANSWERS = [
    "You can send it back within thirty days of delivery, unused and in its box, for a full refund. Print the "
    "label from your account page, stick it on the parcel and drop it at any post office near you.",
    "Yes, until the parcel leaves our warehouse: open the order in your account and type the new address. Once "
    "it has been handed to the courier, ask the courier to redirect it to a neighbour or a pick-up point.",
    "We send parcels to every country of the European Union and to Norway and Switzerland. Duties and taxes "
    "outside the Union are paid by the buyer on delivery, at the rates of the country of arrival.",
]
ANSWER = ANSWERS[0]


def test_a_line_break_inside_a_paragraph_parts_its_words():
    html = f"""<html><head><title>Shop</title></head><body><h1>Shop</h1><p>{ANSWER} {ANSWER}</p>
    <p>Our shop stands at 12 High Street<br>London<br/>SW1 1AA, open every day of the week.</p>
    <p><strong>Q: How do I return a parcel?</strong><br>A: {ANSWER}</p></body></html>"""
    text = page_text(html.encode("utf-8"), "x").markdown
    assert "12 High Street London SW1 1AA, open" in text
    assert "Q: How do I return a parcel? A: You can send it back" in text


def test_a_nested_lists_items_stay_apart_from_the_words_around_them():
    items = "<ul><li>padding: one of the following:<ul><li>RSA_PKCS1_PADDING (default)</li><li>RSA_NO_PADDING</li>"
    items += "</ul></li><li>callback: err <em>Error</em><ul><li>bytesRead: the number of bytes read</li>"
    items += "<li>buffer: the data</li></ul></li></ul>"
    html = f"<html><head><title>API</title></head><body><h1>API</h1><p>{ANSWERS[0]}</p>{items}<p>{ANSWERS[1]}</p>"
    text = page_text(html.encode() + b"</body></html>", "x").markdown
    assert "- padding: one of the following: RSA_PKCS1_PADDING (default) RSA_NO_PADDING\n" in text
    assert "- callback: err Error bytesRead: the number of bytes read buffer: the data\n" in text


def faq_page(entry: str, toc: str = "") -> bytes:
    questions = ["How do I return a parcel?", "Can I change my delivery address?", "Do you ship abroad?"]
    body = "".join(entry.format(q=q, a=a, i=i) for i, (q, a) in enumerate(zip(questions, ANSWERS, strict=True), 1))
    return f"<html><head><title>Shop FAQ</title></head><body><h1>Shop FAQ</h1>{toc}{body}</body></html>".encode()


def test_a_faqs_questions_head_their_answers_whatever_the_markup():
    accordion = (
        '<div class="accordion-item"><h2 class="accordion-header"><button class="accordion-button" type="button">'
        '{q}</button></h2><div class="accordion-collapse collapse"><div class="accordion-body"><p>{a}</p></div>'
        "</div></div>"
    )
    schema = (
        '<div itemscope itemprop="mainEntity" itemtype="https://schema.org/Question"><h3 itemprop="name">{q}</h3>'
        '<div itemprop="acceptedAnswer" itemscope itemtype="https://schema.org/Answer"><div itemprop="text"><p>{a}</p>'
        "</div></div></div>"
    )
    details = "<details><summary>{q}</summary><p>{a}</p></details>"
    for entry in (accordion, schema, details):
        passages = passages_of(page_text(faq_page(entry), "x").markdown)
        assert [p.section for p in passages] == [
            "How do I return a parcel?", "Can I change my delivery address?", "Do you ship abroad?"
        ], entry  # fmt: skip
        assert [p.text for p in passages] == ANSWERS, entry


def test_an_faq_set_as_a_list_of_entries_heads_each_answer_with_its_question():
    entry = "<li><em>{q}</em><p>{a}</p><p>Write to us if in doubt.</p></li>"
    page = faq_page(entry).replace(b"<h1>Shop FAQ</h1>", b"<h1>Shop FAQ</h1><ol>").replace(b"</body>", b"</ol></body>")
    passages = passages_of(page_text(page, "x").markdown)
    assert [p.section for p in passages] == ["How do I return a parcel?", "Can I change my delivery address?",
                                             "Do you ship abroad?"]  # fmt: skip
    assert [p.text for p in passages] == [f"{a} Write to us if in doubt." for a in ANSWERS]
    steps = (
        f"<ol><li>Open the page and choose one of the following:<ul><li>{ANSWERS[1]}</li></ul><p>Or not.</p></li></ol>"
    )
    html = f"<html><head><title>Shop</title></head><body><h1>Shop</h1><p>{ANSWERS[0]}</p>{steps}<p>{ANSWERS[2]}</p>"
    plain = page_text(html.encode() + b"</body></html>", "x").markdown  # an item, not a question
    assert "\n- Open the page and choose one of the following:" in plain and "## Open" not in plain


def test_a_docbook_faq_keeps_its_questions_and_drops_its_contents():
    toc = (
        '<div class="qandaset"><dl><dt>1. <a href="faq.html#faq.orders">Orders</a></dt>'
        '<dd>1.1. <a href="faq.html#faq.q1">How do I return a parcel?</a></dd>'
        '<dd>1.2. <a href="faq.html#faq.q2">Can I change my delivery address?</a></dd></dl></div>'
        '<br><table width="100%" summary="Q and A Div" border="0">'
        '<tr class="qandadiv"><td colspan="2"><a name="faq.orders"></a><h3 class="title">1. Orders</h3></td></tr>'
        '<tr class="toc" colspan="2"><td colspan="2">1.1. <a href="faq.html#faq.q1">How do I return a parcel?</a><br>'
        '1.2. <a href="faq.html#faq.q2">Can I change my delivery address?</a><br></td></tr>'
    )
    entry = (
        '<tr class="question"><td align="left" valign="top"><a name="faq.q{i}"></a><b>1.{i}.</b></td>'
        '<td align="left" valign="top"><b>{q}</b><pre>error {i}: no such parcel</pre></td></tr>'
        '<tr class="answer"><td align="left" valign="top"></td><td align="left" valign="top"><p>{a}</p></td></tr>'
    )
    page = faq_page(entry, toc).replace(b"</body>", b"</table></body>")
    passages = passages_of(page_text(page, "x").markdown)
    assert [p.section for p in passages if not p.code] == [
        "1.1. How do I return a parcel?", "1.2. Can I change my delivery address?", "1.3. Do you ship abroad?"
    ]  # fmt: skip
    assert [p.text for p in passages if not p.code] == ANSWERS
    assert [p.text for p in passages if p.code] == [
        "error 1: no such parcel",
        "error 2: no such parcel",
        "error 3: no such parcel",
    ]


BOOK = """<html><head><title>Message Passing - The Rust Book</title></head><body>
<nav><h1 class="menu-title">The Rust Book</h1></nav><main>
<h2>Message Passing</h2>
<p>One popular way to make concurrency safe is message passing, where threads send each other messages.</p>
<p>First, in Listing 6, we create a channel but do not do anything with it yet, so nothing is sent.</p>
<figure class="listing"><span class="file-name">Filename: src/main.rs</span>
<pre><code class="language-rust">fn main() {
    let (tx, rx) = mpsc::channel();
}</code></pre>
<figcaption>Listing 6: Creating a channel and assigning the two halves to tx and rx</figcaption></figure>
<p>The channel function returns a tuple: the sending end, the transmitter, and the receiving end.</p>
<figure><img src="duck.png"><figcaption>A rubber duck floating down a river</figcaption></figure>
<p>Like a rubber duck put into a river upstream, a message travels down to the end of the waterway.</p>
</main></body></html>"""


def test_a_chapters_heading_is_its_title_and_a_code_listing_stays_with_its_caption():
    page = page_text(BOOK.encode("utf-8"), "x")
    assert page.title == "Message Passing"  # the <title> names the page by its first heading, not the book's h1
    passages = passages_of(page.markdown)
    assert "Message Passing" not in {p.section for p in passages}  # the title, not also a section
    code = next(p for p in passages if "mpsc::channel()" in p.text)
    assert code.text.startswith("fn main() {")  # the listing, as a passage of its own
    assert any(p.text.startswith("Listing 6: Creating a channel") for p in passages)
    assert "rubber duck floating" not in page.markdown  # a picture's caption is not text of the page
    same = BOOK.replace("Message Passing - The Rust Book", "The Rust Book")
    assert page_text(same.encode("utf-8"), "x").title == "The Rust Book"  # no <title> naming it: as before


def _docbook() -> str:
    """An old DocBook book's page: no container the extractor recognises, a table of contents under an
    upper-case class, chapters under h1s, a glossary as a definition list."""
    line = "The base-passwd package holds the master versions of the files, kept in sync by update-passwd."
    chapters = "".join(
        f'<DIV CLASS="CHAPTER"><HR><H1><A NAME="C{n}"></A>Chapter {n}. {name}</H1>'
        + "".join(f"<P>      {line} Sentence {n}.{i} adds a detail.\n    </P>" for i in range(2))
        + '<DIV CLASS="VARIABLELIST"><DL><DT>root</DT><DD><P>Root is (typically) the superuser.</P></DD>'
        "<DT>daemon</DT><DD><P>Some daemons run as daemon.</P></DD></DL></DIV></DIV>"
        for n, name in ((1, "Introduction"), (2, "Users and Groups"), (3, "Other Ids"))
    )
    return (
        '<HTML><HEAD><TITLE>Users and Groups</TITLE></HEAD><BODY CLASS="BOOK"><DIV CLASS="BOOK">'
        '<DIV CLASS="TITLEPAGE"><H1 CLASS="TITLE"><A NAME="T">Users and Groups</A></H1><HR></DIV>'
        '<DIV CLASS="TOC"><DL><DT><B>Table of Contents</B></DT><DT>1. <A HREF="#C1">Introduction</A></DT></DL></DIV>'
        f"{chapters}</DIV></BODY></HTML>"
    )


def test_an_old_docbook_page_keeps_its_chapters_and_reads_a_glossary_as_entries():
    page = page_text(_docbook().encode(), "x")
    passages = passages_of(page.markdown)
    assert page.title == "Users and Groups"
    sections = {p.section for p in passages}
    assert {"Chapter 1. Introduction", "Chapter 2. Users and Groups", "Chapter 3. Other Ids"} <= sections
    assert next(p for p in passages if "Sentence 2.0" in p.text).section == "Chapter 2. Users and Groups"
    assert "root: Root is (typically) the superuser." in [p.text for p in passages]
    assert "Table of Contents" not in page.markdown  # "TOC", as an old page writes it


SPHINX = """<html><head><title>Debian Python Policy documentation</title></head><body>
<div class="body" role="main">
<h1>Abstract<a class="headerlink" href="#abstract" title="Permalink">¶</a></h1>
<p>This document describes the packaging of Python within the distribution and the policy for modules.</p>
<h1>Contents<a class="headerlink" href="#contents">¶</a></h1>
<h2><span class="section-number">1. </span>The move to Python 3<a class="headerlink" href="#move">¶</a></h2>
<p><a class="reference external" href="https://peps.python.org/pep-0404">PEP 404</a> states that no more
major Python 2 releases are planned, although version 2.7 will see some extended support.</p>
<pre><b>
#include &lt;stdio.h&gt;
#include "zlib.h"</b></pre>
</div></body></html>"""


def test_a_sphinx_page_keeps_its_links_words_and_drops_its_pilcrows():
    page = page_text(SPHINX.encode(), "x")
    assert page.title == "Debian Python Policy documentation"  # of several h1s, none is the page's title
    assert "¶" not in page.markdown
    assert "PEP 404 states that no more major Python 2 releases" in page.markdown  # a link's text is text
    assert "## 1. The move to Python 3" in page.markdown
    assert '```\n#include <stdio.h>\n#include "zlib.h"\n```' in page.markdown  # preformatted lines kept


def test_text_written_straight_into_the_body_is_read():
    html = ("<html><head><title>zlib Usage Example</title></head><body><h2>zlib Usage Example</h2>"
            "We often get questions about how the <tt>deflate()</tt> and <tt>inflate()</tt> functions should be "
            "used, and when to provide more input or more output.<p>Without further adieu, here is the "
            "program zpipe.c, annotated line by line for readers of the header.</p></body></html>")  # fmt: skip
    page = page_text(html.encode(), "x")
    assert "We often get questions about how the deflate() and inflate() functions" in page.markdown
    story = "tells a long story about the garden and the water it used in the dry summer months."
    lines = "".join(f"Paragraph {i} {story}<br><br>" for i in range(3))
    html = f"<html><body><div class='content'><h1>Old Page</h1>{lines}</div></body></html>"
    texts = [p.text for p in passages_of(page_text(html.encode(), "x").markdown)]
    assert texts == [f"Paragraph {i} {story}" for i in range(3)]  # a line break ends a paragraph


API_PAGE = """<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "x.dtd">
<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Module templates from libxslt</title></head><body>
<table><tr><td><h1>The XSLT C library for GNOME</h1><h2>Module templates from libxslt</h2></td></tr></table>
<table><tr><td><div class="header">Next: <a href="n.html">Simple Example</a>, Up: <a href="u.html">Using it</a></div>
<p>This set of routines evaluates attribute value templates and XPath expressions for a transformation.</p>
<h3>Function: xsltEvalXPathString<a class="anchor" href="#f">§</a><button>Copy item path</button></h3>
<pre>xmlChar * xsltEvalXPathString (xsltTransformContextPtr ctxt,<br/>    xmlXPathCompExprPtr comp)</pre>
<p>Process the expression using XPath and get a string back, which the caller must free after use.</p>
<table><tr><td><i>ctxt</i>:</td><td>the XSLT transformation context</td></tr>
<tr><td><i>comp</i>:</td><td>the compiled XPath expression</td></tr></table>
<h3>Function: xsltTemplateProcess</h3>
<p>Obsolete and kept only for compatibility with older stylesheets; new code must not call it at all.</p>
</td></tr></table></body></html>"""


def test_an_api_reference_page_in_layout_tables_reads_as_its_sections():
    page = page_text(API_PAGE.encode("latin-1"), "x")
    assert page.title == "Module templates from libxslt"  # the <title> names the page by its h2, not the site's h1
    passages = passages_of(page.markdown)
    described = next(p for p in passages if p.text.startswith("Process the expression using XPath"))
    assert described.section == "Function: xsltEvalXPathString"
    assert "ctxt: the XSLT transformation context" in page.markdown  # a labelled row, one colon
    assert "ctxt,\n    xmlXPathCompExprPtr comp)" in page.markdown  # a line break in code is a line break
    for furniture in ("§", "Copy item path", "Next:", "The XSLT C library for GNOME"):
        assert furniture not in page.markdown


NODE_PAGE = """<html><head><title>Path | Node.js v20 Documentation</title></head><body>
<div id="content"><header><h1>Node.js v20 documentation</h1></header>
<ul><li><a href="index.html">Table of contents</a></li><li><a href="all.html">Index</a></li></ul>
<h2>Path<span><a class="mark" href="#path">#</a></span></h2>
<p>The node:path module provides utilities for working with file and directory paths on every platform.</p>
<pre><input type="checkbox"><code class="cjs">const path = require('node:path');</code><code>import path from
'node:path';</code><button class="copy-button">copy</button></pre>
<h3>path.basename(path[, suffix])<span><a class="mark" href="#basename">#</a></span></h3>
<span class="rightside"><span class="since">1.0.0</span> · <a class="src" href="src.html">Source</a></span>
<details open><summary class="hideme"><span>Expand description</span></summary></details>
<p>The path.basename() method returns the last portion of a path, similar to the Unix basename command.</p>
</div></body></html>"""


def test_a_reference_page_under_its_sites_name_takes_its_own_title_and_drops_the_sites_lines():
    page = page_text(NODE_PAGE.encode(), "x")
    assert page.title == "Path"  # the <title> names "Path" first, the site second
    for furniture in ("Node.js v20 documentation", "Table of contents", "copy", "Path#", "suffix])#", "Source",
                      "Expand description"):  # fmt: skip
        assert furniture not in page.markdown
    assert "const path = require('node:path');\nimport path from" in page.markdown  # each variant on its lines
    assert "## path.basename(path[, suffix])" in page.markdown


def test_a_heading_repeated_under_each_method_says_whose_it_is():
    methods = "".join(
        f"<h4>pub fn {name}(&mut self)</h4><p>{what} the vector, keeping the order of its other elements.</p>"
        f"<h5>Panics</h5><p>Panics if {why}, as every caller of this method should know before calling.</p>"
        for name, what, why in (("push", "Appends to", "the new capacity overflows"), ("pop", "Removes from", "never"))
    )
    opening = "<h1>Struct Vec</h1><p>A contiguous growable array type.</p>"
    html = f"<html><body><article>{opening}{methods}</article></body></html>"
    passages = passages_of(page_text(html.encode(), "x").markdown)
    panics = [p.section for p in passages if p.text.startswith("Panics if")]
    assert panics == ["pub fn push(&mut self) › Panics", "pub fn pop(&mut self) › Panics"]


def test_the_declared_charset_is_read_as_browsers_read_it():
    page = page_text(GERMAN, "x")
    assert "„zu den gefährlichen Idealen“" in page.markdown and "Über Nacht" in page.markdown
    assert page.title == "Warum wir Demut brauchen"
    assert decode_html(b"\xef\xbb\xbf<p>caf\xc3\xa9</p>") == "<p>café</p>"  # a BOM wins
    assert decode_html('<meta charset="utf-8"><p>caf\xe9</p>'.encode("latin-1")).endswith("café</p>")  # detected


def test_a_list_articles_numbered_lines_head_their_paragraphs():
    items = "".join(
        f"<p>{n}. {tip}</p><p>{body} This advice comes from hotel owners who answered readers' questions online.</p>"
        for n, (tip, body) in enumerate([
            ("Take any blankets off the bed", "Blankets are not washed every day, unlike the sheets on the bed."),
            ("Don't use a wooden luggage rack", "Bedbugs love wood, so put your suitcase on a metal rack instead."),
        ], 1)
    )  # fmt: skip
    html = f"<html><body><article><h1>Hotel Secrets</h1><p>What hotel owners will not tell you.</p>{items}</article>"
    passages = passages_of(page_text(f"{html}</body></html>".encode(), "x").markdown)
    rack = next(p for p in passages if p.text.startswith("Bedbugs love wood"))
    assert rack.section == "2. Don't use a wooden luggage rack"


def test_words_in_two_inline_elements_side_by_side_stay_apart():
    page = (
        "<html><head><title>Closures</title></head><body><article><h1>Closures</h1>"
        "<p>Closures let a program build a function at run time, from a description of its arguments.</p>"
        "<dl><dt>Function: <strong>void</strong> <em>ffi_closure_free (void *<var>writable</var>)</em></dt>"
        "<dd><p>Free memory allocated using ffi_closure_alloc, at the writable address it returned.</p></dd>"
        "<dt>Function: <strong>ffi_status</strong> <em>ffi_prep_closure (ffi_closure *closure)</em></dt>"
        "<dd><p>Prepare a closure function, given a closure and a call interface already prepared.</p></dd></dl>"
        "<p>Plain <b>bold</b> <i>italic</i> words, <code>a</code><code>b</code> joined as set.</p>"
        "<pre>  x = 1\n  y = 2</pre></article></body></html>"
    )
    markdown = page_text(page.encode(), "x").markdown
    assert "Function: void ffi_closure_free (void *writable): Free memory" in markdown
    assert "ffi_status ffi_prep_closure" in markdown
    assert "Plain bold italic words, ab joined as set" in markdown  # no space where the page sets none
    assert "```\n  x = 1\n  y = 2\n```" in markdown


def test_a_texinfo_page_is_titled_by_its_node_or_its_manual_not_both():
    body = (
        "<p>This manual is for libffi, a portable foreign function interface library, and for its users.</p>"
        "<p>A foreign function interface lets code written in one language call code written in another.</p>"
        "<p>The libffi library provides a portable, high level programming interface to calling conventions.</p>"
    )
    top = (
        "<html><head><title>Top (libffi: the portable library)</title></head><body>"
        f'<h1 class="settitle">libffi: the portable library</h1><h1 class="top">libffi</h1>{body}</body></html>'
    )
    node = (
        "<html><head><title>Multiple ABIs (libffi: the portable library)</title></head><body>"
        f'<h3 class="section">2.4 Multiple ABIs</h3>{body}</body></html>'
    )
    assert page_text(top.encode(), "x").title == "libffi: the portable library"
    assert page_text(node.encode(), "x").title == "2.4 Multiple ABIs"


def test_a_project_gutenberg_pages_header_and_licence_are_no_passages():
    book = (
        "<p>Tea began as a medicine and grew into a beverage. In China, in the eighth century, it entered the "
        "realm of poetry as one of the polite amusements.</p><p>The fifteenth century saw Japan ennoble it "
        "into a religion of aestheticism, and the tea-master became a figure of the arts.</p>"
    )
    page = (
        "<html><head><title>The Book of Tea | Project Gutenberg</title></head><body>"
        '<section class="pg-boilerplate pgheader" id="pg-header"><h2>The Project Gutenberg eBook of The Book '
        "of Tea</h2><p>This ebook is for the use of anyone anywhere in the United States and most other parts "
        "of the world at no cost and with almost no restrictions whatsoever.</p></section>"
        f"<h1>The Book of Tea</h1><h2>I. The Cup of Humanity</h2>{book}"
        '<section class="pg-boilerplate pgheader" id="pg-footer"><h2>THE FULL PROJECT GUTENBERG LICENSE</h2>'
        "<p>To protect the Project Gutenberg mission of promoting the free distribution of electronic works, "
        "you agree to comply with all the terms of the Full Project Gutenberg License.</p></section>"
        "</body></html>"
    )
    text = page_text(page.encode(), "x")
    assert "Gutenberg" not in text.markdown and "Tea began as a medicine" in text.markdown
    assert text.title == "The Book of Tea"


def test_a_texinfo_nodes_menu_is_no_passage():
    menu = "".join(
        f'<tr><td>&bull; <a href="#{n}" accesskey="{i}">{n}</a></td><td>&nbsp;&nbsp;</td><td></td></tr>'
        for i, n in enumerate(("Numbers", "Variables", "Comments"), 1)
    )
    page = (
        "<html><head><title>bc Command Manual</title></head><body>"
        '<h3 class="section">1.1 Description</h3>'
        "<p>bc is a language that supports arbitrary precision numbers with interactive execution of "
        "statements, with some similarities in its syntax to the C programming language.</p>"
        '<h2 class="chapter">2 Basic Elements</h2>'
        f'<table class="menu" border="0" cellspacing="0">{menu}</table>'
        '<h3 class="section">2.1 Numbers</h3>'
        "<p>The most basic element in bc is the number. Numbers are arbitrary precision numbers, both in the "
        "integer part and the fractional part, and all numbers are represented internally in decimal.</p>"
        "<p>There are two attributes of numbers, the length and the scale, and the length is the total "
        "number of decimal digits used by bc to represent a number.</p></body></html>"
    )
    passages = passages_of(page_text(page.encode(), "x").markdown)
    assert [p.section for p in passages] == ["1.1 Description", "2.1 Numbers", "2.1 Numbers"]
    # The extractor keeps such a menu on some pages (bc's manual, Nettle's), so it goes before extraction.
    assert "Variables" not in _clean_tree(page) and "2.1 Numbers" in _clean_tree(page)


def test_a_page_without_a_heading_that_names_it_takes_its_title_not_its_first_sections():
    page = (
        "<html><head><title>Underscore.js</title></head><body><div id='documentation'>"
        '<h2>v1.13.4 Downloads (Right-click, and use "Save As")</h2>'
        "<p>Underscore is a JavaScript library that provides a whole mess of useful functional programming "
        "helpers without extending any built-in objects.</p>"
        "<h2>Collection Functions (Arrays or Objects)</h2>"
        "<p>Iterates over a list of elements, yielding each in turn to an iteratee function, which is bound "
        "to the context object if one is passed, and is called with three arguments.</p>"
        "<p>Produces a new array of values by mapping each value in list through a transformation function, "
        "which is called with three arguments: the value, its index and the list.</p></div></body></html>"
    )
    text = page_text(page.encode(), "x")
    assert text.title == "Underscore.js"
    assert '## v1.13.4 Downloads (Right-click, and use "Save As")' in text.markdown  # a section, as it was


def test_a_docbook_title_pages_authors_are_no_sections():
    page = (
        "<html><head><title>X Transport Interface</title></head><body><div class='book'>"
        "<div class='titlepage'><h1 class='title'>X Transport Interface</h1>"
        "<div class='author'><h3 class='author'>Stuart Anderson</h3></div>"
        "<div class='author'><h3 class='author'>Alan Coopersmith</h3></div>"
        "<p>Copyright 1993, 1994 NCR Corporation. Permission to use, copy, modify, and distribute this "
        "software and its documentation for any purpose and without fee is hereby granted.</p></div>"
        "<h2 class='title'>Chapter 1. Purposes and Goals</h2>"
        "<p>The X Transport Interface is intended to combine all system and transport specific code into a "
        "single place in the source tree, so that the transports are used the same way everywhere.</p>"
        "<p>This API should be used by the X server, libX11, libICE and any other library that needs to "
        "talk over a transport.</p></div></body></html>"
    )
    old_docbook = page.replace("class='author'", 'CLASS="AUTHOR"')  # an old DocBook page, in capitals
    for html in (page, old_docbook):
        passages = passages_of(page_text(html.encode(), "x").markdown)
        assert {p.section for p in passages} == {None, "Chapter 1. Purposes and Goals"}
        assert next(p for p in passages if p.text.startswith("Copyright 1993")).section is None


def test_the_byline_stays_out_of_the_first_paragraph():
    passages = passages_of(page_text(BYLINE.encode("utf-8"), "x").markdown)
    assert passages[0].text.startswith("Night trains are coming back")
    assert not any(p.text.strip() == "By Jane Doe" for p in passages)


# ----- PDFs --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def paper_passages():
    return passages_of(pdf_text(paper(3), "fallback").markdown, "paper.md")


def test_a_pdf_title_is_the_printed_one_not_metadata(paper_passages):
    assert paper_passages[0].title == "Ketamine Infusions for Alcohol Use"  # metadata says paper-final-v3.docx


def test_running_headers_footers_and_page_numbers_are_dropped(paper_passages):
    text = all_text(paper_passages)
    assert "JOURNAL OF TESTS" not in text and "Page 2" not in text and "Page 3" not in text


def test_numbered_headings_are_sections_and_references_its_own(paper_passages):
    sections = [p.section for p in paper_passages]
    assert "2.1 Dosing on page 2" in sections and sections[-1] == "References"
    assert paper_passages[-1].text.startswith("[1] A. Author")


def test_pdf_citations_name_the_page_and_count_within_it(paper_passages):
    dosing = next(p for p in paper_passages if "0.2 mg/kg" in p.text)
    assert dosing.page == 2 and dosing.section == "2.1 Dosing on page 2"
    assert dosing.citation == "2.1 Dosing on page 2, page 2, ¶2 (paper.md)"
    assert all(p.page is not None for p in paper_passages)
    assert all(p.paragraph <= 4 for p in paper_passages)  # counted within the page, not the document


def test_columns_pages_hyphens_and_ligatures_are_mended(paper_passages):
    first = next(p for p in paper_passages if "0.1 mg/kg" in p.text)
    # the left column runs into the right one, a hyphenated word is joined, the ligature is letters,
    # and the paragraph goes on over the page break
    assert "trained counselor who had not been told" in first.text
    assert "The findings on page 1" in first.text
    assert first.text.endswith("then asked about their drinking.")
    assert "coun-" not in all_text(paper_passages)


def _manual(chapters: int = 5, pages_each: int = 3, texinfo: bool = False) -> bytes:
    """A manual of a few chapters, each over several pages with the chapter's title as the running
    header of its pages (too few pages for the header to stand on most of the document's), the
    chapter's title set large and bold on its first page, and a paragraph that runs over each page
    break. A `texinfo` manual's header names the chapter as texinfo sets it: "Chapter 2: Topic number 2"."""
    out = []
    topics = ["Introduction", "Copyright", "Conventions", "Example", "Linking", "Compatibility", "Reference"]
    for c in range(1, chapters + 1):
        name = f"Chapter {c}: {topics[c - 1]}" if texinfo else f"Chapter {c}: Topic number {c}"
        for n in range(pages_each):
            header = name if texinfo else f"Topic number {c}"
            texts = [Text(72, 30, header, 9), Text(300, 760, str(len(out) + 1), 9)]
            if n == 0:
                texts.append(Text(72, 70, name, 20, bold=True))
            texts += column(72, 130, [
                *(["next one, where it ends with a full stop."] if n else []),
                f"Page {n} of chapter {c} opens with its own sentence.",
                "It then starts another that runs on past",
                "the end of the page and into the",
            ])  # fmt: skip
            out.append(texts)
    return make_pdf(out)


def test_a_running_header_per_chapter_is_dropped_and_the_chapter_title_kept():
    markdown = pdf_text(_manual(), "x").markdown
    passages = passages_of(markdown)
    texts = [p.text for p in passages]
    assert not any(t == "Topic number 2" or t.startswith("Topic number") for t in texts)
    assert "## Chapter 2: Topic number 2" in markdown  # the chapter's own title is its heading
    assert {p.section for p in passages} >= {"Chapter 2: Topic number 2", "Chapter 3: Topic number 3"}
    # with the header gone, the paragraph cut by the page break is one again
    assert (
        "It then starts another that runs on past the end of the page and into the next one, where it ends"
        in "".join(f"{t} " for t in texts)
    )


def test_a_texinfo_header_naming_each_pages_chapter_is_dropped_however_short_the_chapters():
    markdown = pdf_text(_manual(chapters=6, pages_each=1, texinfo=True), "x").markdown
    passages = passages_of(markdown)
    assert not any(p.text.startswith("Chapter ") for p in passages)  # chapters of a page: no run to see
    assert "## Chapter 2: Copyright" in markdown  # the chapter's own title is its heading


def test_code_set_in_a_typewriter_font_is_a_code_block_line_by_line():
    listing = ["#include <stdlib.h>", "void f(void)", "{", "int* x = malloc(10);", "}", "int main(void)", "f();"]
    page = [
        Text(72, 60, "Quick Start", 18),
        *column(72, 120, ["Here is an example C program with a memory error and a", "memory leak."]),
        *[Text(72 + (12 if line.startswith("int* ") else 0), 160 + 12 * i, line, font="mono")
          for i, line in enumerate(listing)],
        *column(72, 260, ["Most error messages look like the following one, which", "describes the first problem."]),
    ]  # fmt: skip
    markdown = pdf_text(make_pdf([page]), "x").markdown
    assert "```\n#include <stdlib.h>\nvoid f(void)\n{\n  int* x = malloc(10);\n}\nint main(void)\nf();\n```" in markdown
    passages = passages_of(markdown)
    code = [p for p in passages if p.code]
    assert len(code) == 1 and code[0].text.startswith("#include") and code[0].text.endswith("f();")
    assert not any(p.section and "include" in p.section for p in passages)  # never a heading
    prose = [p.text for p in passages if not p.code]
    assert prose == [
        "Here is an example C program with a memory error and a memory leak.",
        "Most error messages look like the following one, which describes the first problem.",
    ]


def test_a_numbered_heading_with_a_short_name_is_a_section_and_a_formula_line_is_not():
    page = [
        Text(72, 60, "Nettle Manual", 18),
        *column(72, 110, ["A cipher takes a message and a secret key and transforms", "it to a ciphertext."]),
        Text(72, 150, "7.2.1 AES", 13),
        *column(72, 170, ["AES is a block cipher, specified by NIST as a replacement", "for the older DES standard."]),
        Text(72, 210, "7.2.8 DES3", 13),
        *column(72, 230, ["DES3 is a variant of DES that uses three keys.", "It is slow."]),
        Text(72, 270, "1 (Dn) Ln", 12),
        *column(72, 290, ["The cover of a set of references is the set of facts they", "cover, as defined above."]),
    ]  # fmt: skip
    passages = passages_of(pdf_text(make_pdf([page]), "x").markdown)
    by_section: dict[str | None, str] = {}
    for p in passages:
        by_section.setdefault(p.section, p.text)  # each section's first passage
    assert by_section["7.2.1 AES"].startswith("AES is a block cipher")
    assert by_section["7.2.8 DES3"].startswith("DES3 is a variant")
    assert not any(p.section and p.section.startswith("1 (") for p in passages)


def test_a_chapter_contents_without_leaders_is_dropped_not_made_a_heading():
    page = [
        Text(72, 60, "2. How to use bzip2", 20, bold=True),
        Text(72, 100, "Table of Contents", 16, bold=True),
        *column(72, 130, ["2.1. NAME", "2.2. SYNOPSIS", "2.4. OPTIONS", "2.5. MEMORY MANAGEMENT"]),
        *column(72, 200, ["This chapter contains a copy of the bzip2 man page, and nothing else."]),
        Text(72, 240, "2.1. NAME", 16, bold=True),
        *column(72, 270, ["The function returns 1 when the point is on the curve, and", "0 otherwise."]),
    ]  # fmt: skip
    markdown = pdf_text(make_pdf([page]), "x").markdown
    passages = passages_of(markdown)
    assert "SYNOPSIS" not in markdown and "Table of Contents" not in markdown
    assert [p.section for p in passages] == ["2.1. NAME"] or passages[-1].section == "2.1. NAME"
    assert passages[-1].text == "The function returns 1 when the point is on the curve, and 0 otherwise."
    assert any(p.text.startswith("This chapter contains a copy") for p in passages)


def test_a_document_set_in_a_typewriter_font_throughout_is_text_not_code():
    lines = [
        "Network Working Group                                    J. Postel",
        "",
        "The Transmission Control Protocol is intended for use as a highly",
        "reliable host-to-host protocol between hosts in packet-switched",
        "computer communication networks.",
        "",
        "This document describes the functions to be performed by the",
        "protocol, the program that implements it, and its interface.",
    ]
    page = [Text(72, 80 + 12 * i, line, font="mono") for i, line in enumerate(lines) if line]
    passages = passages_of(pdf_text(make_pdf([page]), "x").markdown)
    assert not any(p.code for p in passages)
    assert any(p.text.startswith("The Transmission Control Protocol is intended") for p in passages)


def test_a_contents_line_whose_page_number_is_on_the_next_line_is_dropped():
    page = [
        Text(72, 60, "Documentation", 18),
        Text(72, 120, "Table of Contents"),
        Text(72, 140, "User Manual ........................................"),
        Text(72, 152, "iv Frequently Asked Questions ........................ clxxviii"),
        *column(72, 200, ["This is the top level of the documentation tree, in six parts."]),
    ]
    text = all_text(passages_of(pdf_text(make_pdf([page]), "x").markdown))
    assert "....." not in text and "clxxviii" not in text and "six parts" in text


def test_a_caption_beside_a_paragraph_is_its_own_passage_and_does_not_cut_the_paragraph():
    page = [
        Text(72, 60, "Dense Retrieval Notes", 18),
        *column(72, 120, [
            "Our retriever is trained on question and",
            "passage pairs drawn from five datasets.",
            "The gap is large at small k. When training",
            "with mul-",
        ]),
        *column(320, 120, [
            "Figure 1: Accuracy by the number of training",
            "examples, on the development set.",
        ]),
        *column(320, 160, [
            "tiple datasets, the smallest one gains the",
            "most from the extra training examples, as",
            "the results reported in",
            "Table 3. This is due to a better setting.",
        ]),
    ]  # fmt: skip
    passages = passages_of(pdf_text(make_pdf([page]), "x").markdown)
    texts = [p.text for p in passages]
    body = next(t for t in texts if t.startswith("Our retriever"))
    assert "When training with multiple datasets, the smallest one gains" in body  # joined past the figure
    assert body.endswith("reported in Table 3. This is due to a better setting.")  # a table named in a sentence
    assert "Figure 1: Accuracy by the number of training examples, on the development set." in texts
    assert "Figure 1" not in body


def test_a_paragraph_that_ends_a_column_and_one_that_opens_the_next_stay_apart():
    page = [
        Text(72, 60, "Notes", 18),
        *column(72, 130, ["The left column has a paragraph that", "runs for three lines and then it",
                          "ends here with a full stop."]),
        *column(320, 130, ["A new paragraph opens the right", "column and says something else",
                           "entirely about the subject."]),
    ]  # fmt: skip
    texts = [p.text for p in passages_of(pdf_text(make_pdf([page]), "x").markdown)]
    assert texts == [
        "The left column has a paragraph that runs for three lines and then it ends here with a full stop.",
        "A new paragraph opens the right column and says something else entirely about the subject.",
    ]


def test_a_paragraph_cut_by_a_caption_and_a_page_break_is_joined_and_the_caption_follows_it():
    first = [
        Text(72, 60, "Résumés de requêtes", 18),
        *column(72, 130, ["Dans cet article, nous développons les travaux", "entrepris sur le résumé de log et, sur"]),
        Text(72, 400, "FIG. 1 – Les dimensions de notre exemple jouet"),
    ]
    second = column(72, 130, ["cette base, nous proposons un nouvel algorithme.", "Un autre paragraphe suit ici."])
    second[1] = Text(72, 160, second[1].text)  # after a gap: a paragraph of its own
    passages = passages_of(pdf_text(make_pdf([first, second]), "x").markdown)
    texts = [p.text for p in passages]
    assert texts == [
        "Dans cet article, nous développons les travaux entrepris sur le résumé de log et, sur cette base, "
        "nous proposons un nouvel algorithme.",
        "FIG. 1 – Les dimensions de notre exemple jouet",
        "Un autre paragraphe suit ici.",
    ]
    assert [p.page for p in passages] == [1, 1, 2]


def test_a_tables_rows_of_numbers_never_join_a_paragraph():
    page = [
        Text(72, 60, "Retrieval Results", 18),
        *column(72, 130, ["We report the accuracy of each retriever on", "five datasets in the table, and we",
                          "compare them with the lexical baseline. We"]),
        *column(320, 130, ["41.5 56.8 42.4 49.4", "24.1", "38.8 57.9 41.1 50.6",
                           "see that higher retriever accuracy leads", "to better final answers in most cases."]),
    ]  # fmt: skip
    texts = [p.text for p in passages_of(pdf_text(make_pdf([page]), "x").markdown)]
    assert texts == [
        "We report the accuracy of each retriever on five datasets in the table, and we compare them with the "
        "lexical baseline. We see that higher retriever accuracy leads to better final answers in most cases."
    ]  # the rows of numbers alone are no passage a reader would quote


def test_a_caption_low_in_its_column_stays_whole_and_a_footnote_stays_apart():
    caption = [
        "Figure 1: Retriever accuracy with different", "numbers of training examples used in our",
        "dense passage retriever against the lexical", "baseline, all measured on the develop-",
        "ment set of the natural questions, where", "the dense retriever trained using one",
        "thousand examples already beats the", "lexical one by a wide margin at every",
        "cut-off that the figure shows to the", "reader of this short paper.",
    ]  # fmt: skip
    page = [
        Text(72, 60, "Dense Retrieval Notes", 18),
        *column(72, 130, ["Our retriever is trained on question and", "passage pairs drawn from five datasets.",
                          "The gap is large at small k. When training", "with mul-"]),
        Text(72, 700, "1 The footnote says where the datasets came from.", 8),
        Text(320, 130, "tiple datasets, the smallest gains the most."),
        *column(320, 160, caption, size=9, leading=12),
    ]  # fmt: skip
    texts = [p.text for p in passages_of(pdf_text(make_pdf([page]), "x").markdown)]
    assert any("When training with multiple datasets, the smallest gains the most." in t for t in texts)
    whole = next(t for t in texts if t.startswith("Figure 1:"))
    assert "measured on the development set" in whole and whole.endswith("reader of this short paper.")
    assert "1 The footnote says where the datasets came from." in texts  # its own paragraph


def test_a_glyph_named_as_tex_names_it_is_read_and_only_a_nameless_one_stays_unknown():
    line = "Noise is set by an \u03f5 parameter for the tuple \u27e8q, r\u27e9 and a glyph \ufffd here."
    page = [Text(72, 60, "Privacy Notes", 18), Text(72, 120, line)]
    text = pdf_text(make_pdf([page]), "x").markdown
    # the lunate epsilon (U+03F5) is an epsilon once NFKC-normalised
    assert "Noise is set by an \u03b5 parameter for the tuple \u27e8q, r\u27e9 and a glyph \ufffd here." in text


def test_a_manuals_drawn_underscores_contents_and_copyright_read_as_printed():
    """A TeX manual: "_" drawn as a stroke between two words, a table of contents with dot leaders, a
    table's rows ("2 CARD16") that look like numbered headings, and © as a "c" with a circle drawn over it."""
    width = 21.68  # "asn1" in 10-point Helvetica
    after = 72 + width + 5.6
    page = [
        Text(72, 60, "Libtasn1 Manual", 18),
        Text(72, 100, "Table of Contents"),
        Text(72, 114, "1 Introduction . . . . . . . . . . . . . . . . . . . . 1"),
        Text(72, 128, "2.1 Naming. . . . . . . . . . . . . . . . . . . . . . . 3"),
        Text(72, 160, "1 Introduction", 12, bold=True),
        Text(72, 180, "asn1"), Rule(72 + width + 0.8, 180, 4.0), Text(after, 180, "node is the type of a tree."),
        Text(72, 194, "asn1"), Rule(72 + width + 0.8, 194, 4, rise=3.5), Text(after, 194, "struck, no underscore."),
        Text(72, 208, "Copyright c\u20dd 2022 The Authors of this manual."),
        Text(72, 230, "Header:"),
        Text(72, 244, "2 CARD16"),
        Text(72, 258, "4 CARD32"),
    ]  # fmt: skip
    passages = passages_of(pdf_text(make_pdf([page]), "x").markdown)
    text = all_text(passages)
    assert "asn1_node is the type of a tree." in text
    assert "asn1 struck, no underscore." in text  # a stroke above the foot of the line is no "_"
    assert ". . . ." not in text and "Naming" not in text  # the contents are no passage
    assert "1 Introduction" in {p.section for p in passages}
    assert "Copyright © 2022" in text and "\ufffd" not in text
    assert not {"2 CARD16", "4 CARD32"} & {p.section for p in passages}  # a table's rows, not headings


def test_a_one_column_manual_with_short_lines_and_margin_labels_keeps_its_paragraphs():
    """A GNU manual's function reference: one column, short last lines on the left, "[Function]" set at
    the right of each signature's row; not two columns, and no label inside a signature."""
    page = [Text(72, 50, "Function Reference Manual", 18)]
    sentence = "If the strict flag is set then the function will not decode any of the BER-encoded elements."
    top = 100
    for name in ("asn1_delete_structure", "asn1_delete_element", "asn1_der_decoding"):
        page += [
            Text(72, top, name, 13),
            Text(72, top + 22, f"int {name} (asn1_node * structure, unsigned", 12),
            Text(480, top + 23, "[Function]"),
            Text(112, top + 35, "int flags)", 12),
            *column(90, top + 52, [sentence[:70], sentence[71:]], size=11, leading=13),
        ]
        top += 100
    markdown = pdf_text(make_pdf([page]), "x").markdown
    passages = passages_of(markdown)
    texts = [p.text for p in passages]
    assert "int asn1_delete_element (asn1_node * structure, unsigned int flags)" in texts
    assert texts.count(sentence) == 3
    assert "[Function]" not in markdown


def test_a_word_processors_symbol_mark_is_a_bullet_but_a_tex_math_symbol_stays():
    page = [
        Text(72, 60, "Copyright Notes", 18),
        Text(72, 120, "!", font="symbols"), Text(84, 120, "Title I implements the treaties of the agency."),
        Text(72, 140, "!", font="symbols"), Text(84, 140, "Title II limits the liability of service providers."),
        Text(72, 170, "A function f maps every data set D"), Text(246, 170, "|", font="math"),
        Text(252, 170, "to the whole of its range."),
    ]  # fmt: skip
    passages = passages_of(pdf_text(make_pdf([page]), "x").markdown)
    texts = [p.text for p in passages]
    assert "Title I implements the treaties of the agency." in texts  # the bullet opened its own item
    assert "Title II limits the liability of service providers." in texts
    assert any("data set D |" in t for t in texts)  # a math font's bar is no bullet
    assert not any("!" in t for t in texts)


def test_a_hyphen_the_document_writes_stays():
    lines = ["We train a dual-encoder on pairs. The dual-", "encoder is fast and the model-", "ling is simple."]
    page = [Text(72, 60, "Encoders", 18), *column(72, 120, lines)]
    text = pdf_text(make_pdf([page]), "x").markdown
    assert "The dual-encoder is fast" in text and "the modelling is simple" in text


def test_a_hyphen_at_a_line_end_before_a_capital_or_a_digit_is_kept_without_a_space():
    lines = ["Our retriever beats a strong Lucene-", "BM25 system, funded by grant H2020-", "700540 and by Soria-",
             "Comas."]  # fmt: skip
    page = [Text(72, 60, "Results", 18), *column(72, 120, lines)]
    text = pdf_text(make_pdf([page]), "x").markdown
    assert "a strong Lucene-BM25 system, funded by grant H2020-700540 and by Soria-Comas." in text


def test_a_wide_heading_in_larger_bold_type_is_a_section_and_a_date_line_is_not():
    body = [
        "The act implements two treaties of the organisation and it also addresses a number of other",
        "significant copyright-related issues that the treaties leave for each member to settle alone.",
    ]
    page = [
        Text(72, 60, "The Copyright Act of 1998", 18),
        Text(260, 84, "December 1998", 11, bold=True),
        Text(100, 120, "Technological Protection and Copyright Management Systems", 11, bold=True),
        *column(72, 140, body),
    ]
    passages = passages_of(pdf_text(make_pdf([page]), "x").markdown)
    assert [p.section for p in passages] == ["Technological Protection and Copyright Management Systems"]
    assert passages[0].text.startswith("The act implements two treaties")


def _title_page(title: str, heading: str, text: list[str]) -> list[Text]:
    """A first page: the title, one section's heading and its text; the pages after it are past the
    title page, whose bold lines may be its authors' and no sections."""
    return [Text(72, 60, title, 18), Text(72, 100, heading, 10, bold=True), *column(72, 120, text)]


ACT = [
    "The act limits the liability of online service providers for copyright infringement when they",
    "engage in certain types of activities, and it leaves the law on other activities as it was before.",
    "The act requires a transferee to make the residual payments that the producer would have made to",
    "writers, directors and screen actors, when the transferee knew that the producer was bound to them.",
]
GOLD = [
    "We use passages that match the gold contexts in the original data sets as positive examples,",
    "and we compare them with the passages that a sparse retriever ranks first for each question.",
    "Gold passages help a little at every depth, and the sparse negatives help more than the random",
    "ones do, which the rows of the table show for each of the settings that we tried in this work.",
]


def test_a_wide_heading_in_bold_capitals_and_one_opening_with_a_label_word_are_sections():
    body, more = ACT[:2], ACT[2:]
    first = _title_page("The Copyright Act of 1998", "INTRODUCTION", body)
    page = [  # past the title page, whose bold lines may be its authors'
        Text(72, 120, "TITLE II: ONLINE COPYRIGHT INFRINGEMENT LIABILITY LIMITATION", 10, bold=True),
        *column(72, 140, body),
        Text(100, 200, "Assumption of Contractual Obligations upon Transfers of Rights in", 11, bold=True),
        Text(230, 213, "Motion Pictures", 11, bold=True),
        *column(72, 240, more),
        Text(72, 290, "Assumption 2.", 10, bold=True),
        Text(150, 290, "Every producer is bound by a collective bargaining agreement.", 10),
    ]
    passages = passages_of(pdf_text(make_pdf([first, page]), "x").markdown)[1:]
    heading = "Assumption of Contractual Obligations upon Transfers of Rights in Motion Pictures"
    assert [p.section for p in passages] == [
        "TITLE II: ONLINE COPYRIGHT INFRINGEMENT LIABILITY LIMITATION",
        heading,
        heading,
    ]
    assert passages[1].text.startswith("The act requires a transferee")
    assert passages[2].text.startswith("Assumption 2. Every producer")  # a numbered label stays text


def test_a_tables_header_row_is_no_section_but_a_number_set_a_quad_before_its_heading_is():
    intro, after = GOLD[:2], GOLD[2:]
    first = _title_page("Dense Retrieval Notes", "Abstract", intro)
    page = [
        Text(72, 100, "Impact of gold passages", 10, bold=True),
        *column(72, 115, intro),
        Text(300, 160, "Type", 8, bold=True), Text(330, 160, "Top-5", 8, bold=True),  # the table's smaller type
        Text(362, 160, "Top-20", 8, bold=True),
        Text(72, 180, "Sim", 10, bold=True), Text(97, 180, "Loss", 10, bold=True),  # cells set apart
        *column(72, 200, after),
        Text(72, 250, "5.2", 10, bold=True), Text(97, 250, "Ablation Study", 10, bold=True),  # a quad after "5.2"
        *column(72, 265, intro),
    ]  # fmt: skip
    passages = passages_of(pdf_text(make_pdf([first, page]), "x").markdown)
    sections = {p.section for p in passages if p.page == 2}
    assert sections == {"Impact of gold passages", "5.2 Ablation Study"}
    assert next(p for p in passages if p.text.startswith("Gold passages help")).section == "Impact of gold passages"


def test_a_title_pages_authors_are_no_sections():
    body = ["Many programs use the MIME system to represent the types of files, and it is necessary to",
            "work out the correct type for a file by looking up its name or contents in a database."]  # fmt: skip
    page = [
        Text(150, 60, "Shared MIME-info Database", 24, bold=True),
        Text(140, 100, "X Desktop Group", 17, bold=True),
        Text(250, 150, "Thomas Leonard", 17, bold=True),
        Text(72, 230, "1. Introduction", 17, bold=True),
        *column(72, 260, body),
    ]
    passages = passages_of(pdf_text(make_pdf([page]), "x").markdown)
    assert {p.section for p in passages} == {None, "1. Introduction"}
    assert any("Thomas Leonard" in p.text for p in passages)  # kept, as text
    assert next(p for p in passages if p.text.startswith("Many programs")).section == "1. Introduction"


def test_a_bold_run_in_heading_is_a_section_but_a_bold_label_is_text():
    page = [
        Text(72, 60, "Dense Retrieval Notes", 18),
        Text(72, 120, "3.2 Training", 10, bold=True),
        Text(137, 120, "Our encoders are trained on question and passage pairs.", 10),
        Text(72, 132, "Batches hold thirty-two pairs each and run for forty epochs.", 10),
        Text(72, 150, "Proposition 1", 10, bold=True),
        Text(143, 150, "A bigger batch gives more negatives for free.", 10),
        Text(300, 175, "(1)", 10),
    ]
    passages = passages_of(pdf_text(make_pdf([page]), "x").markdown)
    assert [p.section for p in passages] == ["3.2 Training", "3.2 Training"]
    assert passages[0].text.startswith("Our encoders are trained")
    assert passages[1].text.startswith("Proposition 1 A bigger batch")  # a label, not a section
    assert all(p.text != "(1)" for p in passages)  # an equation number alone is no paragraph


def test_accents_survive_and_combining_marks_join_their_letter():
    page = [Text(72, 60, "Résumés de requêtes", 18), *column(72, 120, ["David Sánchez wrote it."])]
    pdf = pdf_text(make_pdf([page]), "x")
    assert pdf.title == "Résumés de requêtes" and "David Sánchez" in pdf.markdown


def test_adding_a_pdf_prints_no_library_warnings(tmp_path, capsys):
    source = tmp_path / "paper.pdf"
    source.write_bytes(paper(2))
    assert cli.main(["add", str(source), "--corpus", str(tmp_path / "mine")]) == 0
    out, err = capsys.readouterr()
    assert "2 pages" in out and "WARNING" not in err and "Traceback" not in err


# ----- Markdown and text -------------------------------------------------------------------------------
def test_markdown_front_matter_gives_the_title_and_is_never_a_passage(tmp_path):
    source = tmp_path / "notes.md"
    source.write_text("---\ntitle: Sleep Notes\ntags: [sleep, coffee]\n---\n\nCoffee late at night delays sleep.\n")
    path = add(str(source), tmp_path / "mine")
    passages = split_document(read_document(path))
    assert [p.text for p in passages] == ["Coffee late at night delays sleep."]
    assert passages[0].title == "Sleep Notes" and path.name == "sleep-notes.md"


ROLLING_CAPTIONS = """WEBVTT
Kind: captions
Language: en

00:00:00.500 --> 00:00:03.000 align:start position:0%
welcome<00:00:01.000><c> everyone</c><00:00:01.500><c> to</c><00:00:02.500><c> this</c><c> talk</c>

00:00:03.000 --> 00:00:03.010 align:start position:0%
welcome everyone to this talk

00:00:03.010 --> 00:00:06.000 align:start position:0%
welcome everyone to this talk
today we look at how green tea is brewed.

00:02:10.000 --> 00:02:14.000
The water should be at about eighty degrees.
"""


def test_captions_and_subtitles_read_as_what_was_said_by_the_minute(tmp_path):
    vtt = tmp_path / "tea-talk.vtt"
    vtt.write_text(ROLLING_CAPTIONS, "utf-8")
    passages = split_document(read_document(add(str(vtt), tmp_path / "mine")))
    assert [(p.section, p.text) for p in passages] == [
        ("00:00", "welcome everyone to this talk today we look at how green tea is brewed."),  # said once
        ("02:10", "The water should be at about eighty degrees."),
    ]
    assert passages[0].title == "tea-talk"
    srt = tmp_path / "lecture.srt"
    srt.write_text("1\n01:02:03,000 --> 01:02:05,000\nTea began as a <i>medicine</i>. Yes.\n\n"
                   "2\n01:02:06,000 --> 01:02:07,000\nYes.\n", "utf-8")  # fmt: skip
    passages = split_document(read_document(add(str(srt), tmp_path / "mine")))
    assert [(p.section, p.text) for p in passages] == [("1:02:03", "Tea began as a medicine. Yes. Yes.")]
    empty = tmp_path / "empty.vtt"
    empty.write_text("WEBVTT\nKind: captions\nLanguage: en\n", "utf-8")
    with pytest.raises(SourceError, match="no timed captions"):
        add(str(empty), tmp_path / "mine")


ORG_NOTES = """#+TITLE: Tea notes
#+STARTUP: overview

* Brewing                                                         :kitchen:
  :PROPERTIES:
  :CREATED:  [2026-11-02 Mon]
  :END:
Steep *green* tea for two minutes at /eighty/ degrees; see [[https://example.org/tea][the tea guide]].
# a private comment

** TODO [#A] Buy a kettle with a dial
   SCHEDULED: <2026-12-10 Thu>
A dial keeps the water at =80 C=.

#+BEGIN_SRC python
def steep(minutes):
    return minutes * 60
#+END_SRC
"""


def test_an_org_file_reads_as_its_headings_text_and_code(tmp_path):
    source = tmp_path / "notes.org"
    source.write_text(ORG_NOTES, "utf-8")
    passages = split_document(read_document(add(str(source), tmp_path / "mine")))
    where = {p.text: p.section for p in passages}
    assert {p.title for p in passages} == {"Tea notes"}
    assert where["Steep green tea for two minutes at eighty degrees; see the tea guide."] == "Brewing"
    assert where["A dial keeps the water at 80 C."] == "Buy a kettle with a dial"  # no TODO, priority or tags
    assert where["def steep(minutes):\n    return minutes * 60"] == "Buy a kettle with a dial"
    words = " ".join(where)
    assert not any(w in words for w in ("#+", ":PROPERTIES:", "SCHEDULED", "private comment", "[["))


GUTENBERG = """\ufeffThe Project Gutenberg eBook of The Book of Tea, by Okakura Kakuzo

This eBook is for the use of anyone anywhere in the United States and most other parts of the world at no
cost and with almost no restrictions whatsoever.

Title: The Book of Tea

Author: Okakura Kakuzo

*** START OF THE PROJECT GUTENBERG EBOOK THE BOOK OF TEA ***




THE BOOK OF TEA

by Okakura Kakuzo


CONTENTS

     I. The Cup of Humanity
    II. The Schools of Tea


I. The Cup of Humanity

Tea began as a medicine and grew into a beverage. In China, in the
eighth century, it entered the realm of poetry as one of the polite amusements.


II. The Schools of Tea

Tea is a work of art and needs a master hand to bring out its noblest qualities.


*** END OF THE PROJECT GUTENBERG EBOOK THE BOOK OF TEA ***

Updated editions will replace the previous one--the old editions will be renamed.

THE FULL PROJECT GUTENBERG LICENSE
PLEASE READ THIS BEFORE YOU DISTRIBUTE OR USE THIS WORK
"""


def test_a_project_gutenberg_book_is_the_book_without_the_projects_header_licence_or_contents(tmp_path):
    source = tmp_path / "pg769.txt"
    source.write_text(GUTENBERG, "utf-8")
    passages = split_document(read_document(add(str(source), tmp_path / "mine")))
    assert {p.title for p in passages} == {"The Book of Tea"}
    assert [p.section for p in passages if p.text.startswith("Tea ")] == [
        "I. The Cup of Humanity",
        "II. The Schools of Tea",
    ]
    words = " ".join(p.text + " " + (p.section or "") for p in passages)
    assert "Gutenberg" not in words and "LICENSE" not in words and "eBook" not in words
    assert "CONTENTS" not in words and not any(p.text.startswith("I. The Cup") for p in passages)
    assert "by Okakura Kakuzo" not in words  # the title page's byline


MAN_PAGE = """\
GZIP(1)                     General Commands Manual                    GZIP(1)



N\bNA\bAM\bME\bE
       gzip, gunzip, zcat - compress or expand files

SYNOPSIS
       gzip [ -acdfhklLnNrtvV19 ] [--rsyncable] [-S suffix] [ name ...  ]

DESCRIPTION
       Gzip  reduces  the size of the named files using Lempel-Ziv coding (LZ77).  Whenever possi\u2010
       ble, each file is replaced by one with the extension .gz, while keeping the same ownership
       modes, access and modification times.

   Compressed file names
       If  the  compressed file name is too long for its file system, gzip truncates it.

OPTIONS
       -c --stdout --to-stdout
              Write  output  on  standard  output;  keep original files unchanged.  If there
              are several input files, the output consists of a sequence of members.

       -k --keep
              Keep (don't delete) input files during compression or decompression.
       -t     Test. Check the compressed file integrity
              then quit.



                                     local                             GZIP(1)
"""


def test_a_manual_page_saved_as_text_reads_as_its_sections_and_options(tmp_path):
    source = tmp_path / "gzip.txt"
    source.write_text(MAN_PAGE, "utf-8")  # as `man gzip > gzip.txt` writes it, a bold NAME struck over
    passages = split_document(read_document(add(str(source), tmp_path / "mine")))
    assert passages[0].title == "gzip, gunzip, zcat - compress or expand files"
    by_text = {p.text: p.section for p in passages}
    assert by_text["-k --keep: Keep (don't delete) input files during compression or decompression."] == "OPTIONS"
    assert by_text["-t Test. Check the compressed file integrity then quit."] == "OPTIONS"
    assert by_text["If the compressed file name is too long for its file system, gzip truncates it."] == (
        "Compressed file names"
    )
    description = next(t for t in by_text if t.startswith("Gzip reduces"))
    assert "Whenever possible, each file" in description and by_text[description] == "DESCRIPTION"
    assert not any("GZIP(1)" in t or "local" == t.split()[0] for t in by_text)  # no header or footer


PYDOC_TEXT = """Help on module tea:

NAME
    tea - Brewing tea.

MODULE REFERENCE
    https://docs.python.org/3/library/tea.html

    The following documentation is automatically generated from the Python
    source files.

CLASSES
    builtins.object
        Kettle

    class Kettle(builtins.object)
     |  Kettle(litres=1.5)
     |
     |  Boils water for :func:`steep`.
     |
     |  Methods defined here:
     |
     |  boil(self)
     |      Heat the water to 100 degrees.
     |
     |  ----------------------------------------------------------------------
     |  Data descriptors defined here:

FUNCTIONS
    steep(leaves, minutes=3)
        Steep ``leaves`` in hot water for ``minutes``.

        >>> steep('green', 2)

FILE
    /usr/lib/python3/tea.py
"""


def test_python_help_saved_as_text_reads_as_its_sections_and_functions(tmp_path, fake_embedder):
    source = tmp_path / "tea.txt"
    source.write_text(PYDOC_TEXT, "utf-8")  # as `python3 -m pydoc tea > tea.txt` writes it
    passages = split_document(read_document(add(str(source), tmp_path / "mine")))
    assert passages[0].title == "tea - Brewing tea."
    by_text = {p.text: p for p in passages}
    assert by_text["Steep leaves in hot water for minutes."].section == "steep(leaves, minutes=3)"
    assert by_text["Heat the water to 100 degrees."].section == "boil(self)"
    assert by_text["Boils water for steep."].section == "class Kettle(builtins.object)"
    assert by_text[">>> steep('green', 2)"].code
    assert not any("|" in t or "automatically generated" in t or "/usr/lib" in t for t in by_text)
    r = Retriever(tmp_path / "mine", tmp_path / "index", embedder=fake_embedder)
    assert r.search("leaves in hot water for minutes", 1, min_score=None)[0].section == "steep(leaves, minutes=3)"


def test_a_manual_page_saved_through_col_with_tabs_keeps_its_sections(tmp_path):
    """`man gzip | col -b > gzip.txt` sets runs of spaces as tabs: a tab is still eight columns, so a
    field list deep in an option's description is no heading."""
    page = MAN_PAGE.replace("       ", "\t").replace("              ", "\t\t")
    page = page.replace("\t\tWrite", "\t\tWrite").replace("quit.\n", "quit.\n\n\t\t  crc: the 32-bit CRC\n")
    source = tmp_path / "gzip.txt"
    source.write_text(page, "utf-8")
    passages = split_document(read_document(add(str(source), tmp_path / "mine")))
    assert passages[0].title == "gzip, gunzip, zcat - compress or expand files"
    sections = {p.section for p in passages}
    assert sections == {"NAME", "SYNOPSIS", "DESCRIPTION", "Compressed file names", "OPTIONS"}, sections
    by_text = {p.text: p.section for p in passages}
    assert by_text["-k --keep: Keep (don't delete) input files during compression or decompression."] == "OPTIONS"


SED_PAGE = """SED(1)                           User Commands                          SED(1)

NAME
       sed - stream editor for filtering and transforming text

OPTIONS
       -n, --quiet, --silent

              suppress automatic printing of pattern space

       -H, --header <header/@file>
              Extra header to include in the request.  The header file is
              read as is, and each line may be folded.  The ASCII and MS-
              DOS line ends are both read.  Here is an example of a header file:

                # This file contains two headers.
                X-header-1: this is a header

              Then send it along.

EXAMPLES
       To print a file's first lines:

           sed 10q file.txt

GNU sed 4.9                       November 2022                          SED(1)
"""


def test_a_manual_page_keeps_its_examples_as_listings_and_its_options_whole(tmp_path):
    source = tmp_path / "sed.txt"
    source.write_text(SED_PAGE, "utf-8")
    passages = split_document(read_document(add(str(source), tmp_path / "mine")))
    by_text = {p.text: p for p in passages}
    assert by_text["-n, --quiet, --silent: suppress automatic printing of pattern space"].section == "OPTIONS"
    # an example, not a heading "This file contains ...": a listing, with the option entry that leads into it
    header = next(t for t in by_text if t.startswith("-H, --header"))
    assert header.endswith(
        "example of a header file:\n\n```\n# This file contains two headers.\nX-header-1: this is a header\n```"
    )
    assert "The ASCII and MS-DOS line ends" in header and not by_text[header].code
    assert by_text[header].section == "OPTIONS" and "# This file" not in " ".join(by_text[header].sentence_texts)
    assert by_text["To print a file's first lines:\n\n```\nsed 10q file.txt\n```"].section == "EXAMPLES"
    assert by_text["Then send it along."].section == "OPTIONS" and not by_text["Then send it along."].code
    assert {p.section for p in passages} == {"NAME", "OPTIONS", "EXAMPLES"}


def test_an_option_in_a_table_row_is_that_table_passages_entry(tmp_path, fake_embedder):
    source = tmp_path / "tool.md"
    table = "| Option | Meaning |\n|---|---|\n| `-q` | Quiet mode |\n| `-v` | Verbose mode |\n"
    source.write_text("# Tool\n\nThe tool copies files quietly or verbosely, as you choose.\n\n" + table, "utf-8")
    add(str(source), tmp_path / "mine")
    r = Retriever(tmp_path / "mine", tmp_path / "index", embedder=fake_embedder)
    for question in ("what does the tool's -q option do", "tool -v"):
        assert r.search(question, 1, min_score=None)[0].text == "Option: Meaning\n-q: Quiet mode\n-v: Verbose mode"


def test_a_question_naming_an_option_gets_its_entry_first(tmp_path, fake_embedder):
    source = tmp_path / "sed.txt"
    source.write_text(SED_PAGE, "utf-8")
    add(str(source), tmp_path / "mine")
    r = Retriever(tmp_path / "mine", tmp_path / "index", embedder=fake_embedder)
    for question, entry in [("what does sed -n do", "-n, --quiet"), ("sed -H", "-H, --header"),
                            ("what is --silent for?", "-n, --quiet")]:  # fmt: skip
        assert r.search(question, 1, min_score=None)[0].text.startswith(entry), question


HELP_TEXT = """Usage: ls [OPTION]... [FILE]...
List information about the FILEs (the current directory by default).

Mandatory arguments to long options are mandatory for short options too.
  -a, --all                  do not ignore entries starting with .
      --block-size=SIZE      with -l, scale sizes by SIZE when printing them;
                             e.g., '--block-size=M'; see SIZE format below

  -S                         sort by file size, largest first
  -t                         sort by time, newest first; see --time
  -b ADDRESS, --bind ADDRESS
                             bind to this address

Exit status:
 0  if OK,
 1  if minor problems.
"""


def test_a_help_text_reads_as_one_passage_an_option(tmp_path, fake_embedder):
    source = tmp_path / "ls-help.txt"
    source.write_text(HELP_TEXT, "utf-8")
    passages = split_document(read_document(add(str(source), tmp_path / "mine")))
    texts = [p.text for p in passages]
    assert "-a, --all: do not ignore entries starting with ." in texts
    assert "--block-size=SIZE: with -l, scale sizes by SIZE when printing them; e.g., '--block-size=M'; see " \
        "SIZE format below" in texts  # fmt: skip
    assert "-S: sort by file size, largest first" in texts
    assert "-b ADDRESS, --bind ADDRESS: bind to this address" in texts
    assert texts[0].startswith("Usage: ls [OPTION]... [FILE]...")
    r = Retriever(tmp_path / "mine", tmp_path / "index", embedder=fake_embedder)
    assert r.search("ls -S", 1, min_score=None)[0].text.startswith("-S: sort by file size")
    grouped = tmp_path / "tar-help.txt"
    grouped.write_text("Usage: tar [OPTION...]\n\n Compression options:\n\n  -j, --bzip2  use bzip2\n"
                       "  -z, --gzip   use gzip\n  -Z           use compress\n", "utf-8")  # fmt: skip
    passages = split_document(read_document(add(str(grouped), tmp_path / "mine")))
    assert {p.text: p.section for p in passages}["-z, --gzip: use gzip"] == "Compression options"


def test_an_option_a_list_of_options_never_names_is_not_in_the_article(tmp_path, fake_embedder):
    source = tmp_path / "ls-help.txt"
    source.write_text(HELP_TEXT, "utf-8")
    add(str(source), tmp_path / "mine")
    r = Retriever(tmp_path / "mine", tmp_path / "index", embedder=fake_embedder)
    answer = r.ask("what does ls -Q do", 3)
    assert not answer.answered and answer.missing[0] == "-Q" and answer.confidence == 0.0
    assert r.ask("ls --frobnicate", 3).missing[:1] == ["--frobnicate"]
    for named in ("what does ls -S do", "what is --block", "--block-size=M"):  # "--block": a prefix, as getopt
        assert r._rank(named, 1)[1].unlisted == (), named
    assert r._rank("ls -s", 1)[1].unlisted == ("-s",)  # case counts: "-S" is written, "-s" is not


def test_prose_that_opens_a_line_with_an_option_is_no_option_list():
    news = "* Noteworthy changes\n\n  ls now warns about\n  --indicator-style=slash.  Use --file-type or\n" \
        "  --indicator-style=file-type to get the old behavior.\n"  # fmt: skip
    assert sources.option_list(news) == news


def test_a_table_saved_as_csv_reads_a_row_a_passage_and_a_question_a_section(tmp_path, fake_embedder):
    faq = tmp_path / "faq.csv"
    faq.write_text('Question,Answer\nHow do I reset my password?,"Go to Settings, then Security."\n'
                   'Can I change my username?,"No, usernames\nare permanent."\n,\n', "utf-8")  # fmt: skip
    passages = split_document(read_document(add(str(faq), tmp_path / "mine")))
    assert [(p.section, p.text) for p in passages] == [
        ("How do I reset my password?", "Go to Settings, then Security."),
        ("Can I change my username?", "No, usernames are permanent."),
    ]
    glossary = tmp_path / "glossary.tsv"
    glossary.write_text("term\tmeaning\nBM25\tA ranking function.\nFAISS\tVector search.\n", "utf-8")
    passages = split_document(read_document(add(str(glossary), tmp_path / "mine")))
    rows = ["term: BM25\nmeaning: A ranking function.", "term: FAISS\nmeaning: Vector search."]
    assert [p.text for p in passages] == rows
    r = Retriever(tmp_path / "mine", tmp_path / "index", embedder=fake_embedder)
    assert r.search("what is FAISS", 1, min_score=None)[0].text.startswith("term: FAISS")
    lonely = tmp_path / "one.csv"
    lonely.write_text("just one cell\n", "utf-8")
    with pytest.raises(sources.SourceError, match="no table of rows and columns"):
        add(str(lonely), tmp_path / "mine")


README = """# rustfmt [![linux](https://ci/badge.svg)](https://ci) [![crates.io](https://img/v.svg)](https://crates)

A tool for formatting **Rust** code according to [style guidelines](https://style).
You can choose how much it is supposed to ~~annoy~~ help you.

| Category | Default level |
|---|---|
| `clippy::style` | **warn** |

```bash
# install it
rustup component add rustfmt
```
"""


def test_a_markdown_document_reads_as_rendered(tmp_path):
    source = tmp_path / "README.md"
    source.write_text(README, "utf-8")
    path = add(str(source), tmp_path / "mine")
    passages = split_document(read_document(path))
    assert passages[0].title == "rustfmt" and path.name == "rustfmt.md"  # no badges in the title
    texts = [p.text for p in passages]
    assert texts[0] == "A tool for formatting Rust code according to style guidelines. You can choose how much it is " \
        "supposed to help you."  # fmt: skip
    assert "Category: Default level\nclippy::style: warn" in texts  # a table as readable lines
    assert "# install it\nrustup component add rustfmt" in texts and {p.section for p in passages} == {None}
    assert not any(m in t for t in texts for m in ("**", "](", "![", "`", "~~"))


def test_a_readmes_nested_contents_are_dropped_and_a_list_items_blocks_are_parted():
    """A README's table of contents, one entry with the sections nested under it (in a <details> box), is
    no passage; a list item's code block, or its two paragraphs, are not glued to the words before them."""
    readme = (
        "# Narwhals\n\nA compatibility layer between dataframe libraries.\n\n"
        "<details>\n<summary>Table of contents</summary>\n\n- [Narwhals](#narwhals)\n"
        "  - [Installation](#installation)\n  - [Usage](#usage)\n\n</details>\n\n## Installation\n\n"
        "- pip (recommended)\n  ```\n  pip install narwhals\n  ```\n- conda\n\n  It is fine too.\n\n"
        "  Slower to update.\n\n## Usage\n\nImport it.\n"
    )
    page = markdown_page(readme, "x")
    assert "[Narwhals]" not in page.markdown and "Table of contents" not in page.markdown
    assert "\n- Narwhals\n" not in page.markdown and "- Installation" not in page.markdown
    assert "- pip (recommended) pip install narwhals\n" in page.markdown
    assert "- conda It is fine too. Slower to update.\n" in page.markdown


def test_an_aside_in_markdown_is_text_as_notion_writes_a_callout(tmp_path):
    source = tmp_path / "Onboarding 3f2a9c1e5b7d4e8f9a0b1c2d3e4f5a6b.md"
    source.write_text("# Onboarding\n\n<aside>\n💡 Ask your buddy first.\n\n</aside>\n\n## Holidays\n\n25 days.\n")
    texts = [p.text for p in split_document(read_document(add(str(source), tmp_path / "mine")))]
    assert texts == ["💡 Ask your buddy first.", "25 days."]


def test_a_task_list_says_its_boxes_and_emoji_shortcodes_are_pictures_or_words(tmp_path):
    source = tmp_path / "widget.md"
    text = "# Widget\n\n- [x] Linux supported\n- [ ] Windows supported\n\n> :warning: Do not run it as root.\n\n"
    source.write_text(text + "Call `widget run` :rocket: in a project.\n", "utf-8")
    texts = [p.text for p in split_document(read_document(add(str(source), tmp_path / "mine")))]
    assert texts == ["Done: Linux supported", "Not done: Windows supported", "Warning: Do not run it as root.",
                     "Call widget run in a project."]  # fmt: skip


RST = """\
.. This comment names the file's maintainer and is never shown.

:title: Transfer Settings
:category: S3

.. contents::

.. |tool| replace:: the transfer tool

Configuration Values
====================

These are the values |tool| reads, set with the ``aws configure set`` command [1]_:

* ``max_concurrent_requests`` - The maximum number of concurrent
  requests.
* ``multipart_threshold`` - The size threshold for multipart
  transfers of individual files.

See :ref:`the FAQ <s3-faq>`, :command:`cmake`, `Scripts`_ and `the guide <https://example.org/guide>`_.

.. note:: Values are optional. You should be able to
   transfer files without setting any of them.

.. versionadded:: 2.1
   The ``max_bandwidth`` value.

Example::

    $ aws configure set default.s3.max_concurrent_requests 20

.. code-block:: ini

   [default]
   s3 =
     max_queue_size = 10000

.. only:: latex

   This text is printed only in the PDF manual.

Limits
------

max_bandwidth
   The maximum bandwidth that will be consumed for uploads.

.. option:: --dryrun

   Show what would be copied, without copying.

=========  ========
value      default
=========  ========
threshold  8MB
chunk      8MB
=========  ========

.. [1] The command writes the ``~/.aws/config`` file.
.. _Scripts: https://example.org/scripts
"""


def test_restructuredtext_reads_as_rendered(tmp_path):
    source = tmp_path / "s3-config.rst"
    source.write_text(RST, "utf-8")
    path = add(str(source), tmp_path / "mine")
    passages = split_document(read_document(path))
    texts = [p.text for p in passages]
    assert passages[0].title == "Transfer Settings" and path.name == "transfer-settings.md"  # the page's own title
    assert {p.section for p in passages} == {None, "Configuration Values", "Limits"}
    # a list item's lines make one line, the short list one passage with its lead-in; a role or a
    # reference shows its words only
    assert (
        "These are the values the transfer tool reads, set with the aws configure set command:\n\n"
        "- max_concurrent_requests - The maximum number of concurrent requests.\n- multipart_threshold" in texts[1]
    )
    assert "See the FAQ, cmake, Scripts and the guide." in texts
    assert "Note: Values are optional. You should be able to transfer files without setting any of them." in texts
    assert "New in version 2.1: The max_bandwidth value." in texts
    assert "Example:\n\n```\n$ aws configure set default.s3.max_concurrent_requests 20\n```" in texts  # one passage
    code = [p.text for p in passages if p.code]
    assert code == ["[default]\ns3 =\n  max_queue_size = 10000"]
    assert "max_bandwidth: The maximum bandwidth that will be consumed for uploads." in texts  # a definition
    assert "--dryrun: Show what would be copied, without copying." in texts  # an option leads what it does
    assert any("threshold" in t and "8MB" in t for t in texts)  # a table's rows as readable lines
    assert "The command writes the ~/.aws/config file." in texts  # the footnote's text, not its mark
    # what a reader sees: a joined code block's fences are drawn as a block, not shown as text
    shown = "\n".join([p.readable for p in passages] + [p.section or "" for p in passages])
    for mark in (
        "``",
        ":ref:",
        ":command:",
        "`_",
        ".. ",
        "|tool|",
        "[1]",
        "::",
        "====",
        "printed only in the PDF",
        "maintainer",
        "contents",
    ):
        assert mark not in shown, mark


def test_restructuredtext_options_are_entries_and_the_program_directive_shows_nothing(tmp_path, fake_embedder):
    source = tmp_path / "tool.rst"
    source.write_text("Tool\n====\n\n.. program:: tool\n\n.. option:: -k, --keep\n\n   Keep the input files.\n\n"
                      ".. option:: --level <n>\n\n   Compression level, from 1 to 9.\n", "utf-8")  # fmt: skip
    add(str(source), tmp_path / "mine")
    texts = [p.text for p in split_document(read_document(tmp_path / "mine" / "tool.md"))]
    assert texts == ["-k, --keep: Keep the input files.", "--level <n>: Compression level, from 1 to 9."]
    r = Retriever(tmp_path / "mine", tmp_path / "index", embedder=fake_embedder)
    assert r.search("what does --level do", 1, min_score=None)[0].text.startswith("--level")


def test_restructuredtext_includes_are_read_where_they_stand(tmp_path):
    project = tmp_path / "project"
    (project / "docs").mkdir(parents=True)
    (project / "CHANGES.rst").write_text("2.0 (2024-06-17)\n----------------\n\n- Added |FIND_XXX| support.\n")
    (project / "docs" / "loop.rst").write_text("Loops back.\n\n.. include:: loop.rst\n")
    (project / "docs" / "example.txt").write_text("a = 1\n")
    (tmp_path / "secret.txt").write_text("Not for the corpus.\n")
    page = project / "docs" / "changelog.rst"
    page.write_text(
        ".. |FIND_XXX| replace:: ``HTTP/2``\n\nChangelog\n=========\n\n.. include:: ../CHANGES.rst\n\n"
        ".. include:: loop.rst\n\n.. include:: example.txt\n   :literal:\n\n.. include:: ../../secret.txt\n\n"
        ".. include:: <isonum.txt>\n"
    )
    passages = split_document(read_document(add(str(page), tmp_path / "mine")))
    texts = [p.text for p in passages]
    assert texts == ["Added HTTP/2 support.", "Loops back.", "a = 1"]  # read once, never outside the project
    assert passages[0].section == "2.0 (2024-06-17)" and passages[2].code


def test_restructuredtext_sections_nest_by_the_order_of_their_adornments():
    from article_qa.rst_text import rst_markdown

    text = "=====\nGuide\n=====\n\nIntro.\n\nInstall\n-------\n\nA.\n\nOn Linux\n~~~~~~~~\n\nB.\n\nUse\n---\n\nC.\n"
    headings = [line for line in rst_markdown(text).splitlines() if line.startswith("#")]
    assert headings == ["# Guide", "## Install", "### On Linux", "## Use"]
    # with no single title, the first style is the first level of sections
    text = "Install\n=======\n\nA.\n\nUse\n===\n\nB.\n\nDetails\n-------\n\nC.\n"
    headings = [line for line in rst_markdown(text).splitlines() if line.startswith("#")]
    assert headings == ["# Install", "## Use", "### Details"]


def test_github_alerts_and_footnotes_read_as_rendered(tmp_path):
    source = tmp_path / "BUILDING.md"
    source.write_text(
        "# Building\n\nWindows is a tier 1 platform[^1] for builds.\n\n> \\[!TIP]\n> Enable symlinks when you "
        "clone.\n\n> [!WARNING] Never build as root.\n\n[^1]: Tier 1 means tested on every change.\n\n"
        "```\nlist[^1] and > [!NOTE] stay in code\n```\n",
        "utf-8",
    )
    texts = [p.text for p in split_document(read_document(add(str(source), tmp_path / "mine")))]
    assert texts == [
        "Windows is a tier 1 platform for builds.",
        "Tip: Enable symlinks when you clone.",
        "Warning: Never build as root.",
        "Tier 1 means tested on every change.",
        "list[^1] and > [!NOTE] stay in code",
    ]


def test_fenced_code_never_makes_headings():
    md = "# Guide\n\n## Install\n\n```bash\n# install the tool\npip install tool\n\n# check it\ntool --help\n```\n"
    md += "\nDone.\n"
    passages = passages_of(md)
    assert {p.section for p in passages} == {"Install"}
    assert passages[0].text == "# install the tool\npip install tool\n\n# check it\ntool --help"


def test_a_code_block_is_marked_and_never_embedded_as_the_context_of_the_prose_before_it():
    md = "# Guide\n\n## Thresholds\n\nTo drop rows with few entries we set a threshold:\n\n```sql\n"
    md += "SELECT status,\n  count(*)\nFROM log\nJOIN spans\nUSING (minute)\nGROUP BY status\n"  # too long to join
    md += "WHERE entries > 10;\n```\n\nNow only real spikes remain.\n\nA last word.\n~~~\nleft open\n"
    passages = passages_of(md)
    assert [p.code for p in passages] == [False, True, False, False, True]
    texts = embedded_texts(passages, "title+section+next")
    assert texts[0] == "Guide\nThresholds\nTo drop rows with few entries we set a threshold:"
    assert texts[1].endswith("WHERE entries > 10;\nNow only real spikes remain.")  # code keeps its explanation
    assert texts[2].endswith("Now only real spikes remain.\nA last word.")


def test_titles_in_any_script_give_readable_file_names():
    assert sources.file_name("東京の歴史") == "東京の歴史.md"
    assert sources.file_name("Résumés de logs OLAP") == "résumés-de-logs-olap.md"
    assert sources.file_name("Ελληνικά κείμενα") != sources.file_name("Русский текст")


def test_add_never_replaces_a_file_and_knows_a_source_by_its_hash(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "coffee.md").write_text("# Someone else's\n\nTheir own words.\n")
    source = tmp_path / "coffee.txt"
    source.write_text("Coffee\n\nA paragraph about coffee and sleep.\n")
    assert add(str(source), mine).name == "coffee-2.md"
    assert (mine / "coffee.md").read_text() == "# Someone else's\n\nTheir own words.\n"
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    long_origin = "origin: " + "x" * 600  # the hash stands past the first 400 characters
    (mine / "coffee-2.md").write_text(f"---\n{long_origin}\nsha256: {digest}\n---\n\n# Coffee\n\nText.\n")
    with pytest.raises(SourceError, match="already in"):
        add(str(source), mine)


def test_a_one_line_document_is_one_passage():
    assert [p.text for p in passages_of("Ketamine helps some people.\n", "one.txt")] == ["Ketamine helps some people."]
    assert [p.text for p in passages_of("Short note\n", "one.txt")] == ["Short note"]


def test_a_local_file_over_the_cap_is_refused_unread(tmp_path, monkeypatch):
    big = tmp_path / "big.txt"
    big.write_text("x" * 5000)
    monkeypatch.setattr(sources, "MAX_BYTES", 1000)
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("read before the size check"))
    with pytest.raises(SourceError, match="larger than"):
        sources.read_source(str(big))


@pytest.fixture
def slow_server():
    """A loopback server that records the User-Agent and serves a big or a slow page."""
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.headers.get("User-Agent", ""))
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            for _ in range(200 if self.path == "/big.txt" else 3):
                self.wfile.write(b"word " * 1000)
                if self.path == "/slow.txt":
                    threading.Event().wait(0.4)

        def log_message(self, *a):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", seen
    httpd.shutdown()


def test_a_url_download_is_bounded_in_size_and_time_and_names_itself(slow_server, monkeypatch):
    url, seen = slow_server
    monkeypatch.setattr(sources, "MAX_BYTES", 100_000)
    with pytest.raises(SourceError, match="larger than"):
        sources.read_source(f"{url}/big.txt")
    with pytest.raises(SourceError, match="did not finish downloading"):
        sources.read_source(f"{url}/slow.txt", timeout=0.5)
    assert seen and all(agent.startswith("article-qa/") for agent in seen)


# ----- passages the model reads whole ------------------------------------------------------------------
def test_long_paragraphs_are_cut_at_sentences_into_pieces_the_model_reads_whole():
    sentence = "The participants who were given ketamine reported fewer days of heavy drinking over the months. "
    body = (sentence * 40).strip()
    passages = passages_of(f"# Long\n\n{body}\n\nNext paragraph.\n")
    long_ones = [p for p in passages if p.text != "Next paragraph."]
    assert len(long_ones) > 1 and all(estimated_pieces(p.text) <= MAX_PASSAGE_PIECES for p in long_ones)
    assert {p.paragraph for p in long_ones} == {1} and passages[-1].paragraph == 2
    assert " ".join(p.text for p in long_ones) == body  # nothing lost, cut only between sentences
    assert len({p.passage_id for p in passages}) == len(passages)


def test_the_shipped_article_is_not_cut():
    passages = split_corpus(read_corpus(CORPUS))
    assert len(passages) == 24 and [p.paragraph for p in passages] == list(range(1, 25))


SPLITTER_GOLDEN = Path(__file__).parent / "golden" / "splitter.json"
SPLIT_FIXTURE = """---
origin: /tmp/paper.pdf
sha256: 00
---

# A Paper

<!-- page 1 -->

Authors and where they work.

## 1 Introduction

- a list item
- another one

Text of the first paragraph. It goes on.

<!-- page 2 -->

## 1.1 More

```
# code, not a heading
```

Closing words!
"""


def _splitter_digest() -> str:
    docs = [
        Document("article.txt", (CORPUS / "ketamine-for-addiction.txt").read_text("utf-8"), "0"),
        Document("paper.md", SPLIT_FIXTURE, "0"),
        Document("code.md", "# G\n\n```\n# not a heading\n```\n\n" + "A sentence of words here. " * 80, "0"),
        Document("lang.md", "# L\n\n## Comments\n\nA # starts a comment.\n\n## Loops\n\nUse break.\n", "0"),
        Document("install.md", "# I\n\nAs root:\n\n    # make install\n\n## After\n\nDone.\n", "0"),
        Document("list.md", "# A\n\nThe authors are:\n\n- Ann\n- Bob\n\nIt is done.\n\n- One\n- Two\n", "0"),
        Document("lead.md", "# P\n\nInstall it with pip:\n\n```shell\n$ pip install p\n```\n\nDone.\n", "0"),
        Document("zh.md", "# 茶\n\n茶起源于中国。传说神农氏发现了茶！\n\nEs gibt sie. Über alles.\n", "0"),
    ]
    split = [
        [p.passage_id, p.text, p.section, p.paragraph, p.page, p.start, p.end, p.code, p.sentences]
        for d in docs
        for p in split_document(d)
    ]
    return hashlib.sha256(json.dumps(split, ensure_ascii=False).encode("utf-8")).hexdigest()


def test_a_change_of_splitting_rules_changes_the_splitter_version():
    """The recorded digest of the splitter's output on these fixtures belongs to one SPLITTER_VERSION: a
    change of output with the same version fails here (bump the version, then record the digest again
    with `python -m tests.test_documents --write`), so an index split by old rules is never served."""
    recorded = json.loads(SPLITTER_GOLDEN.read_text("utf-8"))
    if recorded["version"] == SPLITTER_VERSION:
        assert recorded["digest"] == _splitter_digest(), "the splitting rules changed: bump SPLITTER_VERSION"
    else:
        pytest.fail(
            f"SPLITTER_VERSION is {SPLITTER_VERSION}; record its digest (python -m tests.test_documents --write)"
        )


def test_a_comments_section_with_sections_after_it_is_text_not_a_comment_form():
    language = passages_of("# CMake Language\n\n## Comments\n\nA # starts a comment.\n\n### Line Comment\n\n"
                           "It runs to the end of the line.\n\n## Loops\n\nUse break to leave a loop.\n")  # fmt: skip
    assert [p.section for p in language] == ["Comments", "Line Comment", "Loops"]
    # a page's comment form still ends the article, and so do the comments under it
    blog = passages_of(
        "# Post\n\nThe post.\n\n## Comments\n\n### Ann says\n\nNice post!\n\n## Related posts\n\nMore.\n"
    )
    assert [p.text for p in blog] == ["The post."]


# ----- a folder of one's own ---------------------------------------------------------------------------
def _files(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()
    }


def test_a_folder_of_your_own_carries_its_index_and_touches_no_other(tmp_path, monkeypatch, capsys):
    shipped_corpus, shipped_index = _files(CORPUS), _files(ROOT / "index")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ARTICLE_QA_CORPUS", raising=False)
    source = tmp_path / "notes.md"
    source.write_text("# Project Notes\n\n## Section IV\n\nThe project received funding to get started in May.\n")
    assert cli.main(["add", str(source), "--corpus", "my-docs"]) == 0  # created on the first add
    assert (tmp_path / "my-docs" / "project-notes.md").is_file()
    assert index_for("my-docs") == Path("my-docs/.index")
    r = Retriever("my-docs", embedder=FakeEmbedder())
    assert r.index_dir == Path("my-docs/.index")
    r.load()
    assert (tmp_path / "my-docs" / ".index" / "manifest.json").is_file()
    state = r._ready()
    assert state.query_text("Section IV project get started") == "Section IV project get started"  # no synonyms
    assert "Ketamine" not in page_words("my-docs", state.passages).title
    assert _files(CORPUS) == shipped_corpus and _files(ROOT / "index") == shipped_index


def test_adding_a_folder_takes_its_documents_and_passes_over_code_settings_and_pictures(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("ARTICLE_QA_CORPUS", raising=False)
    docs = tmp_path / "docs"
    files = {
        "guide.rst": "Guide\n=====\n\nInstall it with pip.\n",
        "reference/api.md": "# API\n\nThe get function fetches a page.\n",
        "Makefile": "html:\n\tsphinx-build -b html . _build\n",
        "requirements.txt": "sphinx>=7\n",
        "conf.py": "project = 'x'\n",
        "data/prices.csv": "item,price\ntea,3\n",
        "images/logo.png": "not really a picture",
        "_build/html/guide.html": "<html><body><p>Built copy.</p></body></html>",
        ".git/HEAD": "ref: refs/heads/main\n",
    }
    for name, text in files.items():
        (docs / name).parent.mkdir(parents=True, exist_ok=True)
        (docs / name).write_text(text, "utf-8")
    assert cli.main(["add", str(docs), "--corpus", str(tmp_path / "mine")]) == 0
    assert sorted(p.name for p in (tmp_path / "mine").glob("*.md")) == ["api.md", "guide.md"]
    said = capsys.readouterr().out
    assert "passed over 5 file(s) that are code, settings or pictures" in said and "Makefile" in said


def test_add_needs_a_folder_and_never_writes_the_shipped_corpus(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("ARTICLE_QA_CORPUS", raising=False)
    source = tmp_path / "notes.txt"
    source.write_text("Notes\n\nSome text to add here.\n")
    assert cli.main(["add", str(source)]) == 2
    assert "--corpus my-docs" in capsys.readouterr().err
    before = _files(CORPUS)
    assert cli.main(["add", str(source), "--corpus", str(CORPUS)]) == 2
    assert "folder of your own" in capsys.readouterr().err and _files(CORPUS) == before


def test_page_examples_come_from_real_headings(tmp_path):
    mine = tmp_path / "mine"
    add_pdf = tmp_path / "p.pdf"
    add_pdf.write_bytes(paper(3))
    add(str(add_pdf), mine)
    words = page_words(mine, split_corpus(read_corpus(mine)))
    assert words.examples and all(not e.startswith(("Page ", "References")) for e in words.examples)
    assert words.examples[0] == "Dosing on page 1"


if __name__ == "__main__":  # python -m tests.test_documents --write: record the splitter's digest
    import sys

    if "--write" in sys.argv:
        SPLITTER_GOLDEN.write_text(json.dumps({"version": SPLITTER_VERSION, "digest": _splitter_digest()}) + "\n")
        print(f"wrote {SPLITTER_GOLDEN}")


# ----- the real-document benchmark, on fixtures of its own ---------------------------------------------
def test_the_real_document_benchmark_reports_each_document(tmp_path):
    from benchmarks.documents import evaluate, table

    docs = tmp_path / "docs"
    (docs / "html").mkdir(parents=True)
    (docs / "pdf").mkdir()
    (docs / "html" / "wiki.html").write_text(WIKI, "utf-8")
    (docs / "pdf" / "paper.pdf").write_bytes(paper(2))
    (docs / "FAQ").write_text("Tea FAQ\n=======\n\nWhy steep?\n----------\nA trigger named <kind>:<name> fires.\n")
    (docs / "more").mkdir()
    (docs / "more" / "FAQ").write_text(
        "Coffee FAQ\n==========\n\nWhy grind?\n----------\nThe grinder's burrs decide.\n"
    )
    questions = [
        {
            "doc": "html/wiki.html",
            "question": "what do coffee makers do",
            "answer": "brew the drink from roasted beans",
        },
        {"doc": "html/wiki.html", "question": "who discovered caffeine", "answer": None},
        {"doc": "pdf/paper.pdf", "question": "dose on page 2 mg/kg infusions", "answer": "infusions of 0.2 mg/kg"},
        {"doc": "FAQ", "question": "what fires", "answer": "A trigger named <kind>:<name> fires."},
        {"doc": "more/FAQ", "question": "what decides", "answer": "The grinder's burrs decide."},
    ]
    file = tmp_path / "q.jsonl"
    file.write_text("\n".join(json.dumps(q) for q in questions) + "\n")
    result = evaluate(docs, file, FakeEmbedder())
    wiki, pdf, faq, other = result["documents"]
    assert faq["markup"] == 0 and faq["sections"] == 1 and faq["answer_first"] == 1  # its own "<kind>" is text
    # two files of one name: each in a folder of its own, named with its folder
    assert (faq["doc"], other["doc"]) == ("docs/FAQ", "more/FAQ") and faq["passages"] == other["passages"] == 1
    assert wiki["markup"] == 0 and wiki["answer_found"] == 1 and wiki["absent"] == 1
    assert pdf["no_page"] == 0 and pdf["furniture"] == 0 and pdf["answer_found"] == 1 and pdf["answer_top3"] == 1
    assert pdf["captions_inside"] == 0 and pdf["unknown_glyphs"] == 0
    assert result["total"]["answerable"] == 4 and "| **all** |" in table(result)
    assert len(wiki["judged"]) == 2 and [j[0] for j in wiki["judged"]] == [True, False]
    assert 0 <= result["separation"]["confidence_auroc"] <= 1 and "AUROC" in table(result)
    # the reliability bands hold every question once, and count a first passage that holds the answer
    assert (
        sum(band["questions"] for band in result["reliability"])
        == sum(len(d["judged"]) for d in result["documents"])
        == 5
    )
    assert [j[3] for j in wiki["judged"]] == [wiki["answer_first"] == 1, False]
    assert "the first passage holds the answer" in table(result)


def test_furniture_left_in_passages_is_counted():
    from article_qa.passages import Passage
    from benchmarks.documents import furniture

    header = "Journal of Clinical Tests Volume 12 Issue 3"
    texts = [f"{header} Findings about dose {n} were new." for n in range(3)] + ["A plain paragraph.", "14"]
    passages = [Passage(f"d:{i}", t, "d.md", None, 1, 0, len(t), page=i + 1) for i, t in enumerate(texts)]
    assert furniture(passages, pages=5) == 4  # three running headers and a page number alone


def test_a_chapter_header_left_as_passages_on_nearby_pages_is_counted():
    from article_qa.passages import Passage
    from benchmarks.documents import furniture

    pages = [(12, "Using the core"), (13, "Using the core"), (15, "Using the core"), (40, "Warning"), (80, "Warning"),
             (90, "Warning")] + [(n, f"Paragraph {n} says a thing.") for n in range(1, 100, 7)]  # fmt: skip
    passages = [Passage(f"d:{i}", t, "d.md", None, 1, 0, len(t), page=n) for i, (n, t) in enumerate(pages)]
    assert furniture(passages, pages=100) == 3  # a heading's word on far apart pages is not a header


def test_a_paragraph_that_opens_like_markdown_markup_stays_a_paragraph():
    page = (
        b"<html><head><title>Shell</title></head><body><h1>Shell</h1><p>Type the line below.</p>"
        b"<p># not a heading, a shell comment</p><p>```not a fence</p><h2>Next</h2><p>More.</p></body></html>"
    )
    passages = passages_of(page_text(page, "Shell", whole=True).markdown)
    assert [(p.section, p.text.lstrip("\u2060")) for p in passages] == [
        (None, "Type the line below."), (None, "# not a heading, a shell comment"), (None, "```not a fence"),
        ("Next", "More."),
    ]  # fmt: skip


def test_markup_is_told_from_a_documents_own_angle_brackets():
    from benchmarks.documents import MARKUP

    leaked = ["a <sup>[2]</sup> mark", "**Cons:** slow", "Tom &amp; Jerry", '<a href="/x">link</a>', "one<br/>two"]
    own = ["returns a Result<T, E> value", "#include <stdio.h>", "char ** der", "a Vec<u8> of bytes", "see <MIME>"]
    assert all(MARKUP.search(t) for t in leaked) and not any(MARKUP.search(t) for t in own)


def test_captions_read_into_paragraphs_and_unknown_glyphs_are_counted():
    from benchmarks.documents import CAPTION_INSIDE, UNKNOWN_GLYPH

    spliced = "When training with mul- Figure 1: Retriever accuracy by training size."
    named = "Slightly better than those reported in Table 3. This is due to a better setting."
    assert CAPTION_INSIDE.search(spliced) and not CAPTION_INSIDE.search(named)
    assert not CAPTION_INSIDE.search("Figure 1: Retriever accuracy by training size.")  # a caption of its own
    assert UNKNOWN_GLYPH in "an \ufffd parameter"


def test_a_long_code_block_is_cut_at_lines_into_pieces_the_model_reads():
    code = "\n".join(f"SELECT status_code, COUNT(*) AS entries_{n} FROM server_log GROUP BY 1, 2;" for n in range(60))
    passages = passages_of(f"# Guide\n\n## Query\n\n```sql\n{code}\n```\n")
    assert len(passages) > 1 and all(estimated_pieces(p.text) <= MAX_PASSAGE_PIECES for p in passages)
    assert "\n".join(p.text for p in passages) == code and {p.paragraph for p in passages} == {1}
