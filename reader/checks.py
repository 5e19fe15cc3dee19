"""Translation checks: automatic findings about how a translation renders the base text.

Plain Python, no Django. ``check_clause`` looks at one clause: the Chinese (base) sentences, the
sentences of one translation, the sentence alignment between them (beads, 1-based, as the site
stores them) and the ingest notes of that version. ``check_document`` runs it over a whole
corpus (``reader.sources.corpus.build_corpus``) for one target version, aligning with
``reader.align.align`` unless given the stored beads. Both return ``Finding``s sorted in document
order, then by Chinese sentence (a whole-clause finding first), then by kind. Nothing here is
random or depends on dict order: the same texts give the same findings.

Every finding names the Chinese sentence it is about (``sentence``, 1-based; ``None`` when it is
about the whole clause) so that the page can link to the sentence anchor, and says in one line,
quoting the evidence, what a translator should look at. A finding about a bead of several
Chinese sentences is on the first; an artefact is on the Chinese sentence that the English
sentence holding it renders, and its reason names that English sentence.

Kinds and rules
---------------
omission
    A bead with Chinese and no English (1:0): "the responsibility line “（教育部……等负责）” has no
    rendering in this version".
    Also a whole clause the version leaves out while rendering clauses under it (the machine
    translation has no Part III heading but has its sections): ``sentence`` is ``None``. A
    clause the version does not cover at all (the machine translation of Parts I and II) is out
    of its scope, not an omission.
addition
    A bead with English and no Chinese (0:1). ``sentence`` is the Chinese sentence it follows
    (the first one when it comes before any).
length
    A bead whose English is much longer or shorter than this version's other beads make
    expected. Gale & Church's model, with this version's own rate: ``l_zh`` is the Chinese
    length as the aligner counts it (``reader.align``: Latin letters and digits 1/C each, a
    department abbreviation as long as its English name), ``l_en`` the English characters
    (whitespace runs count one); item labels are taken off both sides first (they are checked
    as labels). ``rate`` is the median of ``l_en / l_zh`` over the version's beads with both
    sides, ``residual = (l_en - rate * l_zh) / sqrt(l_zh)`` (the spread of a length grows with
    its square root, so short headings are not flagged for what is only noise), and a bead is
    an outlier when its residual is more than ``LENGTH_THRESHOLD`` (2.5) robust standard
    deviations (1.4826 * the median absolute deviation) from the median residual. The reason
    gives both lengths and the English length the rate predicts, with its accepted range.
    ``check_clause`` does this only when given the version's ``LengthNorm``; ``check_document``
    makes one from all the version's beads (none from fewer than ``LENGTH_MINIMUM_BEADS``).
number
    Numbers in one side of a bead and not the other, each side's as a set. Numbers are runs of
    digits (fullwidth ones too), anywhere (so the 6 of IPv6), with thousands commas and
    decimals read as one number; "%", "％", "percent" and "per cent" mark a percentage, 万/亿
    and thousand/million/billion multiply. An English month name next to a number counts as
    its number (2015年7月1日 is "1 July 2015"). Item labels at the start of a sentence
    (（三）, 3., (3), (III), III,) are not numbers: they are checked as labels. Chinese numerals
    are not numbers for this check: in this kind of text they are labels or words (一批, 新一代,
    一带一路, 万众创新) that no translation renders with a digit. An English number word
    ("six", "sixth") may stand for a digit of the Chinese, but a number word alone is never
    reported (it renders 一批, 两个, 双引擎 …). A split number ("20 15") is read as the number it
    splits: it is reported once as an artefact, and as a number only if the joined number is
    not in the Chinese either.
latin
    Latin tokens (IPv6, ISO, MTPS, IC) of the Chinese, which pass into a translation as they
    are, missing from the English of the bead (case-insensitive, a plural "s" allowed); and
    acronyms of the English (two capitals or more, or capitals with digits; Roman numerals
    aside) absent from the Chinese of the bead, unless the Chinese there has a glossary term
    that some version renders with the acronym (二维码 is rendered "QR code").
label
    The label and numbering slips found at ingest: the version's translation notes that say
    "labelled" (an item labelled "(5)" where the Chinese has （四）), on sentence 1, where
    labels are.
glossary
    A glossary term (``reader.glossary``) that this version renders in more than one way
    across the document: each occurrence rendered otherwise than the version's most used
    rendering (ties go to the glossary's order) is reported, quoting both renderings and every
    count. Occurrences whose rendering the glossary does not identify are not reported: nothing
    is guessed.
artefact
    Masking and garbling in the translation: masked characters ("* * *", □, U+FFFD), split
    numbers ("20 15"), doubled punctuation (", ,", ",.", "areas.,"; "etc.," is an
    abbreviation followed by a comma, not doubled), and parentheses that close nothing or are
    never closed within the clause.

placement
    A paragraph of an imported translation that the importer placed under this clause with a
    confidence below 0.5 (``reader.placement``): its ingest note, naming the line and why.

Without a glossary (``corpus.glossary`` is None) there are no glossary findings and no known
acronyms. 1:0 and 0:1 beads are not checked for
numbers, Latin tokens or length: the omission or addition already covers the whole sentence.

Speed: the checks are regular expressions over the sentences; after alignment, a whole
document takes some tens of milliseconds.
"""
from __future__ import annotations

