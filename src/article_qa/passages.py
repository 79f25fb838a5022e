"""Read corpus files and split them into `Passage` records.

A passage is one paragraph or one list item of an article (a short list with the line that leads
into it, "The main authors are:", is one passage), carried with the heading it stands under
and its exact character offsets, so that ``source_text[start:end] == text`` always holds. The title,
headings and page boilerplate (a closing "Leave a Comment" form and the like) are never passages.
Sentence spans inside each passage are found here too, for highlighting, and so is the text
embedded for a passage: the passage with the context it is read in (title, section, a neighbour).

This module does not embed, index or rank anything, and it never rewrites the article's text.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

CORPUS_SUFFIXES = (".txt", ".md")
# What is embedded with a passage besides its own text (see `embedded_text`).
CONTEXTS = ("none", "section", "title+section", "title+section+previous", "title+section+next")

# A heading line that starts page boilerplate: it and everything after it in the file is dropped.
BOILERPLATE_HEADINGS = re.compile(
    r"^(leave a (comment|reply)|post a comment|comments?|related (posts|articles)|share this( post)?"
    r"|you may also like|about the author)\W*$",
    re.IGNORECASE,
)
# A single block of boilerplate wherever it stands.
BOILERPLATE_BLOCKS = re.compile(
    r"^(your email address will not be published|required fields are marked|"
    r"save my name, email, and website|subscribe to our newsletter)",
    re.IGNORECASE,
)
# A front-matter block opening a file ("---" lines around "origin: ..."): where the file came from,
# never a passage.
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n.*?\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_BULLET = re.compile(r"^[ \t]*(?:[-*+•‣◦▪●]|\d{1,3}[.)])[ \t]+")
_MD_HEADING = re.compile(r"^[ \t]{0,3}(#{1,6})[ \t]+(.+?)[ \t#]*$")
_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
# A whole fence line, its line break included: where a code block joined to its lead-in opens and closes.
FENCE_LINE = re.compile(r"^[ \t]{0,3}(?:`{3,}|~{3,}).*(?:\n|\Z)", re.MULTILINE)
_PAGE_MARKER = re.compile(r"^<!--\s*page\s+(\d+)\s*-->$", re.IGNORECASE)
# The splitter's rules, recorded in every index manifest: change it whenever the rules change, so that an
# index split by older rules is rebuilt, never served (tests/test_passages.py holds the rules to it).
SPLITTER_VERSION = "paragraph-v9"
# A list joins the line that leads into it ("The main authors of Faiss are:") when each of its items is at
# most LEAD_ITEM_CHARS long and the whole at most LEAD_LIST_CHARS: alone, the lead-in answers nothing and
# a two-word item ("search time") says nothing.
LEAD_ITEM_CHARS = 200
LEAD_LIST_CHARS = 900
# Likewise a short code block joins the paragraph ending in ":" before it ("Install HTTPX using pip:" and
# "$ pip install httpx"), fences included, when it has at most LEAD_CODE_LINES lines and LEAD_CODE_CHARS
# characters: the command is the answer, the sentence says what it is for. A longer listing stays a
# passage of its own.
LEAD_CODE_LINES = 6
LEAD_CODE_CHARS = 300
# A paragraph that leads into what follows: it ends in ":" ("The main authors are:"), or with no mark
# that ends a sentence ("trade-offs with respect to").
_LEADS_IN = re.compile(r"(?::|[\w,])\Z")
# A paragraph longer than this many estimated word pieces is cut at sentence boundaries into pieces of
# about PIECE_TARGET, so that the model (256 pieces with the title and section) reads every word.
MAX_PASSAGE_PIECES = 250
PIECE_TARGET = 190
_SMALL_WORDS = {
    "a", "an", "and", "as", "at", "be", "but", "by", "for", "from", "in", "into", "is", "of", "on",
    "or", "the", "to", "vs", "with", "can", "do", "does",
}  # fmt: skip
# A sentence ends at . ! or ? (optionally followed by a closing quote or bracket) and white space
# before an upper-case letter, a digit, a quote or a bracket. "p.c", "et al." and "1)" do not end one.
# A sentence ends at ".", "!" or "?" before a capital (of the Latin, Greek or Cyrillic alphabet) or a
# digit, or at a Chinese or Japanese full stop, "!" or "?" ("。", "！", "？"), which need no space after them.
_SENTENCE_END = re.compile(
    r"(?<=[.!?])[\"'”’)\]]?\s+(?=[\"'“‘(\[«]?[A-Z0-9À-ÖØ-ÞΑ-ΩА-ЯЁ])|(?<=[。！？])[”’」』）)]*\s*(?=[^\s”’」』）)])"
)
_NO_BREAK_AFTER = re.compile(r"(\bal|\be\.g|\bi\.e|\betc|\bvs|\bDr|\bMr|\bMrs|\bMs|\bSt|\bNo)\.$")


@dataclass(frozen=True)
class Document:
    """One corpus file, read whole."""

    source: str  # file name inside the corpus folder
    text: str
    sha256: str

    @property
    def stem(self) -> str:
        return Path(self.source).stem


@dataclass(frozen=True)
class Passage:
    """A paragraph or list item of a document, verbatim, with where it stands."""

    passage_id: str
    text: str
    source: str
    section: str | None
    paragraph: int
    start: int
    end: int
    title: str | None = None
    # (start, end) source offsets of each sentence, in order, inside [start, end).
    sentences: tuple[tuple[int, int], ...] = ()
    page: int | None = None  # the page the passage starts on (PDFs); then `paragraph` counts within it
    code: bool = False  # a fenced code block (or a piece of one), verbatim

    @property
    def where(self) -> str:
        """Section, page and paragraph, for people: "3.1 Hydrographic, page 14, ¶2"."""
        page = f", page {self.page}" if self.page is not None else ""
        return f"{self.section or 'Introduction'}{page}, ¶{self.paragraph}"

    @property
    def citation(self) -> str:
        return f"{self.where} ({self.source})"

    @property
    def readable(self) -> str:
        """The text the model reads: a joined code block's fence lines ("```shell") left out.

        >>> Passage("d:1", "Install it:\\n\\n```shell\\n$ pip install x\\n```", "d.md", None, 1, 0, 40).readable
        'Install it:\\n\\n$ pip install x\\n'
        """
        return FENCE_LINE.sub("", self.text) if not self.code else self.text

    @property
    def sentence_texts(self) -> list[str]:
        """The passage's sentences, verbatim, in order."""
        return [self.text[a - self.start : b - self.start] for a, b in self.sentences]


