"""Which language a text is written in, told from its most common words: for the page's note when a
reader asks in one language about an article written in another ("This article is in French...").

The model reads English best, and a question in English finds little in a French article (on a French
paper asked in English, the answer came first for 1 question in 9), so the reader is told, rather than
left with weak quotes. Seven languages are told apart by a few dozen words each that are common in one
and rare in the others; a text that uses too few of them (a search-box query of names and terms), or no
language clearly more than another, has no language here, and then nothing is said. Nothing here
ranks, translates or generates text.
"""

from __future__ import annotations

import re
from collections import Counter

# Common words of each language that are rare in the others (articles, pronouns, question words,
# prepositions, auxiliaries); words shared by two languages ("de", "la", "die", "in") are left out.
COMMON_WORDS = {
    "English": """the and is are was were of what how why which who does did do can could would should this
        that these those with from there their have has been not for when where it its you your they""",
    "French": """le les des est sont une du que qui quel quelle quels quelles pour dans sur pas ce cette ces
        comment pourquoi avec aux ne il elle nous vous ils leur peut être été fait mais ou où""",
    "German": """der das und ist sind ein eine einen nicht mit von zu den dem wie was warum wer für auf auch
        sich im des werden wird bei oder noch ich wir sie kann nach über""",
    "Spanish": """el los las es son y una por para con qué cómo cuál cuáles se del al lo su sus pero más
        está están fue muy también porque cuando dónde quién hay""",
    "Italian": """il gli della delle dei che è sono una per con non come perché quale quali cosa questo
        questa anche più nel nella sul alla degli ha hanno dove chi""",
    "Portuguese": """os as é são uma por para com não como porque qual quais isso isto também mais na no nas
        nos pelo pela ao dos das está estão foi você onde quem há""",
    "Dutch": """het een en is zijn niet met van voor op ook wat hoe waarom welke wie dat deze die wordt
        worden bij naar dan maar nog kan heeft hebben""",
}
_LANGUAGE_OF_WORD = {}
for _language, _words in COMMON_WORDS.items():
    for _word in _words.split():
        _LANGUAGE_OF_WORD[_word] = None if _word in _LANGUAGE_OF_WORD else _language  # a shared word tells nothing
_WORD = re.compile(r"[^\W\d_]+")


def language_of(text: str, least: int = 3, sample: int = 5000) -> str | None:
    """The language whose common words `text` uses most: at least `least` of them and twice as many as
    any other language's; else None. Only the first `sample` words are read.

    >>> language_of("What does the summary of a log hold?"), language_of("Sur quelle machine les tests sont faits ?")
    ('English', 'French')
    >>> language_of("dpr embedding dimension bert cls") is None  # a query of terms: no language to tell
    True
    """
    counts: Counter[str] = Counter()
    for word in _WORD.findall(text.lower())[:sample]:
        language = _LANGUAGE_OF_WORD.get(word)
        if language:
            counts[language] += 1
    ranked = counts.most_common(2)
    if not ranked or ranked[0][1] < least:
        return None
    if len(ranked) > 1 and ranked[0][1] < 2 * ranked[1][1]:
        return None
    return ranked[0][0]