import math
import re
import statistics
from dataclasses import dataclass
from typing import Callable, Iterable

from reader import glossary as glossary_module
from reader.align import ZH_RESPONSIBILITY, chinese_length, align
from reader.sources.base import PLACEMENT_UNCERTAIN, TRANSLATION

KINDS = ("placement", "omission", "addition", "length", "number", "latin", "glossary", "label", "artefact")

LENGTH_THRESHOLD = 2.5
# Robust standard deviation from the median absolute deviation (normal distribution).
MAD_TO_SD = 1.4826
# Fewer beads than this make no distribution to compare with.
LENGTH_MINIMUM_BEADS = 20
QUOTE_LENGTH = 60


@dataclass(frozen=True)
class Finding:
    ref: str
    sentence: int | None  # 1-based Chinese (base) sentence; None for the whole clause
    kind: str
    reason: str
    # 1-based sentence of the translation an addition or artefact is about (which ``sentence``,
    # a Chinese one, cannot say); None for the other kinds
    translated: int | None = None


@dataclass(frozen=True)
class LengthNorm:
    """A version's length model: English characters per Chinese character (``rate``), and the
    median and robust spread of the residuals (see the module doc)."""
    rate: float
    center: float
    spread: float

    def residual(self, zh_length: float, en_length: int) -> float:
        return (en_length - self.rate * zh_length) / math.sqrt(zh_length)

    def deviation(self, zh_length: float, en_length: int) -> float:
        """How many robust standard deviations the bead lies from this version's median."""
        return (self.residual(zh_length, en_length) - self.center) / self.spread

    def expected(self, zh_length: float) -> tuple[int, int, int]:
        """(predicted, lowest accepted, highest accepted) English length."""
        root = math.sqrt(zh_length)
        middle = self.rate * zh_length + self.center * root
        margin = LENGTH_THRESHOLD * self.spread * root
        return round(middle), max(0, math.ceil(middle - margin)), math.floor(middle + margin)


Beads = list[tuple[list[int], list[int], float]]


# --- whole document -----------------------------------------------------------------------