class CorpusError(ValueError):
    """A corpus folder or file that cannot be used, with a message saying how to fix it."""


def corpus_files(corpus_dir: str | Path) -> list[Path]:
    """The indexable files of a corpus folder (top level, *.txt and *.md), sorted by name."""
    folder = Path(corpus_dir)
    if not folder.is_dir():
        raise CorpusError(f"corpus folder {folder} does not exist; put the article(s) there as .txt or .md")
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in CORPUS_SUFFIXES)


def read_document(path: str | Path) -> Document:
    """Read one corpus file as UTF-8 (a leading BOM is kept out of the text)."""
    path = Path(path)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CorpusError(f"{path} is not UTF-8 text (byte {exc.start}); re-save it as UTF-8 and rebuild") from None
    return Document(source=path.name, text=text, sha256=hashlib.sha256(raw).hexdigest())


def read_corpus(corpus_dir: str | Path) -> list[Document]:
    """Every indexable file of the folder as a `Document`; an error if there is none."""
    files = corpus_files(corpus_dir)
    if not files:
        raise CorpusError(f"corpus folder {corpus_dir} has no .txt or .md file to index")
    return [read_document(p) for p in files]


def _blocks(text: str) -> list[tuple[int, int]]:
    """Spans of the non-blank lines, one per line, with leading/trailing spaces trimmed.

    >>> _blocks("a\\n\\n  b c \\n")
    [(0, 1), (5, 8)]
    """
    spans = []
    pos = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        stripped = body.strip()
        if stripped:
            lead = len(body) - len(body.lstrip())
            spans.append((pos + lead, pos + lead + len(stripped)))
        pos += len(line)
    return spans


