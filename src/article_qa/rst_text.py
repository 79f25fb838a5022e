"""reStructuredText (docutils and Sphinx sources, ``.rst``) as the Markdown its reader sees rendered.

A Sphinx page's source is full of marks a reader never sees: roles (``:command:`file```), inline
literals (````x````), link targets (```Scripts`_``), directives (``.. contents::``, ``.. code-block::``),
comments and title adornments. This module reads the source's blocks (sections from their adornments,
paragraphs, lists, literal blocks, tables, directives) and writes CommonMark: headings in the order
their adornment styles first appear, code blocks fenced, a role or a reference as the words it shows,
admonitions as a paragraph led by their name ("Note: ..."), directives that show nothing (contents,
toctree, index, targets, comments, raw output) left out; an ``.. include::`` of a file beside the page
or in its parent folder is read where it stands. `sources` renders that Markdown as it renders
any Markdown file, so what reaches a passage has no markup left. Nothing here splits or embeds, and no
reStructuredText library is used: docutils stops at Sphinx's own directives and roles, which are most
of what such a page holds.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

# A title's adornment: one punctuation character repeated ("=====", "-----", "*****", "^^^^").
_ADORNMENT = re.compile(r"^([!-/:-@\[-`{-~])\1{2,}\s*$")
_BULLET = re.compile(r"^([-*+•]) +(?=\S)")
_ENUMERATED = re.compile(r"^(?:(\d+|#)\.|\(?(\d+|#|[a-zA-Z])\)) +(?=\S)")
_FIELD = re.compile(r"^:([^:`\s][^:`]*?):(?: +(.*))?$")
_EXPLICIT = re.compile(r"^\.\.(?: +|$)")
_DIRECTIVE = re.compile(r"^\.\. +([\w:.+-]+?)::(?: +(.*))?$")
# How the Markdown blocks written here open when they are not a paragraph (a term or a lead joins none).
_NOT_PROSE = ("#", "```", "~~~", "- ", "1. ", "|")
_GRID_BORDER = re.compile(r"^\+(?:[-=]+\+)+\s*$")
_SIMPLE_BORDER = re.compile(r"^=+(?: +=+)+\s*$")

# Directives that show nothing a reader would read, or a file's content they only name.
_HIDDEN = frozenset(
    """contents toctree index highlight default-role currentmodule module sectionauthor moduleauthor
    codeauthor meta raw literalinclude image tabularcolumns autosummary automodule autoclass
    autofunction automethod autoattribute autodata autoexception cmake-module cmake-manual-description
    title role default-domain py:currentmodule py:module c:namespace cpp:namespace sectnum
    target-notes footer header class graphviz digraph graph inheritance-diagram program std:program
    highlightlang""".split()
)
# Directives whose content is code, shown as it stands.
_CODE = frozenset("code-block code sourcecode parsed-literal productionlist doctest testcode testoutput prompt".split())
# Admonitions: their content is read, led by the name the page shows.
_ADMONITIONS = {
    "note": "Note", "warning": "Warning", "tip": "Tip", "important": "Important", "caution": "Caution",
    "attention": "Attention", "danger": "Danger", "error": "Error", "hint": "Hint", "seealso": "See also",
    "todo": "To do",
}  # fmt: skip
_VERSIONED = {"versionadded": "New in version", "versionchanged": "Changed in version",
              "deprecated": "Deprecated since version", "versionremoved": "Removed in version"}  # fmt: skip
# Sphinx's object descriptions: the directive's argument is a signature ("file(READ <filename> ...)").
_OBJECTS = re.compile(
    r"^(?:\w+:)?(?:function|method|class|attribute|data|exception|decorator|decoratormethod|classmethod|"
    r"staticmethod|property|envvar|option|program|describe|object|command|variable|signature|macro|member|"
    r"type|var|enum|enumerator|struct|union|confval|setting|genex|prop_\w+|policy)$"
)
# Roles whose text is code ("``:func:`open```" shows "open()"-like monospace): kept as inline code.
_CODE_ROLES = frozenset(
    """code literal command func meth class attr data exc obj mod envvar option file program samp kbd
    variable prop_tgt prop_dir prop_sf prop_test prop_gbl prop_cache prop_inst genex module policy
    const var type macro member enum struct union expr texpr cpp c py""".split()
)
_ROLE = re.compile(r":((?:[\w.+-]+:)*[\w.+-]+):`((?:[^`\\]|\\.)*)`")
_REFERENCE = re.compile(r"`((?:[^`\\]|\\.)*)`__?(?![\w])")
_LITERAL = re.compile(r"``(\S|\S[\s\S]*?\S)``(?!`)")
_NAMED_REFERENCE = re.compile(r"(?<![\w`\\/.-])([A-Za-z0-9]+(?:[-.][A-Za-z0-9]+)*)__?(?![\w])")
_FOOTNOTE_REFERENCE = re.compile(r" ?\[(?:\d+|#[\w-]*|\*)\]_")
_CITATION_REFERENCE = re.compile(r"\[([A-Za-z][\w.-]*)\]_")
_SUBSTITUTION = re.compile(r"(?<![\w|])\|([^|\s][^|]*?)\|(?:__?)?(?![\w|])")
_DEFAULT_ROLE = re.compile(r"(?<![`\w])`([^`\n]+)`(?![`_\w])")


@dataclass
class _Reader:
    """What one document's blocks share: its substitutions and the order of its title styles."""

    substitutions: dict[str, str] = field(default_factory=dict)
    styles: list[tuple[str, bool]] = field(default_factory=list)
    titled: bool = False
    unique_title: bool = False
    folder: Path | None = None  # where the file being read lies: its includes are found from there
    within: Path | None = None  # includes are read only from inside this folder
    reading: tuple[Path, ...] = ()  # the files being read, outermost first (an include never repeats one)

    def heading(self, text: str, style: tuple[str, bool]) -> str:
        if style not in self.styles:
            self.styles.append(style)
        if not self.titled:
            self.titled = True
            return "# " + self.inline(text)
        depth = self.styles.index(style) + (1 if self.unique_title else 2)
        return "#" * max(2, min(depth, 6)) + " " + self.inline(text)

    def inline(self, text: str) -> str:
        return inline(text, self.substitutions)