def check_document(corpus, target_version: str,
                   beads_for: Callable[[str], Beads] | None = None,
                   occurrences: list | None = None) -> list[Finding]:
    """Findings for every clause of ``target_version`` against the base version.

    ``beads_for(ref)`` gives a clause's beads, 1-based ``([zh…], [en…], score)``, e.g. those
    stored at ingest; by default they are computed with ``reader.align.align``.
    ``occurrences``: the glossary terms' occurrences in this version
    (``reader.glossary.occurrences``), if the caller has them already.
    """
    base = next(v["slug"] for v in corpus.versions if v.get("base"))
    kind = next((v["kind"] for v in corpus.versions if v["slug"] == target_version), None)
    if target_version == base or kind is None or kind == "script":
        raise ValueError(f"{target_version!r} is not a translation of the base text "
                         f"({base}): the checks compare Chinese with a translation")
    clauses = []
    for ref in corpus.refs:
        source = [s.text for s in corpus.sentences.get((base, ref), [])]
        target = [s.text for s in corpus.sentences.get((target_version, ref), [])]
        notes = [n for n in corpus.notes if n.ref == ref and n.version == target_version]
        if not target:
            clauses.append((ref, source, target, None, notes))
            continue
        beads = beads_for(ref) if beads_for else _align(source, target)
        clauses.append((ref, source, target, beads, notes))

    lengths = length_norm(bead_lengths(zh, en, clause_beads)
                          for _, zh, en, clause_beads, _ in clauses if clause_beads)
    glossary = getattr(corpus, "glossary", None)
    acronyms = known_acronyms(glossary)
    rendered = {ref for ref, _, en, _, _ in clauses if en}
    findings = []
    for ref, source, target, beads, notes in clauses:
        findings.extend(Finding(ref, None, "placement", n.body) for n in notes
                        if n.kind == TRANSLATION and n.body.startswith(PLACEMENT_UNCERTAIN))
        if beads is None:
            findings.extend(_label_findings(ref, notes))
            if source and any(other.startswith(ref + ".") for other in rendered):
                findings.append(Finding(ref, None, "omission",
                                        f"the clause “{_quote(' '.join(source))}” has no rendering "
                                        f"in this version, though the clauses under it have"))
            continue
        findings.extend(check_clause(ref, source, target, beads, notes, lengths=lengths,
                                     acronyms=acronyms))
    if glossary is not None:
        if occurrences is None:
            occurrences = glossary_module.occurrences(
                glossary, target_version,
                ((ref, zh, en, beads) for ref, zh, en, beads, _ in clauses if beads))
        findings.extend(glossary_findings(glossary, occurrences))
    order = {ref: i for i, ref in enumerate(corpus.refs)}
    return sorted(set(findings), key=lambda f: _sort_key(f, order))


def _align(source: list[str], target: list[str]) -> Beads:
    return [([i + 1 for i in b.source], [j + 1 for j in b.target], b.score)
            for b in align(source, target)]


def bead_lengths(source: list[str], target: list[str], beads: Beads) -> list[tuple[float, int]]:
    """(Chinese length, English length) of each bead with both sides, labels taken off."""
    out = []
    for zh, en in ((s, t) for s, t, _ in beads if s and t):
        zh_length, en_length = _lengths(source, target, zh, en)
        if zh_length > 0:
            out.append((zh_length, en_length))
    return out


def length_norm(clause_lengths: Iterable[list[tuple[float, int]]]) -> LengthNorm | None:
    """The version's length model from the lengths of all its beads; None if too few."""
    pairs = [pair for lengths in clause_lengths for pair in lengths]
    if len(pairs) < LENGTH_MINIMUM_BEADS:
        return None
    rate = statistics.median(en / zh for zh, en in pairs)
    residuals = [(en - rate * zh) / math.sqrt(zh) for zh, en in pairs]
    center = statistics.median(residuals)
    spread = MAD_TO_SD * statistics.median(abs(r - center) for r in residuals)
    if spread <= 0:
        return None
    return LengthNorm(rate, center, spread)


def _sort_key(finding: Finding, order: dict[str, int]):
    return (order.get(finding.ref, len(order)), finding.sentence or 0,
            KINDS.index(finding.kind) if finding.kind in KINDS else len(KINDS), finding.reason)


# --- one clause ---------------------------------------------------------------------------