def _is_heading_line(line: str) -> bool:
    """A short line in title case, or short and without closing punctuation.

    >>> _is_heading_line("Findings From Key Research"), _is_heading_line("Research has also shown it.")
    (True, False)
    """
    words = re.findall(r"[A-Za-z][\w'’-]*", line)
    if not words:  # no Latin words (e.g. Chinese): short and without closing punctuation
        return 0 < len(line) <= 30 and line.rstrip()[-1] not in ".,;:。，；：!?！？"
    if len(words) > 14 or len(line) > 120:
        return False
    if line.rstrip()[-1] in ".,;:":
        return False
    content = [w for w in words if w.lower() not in _SMALL_WORDS]
    capitalised = sum(w[0].isupper() for w in content)
    title_case = bool(content) and capitalised >= max(1, round(0.75 * len(content)))
    return title_case or (line.rstrip()[-1] not in "?!" and len(words) <= 8)


def sentence_spans(text: str, offset: int = 0) -> tuple[tuple[int, int], ...]:
    """Split `text` into sentences; spans are offsets into the source (`offset` + index).

    >>> sentence_spans("It works. At 14 days, 48 p.c remained.")
    ((0, 9), (10, 38))
    >>> sentence_spans("Es gibt sie. Über alles."), sentence_spans("茶起源于中国。传说神农氏发现了茶。")
    (((0, 12), (13, 24)), ((0, 7), (7, 17)))
    """
    spans = []
    begin = 0
    for m in _SENTENCE_END.finditer(text):
        if _NO_BREAK_AFTER.search(text[begin : m.start()]):
            continue
        spans.append((offset + begin, offset + m.start()))
        begin = m.end()
    if begin < len(text):
        spans.append((offset + begin, offset + len(text.rstrip())))
    return tuple((a, b) for a, b in spans if b > a)


