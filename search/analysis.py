"""Text analysis for bilingual search: folding, Whoosh analyzers, query parsing, highlighting.

Plain Python (no Django): the search backend, the search pages and the tests all use this
module, so that a passage is cut the same way when it is indexed, queried and highlighted.

Folding
    ``fold(text)`` maps traditional to simplified characters (OpenCC ``t2s``), full-width ASCII
    forms to ASCII (NFKC of U+FF01–U+FF5E only, plus the ideographic space; 〔〕 and other
    CJK punctuation are left alone) and lower-cases. It is length-preserving character by
    character, so an offset into the folded text is an offset into the original: every analyzer
    folds first and still reports ``startchar``/``endchar`` in the caller's text, and a
    traditional passage can be highlighted from matches found in its simplified folding.

Two indexed views of every passage
    ``word_analyzer()`` (the ``text`` field): Chinese runs are cut by jieba (precise mode, HMM
    on) in a private ``jieba.Tokenizer`` carrying the project dictionary ``dictionary.txt``
    (``互联网+``, ``众创空间``, department names…); Latin words and numbers are separate
    tokens, wherever they sit (``IC卡`` → ``ic`` + ``卡``); Latin words are Porter-stemmed.
    Positions are sequential (0, 1, 2…), unlike jieba's stock ChineseAnalyzer, which reports
    character offsets as positions and so breaks phrase queries.

    ``char_analyzer()`` (the ``chars`` field): every Chinese character is a token, Latin words
    and numbers are unstemmed tokens. A phrase over this field is contiguous text, what Ctrl-F
    would find: 国, or 创空 across the word boundary of 众创/空间. Punctuation between two tokens
    leaves a one-position gap, so a phrase never spans it (新推 does not match 创新。推动);
    whitespace leaves none ("cloud computing", and 中共中央 国务院 is found as 中央国务院).

    ``spelling_analyzer()``: unstemmed Latin words only, for a spelling corrector.

Symbols
    ``+`` counts only directly after a Chinese character (``互联网+``): the word field keeps
    ``互联网+`` as one dictionary token, and the char field indexes that ``+`` as a token of its
    own, so the query 互联网+ is the character phrase 互 联 网 + and matches exactly the passages
    whose text contains 互联网+, never those with 互联网 alone. Elsewhere ``+`` is punctuation.
    ``&`` between letters joins them (``R&D`` is the one token ``r&d``); a possessive ``'s`` is
    dropped (``country's`` → ``country``); hyphens split (``e-commerce`` → ``e`` ``commerc``).

Queries
    ``parse_query(q)`` never raises: it keeps quoted phrases ("…", “…”, 「…」, 『…』) and
    otherwise reads only words, so Whoosh syntax (AND, OR, NOT, ``*``, ``?``, ``field:``,
    brackets) is inert. ``whoosh_query(terms)`` ANDs one query per term: a term with Chinese in
    it must match the char field as contiguous text, and its jieba words on the word field only
    add to the score (``AndMaybe``), so word matches rank first without widening the match; a
    Latin word is one stemmed Term on the word field ("manufacture" finds "manufacturing"); a
    quoted Latin phrase is a stemmed Phrase on the word field. Input is capped (MAX_QUERY_CHARS,
    MAX_TERMS, and MAX_PHRASE_TOKENS per phrase) so that no query is slow to answer.

Highlighting
    ``highlight_spans`` finds matches with the same tokens the index uses (char tokens for
    Chinese, stems of whole words for Latin), on the folded text, so the marks agree with the
    hits, across scripts. ``highlight`` is the one function that builds highlight HTML: from
    escaped pieces of the text and literal ``<mark>`` tags only (see its docstring for why that
    needs no bleach pass).
"""
from __future__ import annotations

import html
import re
import threading
from array import array
from collections import OrderedDict
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jieba
import opencc
from whoosh import query as wq
from whoosh.analysis import Filter, Token, Tokenizer
from whoosh.lang.porter import stem as porter_stem

DICTIONARY = Path(__file__).with_name("dictionary.txt")
MAX_QUERY_CHARS = 1000  # the caller rejects longer queries; this is only a backstop
MAX_TERMS = 32
# Whoosh's phrase matching costs (phrase length) x (postings of its words): "国" x 1000 takes
# 0.4 s on this corpus and grows with it. Longer phrases are matched (and highlighted) by their
# first MAX_PHRASE_TOKENS tokens, which in practice already pins down a pasted sentence.
MAX_PHRASE_TOKENS = 48
WORD_BOOST = 2.0