def check_clause(ref: str, source: list[str], target: list[str], beads: Beads, notes: list,
                 *, lengths: LengthNorm | None = None,
                 acronyms: dict[str, tuple[str, ...]] | None = None) -> list[Finding]:
    """Findings for one clause: ``source`` the Chinese sentences, ``target`` the translation's,
    ``beads`` their alignment (1-based sentence numbers), ``notes`` the ingest notes of the
    translation for this clause. Length outliers need the version's ``lengths`` model (see
    ``check_document``); without it they are not looked for. ``acronyms``: English acronym ->
    the Chinese terms it renders (``known_acronyms``)."""
    findings = _label_findings(ref, notes)
    for zh, en, _ in beads:
        if zh and not en:
            findings.extend(_omission(ref, source, zh))
        elif en and not zh:
            findings.extend(_addition(ref, target, en, beads))
        else:
            zh_text = "".join(_strip_zh_label(_halfwidth(source[i - 1])) for i in zh)
            en_text = " ".join(_strip_en_label(target[j - 1]) for j in en)
            findings.extend(_number_findings(ref, zh[0], zh_text, en_text))
            findings.extend(_latin_findings(ref, zh[0], zh_text, en_text, acronyms or {}))
            if lengths is not None:
                findings.extend(_length_findings(ref, source, target, zh, en, lengths))
    findings.extend(_artefact_findings(ref, target, beads))
    return sorted(set(findings), key=lambda f: _sort_key(f, {ref: 0}))


def _label_findings(ref: str, notes: list) -> list[Finding]:
    return [Finding(ref, 1, "label", n.body) for n in notes
            if n.ref == ref and n.kind == TRANSLATION and "labelled" in n.body]


def _omission(ref, source, zh):
    findings = []
    for i in zh:
        text = source[i - 1]
        what = ("the responsibility line" if ZH_RESPONSIBILITY.match(text.strip())
                else f"Chinese sentence {i}")
        findings.append(Finding(ref, i, "omission",
                                f"{what} “{_quote(text)}” has no rendering in this version"))
    return findings


def _addition(ref, target, en, beads):
    anchor = _chinese_sentence_before(en[0], beads)
    return [Finding(ref, anchor, "addition",
                    f"sentence {j} of this version, “{_quote(target[j - 1])}”, renders no "
                    f"Chinese sentence", translated=j) for j in en]


def _chinese_sentence_before(target_index: int, beads: Beads) -> int:
    """The Chinese sentence of the bead holding ``target_index``, or for a 0:1 bead the last
    Chinese sentence before it (1 when there is none)."""
    last = 0
    for zh, en, _ in beads:
        if target_index in en:
            return zh[0] if zh else max(last, 1)
        if zh:
            last = zh[-1]
    return max(last, 1)


def _length_findings(ref, source, target, zh, en, lengths: LengthNorm):
    zh_length, en_length = _lengths(source, target, zh, en)
    if zh_length <= 0:
        return []
    deviation = lengths.deviation(zh_length, en_length)
    if abs(deviation) <= LENGTH_THRESHOLD:
        return []
    zh_chars = sum(len(re.sub(r"\s", "", _strip_zh_label(source[i - 1]))) for i in zh)
    predicted, low, high = lengths.expected(zh_length)
    direction = "longer" if deviation > 0 else "shorter"
    sides = (f"Chinese sentence {zh[0]}" if len(zh) == 1
             else f"Chinese sentences {zh[0]}–{zh[-1]}")
    counted = (" (abbreviations and Latin letters at their English length)"
               if abs(zh_length - zh_chars) >= 1 else "")
    return [Finding(ref, zh[0], "length",
                    f"{en_length} characters of English for the {zh_chars} of {sides}: "
                    f"{direction} than this version's {lengths.rate:.2f} per Chinese character "
                    f"predicts ({predicted}, {low}–{high} accepted){counted}: "
                    f"“{_quote(' '.join(target[j - 1] for j in en))}”")]


def _lengths(source, target, zh, en) -> tuple[float, int]:
    zh_text = "".join(_strip_zh_label(source[i - 1]) for i in zh)
    en_text = " ".join(_strip_en_label(target[j - 1]) for j in en)
    return chinese_length(zh_text), len(re.sub(r"\s+", " ", en_text.strip()))