def rst_markdown(text: str, path: str | Path | None = None) -> str:
    """A reStructuredText document as CommonMark: see the module's docstring. With the `path` of its
    file, ``.. include::`` reads the file it names (beside it or in its parent folder, as a Sphinx
    page includes ``../CHANGES.rst``), as if its text stood there.

    >>> print(rst_markdown('''Guide
    ... =====
    ...
    ... .. contents::
    ...
    ... Install
    ... -------
    ...
    ... Run :command:`pip` with ``--user``; see `Scripts`_ and `the site <https://x.org>`_.
    ... Example::
    ...
    ...     pip install x
    ...
    ... .. note:: It needs Python 3.
    ... '''))
    # Guide
    <BLANKLINE>
    ## Install
    <BLANKLINE>
    Run `pip` with `--user`; see Scripts and [the site](https://x.org).
    Example:
    <BLANKLINE>
    ```
    pip install x
    ```
    <BLANKLINE>
    Note: It needs Python 3.
    <BLANKLINE>
    """
    lines = _normalised(text).split("\n")
    reader = _Reader(substitutions=_substitutions(lines))
    if path is not None:
        source = Path(path).resolve()
        reader.folder, reader.within, reader.reading = source.parent, source.parent.parent, (source,)
    styles = _title_styles(lines)
    reader.unique_title = bool(styles) and styles.count(styles[0]) == 1
    return "\n\n".join(b for b in _blocks(lines, reader) if b.strip()) + "\n"


def _normalised(text: str) -> str:
    """A source's text with any line ending read as one and tabs as the spaces they stand for."""
    return text.replace("\r\n", "\n").replace("\r", "\n").expandtabs(8)


def _substitutions(lines: list[str]) -> dict[str, str]:
    """``.. |name| replace:: text`` definitions, their text running on over indented lines (an image's
    substitution shows nothing)."""
    found = {}
    for i, line in enumerate(lines):
        m = re.match(r"^\.\. +\|([^|]+)\| +([\w-]+):: *(.*)$", line)
        if m:
            more, _ = _take_indented(lines, i + 1)
            text = " ".join([m.group(3), *(x.strip() for x in more)]).strip()
            found[m.group(1)] = text if m.group(2) in ("replace", "unicode") else ""
    return found