# ---------------------------------------------------------------------------------------------
# Folding

_t2s = opencc.OpenCC("t2s")

# Full-width ASCII forms (！ … ～) and the ideographic space; NFKC maps each to one ASCII char.
_NARROW = {code: unicodedata.normalize("NFKC", chr(code)) for code in range(0xFF01, 0xFF5F)}
_NARROW[0x3000] = " "
_SURROGATE = re.compile("[\ud800-\udfff]")
assert all(len(c) == 1 and c.isascii() for c in _NARROW.values())


def _t2s_char(char: str) -> str:
    converted = _t2s.convert(char)
    return converted if len(converted) == 1 else char


def fold(text: str) -> str:
    """Simplified, half-width, lower-case ``text``, of the same length, character for character."""
    try:
        simplified = _t2s.convert(text)
    except UnicodeEncodeError:  # lone surrogates cannot reach OpenCC; U+FFFD keeps the length
        text = _SURROGATE.sub("\ufffd", text)
        simplified = _t2s.convert(text)
    if len(simplified) != len(text):
        # A phrase rule changed the length: give up phrase context to keep offsets exact.
        simplified = "".join(_t2s_char(c) for c in text)
    narrowed = simplified.translate(_NARROW)
    lowered = narrowed.lower()
    if len(lowered) != len(narrowed):  # e.g. "İ".lower() is two characters
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in narrowed)
    return lowered


# ---------------------------------------------------------------------------------------------
# Character classes and the one tokenizing expression

_CJK = ("\u3007\u3041-\u3096\u30a1-\u30fa\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
        "\U00020000-\U0003134f")
_LETTER = rf"[^\W_{_CJK}]"  # a letter or digit of any non-CJK script
_HAS_CJK = re.compile(f"[{_CJK}]")
_HAS_LETTER = re.compile(r"[^\W\d_]")

# On folded text. "cjk": a Chinese run, with any '+' that directly follows a character in it.
# "word": a Latin word or number, '&' joining letters (r&d); a possessive 's is matched but
# left out of the group, so it is not a token.
_TOKEN = re.compile(
    rf"(?P<cjk>[{_CJK}]+(?:\++[{_CJK}]*)*)"
    rf"|(?P<word>{_LETTER}+(?:&{_LETTER}+)*)(?:['’]s(?!{_LETTER}))?"
)


def has_chinese(text: str) -> bool:
    """Whether ``text`` has a Chinese character (or kana): it is then matched character by
    character, and a concordance looks it up in the original."""
    return _HAS_CJK.search(text) is not None


def _is_latin_stemmable(word: str) -> bool:
    return word.isascii() and _HAS_LETTER.search(word) is not None


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """The Porter stem of a folded Latin word; anything else unchanged."""
    return porter_stem(word) if _is_latin_stemmable(word) else word


# ---------------------------------------------------------------------------------------------
# jieba, private and lazily loaded

_segmenter: jieba.Tokenizer | None = None
_segmenter_lock = threading.Lock()
_DICTIONARY_LINE = re.compile(r"^(\S+)(?:\s+(\d+))?(?:\s+([A-Za-z]+))?$")


def read_dictionary(path: Path = DICTIONARY) -> list[tuple[str, int | None, str | None]]:
    """(word, frequency or None, tag or None) for each entry of a project dictionary file."""
    entries = []
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _DICTIONARY_LINE.match(line)
        if not match:
            raise ValueError(f"{path.name}, line {n}: expected 'word [frequency] [tag]': {raw!r}")
        word, freq, tag = match.groups()
        entries.append((word, int(freq) if freq else None, tag))
    return entries


def segmenter() -> jieba.Tokenizer:
    """The jieba tokenizer with the project dictionary, built on first use (about a second)."""
    global _segmenter
    if _segmenter is None:
        with _segmenter_lock:
            if _segmenter is None:
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                for word, freq, tag in read_dictionary():
                    tokenizer.add_word(word, freq, tag)
                _segmenter = tokenizer
    return _segmenter


# ---------------------------------------------------------------------------------------------
# Token streams as plain tuples, on folded text (offsets are valid in the original too)