# --- labels -------------------------------------------------------------------------------

ZH_LABEL = re.compile(r"^\s*(?:[（(](?:[一二三四五六七八九十]+|\d{1,2})[）)]|[一二三四五六七八九十]+、"
                      r"|\d{1,2}[.．、](?!\d))\s*")
EN_LABEL = re.compile(r"^\s*(?:\((?:\d{1,2}|[IVXLC]+)\)|\d{1,2}[.)](?!\d)|[IVXLC]+[.,)](?=\s))\s*")
# Fullwidth digits, letters and signs (０-９, Ａ-Ｚ, ％, ．) as their plain forms, one for one.
_HALFWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)
              if chr(code) not in "（），：；！？"}


def _halfwidth(text: str) -> str:
    return text.translate(_HALFWIDTH)


def _strip_zh_label(text: str) -> str:
    return ZH_LABEL.sub("", text, count=1)


def _strip_en_label(text: str) -> str:
    return EN_LABEL.sub("", text, count=1)


# --- numbers ------------------------------------------------------------------------------

NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")
ZH_SCALE = re.compile(r"\s*(万亿|万|亿)")
EN_SCALE = re.compile(r"\s*(thousand|million|billion|trillion)\b", re.IGNORECASE)
SCALES = {"万": 10 ** 4, "亿": 10 ** 8, "万亿": 10 ** 12, "thousand": 10 ** 3, "million": 10 ** 6,
          "billion": 10 ** 9, "trillion": 10 ** 12}
PERCENT = re.compile(r"\s*(?:%|％|percent\b|per cent\b)", re.IGNORECASE)
SPLIT_NUMBER = re.compile(r"(?<![\d.,])\b(\d+) (\d+)\b(?![.,]?\d)")
MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], start=1)}
_MONTH_NAMES = "|".join(m.title() for m in MONTHS)
EN_MONTH = re.compile(rf"(?<=\d )({_MONTH_NAMES})\b|\b({_MONTH_NAMES})(?= \d)")
NUMBER_WORDS = {w: i for i, w in enumerate(
    "one two three four five six seven eight nine ten eleven twelve".split(), start=1)}
NUMBER_WORDS.update({w: i for i, w in enumerate(
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth".split(),
    start=1)})


def _split_numbers(text: str) -> list[re.Match]:
    """Two runs of digits with one space between: "20 15". Not a day and a year after a month
    ("July 1 2015")."""
    return [m for m in SPLIT_NUMBER.finditer(text)
            if not re.search(r"\b(%s)\s*$" % "|".join(MONTHS), text[:m.start()], re.IGNORECASE)]


def _numbers(text: str, scale: re.Pattern) -> dict[str, str]:
    """Canonical number -> how the text prints it."""
    found = {}
    for m in NUMBER.finditer(text):
        value = float(m.group().replace(",", ""))
        end = m.end()
        multiplier = scale.match(text, end)
        if multiplier:
            value *= SCALES[multiplier.group(1).lower()]
            end = multiplier.end()
        value = float(f"{value:.12g}")  # 13.12 million and 1312万 are the same number
        canonical = f"{value:g}" if value != int(value) else str(int(value))
        percent = PERCENT.match(text, end)
        if percent:
            canonical += "%"
            end = percent.end()
        found.setdefault(canonical, text[m.start():end])
    return found


