"""A LaTeX source (a paper's `.tex`) as the Markdown the splitter reads, as its reader sees it typeset.

- the title from ``\\title{...}``, the preamble left out, ``\\section{...}`` and its kin (``\\chapter``,
  ``\\subsection``, ``\\paragraph``, an ``abstract``) as sections;
- each paragraph on one line, the words of ``\\emph{...}``, ``\\textbf{...}``, ``\\href{url}{words}``
  kept and their commands dropped; TeX's quotes and dashes as the characters they print;
- a formula, inline or displayed, as readable text (`html_text.tex_text`: "⟨v,Av⟩ ∈ ℝ");
- list items as ``- `` lines; a figure or a table as its caption; a verbatim listing as fenced code;
- citations, references, labels, footnotes, comments and layout commands left out.

It reads one file: ``\\input{...}`` and ``\\include{...}`` are not followed. Nothing here fetches, writes,
splits or embeds: `sources` does the bringing in.
"""

from __future__ import annotations

import re

from .html_text import tex_text

_SECTION = re.compile(r"\\(?:part|chapter|section|subsection|subsubsection|paragraph)\*?\s*(?:\[[^\]]*\])?\s*\{")
# Commands whose argument is no text of the article; dropped with it.
_DROPPED = (
    "label ref eqref pageref autoref cref Cref cite citep citet citealp citeauthor citeyear nocite footnote "
    "thanks bibliography bibliographystyle usepackage includegraphics input include vspace hspace "
    "documentclass newcommand renewcommand setlength addtolength pagestyle thispagestyle date author "
    "affil affiliation email keywords"
).split()
# Commands that only dress their argument: the argument is kept.
_KEPT = "emph textbf textit texttt textsc textsf textrm underline mbox text url uline".split()
_VERBATIM = re.compile(r"\\begin\{(verbatim|lstlisting|minted)\}(?:\[[^\]]*\])?(?:\{[^}]*\})?\n?(.*?)\\end\{\1\}", re.S)
_DISPLAY = re.compile(
    r"\\begin\{(equation|align|gather|multline|displaymath|eqnarray)\*?\}(.*?)\\end\{\1\*?\}|\\\[(.*?)\\\]|\$\$(.*?)\$\$",
    re.S,
)
_FLOAT = re.compile(r"\\begin\{(figure|table)\*?\}(.*?)\\end\{\1\*?\}", re.S)
_CHARACTERS = [("---", "\u2014"), ("--", "\u2013"), ("``", "\u201c"), ("''", "\u201d"), ("\\ldots", "\u2026"),
               ("\\dots", "\u2026"), ("~", " "), ("\\%", "%"), ("\\&", "&"), ("\\$", "$"), ("\\#", "#"),
               ("\\_", "_"), ("\\{", "{"), ("\\}", "}")]  # fmt: skip


def is_latex(text: str) -> bool:
    """Whether a text is a LaTeX document: it has ``\\documentclass`` or ``\\begin{document}``.

    >>> is_latex("\\\\documentclass{article}\\n\\\\begin{document}x\\\\end{document}"), is_latex("50% off")
    (True, False)
    """
    return bool(re.search(r"^\s*\\(?:documentclass|begin\{document\})", text, re.MULTILINE))