def word_tokens(folded: str) -> list[tuple[str, int, int]]:
    """(word, start, end): jieba words of Chinese runs, Latin words and numbers; unstemmed."""
    tokens = []
    for match in _TOKEN.finditer(folded):
        if match.group("word") is not None:
            tokens.append((match.group("word"), match.start("word"), match.end("word")))
            continue
        offset = match.start()
        for word, start, end in segmenter().tokenize(match.group("cjk"), HMM=True):
            if _HAS_CJK.search(word) or _HAS_LETTER.search(word) or word.isdigit():
                tokens.append((word, offset + start, offset + end))
    return tokens


def char_tokens(folded: str) -> list[tuple[str, int, int, int]]:
    """(token, start, end, position): each Chinese character (and a '+' after one), each Latin
    word or number. Positions skip one wherever punctuation separates two tokens."""
    return list(zip(*_char_columns(folded)))


def _char_columns(folded: str) -> tuple[list[str], list[int], list[int], list[int]]:
    """``char_tokens`` as four lists (tokens, starts, ends, positions), made a run of Chinese
    characters at a time rather than a tuple per character: the highlighter keeps them so."""
    keys, starts, ends, positions = [], [], [], []
    pos, previous_end = -1, 0
    for match in _TOKEN.finditer(folded):
        word = match.group("word")
        start, end = match.span("word") if word is not None else match.span()
        pos += 2 if keys and folded[previous_end:start].strip() else 1
        if word is not None:
            keys.append(word)
            starts.append(start)
            ends.append(end)
            positions.append(pos)
        else:  # each character of the run (a '+' in it too), one position after another
            keys.extend(folded[start:end])
            starts.extend(range(start, end))
            ends.extend(range(start + 1, end + 1))
            positions.extend(range(pos, pos + end - start))
            pos += end - start - 1
        previous_end = end
    return keys, starts, ends, positions


def spelling_tokens(folded: str) -> list[tuple[str, int, int]]:
    """(word, start, end) of Latin words (with at least one letter); unstemmed."""
    return [(m.group("word"), m.start("word"), m.end("word")) for m in _TOKEN.finditer(folded)
            if m.group("word") is not None and _HAS_LETTER.search(m.group("word"))]


# ---------------------------------------------------------------------------------------------
# Whoosh analyzers

class _FoldingTokenizer(Tokenizer):
    """Folds the value, then yields ``self.tokens(folded)`` as Whoosh tokens."""

    def tokens(self, folded):  # -> iterable of (text, start, end, pos)
        raise NotImplementedError

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True, mode="",
                 **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        folded = fold(value)
        if not tokenize:
            items = [(folded, 0, len(value), 0)]
        else:
            items = self.tokens(folded)
        for text, start, end, pos in items:
            token.text = text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = value[start:end]
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            yield token


class ChineseWordTokenizer(_FoldingTokenizer):
    """jieba words for Chinese runs, Latin words and numbers; positions 0, 1, 2…"""

    def tokens(self, folded):
        return [(text, start, end, pos)
                for pos, (text, start, end) in enumerate(word_tokens(folded))]


class ChineseCharTokenizer(_FoldingTokenizer):
    """One token per Chinese character, one per Latin word or number; see ``char_tokens``."""

    def tokens(self, folded):
        return char_tokens(folded)


class LatinWordTokenizer(_FoldingTokenizer):
    """Latin words only, for spelling suggestions."""

    def tokens(self, folded):
        return [(text, start, end, pos)
                for pos, (text, start, end) in enumerate(spelling_tokens(folded))]


class LatinStemFilter(Filter):
    """Porter-stems Latin tokens; Chinese words and numbers pass unchanged."""

    is_morph = True  # skipped when Whoosh asks for unstemmed words (no_morph=True)

    def __call__(self, tokens):
        for token in tokens:
            token.text = stem(token.text)
            yield token


def word_analyzer():
    return ChineseWordTokenizer() | LatinStemFilter()


def char_analyzer():
    return ChineseCharTokenizer()


def spelling_analyzer():
    return LatinWordTokenizer()


def analyzed_words(text: str) -> list[str]:
    """What the word field indexes for ``text``: folded, cut, Latin words stemmed."""
    return [stem(word) for word, _, _ in word_tokens(fold(text))]