def _number_findings(ref, sentence, zh, en) -> list[Finding]:
    """Numbers of a bead's two sides, ``zh`` and ``en`` (labels off, fullwidth made plain)."""
    zh_numbers = _numbers(zh, ZH_SCALE)
    printed_split = {m.group(1) + m.group(2): m.group() for m in _split_numbers(en)}
    en_joined = en
    for printed in printed_split.values():
        en_joined = en_joined.replace(printed, printed.replace(" ", ""))
    en_numbers = _numbers(en_joined, EN_SCALE)
    for a, b in EN_MONTH.findall(en_joined):
        en_numbers.setdefault(str(MONTHS[(a or b).lower()]), a or b)
    en_words = {NUMBER_WORDS[w] for w in re.findall(r"[a-z]+", en.lower()) if w in NUMBER_WORDS}

    findings = []
    for number, printed in sorted(zh_numbers.items()):
        if number in en_numbers or (number.isdigit() and int(number) in en_words):
            continue
        findings.append(Finding(ref, sentence, "number",
                                f"“{printed}” is in the Chinese “{_around(zh, printed, width=12)}” "
                                f"but not in this version: “{_quote(en)}”"))
    for number, printed in sorted(en_numbers.items()):
        if number in zh_numbers:
            continue
        shown = printed_split.get(number, printed)
        findings.append(Finding(ref, sentence, "number",
                                f"“{shown}” is in this version “{_around(en, shown)}” "
                                f"but not in the Chinese: “{_quote(zh, 30)}”"))
    return findings


# --- Latin tokens -------------------------------------------------------------------------

ZH_LATIN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:&[A-Za-z]+)*")
EN_TOKEN = re.compile(r"[A-Za-z0-9]+(?:&[A-Za-z0-9]+)*")
ROMAN_NUMERAL = re.compile(r"[IVXLC]+")

def known_acronyms(glossary) -> dict[str, tuple[str, ...]]:
    """Acronym (upper case) -> the glossary terms some version renders with it: an English
    acronym is no addition where the Chinese of its bead has one of these (the texts write
    二维码 where the published translation writes "QR codes")."""
    out: dict[str, tuple[str, ...]] = {}
    for term in (glossary.terms if glossary else ()):
        for rendering in (r for rs in term.renderings.values() for r in rs):
            for token in EN_TOKEN.findall(rendering):
                if _is_acronym(token) and term.zh not in out.get(_singular(token).upper(), ()):
                    out[_singular(token).upper()] = out.get(_singular(token).upper(), ()) + (term.zh,)
    return out


def _is_acronym(token: str) -> bool:
    letters = [c for c in token if c.isalpha()]
    capitals = sum(c.isupper() for c in letters)
    if not letters or ROMAN_NUMERAL.fullmatch(token):
        return False
    return capitals >= 2 or (capitals >= 1 and any(c.isdigit() for c in token))


def _singular(token: str) -> str:
    return token[:-1] if len(token) > 2 and token.endswith("s") and token[-2].isupper() else token


def _latin_findings(ref, sentence, zh, en, acronyms) -> list[Finding]:
    """Latin tokens of a bead's two sides, ``zh`` and ``en`` (labels off, fullwidth made plain)."""
    en_tokens = {t.lower() for t in EN_TOKEN.findall(en)}
    en_tokens |= {t[:-1] for t in en_tokens if t.endswith("s")}
    zh_tokens = {t.lower() for t in ZH_LATIN.findall(zh)}
    findings = []
    for token in sorted(set(ZH_LATIN.findall(zh))):
        if token.lower() not in en_tokens:
            findings.append(Finding(ref, sentence, "latin",
                                    f"“{token}” is in the Chinese “{_around(zh, token, width=12)}” "
                                    f"but not in this version: “{_quote(en)}”"))
    for token in sorted({t for t in EN_TOKEN.findall(en) if _is_acronym(t)}):
        base = _singular(token)
        if base.lower() in zh_tokens or token.lower() in zh_tokens:
            continue
        if any(term in zh for term in acronyms.get(base.upper(), ())):
            continue
        findings.append(Finding(ref, sentence, "latin",
                                f"“{token}” is in this version “{_around(en, token)}” "
                                f"but not in the Chinese: “{_quote(zh, 30)}”"))
    return findings


# --- glossary -----------------------------------------------------------------------------