def _title_styles(lines: list[str]) -> list[tuple[str, bool]]:
    """Every title's adornment style, in document order (the first tells whether there is one title)."""
    out = []
    for i in range(len(lines) - 1):
        over = i + 2 < len(lines) and _is_title(lines, i + 1, overline=True)
        if over:
            out.append((lines[i].strip()[0], True))
        elif _is_title(lines, i) and not (i > 0 and _ADORNMENT.match(lines[i - 1])):
            out.append((lines[i + 1].strip()[0], False))
    return out


def _is_title(lines: list[str], i: int, overline: bool = False) -> bool:
    """Whether line `i` is a title: text under (and, with `overline`, also over) one adornment."""
    if i + 1 >= len(lines) or not lines[i].strip() or _ADORNMENT.match(lines[i]):
        return False
    under = _ADORNMENT.match(lines[i + 1])
    if not under or _EXPLICIT.match(lines[i]):
        return False
    if overline:
        above = i > 0 and _ADORNMENT.match(lines[i - 1])
        return bool(above) and lines[i - 1].strip() == lines[i + 1].strip() and (i < 2 or not lines[i - 2].strip())
    if lines[i][:1].isspace() or (i > 0 and lines[i - 1].strip() and not _ADORNMENT.match(lines[i - 1])):
        return False  # indented, or the last line of a paragraph
    return len(lines[i + 1].strip()) >= min(len(lines[i].strip()), 3)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _dedent(lines: list[str]) -> list[str]:
    depth = min((_indent(x) for x in lines if x.strip()), default=0)
    return [x[depth:] for x in lines]


def _take_indented(lines: list[str], i: int, depth: int = 1) -> tuple[list[str], int]:
    """The lines from `i` indented at least `depth` (blank lines inside kept), and where they end."""
    j = i
    while j < len(lines) and (not lines[j].strip() or _indent(lines[j]) >= depth):
        j += 1
    while j > i and not lines[j - 1].strip():
        j -= 1
    return lines[i:j], j


def _fence(code: list[str], language: str = "") -> str:
    body = "\n".join(_dedent(code)).strip("\n")
    fence = "~~~" if "```" in body else "```"
    return f"{fence}{language}\n{body}\n{fence}"


