"""Cross-references: a citation 《…》 of a library document, linked to that document.

``CitationIndex`` holds the library's documents by title and finds the one a citation names (in
either script, with any quotation marks, with or without its issuer; a title several documents
share names none); ``pieces`` cuts a sentence into ``Piece``s, the cited titles linked to their
documents, which the reader page shows in place of the sentence's text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from django.urls import reverse

from search.analysis import fold

from .library_listing import titles
from .models import Document


@dataclass
class Piece:
    """A stretch of a sentence: plain, or a citation of a library document linking to it."""

    text: str
    url: str = ""
    title: str = ""  # what the link leads to, for its tooltip
    ruby: tuple = ()  # ((character, pinyin), …) when the pinyin aid is on


# A title in 《…》; 〈…〉 nests inside it.
CITATION = re.compile(r"《([^《》\n]{1,200})》")
_NOT_COMPARED = re.compile(r"[\s“”\"'‘’「」『』〝〞]")


def _title_key(title: str) -> str:
    """A title as compared with a citation: folded (simplified, half-width, lower case), without
    spaces or quotation marks, which citations set in any style (互联网+, “互联网+”, 「互聯網+」)."""
    return _NOT_COMPARED.sub("", fold(title))


class CitationIndex:
    """The library's documents by title, to link a citation 《…》 to the document it names.

    A citation matches a title in either script and with any quotation marks; a title with its
    issuer before 关于 (国务院关于…) also matches a citation that leaves the issuer out, and a
    citation that names the issuer matches a title stored without it. A title that several
    documents share (政府工作报告) names none of them: nothing is linked rather than guessed.
    """

    def __init__(self, entries: list[tuple[Document, str]]):
        self.full: dict[str, list[Document]] = {}
        self.subject: dict[str, list[Document]] = {}  # from 关于 on, of titles with an issuer
        self.titles: dict[int, str] = {}
        for document, title in entries:
            key = _title_key(title)
            if not key:
                continue
            self.titles[document.id] = title
            self.full.setdefault(key, []).append(document)
            about = key.find("关于")
            if about > 0:
                self.subject.setdefault(key[about:], []).append(document)

    @classmethod
    def of_library(cls) -> "CitationIndex":
        documents = list(Document.objects.all())
        names = titles(documents)
        return cls([(d, names[d.id][0]) for d in documents])

    def find(self, cited: str, citing: Document | None = None) -> Document | None:
        """The one library document (other than ``citing``) titled ``cited``, or None."""
        key = _title_key(cited)
        candidates = self.full.get(key)
        if not candidates:
            about = key.find("关于")
            if about == 0:
                candidates = self.subject.get(key)
            elif about > 0:
                candidates = self.full.get(key[about:])
        others = [d for d in candidates or [] if citing is None or d.id != citing.id]
        return others[0] if len(others) == 1 else None

    def pieces(self, text: str, citing: Document | None = None, ruby: tuple = ()) -> list[Piece]:
        """``text`` cut into pieces, the title of each citation of a library document linked.

        ``ruby`` (one reading per character of ``text``) is cut along with it.
        """
        out, cursor = [], 0
        for match in CITATION.finditer(text):
            cited = self.find(match.group(1), citing)
            if cited is None:
                continue
            start, end = match.span(1)
            out.append(Piece(text[cursor:start], ruby=ruby[cursor:start]))
            out.append(Piece(text[start:end], reverse("reader:document", args=[cited.slug]),
                             _link_title(cited, self.titles[cited.id]), ruby[start:end]))
            cursor = end
        out.append(Piece(text[cursor:], ruby=ruby[cursor:]))
        return [p for p in out if p.text]


def _link_title(document: Document, title: str) -> str:
    """The link's tooltip, in the language of the Chinese text around it (an attribute holds one
    language): the cited document's full title, number and date."""
    number = f", {document.number}" if document.number else ""
    return f"{title}{number}, {document.date.isoformat()}"