# ---------------------------------------------------------------------------------------------
# Queries

@dataclass(frozen=True)
class QueryTerm:
    """One required part of a query, as the user typed it (not folded)."""

    text: str
    phrase: bool = False


_QUOTES = {'"': '"', "＂": "＂", "“": "”", "「": "」", "『": "』"}
_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"}
# A chunk of unquoted input: letters, digits, Chinese, and the joiners + & - ' ’ between them.
_CHUNK = re.compile(rf"(?:[{_CJK}]|{_LETTER}|[+&'’-])+")
_EDGE_JOINERS = "+&'’-"


def clean_input(q: str) -> str:
    """Control, format, private-use and unassigned characters become spaces."""
    return "".join(" " if unicodedata.category(c)[0] == "C" else c for c in q)


def _unquoted_terms(segment: str) -> list[QueryTerm]:
    terms = []
    folded = fold(segment)
    for match in _CHUNK.finditer(folded):
        chunk = segment[match.start():match.end()]
        if _HAS_CJK.search(match.group()):
            # Keep a trailing '+' after Chinese (互联网+); strip joiners elsewhere at the edges.
            chunk = chunk.lstrip(_EDGE_JOINERS).rstrip("&'’-")
            terms.append(QueryTerm(chunk))
            continue
        chunk = chunk.strip(_EDGE_JOINERS)
        if not chunk or chunk in _OPERATORS:
            continue
        words = word_tokens(fold(chunk))
        if len(words) == 1:
            terms.append(QueryTerm(chunk))
        elif words:  # e-commerce, start-up: the parts, adjacent
            terms.append(QueryTerm(chunk, phrase=True))
    return terms


def parse_query(q: str) -> list[QueryTerm]:
    """The searchable terms of a raw query string, all required; never raises."""
    if not isinstance(q, str):
        return []
    q = clean_input(q[:MAX_QUERY_CHARS])
    terms: list[QueryTerm] = []
    unquoted: list[str] = []
    i = 0
    while i < len(q):
        closer = _QUOTES.get(q[i])
        end = q.find(closer, i + 1) if closer else -1
        if end == -1:
            # Not a quote, or an unbalanced one: the quote mark itself is just a separator.
            unquoted.append(" " if closer else q[i])
            i += 1
            continue
        terms.extend(_unquoted_terms("".join(unquoted)))
        unquoted = []
        inner = q[i + 1:end].strip()
        if char_tokens(fold(inner)):
            terms.append(QueryTerm(inner, phrase=True))
        i = end + 1
    terms.extend(_unquoted_terms("".join(unquoted)))

    unique: list[QueryTerm] = []
    seen = set()
    for term in terms:
        key = (fold(term.text), term.phrase)
        if key not in seen:
            seen.add(key)
            unique.append(term)
    return unique[:MAX_TERMS]


def _contiguous_runs(tokens: list[tuple[str, int, int, int]]) -> list[list[str]]:
    """The first MAX_PHRASE_TOKENS char tokens, split wherever their positions skip."""
    runs: list[list[str]] = []
    last_pos = None
    for text, _, _, pos in tokens[:MAX_PHRASE_TOKENS]:
        if last_pos is None or pos != last_pos + 1:
            runs.append([])
        runs[-1].append(text)
        last_pos = pos
    return runs


def _phrase(field: str, words: list[str], boost: float = 1.0) -> wq.Query:
    if len(words) == 1:
        return wq.Term(field, words[0], boost=boost)
    return wq.Phrase(field, words, boost=boost)


def _all_of(queries: list[wq.Query]) -> wq.Query:
    return queries[0] if len(queries) == 1 else wq.And(queries)


def _term_query(term: QueryTerm, word_field: str, char_field: str) -> wq.Query | None:
    folded = fold(term.text)
    words = [stem(word) for word, _, _ in word_tokens(folded)][:MAX_PHRASE_TOKENS]
    if _HAS_CJK.search(folded):
        runs = _contiguous_runs(char_tokens(folded))
        if not runs:
            return None
        required = _all_of([_phrase(char_field, run) for run in runs])
        if not words:
            return required
        return wq.AndMaybe(required, _phrase(word_field, words, boost=WORD_BOOST))
    if not words:
        return None
    if term.phrase:
        return _phrase(word_field, words)
    return _all_of([wq.Term(word_field, word) for word in words])