def _blocks(lines: list[str], reader: _Reader) -> list[str]:
    """The Markdown blocks of a run of lines at one indentation."""
    out: list[str] = []
    i, n = 0, len(lines)
    list_end = -1  # where the last list item ended: the next item may follow it without a blank line
    while i < n:
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        if _indent(line):  # a block quote: read as the blocks it holds
            block, i = _take_indented(lines, i)
            out += _blocks(_dedent(block), reader)
            continue
        if i + 2 < n and _ADORNMENT.match(line) and _is_title(lines, i + 1, overline=True):
            out.append(reader.heading(lines[i + 1].strip(), (line.strip()[0], True)))
            i += 3
            continue
        if _is_title(lines, i):
            out.append(reader.heading(line.strip(), (lines[i + 1].strip()[0], False)))
            i += 2
            continue
        if _ADORNMENT.match(line) and len(line.strip()) >= 4:  # a transition
            i += 1
            continue
        if _EXPLICIT.match(line):
            blocks, i = _explicit(lines, i, reader)
            out += blocks
            continue
        if _GRID_BORDER.match(line):
            j = i
            while j < n and lines[j].strip() and lines[j].lstrip()[:1] in "+|":
                j += 1
            out.append(_markdown_table(_grid_rows(lines[i:j]), reader))
            i = j
            continue
        if _SIMPLE_BORDER.match(line):
            rows, i = _simple_table(lines, i)
            out.append(_markdown_table(rows, reader))
            continue
        item = _BULLET.match(line) or _ENUMERATED.match(line)
        if item and (i in (0, list_end) or not lines[i - 1].strip()):
            marker = "- " if item.re is _BULLET else "1. "
            rest, j = _take_indented(lines, i + 1, item.end())
            body = _blocks([line[item.end() :], *(x[item.end() :] for x in rest)], reader) or [""]
            text = marker + "\n\n".join(body).replace("\n", "\n" + " " * len(marker))
            out.append("\n".join(x.rstrip() for x in text.split("\n")))
            i = list_end = j
            continue
        if _FIELD.match(line):  # a field list (":Author: ..."): a list item a field
            fields, i = _fields(lines, i)
            if not out and not reader.titled and "title" in (k.lower() for k in fields):
                title = next(v for k, v in fields.items() if k.lower() == "title")  # the page's title
                out.append(reader.heading(title, ("", False)))
                reader.styles.clear()
                reader.unique_title = False  # the sections' first style is then the first level
                fields = {k: v for k, v in fields.items() if k.lower() != "title"}
            out += [f"- {reader.inline(f'{k}: {v}')}" for k, v in fields.items()]
            continue
        if line.startswith(">>> "):  # a doctest block
            j = i
            while j < n and lines[j].strip():
                j += 1
            out.append(_fence(lines[i:j], "pycon"))
            i = j
            continue
        if line.startswith("| ") or line.rstrip() == "|":  # a line block: its lines kept apart
            j = i
            while j < n and (
                lines[j].startswith("| ")
                or lines[j].rstrip() == "|"
                or (lines[j].startswith("  ") and lines[j].strip())
            ):
                j += 1
            kept = [reader.inline(x[2:].strip()) for x in lines[i:j] if x.startswith("|")]
            out.append("  \n".join(_escape_line(x) for x in kept if x))
            i = j
            continue
        # A paragraph: the lines up to a blank one or a change of indentation.
        j = i + 1
        while j < n and lines[j].strip() and not _indent(lines[j]) and not _is_title(lines, j):
            j += 1
        paragraph = lines[i:j]
        if j < n and lines[j].strip() and _indent(lines[j]) and not paragraph[-1].rstrip().endswith("::"):
            # a definition list's term: the indented lines right under it are its definition
            definition, j = _take_indented(lines, j)
            body = _blocks(_dedent(definition), reader)
            term = reader.inline(" ".join(x.strip() for x in paragraph))
            if body and not body[0].startswith(_NOT_PROSE):
                body[0] = f"{_escape_line(term)}: {body[0]}"
            else:
                body.insert(0, _escape_line(term))
            out += body
            i = j
            continue
        literal = paragraph[-1].rstrip().endswith("::")
        if literal:
            last = paragraph[-1].rstrip()
            last = last[:-2].rstrip() if last == "::" or last[-3:-2].isspace() else last[:-1]
            paragraph = [*paragraph[:-1], last] if last.strip() else paragraph[:-1]
        if paragraph:
            out.append(_paragraph(paragraph, reader))
        i = j
        if literal:
            while i < n and not lines[i].strip():
                i += 1
            if i < n and _indent(lines[i]):
                code, i = _take_indented(lines, i)
                out.append(_fence(code))
            elif i < n and lines[i][:1] in "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~":  # a quoted literal block
                j = i
                while j < n and lines[j].strip() and lines[j][:1] == lines[i][:1]:
                    j += 1
                out.append(_fence(lines[i:j]))
                i = j
    return out


def _fields(lines: list[str], i: int) -> tuple[dict[str, str], int]:
    """A field list from line `i`: each field's name and value (its indented lines joined)."""
    fields: dict[str, str] = {}
    while i < len(lines) and (m := _FIELD.match(lines[i])):
        rest, i = _take_indented(lines, i + 1)
        fields[m.group(1)] = " ".join([m.group(2) or "", *(x.strip() for x in rest)]).strip()
    return fields, i