def glossary_findings(glossary, found: list) -> list[Finding]:
    """Occurrences rendered otherwise than the version renders the term most often."""
    listed = {t.zh: t for t in glossary.terms}
    findings = []
    for (zh, version), use in glossary_module.usage(found).items():
        if not use.inconsistent:
            continue
        ranked = use.ranked(listed[zh].renderings_for(version) if zh in listed else ())
        main, main_count = ranked[0]
        tally = ", ".join(f"“{r}” ×{c}" for r, c in ranked)
        for o in found:
            if o.term == zh and o.version == version and o.rendering and o.rendering != main:
                findings.append(Finding(o.ref, o.sentence, "glossary",
                                        f"{zh} is rendered “{o.rendering}” here but “{main}” "
                                        f"{main_count} times elsewhere in this version "
                                        f"(all renderings: {tally})"))
    return findings


# --- artefacts ----------------------------------------------------------------------------

MASK = re.compile(r"\*(?:\s*\*)+|□+|\ufffd+")
# A comma, semicolon or colon followed by another mark; or a full stop followed by a comma or
# semicolon, unless the full stop ends an abbreviation ("etc.,", "e.g.,").
ABBREVIATIONS = ("etc", "e.g", "i.e", "No", "Co", "Ltd", "Inc", "Corp", "al", "vs")
DOUBLED = re.compile(r"[,;:]\s*[,;:.](?!\d)|%s\.\s*[,;]"
                     % "".join(rf"(?<!\b{re.escape(a)})" for a in ABBREVIATIONS))
OPENING, CLOSING = "(（[", ")）]"


def _artefact_findings(ref, target, beads) -> list[Finding]:
    found: dict[tuple[int, str], list[str]] = {}  # (target sentence, what) -> contexts

    def add(j, what, context):
        found.setdefault((j, what), []).append(context)

    unclosed_at = []  # (target sentence, offset) of each "(" still open
    for j, text in enumerate(target, start=1):
        for m in MASK.finditer(text):
            add(j, f"masked text “{m.group()}”", _around(text, m.group(), m.start()))
        for m in _split_numbers(text):
            add(j, f"a number split by a space, “{m.group()}”",
                _around(text, m.group(), m.start()))
        for m in DOUBLED.finditer(text):
            mark = m.group().strip()
            add(j, f"doubled punctuation “{mark}”", _around(text, m.group(), m.start()))
        for k, ch in enumerate(text):
            if ch in OPENING:
                unclosed_at.append((j, k))
            elif ch in CLOSING:
                if unclosed_at:
                    unclosed_at.pop()
                else:
                    add(j, f"a closing “{ch}” with nothing to close", _around(text, ch, k))
    for j, k in unclosed_at:
        text = target[j - 1]
        add(j, f"an opening “{text[k]}” never closed in the clause", _around(text, text[k], k))

    findings = []
    for (j, what), contexts in found.items():
        places = "; ".join(f"“{c}”" for c in contexts)
        times = f" ({len(contexts)} times)" if len(contexts) > 1 else ""
        findings.append(Finding(ref, _chinese_sentence_before(j, beads), "artefact",
                                f"{what}{times}, in sentence {j} of this version: {places}", translated=j))
    return findings


# --- quoting ------------------------------------------------------------------------------

def _quote(text: str, limit: int = QUOTE_LENGTH) -> str:
    text = re.sub(r"\s+", " ", text.strip())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _around(text: str, part: str, start: int | None = None, width: int = 24) -> str:
    """``part`` with some of the text on either side, for quoting it in place."""
    text_flat = text.replace("\n", " ")
    if start is None:
        start = text_flat.find(part)
        if start < 0:
            return _quote(text)
    a, b = max(0, start - width), min(len(text_flat), start + len(part) + width)
    while 0 < a and text_flat[a - 1].isascii() and text_flat[a - 1].isalnum():
        a -= 1  # not in the middle of a number or a word
    while b < len(text_flat) and text_flat[b].isascii() and text_flat[b].isalnum():
        b += 1
    return ("…" if a else "") + text_flat[a:b].strip() + ("…" if b < len(text_flat) else "")