def whoosh_query(terms: list[QueryTerm], *, word_field: str = "text",
                 char_field: str = "chars") -> wq.Query | None:
    """All the terms as one Whoosh query, or None when nothing searchable is left."""
    queries = [q for q in (_term_query(t, word_field, char_field) for t in terms) if q is not None]
    if not queries:
        return None
    return _all_of(queries)


# ---------------------------------------------------------------------------------------------
# Highlighting

def _find_sequence(haystack: "_Tokens", needle: list[str]) -> list[tuple[int, int]]:
    """Spans of ``haystack`` tokens equal to ``needle`` at consecutive positions."""
    n = len(needle)
    if not n:
        return []
    keys, starts, ends, positions = haystack.keys, haystack.starts, haystack.ends, haystack.positions
    spans = []
    for i in haystack.occurrences(needle[0]):
        if i + n > len(keys):
            break
        first_pos = positions[i]
        if all(keys[i + k] == needle[k] and positions[i + k] == first_pos + k for k in range(1, n)):
            spans.append((starts[i], ends[i + n - 1]))
    return spans


_interned: dict[str, str] = {}  # one string object per distinct token (bounded by the vocabulary)


class _Tokens:
    """A text's tokens, compactly: the token strings (shared between texts) and, in parallel
    arrays, their start and end offsets and positions. About 20 bytes a token, where tuples of
    (token, start, end, position) took about 150."""

    __slots__ = ("keys", "starts", "ends", "positions")

    def __init__(self, keys, starts, ends, positions):
        self.keys = tuple(map(_interned.setdefault, keys, keys))
        self.starts = array("I", starts)
        self.ends = array("I", ends)
        self.positions = array("I", positions)

    @classmethod
    def of(cls, tokens) -> "_Tokens":
        """From (token, start, end, position) tuples."""
        tokens = list(tokens)
        keys, starts, ends, positions = zip(*tokens) if tokens else ((), (), (), ())
        return cls(keys, starts, ends, positions)

    def __len__(self) -> int:
        return len(self.keys)

    def occurrences(self, token: str):
        """The indices where ``token`` occurs, in order (a search in C, not a Python loop)."""
        keys, i = self.keys, -1
        while True:
            try:
                i = keys.index(token, i + 1)
            except ValueError:
                return
            yield i


class _TokenCache:
    """Tokens of texts that are matched again and again (passages highlighted, sentences of a
    concordance), least recently used out first, bounded by the number of tokens held, not the
    number of texts: so a worker's memory stops growing however many distinct queries it
    serves, whatever the length of the texts (a bound on entries let 16,384 long passages
    take over a gigabyte)."""

    def __init__(self, tokenize, budget: int):
        self.tokenize = tokenize  # text -> _Tokens
        self.budget = budget
        self.held = 0
        self.entries: OrderedDict[str, _Tokens] = OrderedDict()
        self.lock = threading.Lock()

    def __call__(self, text: str) -> _Tokens:
        with self.lock:
            tokens = self.entries.get(text)
            if tokens is not None:
                self.entries.move_to_end(text)
                return tokens
        tokens = self.tokenize(text)
        with self.lock:
            if text not in self.entries:
                self.entries[text] = tokens
                self.held += len(tokens) + 1
                while self.held > self.budget and len(self.entries) > 1:
                    _, dropped = self.entries.popitem(last=False)
                    self.held -= len(dropped) + 1
        return tokens

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.held = 0


def latin_word_tokens(folded: str) -> list[tuple[str, int, int, int]]:
    """(token, start, end, position): each Latin word or number stemmed, as ``word_tokens`` and
    ``stem`` make it, and each Chinese run as one token of its own text.

    What a term with no Chinese in it is looked for among (``highlight_spans``, ``term_spans``).
    Such a term's tokens are Latin words and numbers, never equal to a token of a Chinese run,
    which jieba would cut into words that each hold a Chinese character; and two Latin words
    are next to each other here exactly when they are among ``word_tokens`` (a Chinese run
    between them is one token or more). So a term matches here exactly where it matches among
    ``word_tokens``, without segmenting Chinese it cannot match: segmenting with jieba was
    four fifths of the time to highlight a passage seen for the first time."""
    tokens = []
    for pos, match in enumerate(_TOKEN.finditer(folded)):
        word = match.group("word")
        if word is not None:
            tokens.append((stem(word), match.start("word"), match.end("word"), pos))
        else:
            tokens.append((match.group("cjk"), match.start(), match.end(), pos))
    return tokens