def _explicit(lines: list[str], i: int, reader: _Reader) -> tuple[list[str], int]:
    """An explicit markup block at line `i` (a directive, a comment, a target, a footnote) as Markdown."""
    line = lines[i]
    body, end = _take_indented(lines, i + 1)
    directive = _DIRECTIVE.match(line)
    if not directive:
        footnote = re.match(r"^\.\. +\[([^\]]+)\] +(.*)$", line)
        if footnote:  # a footnote or citation's text: kept, as a reader sees it at the page's end
            return _blocks([footnote.group(2), *_dedent(body)], reader), end
        return [], end  # a comment, a hyperlink target, a substitution: nothing shown
    name, argument = directive.group(1).lower(), (directive.group(2) or "").strip()
    short = name.split(":")[-1]
    # A signature's or an admonition's first line may run on over the indented lines before the
    # options; any other directive's lines right under it are its options, then its content.
    k = 0
    runs_on = _OBJECTS.match(name) or short in _ADMONITIONS or short in _VERSIONED or short == "admonition"
    while runs_on and k < len(body) and body[k].strip() and not _FIELD.match(body[k].strip()):
        argument += " " + body[k].strip()
        k += 1
    options: dict[str, str] = {}
    while k < len(body) and (option := _FIELD.match(body[k].strip())):
        options[option.group(1).lower()] = (option.group(2) or "").strip()
        k += 1
    content = _dedent(body[k:])
    if short == "only":
        return ([] if re.search(r"\b(latex|man|texinfo|text|epub)\b", argument) and "html" not in argument
                else _blocks(content, reader)), end  # fmt: skip
    if short == "include":
        return _included(argument, options, reader), end
    if short in _HIDDEN or name in _HIDDEN:
        return [], end
    if short in _CODE:
        code = content if short != "parsed-literal" else [_shown(reader.inline(x)) for x in content]
        language = argument.split()[0] if short in ("code-block", "sourcecode", "code") and argument else ""
        return ([_fence(code, language)] if any(x.strip() for x in code) else []), end
    if short in _ADMONITIONS or short == "admonition":
        lead = _ADMONITIONS.get(short) or reader.inline(argument)
        blocks = _blocks(([argument] if short != "admonition" and argument else []) + [""] + content, reader)
        return _led(f"{lead}:", blocks), end
    if short in _VERSIONED:
        version, _, said = argument.partition(" ")
        blocks = _blocks(([said] if said else []) + [""] + content, reader)
        lead = f"{_VERSIONED[short]} {version}" + (":" if blocks else ".")
        return (_led(lead, blocks) if blocks else [lead]), end
    if short in ("figure", "image"):  # a picture: its caption and legend, if any
        return _blocks(content, reader), end
    if short == "rubric":
        return [_paragraph([argument], reader)], end
    if short == "list-table":
        return [_markdown_table(_list_table(content), reader)], end
    if short == "csv-table":
        rows = list(csv.reader([x.strip() for x in content if x.strip()], skipinitialspace=True))
        header = list(csv.reader([options["header"]], skipinitialspace=True)) if "header" in options else []
        return [_markdown_table(header + rows, reader)], end
    if _OBJECTS.match(name) and argument:  # an API object's signature leads what it does, as a term
        blocks = _blocks(content, reader)
        if len(argument) <= 120 and "`" not in argument:
            return _led(f"`{argument}`:", blocks) if blocks else [f"`{argument}`"], end
        return [_fence([argument]), *blocks], end
    return _blocks(content, reader), end  # any other directive: what it holds


INCLUDE_BYTES = 5 * 1024 * 1024  # an included file larger than this is left out
INCLUDE_DEPTH = 8


def _included(argument: str, options: dict[str, str], reader: _Reader) -> list[str]:
    """An ``.. include::``'s file read in place: as reStructuredText, or as code with ``:literal:`` or
    ``:code:``; nothing when there is no file to read (a standard include such as ``<isonum.txt>``, a
    path outside the page's folder and its parent, a file too large or not UTF-8, a file that
    includes itself)."""
    if reader.folder is None or reader.within is None or not argument or argument.startswith(("<", "/")):
        return []
    target = (reader.folder / argument).resolve()
    if not target.is_relative_to(reader.within) or target in reader.reading or len(reader.reading) > INCLUDE_DEPTH:
        return []
    try:
        if not target.is_file() or target.stat().st_size > INCLUDE_BYTES:
            return []
        text = target.read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return []
    text = _normalised(text)
    if "start-after" in options and options["start-after"] in text:
        text = text.split(options["start-after"], 1)[1]
    if "end-before" in options and options["end-before"] in text:
        text = text.split(options["end-before"], 1)[0]
    lines = text.split("\n")
    if "literal" in options or "code" in options:
        return [_fence(lines, options.get("code", ""))]
    for name, value in _substitutions(lines).items():
        reader.substitutions.setdefault(name, value)
    folder, reading = reader.folder, reader.reading
    reader.folder, reader.reading = target.parent, (*reading, target)
    try:
        return _blocks(lines, reader)
    finally:
        reader.folder, reader.reading = folder, reading