def estimated_pieces(text: str) -> int:
    """About how many word pieces a BERT-style tokenizer makes of `text` (a word a piece, long and
    non-ASCII words more, numbers by their digits, punctuation and underscores a piece each); no model
    needed, so splitting stays model-free.

    >>> estimated_pieces("Ketamine works, twice."), estimated_pieces("status_code 404")
    (6, 5)
    """
    words = re.findall(r"[^\W\d_]+", text)
    numbers = re.findall(r"\d+", text)
    return (
        sum(1 + len(w) // (7 if w.isascii() else 2) for w in words)
        + sum(1 + len(n) // 3 for n in numbers)
        + len(re.findall(r"[^\w\s]|_", text))
    )


def _runs(body: str, start: int, spans: list[tuple[int, int]], target: int) -> list[tuple[int, int]]:
    """Consecutive `spans` (source offsets into `body`, which starts at `start`) gathered greedily into
    runs of at most `target` estimated word pieces; a span longer than that is a run of its own.

    >>> _runs("a b c", 0, [(0, 1), (2, 3), (4, 5)], target=2)
    [(0, 3), (4, 5)]
    """
    runs: list[tuple[int, int]] = []
    run_start: int | None = None
    size, last = 0, start
    for a, b in spans:
        cost = estimated_pieces(body[a - start : b - start])
        if run_start is not None and size + cost > target:
            runs.append((run_start, last))
            run_start, size = None, 0
        if run_start is None:
            run_start = a
        size += cost
        last = b
    if run_start is not None:
        runs.append((run_start, last))
    return runs


def _units(body: str, start: int, target: int) -> list[tuple[int, int]]:
    """The spans a long paragraph is cut between: its sentences; a sentence still longer than `target`
    (a code block, a run-on sentence) at its line breaks, and a line still longer at spaces.

    >>> _units("a b c d e f", 0, target=2)
    [(0, 3), (4, 7), (8, 11)]
    """
    out: list[tuple[int, int]] = []
    for a, b in sentence_spans(body, start):
        if estimated_pieces(body[a - start : b - start]) <= target:
            out.append((a, b))
            continue
        for m in re.finditer(r"[^\n]+", body[a - start : b - start]):  # lines, verbatim
            la, lb = a + m.start(), a + m.end()
            if estimated_pieces(body[la - start : lb - start]) <= target:
                out.append((la, lb))
                continue
            words = [(la + w.start(), la + w.end()) for w in re.finditer(r"\S+", body[la - start : lb - start])]
            out += _runs(body, start, words, target)
    return out


def pieces(body: str, start: int, limit: int = MAX_PASSAGE_PIECES, target: int = PIECE_TARGET) -> list[tuple[int, int]]:
    """Source spans of a paragraph cut so that each fits the model's window: a paragraph of at most
    `limit` estimated word pieces stays whole; a longer one is cut into runs of sentences of about
    `target` pieces (a sentence longer than that at its lines, a line longer than that at spaces: a
    code block or a run-on sentence is never one unreadable piece).

    >>> pieces("One two. Three four.", 0, limit=3, target=3)
    [(0, 8), (9, 20)]
    >>> pieces("x = 1\\ny = 2\\nz = 3", 0, limit=5, target=4)
    [(0, 5), (6, 11), (12, 17)]
    """
    end = start + len(body)
    if estimated_pieces(body) <= limit:
        return [(start, end)]
    spans = _runs(body, start, _units(body, start, target), target)
    if spans:
        spans[-1] = (spans[-1][0], end)  # the last piece runs to the paragraph's end
    return spans


def split_document(doc: Document) -> list[Passage]:
    """Split a document into passages: paragraphs and list items, headings attached.

    A paragraph is a run of non-blank lines; each list item (a line starting with a bullet or a
    number) is a passage of its own, unless the list is short and a paragraph ending in ":", or unfinished, leads into
    it (`_lead_in_list`): then the two are one passage, each line a sentence, bullets included as
    written. A fenced code block is a passage of its own (```), whose lines are never
    headings. In a Markdown file (.md) only ``#`` lines are headings; in a text file a short
    title-like line between blank lines is one too. The first heading is the title; headings before
    the first passage (a repeated title, a subtitle) belong to the title block. A boilerplate heading
    ("Leave a Comment", ...) ends the article; a front-matter block that opens the file is skipped. A
    ``<!-- page N -->`` line (written for PDFs) says that what follows stands on page N: passages
    carry it, and paragraphs are then counted within their page. A paragraph longer than the model
    reads is cut at sentence boundaries (`pieces`); the pieces share its paragraph number. A
    document whose only text is its title line is that one passage.
    """
    text = doc.text
    markdown = doc.source.lower().endswith((".md", ".markdown"))
    passages: list[Passage] = []
    title: str | None = None
    title_span: tuple[int, int] | None = None
    section: str | None = None
    page: int | None = None
    paragraph = 0  # paragraphs so far, in the document or (with pages) in the page
    para: list[tuple[int, int]] = []  # line spans of the paragraph being gathered

    def flush(code: bool = False, listing: bool = False, prose_end: int | None = None) -> None:
        """The gathered lines as a passage; with `prose_end` (a lead-in and its code block) only the text
        before it is sentences."""
        nonlocal paragraph
        if not para:
            return
        start, end = para[0][0], para[-1][1]
        body = text[start:end]
        prose = end if prose_end is None else prose_end  # where the text that is sentences ends
        para.clear()
        if BOILERPLATE_BLOCKS.match(body):
            return
        paragraph += 1
        for a, b in pieces(body, start):
            piece = text[a:b]
            passages.append(
                Passage(
                    passage_id=f"{doc.stem}:{len(passages) + 1}",
                    text=piece,
                    source=doc.source,
                    section=section,
                    paragraph=paragraph,
                    start=a,
                    end=b,
                    title=title,
                    sentences=_line_sentences(piece, a) if listing else sentence_spans(text[a : min(b, prose)], a),
                    page=page,
                    code=code,
                )
            )

    front = _FRONT_MATTER.match(text)
    lines = [(a, b) for a, b in _blocks(text) if a >= (front.end() if front else 0)]
    fence: str | None = None  # the opening fence of the code block being gathered
    joined = 0  # lines up to here were joined to a lead-in already
    for i, (a, b) in enumerate(lines):
        if i < joined:
            continue
        line = text[a:b]
        if fence is not None:
            if _closes(line, fence):
                flush(code=True)
                fence = None
            else:
                para.append((a, b))
            continue
        opening = _FENCE.match(line)
        if opening and (joined := _lead_in_code(text, lines, i, para, opening.group(1))):
            prose_end = para[-1][1]
            para.extend(lines[i:joined])
            flush(prose_end=prose_end)
            continue
        if opening:
            flush()
            fence = opening.group(1)
            continue
        marker = _PAGE_MARKER.match(line)
        if marker:
            flush()
            page, paragraph = int(marker.group(1)), 0
            continue
        prev_blank = i == 0 or text.count("\n", lines[i - 1][1], a) >= 2
        next_blank = i + 1 == len(lines) or text.count("\n", b, lines[i + 1][0]) >= 2
        # A line set in four columns or more is an indented listing's ("    # make install"), no heading.
        indent = len(text[text.rfind("\n", 0, a) + 1 : a].expandtabs(4))
        md = _MD_HEADING.match(line) if indent < 4 else None
        if md or (not markdown and prev_blank and next_blank and _is_heading_line(line)):
            flush()
            heading = md.group(2).strip() if md else line
            if BOILERPLATE_HEADINGS.match(heading) and not (
                md and _section_follows(text, lines[i + 1 :], len(md.group(1)))
            ):
                break
            if passages or (md and len(md.group(1)) > 1 and title is not None):
                section = heading  # a "## Section" right under the "# Title" opens a section too
            elif title is None:
                title, title_span = heading, (a, b)
            continue
        bullet = _BULLET.match(line)
        if bullet and (joined := _lead_in_list(text, lines, i, para)):
            para.extend(lines[i:joined])
            flush(listing=True)
            continue
        if bullet:
            flush()
            para.append((a + bullet.end(), b))  # the bullet mark is not passage text
            flush()
            continue
        if prev_blank:
            flush()
        para.append((a, b))
    flush(code=fence is not None)  # a code block left open runs to the end
    if not passages and title_span is not None and not markdown:  # a one-line text: the line is the passage
        para.append(title_span)
        title = None
        flush()
    return passages


def _lead_in_list(text: str, lines: list[tuple[int, int]], i: int, para: list[tuple[int, int]]) -> int:
    """Where the list that starts at line `i` ends (the index of the line after its last item), when it
    joins the paragraph gathered before it (`para`, ending in ":" or unfinished: `_LEADS_IN`); 0 when it
    does not: an item too long,
    the whole too long, or an item that runs on to a line of its own."""
    if not para or not _LEADS_IN.search(text[para[0][0] : para[-1][1]].rstrip()):
        return 0
    j = i
    while j < len(lines) and (bullet := _BULLET.match(text[lines[j][0] : lines[j][1]])):
        if lines[j][1] - lines[j][0] - bullet.end() > LEAD_ITEM_CHARS:
            return 0
        j += 1
    if j < len(lines) and text.count("\n", lines[j - 1][1], lines[j][0]) < 2:
        return 0  # the last item runs on to the next line
    if lines[j - 1][1] - para[0][0] > LEAD_LIST_CHARS:
        return 0
    return j


def _closes(line: str, fence: str) -> bool:
    """Whether `line` closes the code block that `fence` opened: the same fence, nothing else on it."""
    return line.startswith(fence) and not line.strip("`~ ")


def split_code(text: str, code: bool = False) -> tuple[str, str | None]:
    """A passage's prose and its code block: a code block is all code; a sentence joined to the short
    block that follows it ("Install HTTPX using pip:" and its command) is both; any other, all prose.

    >>> split_code("Install it:\\n\\n```shell\\n$ pip install x\\n```")
    ('Install it:\\n\\n', '$ pip install x')
    """
    if code:
        return "", text
    fences = list(FENCE_LINE.finditer(text))
    if len(fences) < 2:
        return text, None
    return text[: fences[0].start()], text[fences[0].end() : fences[-1].start()].strip("\n")


def _lead_in_code(text: str, lines: list[tuple[int, int]], i: int, para: list[tuple[int, int]], fence: str) -> int:
    """Where the code block that opens at line `i` ends (the index of the line after its closing fence),
    when it joins the paragraph gathered before it (`para`, ending in ":"); 0 when it does not: no such
    paragraph, a block left open, or one longer than LEAD_CODE_LINES lines or LEAD_CODE_CHARS characters."""
    if not para or not text[para[0][0] : para[-1][1]].rstrip().endswith(":"):
        return 0
    for j in range(i + 1, min(len(lines), i + LEAD_CODE_LINES + 2)):
        line = text[lines[j][0] : lines[j][1]]
        if _closes(line, fence):
            code = text[lines[i][1] : lines[j][0]].strip("\n")
            return j + 1 if j > i + 1 and len(code) <= LEAD_CODE_CHARS else 0
    return 0


def _line_sentences(text: str, offset: int) -> tuple[tuple[int, int], ...]:
    """Sentence spans of a lead-in and its list: each line's sentences, a bullet mark no part of them.

    >>> _line_sentences("Authors are:\\n- Ann wrote it\\n- Bob. He tested it.", 0)
    ((0, 12), (15, 27), (30, 34), (35, 48))
    """
    spans: list[tuple[int, int]] = []
    at = 0
    for line in text.split("\n"):
        bullet = _BULLET.match(line)
        skip = bullet.end() if bullet else 0
        spans += sentence_spans(line[skip:], offset + at + skip)
        at += len(line) + 1
    return tuple(spans)


def _section_follows(text: str, lines: list[tuple[int, int]], level: int) -> bool:
    """Whether a Markdown heading of `level` or higher that is no boilerplate comes in `lines` (outside
    code blocks): then a "## Comments" heading before it names a section of the text (a language's
    comments), not a page's comment form."""
    fence: str | None = None
    for a, b in lines:
        line = text[a:b]
        opening = _FENCE.match(line)
        if fence is not None:
            fence = None if _closes(line, fence) else fence
        elif opening:
            fence = opening.group(1)
        elif (md := _MD_HEADING.match(line)) and len(md.group(1)) <= level:
            if not BOILERPLATE_HEADINGS.match(md.group(2).strip()):
                return True
    return False


def split_corpus(docs: list[Document]) -> list[Passage]:
    """All passages of all documents, in corpus order."""
    return [p for doc in docs for p in split_document(doc)]


def same_section(a: Passage | None, b: Passage) -> bool:
    """Whether `a` stands in the same file and section as `b`."""
    return a is not None and (a.source, a.section) == (b.source, b.section)


def embedded_text(
    passage: Passage, context: str, previous: Passage | None = None, following: Passage | None = None
) -> str:
    """The text embedded for a passage: its context and the passage itself, one part a line.

    With ``title+section+previous`` the first sentence of the passage before it (same file and
    section) goes first, so that a paragraph continuing a study ("These in the ketamine group ...")
    carries what the study was. With ``title+section+next`` the passage after it (same file and
    section) follows, so that a study's opening paragraph carries its results and vice versa; a code
    block is never that context (the sentence that introduces a listing is read alone, not as code).

    >>> a = Passage("d:1", "It works.", "d.txt", "Results", 1, 0, 9, "Title", ((0, 9),))
    >>> b = Passage("d:2", "Twice.", "d.txt", "Results", 2, 11, 17, "Title", ((11, 17),))
    >>> embedded_text(a, "title+section+next", None, b)
    'Title\\nResults\\nIt works.\\nTwice.'
    >>> embedded_text(b, "none", a, None)
    'Twice.'
    """
    if context not in CONTEXTS:
        raise ValueError(f"context must be one of {', '.join(CONTEXTS)}, not {context!r}")
    parts = []
    if context.startswith("title") and passage.title:
        parts.append(passage.title)
    if context != "none" and passage.section:
        parts.append(passage.section)
    if context.endswith("previous") and previous is not None and same_section(previous, passage):
        parts.append(previous.sentence_texts[0])
    parts.append(passage.readable)
    if context.endswith("next") and following is not None and same_section(following, passage) and not following.code:
        parts.append(following.readable)
    return "\n".join(parts)


def embedded_texts(passages: list[Passage], context: str) -> list[str]:
    """`embedded_text` of each passage, its neighbours taken from the list."""
    around: list[Passage | None] = [None, *passages, None]
    return [embedded_text(p, context, around[i], around[i + 2]) for i, p in enumerate(passages)]