# Each cache holds at most TOKEN_BUDGET tokens (about 20 MB). The library of four documents has
# about 360,000 character tokens and 145,000 Latin word tokens in all its passages and sentences,
# so all of it stays cached; a library many times larger costs no more memory, only re-tokenizing.
TOKEN_BUDGET = 1_000_000
_passage_chars = _TokenCache(lambda text: _Tokens(*_char_columns(fold(text))), TOKEN_BUDGET)
_passage_words = _TokenCache(lambda text: _Tokens.of(latin_word_tokens(fold(text))), TOKEN_BUDGET)


# What a query term is looked for as is worked out once per distinct term, not once per text it
# is looked for in (a search page looks for each term in some sixty texts, a concordance in
# hundreds): folding, segmenting and stemming it again each time was a tenth of a search.
@lru_cache(maxsize=4096)
def _term_needles(term: QueryTerm) -> tuple[bool, tuple[tuple[str, ...], ...], tuple[tuple[str, ...], ...]]:
    """Whether ``term`` is matched as Chinese; the token sequences it is looked for as (each
    contiguous run of its characters, its words as one phrase, or each of its words); and those
    of them with no Chinese character, which alone a text with none can hold."""
    folded = fold(term.text)
    if _HAS_CJK.search(folded):
        runs = tuple(tuple(run) for run in _contiguous_runs(char_tokens(folded)))
        return True, runs, tuple(run for run in runs if not _HAS_CJK.search("".join(run)))
    words = tuple(stem(w) for w, _, _ in word_tokens(folded))[:MAX_PHRASE_TOKENS]
    if term.phrase and words:
        return False, (words,), (words,)
    needles = tuple((word,) for word in words)
    return False, needles, needles


# Any character that is Chinese or that folding could make Chinese (and many more): a text
# with none of them holds no Chinese character when folded either.
_MAYBE_CHINESE = re.compile("[\u2e80-\U0010ffff]")


def highlight_spans(text: str, terms: list[QueryTerm]) -> list[tuple[int, int]]:
    """Sorted, non-overlapping (start, end) offsets in ``text`` of every match of ``terms``."""
    chars = words = maybe_chinese = None
    spans: list[tuple[int, int]] = []
    for term in terms:
        chinese, needles, latin_needles = _term_needles(term)
        if chinese:
            if maybe_chinese is None:
                maybe_chinese = _MAYBE_CHINESE.search(text) is not None
            if not maybe_chinese:  # an English passage, say: not tokenized for Chinese it lacks
                needles = latin_needles
                if not needles:
                    continue
            if chars is None:
                chars = _passage_chars(text)
            tokens = chars
        else:
            if words is None:
                words = _passage_words(text)
            tokens = words
        for needle in needles:
            spans.extend(_find_sequence(tokens, needle))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


@lru_cache(maxsize=4096)
def _needle(term: str) -> tuple[bool, tuple[tuple[str, int], ...]]:
    """Whether ``term`` is matched as Chinese, and the (token, position) it is looked for as."""
    folded = fold(term)
    if _HAS_CJK.search(folded):
        return True, tuple((t, pos) for t, _, _, pos in char_tokens(folded))[:MAX_PHRASE_TOKENS]
    return False, tuple((stem(w), pos) for pos, (w, _, _) in enumerate(word_tokens(folded)))[:MAX_PHRASE_TOKENS]


def term_spans(text: str, term: str) -> list[tuple[int, int]]:
    """(start, end) of every whole occurrence of ``term`` in ``text``, left to right, none
    overlapping: a concordance query, a glossary term or one of its renderings.

    The term is matched with the tokens the index uses, all of them in order: Chinese (a term
    with any Chinese in it) as character tokens, with any punctuation gaps in the term where the
    text has them (大众创业、万众创新 is one term, not two); otherwise as stemmed words
    ("mass creation spaces" finds "mass creation space"). Folded, so either script matches.
    """
    chinese, needle = _needle(term)
    if not needle:
        return []
    tokens = _passage_chars(text) if chinese else _passage_words(text)
    first_pos = needle[0][1]
    offsets = [(t, pos - first_pos) for t, pos in needle]
    spans: list[tuple[int, int]] = []
    keys, starts, ends, positions = tokens.keys, tokens.starts, tokens.ends, tokens.positions
    n = len(offsets)
    for i in tokens.occurrences(offsets[0][0]):
        if i + n > len(keys) or (spans and starts[i] < spans[-1][1]):
            continue
        base = positions[i]
        if all(keys[i + k] == t and positions[i + k] == base + gap
               for k, (t, gap) in enumerate(offsets)):
            spans.append((starts[i], ends[i + n - 1]))
    return spans