def _led(lead: str, blocks: list[str]) -> list[str]:
    """Blocks with `lead` ("Note:") before the first, which it joins when that is a paragraph."""
    if blocks and not blocks[0].startswith(_NOT_PROSE):
        return [f"{lead} {blocks[0]}", *blocks[1:]]
    return [lead, *blocks]


def _paragraph(lines: list[str], reader: _Reader) -> str:
    """A paragraph's lines, read as one text (a reference or a literal may run over a line break)."""
    return "\n".join(_escape_line(x) for x in reader.inline("\n".join(x.strip() for x in lines)).split("\n"))


def _escape_line(line: str) -> str:
    """A line of prose that Markdown must not read as a heading, a quote, a list item or a rule."""
    if re.match(r"^(#{1,6}(?:\s|$)|>|[-+*] |\d+[.)] |[-*_=]{3,}\s*$)", line):
        return "\\" + line
    return line


def inline(text: str, substitutions: dict[str, str] | None = None) -> str:
    """A line's inline markup as Markdown: roles and references as the words they show, literals as
    inline code, footnote marks out, substitutions replaced, ``<`` kept as text (never read as HTML).

    >>> inline("Use :func:`~os.path.join` or :ref:`the guide <guide>`, ``a*b``, `Python <https://p.org>`_ [1]_.")
    'Use `join` or the guide, `a*b`, [Python](https://p.org).'
    >>> inline("Call :command:`find_package(\\\\<pkg\\\\>) <find_package>`.")
    'Call `find_package(<pkg>)`.'
    >>> inline("A :pep:`8` style, `Directories`_, Sphinx_ and |ver|.", {"ver": "3.2"})
    'A PEP 8 style, Directories, Sphinx and 3.2.'
    >>> inline("Files named <name>.cmake and a_b_c")
    'Files named \\\\<name>.cmake and a_b_c'
    """
    substitutions = substitutions or {}
    spans: list[str] = []

    def keep(markdown: str) -> str:  # a finished piece, kept out of the later rules' way
        spans.append(markdown)
        return f"\x00{len(spans) - 1}\x00"

    def code(value: str) -> str:
        value = " ".join(value.split())
        value = value.replace("\\", "") if "\\`" in value else value
        return keep(f"`` {value} ``" if "`" in value else f"`{value}`")

    def role(m: re.Match[str]) -> str:
        name, value = m.group(1).split(":")[-1].lower(), " ".join(m.group(2).split())
        target = re.match(r"^(.*?)\s*<([^<>]+)>$", value, re.S)
        shown = target.group(1) if target and target.group(1) else (target.group(2) if target else value)
        shown = re.sub(r"\\(.)", r"\1", shown.lstrip("!"))  # "find_package(\<pkg\>)": escapes undone
        if shown.startswith("~"):
            shown = re.split(r"[.:]", shown[1:])[-1]
        if name == "pep":
            return keep(f"PEP {shown}")
        if name == "rfc":
            return keep(f"RFC {shown}")
        if name in _CODE_ROLES or m.group(1).split(":")[0] in ("py", "c", "cpp", "js", "rst", "std"):
            if name not in ("ref", "doc", "term", "numref", "abbr", "dfn"):
                return code(shown)
        return keep(_escape_text(shown))

    def reference(m: re.Match[str]) -> str:
        value = " ".join(m.group(1).split())
        target = re.match(r"^(.*?)\s*<([^<>]+)>$", value, re.S)
        if target:
            shown, url = target.group(1) or target.group(2), target.group(2)
            if re.match(r"^[a-z][\w+.-]*:", url):
                return keep(f"[{_escape_text(shown)}]({url.replace(' ', '%20')})")
            return keep(_escape_text(shown))
        return keep(_escape_text(value))

    if substitutions:  # first, so that the marks a substitution's text holds are read with the rest
        text = re.sub(_SUBSTITUTION, lambda m: substitutions.get(m.group(1), m.group(0)), text)
    text = _LITERAL.sub(lambda m: code(m.group(1)), text)
    text = _ROLE.sub(role, text)
    text = _REFERENCE.sub(reference, text)
    text = _FOOTNOTE_REFERENCE.sub("", text)
    text = _CITATION_REFERENCE.sub(lambda m: keep(f"[{m.group(1)}]"), text)
    text = _DEFAULT_ROLE.sub(lambda m: code(m.group(1)), text)
    # A substitution the page does not define shows its name (Sphinx's |version| and |release| come
    # from settings this file does not hold).
    text = re.sub(_SUBSTITUTION, lambda m: m.group(1), text)
    text = _NAMED_REFERENCE.sub(r"\1", text)
    text = text.replace("\\ ", "")
    text = _escape_text(text)
    return re.sub(r"\x00(\d+)\x00", lambda m: spans[int(m.group(1))], text)


