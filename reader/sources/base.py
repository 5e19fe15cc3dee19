"""Plain data shared by the source parsers: what a parse of one source file yields.

Nothing here imports Django. A parser is given the text of one source file and returns a
``ParsedSource``: passages keyed by clause ref for the version(s) the file feeds, notes
(variants, repairs, translation notes) tied to refs, and the fate of every non-blank line so
that the ingest report can prove nothing a source says was silently lost.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field


class SourceError(ValueError):
    """A source file does not have the shape its parser expects.

    Carries the file name and 1-based line number so the ingest command can name them.
    """

    def __init__(self, filename: str, line: int | None, message: str):
        self.filename = filename
        self.line = line
        self.message = message
        where = f"{filename}:{line}" if line else filename
        super().__init__(f"{where}: {message}")


def toml_error_line(exc: Exception) -> int | None:
    """The line a TOML error names: ``lineno`` where Python has it, else its "(at line N" text."""
    line = getattr(exc, "lineno", None)
    if line is None:
        found = re.search(r"\(at line (\d+)", str(exc))
        line = int(found.group(1)) if found else None
    return line


# Kinds of note. A note belongs to one clause (by ref) and, usually, one version.
VARIANT = "variant"  # another witness reads differently here (Chinese collation)
REPAIR = "repair"  # the text shown differs from the source line; what was changed and why
TRANSLATION = "translation"  # something a reader of a translation should know (label slips, artefacts)
# How a translation note about an uncertain paragraph placement begins (the checks list them).
PLACEMENT_UNCERTAIN = "Placement uncertain"

# Fates of a source line.
USED = "used"
VARIANT_READING = "variant"
DROPPED = "dropped"
METADATA = "metadata"


@dataclass
class Note:
    ref: str
    kind: str
    body: str
    version: str = ""  # version slug the note concerns ("" = the clause as a whole)
    source: str = ""  # file name of the witness
    line: int | None = None  # 1-based line number in that file
    reading: str = ""  # for variants: the witness's reading at the site
    adopted: str = ""  # for variants: the reading adopted in the base text


@dataclass
class Passage:
    ref: str
    text: str
    lines: tuple[int, ...] = ()  # 1-based source line numbers the text came from
    label: str = ""  # the number label as printed ("（一）", "(1)", "3."), "" if none


@dataclass
class LineFate:
    line: int
    fate: str  # USED, VARIANT_READING, DROPPED or METADATA
    refs: tuple[str, ...] = ()
    versions: tuple[str, ...] = ()
    reason: str = ""


@dataclass
class ParsedSource:
    filename: str
    version: str  # the version slug these passages feed
    passages: dict[str, Passage] = field(default_factory=dict)  # ref -> passage, document order
    notes: list[Note] = field(default_factory=list)
    fates: dict[int, LineFate] = field(default_factory=dict)  # line number -> fate
    metadata: dict[str, str] = field(default_factory=dict)  # e.g. {"number": "GF No. (2015)40"}
    kinds: dict[str, str] = field(default_factory=dict)  # ref -> clause kind, where not by shape

    def add(self, passage: Passage) -> None:
        if passage.ref in self.passages:
            raise SourceError(self.filename, passage.lines[0] if passage.lines else None,
                              f"clause {passage.ref} appears twice")
        self.passages[passage.ref] = passage
        for n in passage.lines:
            previous = self.fates.get(n)
            refs = previous.refs if previous and previous.fate == USED else ()
            self.fates[n] = LineFate(n, USED, refs + (passage.ref,), (self.version,))

    def drop(self, line: int, reason: str) -> None:
        self.fates[line] = LineFate(line, DROPPED, reason=reason)

    def unaccounted(self, text: str) -> list[int]:
        """Line numbers of non-blank lines of ``text`` that have no fate."""
        return [n for n, raw in enumerate(text.split("\n"), start=1)
                if raw.strip() and n not in self.fates]


def source_lines(text: str) -> list[tuple[int, str]]:
    """Non-blank lines with their 1-based numbers, trailing whitespace and CR removed."""
    return [(n, raw.rstrip("\r\n ")) for n, raw in enumerate(text.split("\n"), start=1)
            if raw.strip()]


# Clause refs come from the document's own numbering. Their shape says what they are:
#   named refs               front matter: "title", "number", "occasion" (——…在…会议上),
#                            "speaker", "addressees" (各省…：), "salutation" (各位代表：);
#                            back matter: "signature", "date", "remark" (（此件公开发布）)
#   "0.1", "0.2"             preamble paragraphs (before the first part)
#   "2"                      a part (二、)
#   "2.1"                    a section ((一))
#   "2.0.3"                  the third paragraph directly in part 2 (before or without sections)
#   "2.1.0"                  a section's lead paragraph before its numbered items (seed document)
#   "1.2.3", "2.1.3"         a paragraph or numbered item of a section
FRONT_MATTER = ("title", "number", "occasion", "speaker", "addressees", "salutation")
BACK_MATTER = ("signature", "date", "remark")
NAMED_REFS = FRONT_MATTER + BACK_MATTER


def kind_of(ref: str) -> str:
    """The clause kind a ref denotes: front, back, part, section or clause."""
    if ref in FRONT_MATTER:
        return "front"
    if ref in BACK_MATTER:
        return "back"
    depth = ref.count(".") + 1
    if ref.startswith("0."):
        return "clause"
    return {1: "part", 2: "section"}.get(depth, "clause")


def parent_of(ref: str) -> str | None:
    """The ref of the enclosing part or section, None at the top level."""
    if kind_of(ref) in ("front", "back") or "." not in ref or ref.startswith("0."):
        return None
    parent = ref.rsplit(".", 1)[0]
    if parent.endswith(".0"):  # "2.0.3": a paragraph directly in part 2
        return parent[:-2]
    return parent