def _argument(text: str, start: int) -> tuple[str, int]:
    """The braced argument whose "{" is at `start` (its inside) and the index after its "}"."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "{" and (i == 0 or text[i - 1] != "\\"):
            depth += 1
        elif text[i] == "}" and text[i - 1] != "\\":
            depth -= 1
            if depth == 0:
                return text[start + 1 : i], i + 1
    return text[start + 1 :], len(text)


def _command_argument(text: str, name: str) -> str | None:
    """The first argument of the first ``\\name{...}`` in a text, or None."""
    m = re.search(rf"\\{name}\s*(?:\[[^\]]*\])?\s*\{{", text)
    return _argument(text, m.end() - 1)[0] if m else None


def _replace_commands(text: str, names: list[str], keep: bool) -> str:
    """Each ``\\name[opt]{arg}`` of `names` replaced by its argument (`keep`) or by nothing."""
    pattern = re.compile(rf"\\({'|'.join(names)})\*?\s*(?:\[[^\]]*\]\s*)?\{{")
    out, i = [], 0
    while m := pattern.search(text, i):
        inside, end = _argument(text, m.end() - 1)
        out += [text[i : m.start()], _replace_commands(inside, names, keep) if keep else ""]
        i = end
    return "".join(out) + text[i:]


def _inline(text: str) -> str:
    """A paragraph's LaTeX as the words it prints."""
    text = _replace_commands(text, _DROPPED, keep=False)
    text = re.sub(r"\\href\s*\{[^}]*\}\s*\{", "\\\\text{", text)  # a link: its words
    text = _replace_commands(text, _KEPT, keep=True)
    text = re.sub(r"(?<!\\)\$(.+?)(?<!\\)\$", lambda m: tex_text(m.group(1)), text, flags=re.S)
    text = re.sub(r"\\\(\s*(.+?)\s*\\\)", lambda m: tex_text(m.group(1)), text, flags=re.S)
    text = text.replace("\\\\", " ")
    for tex, char in _CHARACTERS:
        text = text.replace(tex, char)
    text = re.sub(r"\\[a-zA-Z@]+\*?\s*(?:\[[^\]]*\])?", "", text)  # a layout command left: nothing to read
    text = re.sub(r"(?<!\\)[{}]", "", text)
    return re.sub(r"\s+([.,;:!?)])", r"\1", " ".join(text.split()))  # where a citation stood: "accuracy ."


def latex_markdown(source: str, fallback_title: str) -> tuple[str, str]:
    """A LaTeX document's title and its body as Markdown (``## `` sections, one paragraph a line)."""
    text = re.sub(r"(?<!\\)%.*", "", source)  # comments
    preamble, _, body = text.partition("\\begin{document}")
    if not body:
        preamble, body = "", text
    body = body.split("\\end{document}")[0]
    title_tex = _command_argument(preamble, "title") or _command_argument(body, "title")
    title = _inline(title_tex) if title_tex else ""
    listings: list[str] = []

    def listing(m: re.Match[str]) -> str:
        listings.append(m.group(2).strip("\n"))
        return f"\n\n\x00{len(listings) - 1}\x00\n\n"

    body = _VERBATIM.sub(listing, body)
    body = _FLOAT.sub(
        lambda m: "\n\n" + (f"\\text{{{c}}}" if (c := _command_argument(m.group(2), "caption")) else "") + "\n\n", body
    )
    body = _DISPLAY.sub(lambda m: " " + tex_text(next(g for g in m.groups()[1:] if g is not None)) + " ", body)
    body = re.sub(r"\\begin\{abstract\}", "\n\n\x01Abstract\n\n", body)
    parts: list[str] = []
    i = 0
    while m := _SECTION.search(body, i):
        heading, end = _argument(body, m.end() - 1)
        parts += [body[i : m.start()], f"\n\n\x01{_inline(heading)}\n\n"]
        i = end
    body = "".join(parts) + body[i:]
    body = re.sub(r"\\item\s*(?:\[([^\]]*)\])?", lambda m: f"\n\n- {m.group(1) + ': ' if m.group(1) else ''}", body)
    body = re.sub(r"\\(?:begin|end)\{[^}]*\}(?:\[[^\]]*\])?", "\n\n", body)
    body = re.sub(r"\\(?:maketitle|tableofcontents|newpage|clearpage|noindent|centering|par)\b", "\n\n", body)
    blocks: list[str] = []
    for paragraph in re.split(r"\n\s*\n", body):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        if m := re.fullmatch(r"\x00(\d+)\x00", paragraph):
            blocks.append(f"```\n{listings[int(m.group(1))]}\n```")
        elif paragraph.startswith("\x01"):
            blocks.append(f"## {paragraph[1:]}")
        elif line := _inline(paragraph):
            blocks.append(line if not line.startswith(("#", "```")) else "\u2060" + line)
    if not title:
        title = fallback_title
    return title, "\n\n".join(blocks)