def _shown(markdown: str) -> str:
    """A line of `inline`'s Markdown as the characters it shows, for a block shown as it stands (a
    ``parsed-literal``): no backticks, link targets or escapes.

    >>> _shown(inline("file(READ ``<filename>`` :ref:`opts <o>`)"))
    'file(READ <filename> opts)'
    """
    markdown = re.sub(r"(`+) ?(.*?) ?\1", r"\2", markdown)
    markdown = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    return markdown.replace("\\<", "<")


def _escape_text(text: str) -> str:
    """Text Markdown must show as it is: an angle bracket is never the start of an HTML tag."""
    return re.sub(r"(?<!\\)<", r"\\<", text)


def _grid_rows(lines: list[str]) -> list[list[str]]:
    """A grid table's rows ("+---+---+" borders, "|" between cells), each cell's lines joined."""
    rows: list[list[str]] = []
    current: list[list[str]] | None = None
    for line in lines:
        line = line.strip()
        if _GRID_BORDER.match(line):
            if current:
                rows.append([" ".join(" ".join(c).split()) for c in current])
            current = None
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if current is None or len(current) != len(cells):
            if current:
                rows.append([" ".join(" ".join(c).split()) for c in current])
            current = [[c] for c in cells]
        else:
            for kept, cell in zip(current, cells, strict=True):
                kept.append(cell)
    if current:
        rows.append([" ".join(" ".join(c).split()) for c in current])
    return rows


def _simple_table(lines: list[str], i: int) -> tuple[list[list[str]], int]:
    """A simple table from its first "=====  =====" border: its rows, and the line after it."""
    border = lines[i].rstrip()
    columns = [(m.start(), m.end()) for m in re.finditer(r"=+", border)]
    rows: list[list[str]] = []
    borders, j = 0, i
    while j < len(lines):
        line = lines[j].rstrip()
        if _SIMPLE_BORDER.match(line) or re.match(r"^-+(?: +-+)+\s*$", line):
            if _SIMPLE_BORDER.match(line):
                borders += 1
            j += 1
            if borders == 3 or (borders == 2 and (j >= len(lines) or not lines[j].strip())):
                break
            continue
        if not line.strip():
            j += 1
            if j < len(lines) and not lines[j].strip():
                break
            continue
        starts = [a for a, _ in columns] + [10**6]
        cells = [line[starts[k] : starts[k + 1]].strip() for k in range(len(columns))]
        if rows and not cells[0] and borders < 3:  # a continuation of the row above
            rows[-1] = [f"{a} {b}".strip() for a, b in zip(rows[-1], cells, strict=True)]
        else:
            rows.append(cells)
        j += 1
    return rows, j


def _list_table(content: list[str]) -> list[list[str]]:
    """A ``list-table``'s rows ("* - a" / "  - b" lines)."""
    rows: list[list[str]] = []
    for line in content:
        row = re.match(r"^\* +- +(.*)$", line)
        cell = re.match(r"^ +- +(.*)$", line)
        if row:
            rows.append([row.group(1).strip()])
        elif cell and rows:
            rows[-1].append(cell.group(1).strip())
        elif line.strip() and rows:
            rows[-1][-1] = f"{rows[-1][-1]} {line.strip()}".strip()
    return rows


def _markdown_table(rows: list[list[str]], reader: _Reader) -> str:
    """Rows as a Markdown table (the first row its header)."""
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        return ""
    width = max(len(r) for r in rows)

    def line(cells: list[str]) -> str:
        cells = [reader.inline(c).replace("|", "\\|") for c in cells] + [""] * (width - len(cells))
        return "| " + " | ".join(cells) + " |"

    return "\n".join([line(rows[0]), "|" + "---|" * width, *(line(r) for r in rows[1:])])