def term_key(term: str) -> tuple:
    """What ``term_spans`` looks for when it looks for ``term``: whether as Chinese, and its
    tokens with their positions relative to the first; () if it has no tokens."""
    chinese, needle = _needle(term)
    if not needle:
        return ()
    first_pos = needle[0][1]
    return chinese, tuple((t, pos - first_pos) for t, pos in needle)


def whole_key(text: str, *, chinese: bool) -> tuple:
    """The ``term_key`` of every term that ``term_spans`` finds as all of ``text`` (matched as
    Chinese or not), or () if none can be: so ``term_spans(text, q) == [(0, len(text))]``
    exactly when ``term_key(q) == whole_key(text, chinese=term_key(q)[0]) != ()``, and a
    table of texts by their whole key answers "which texts are all of q" in one lookup."""
    tokens = _passage_chars(text) if chinese else _passage_words(text)
    n = len(tokens)
    if not n or n > MAX_PHRASE_TOKENS or tokens.starts[0] != 0 or tokens.ends[n - 1] != len(text):
        return ()
    first_pos = tokens.positions[0]
    return chinese, tuple((k, pos - first_pos) for k, pos in zip(tokens.keys, tokens.positions))


_IS_LETTER = re.compile(_LETTER)


def _is_latin(char: str) -> bool:
    return _IS_LETTER.match(char) is not None


def _snippet_bounds(text: str, spans: list[tuple[int, int]], around: int) -> tuple[int, int]:
    """About ``around`` characters either side of the first match, not cutting Latin words."""
    if not spans:
        return 0, min(len(text), 2 * around)
    first_start, first_end = spans[0]
    start = max(0, first_start - around)
    end = min(len(text), first_end + around)
    while 0 < start < first_start and _is_latin(text[start - 1]) and _is_latin(text[start]):
        start += 1
    while first_end < end < len(text) and _is_latin(text[end - 1]) and _is_latin(text[end]):
        end -= 1
    while start < first_start and text[start].isspace():
        start += 1
    while end > first_end and text[end - 1].isspace():
        end -= 1
    return start, end


def highlight(text: str, terms: list[QueryTerm], *, around: int | None = None,
              spans: list[tuple[int, int]] | None = None) -> str:
    """``text`` as safe HTML with every match of ``terms`` in ``<mark>``, optionally cut to a
    snippet of about ``around`` characters either side of the first match.

    Safe by construction, with no sanitiser: every piece of ``text`` is escaped (``&``, ``<``
    and ``>``: the pieces only ever stand in element content, never in an attribute, so quotes
    need no escaping) and the only markup is the literal ``<mark>``/``</mark>`` added here. So
    no tag or entity of the text can survive as markup. A bleach pass over this string (allowing
    only ``<mark>``) returned it unchanged, at a quarter of a search's time;
    ``tests/search/test_search_results_frozen.py`` checks the output against that bleach pass
    on every passage of the library. ``spans``: ``highlight_spans(text, terms)`` if the caller
    has it already."""
    if spans is None:
        spans = highlight_spans(text, terms)
    start, end = 0, len(text)
    if around is not None:
        start, end = _snippet_bounds(text, spans, around)
        spans = [(max(s, start), min(e, end)) for s, e in spans if s < end and e > start]
    parts = ["…"] if start > 0 else []
    cursor = start
    for s, e in spans:
        parts.append(html.escape(text[cursor:s], quote=False))
        parts.append(f"<mark>{html.escape(text[s:e], quote=False)}</mark>")
        cursor = e
    parts.append(html.escape(text[cursor:end], quote=False))
    if end < len(text):
        parts.append("…")
    return "".join(parts)
