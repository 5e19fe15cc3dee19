"""Every passage a query matches, scored, read a posting list at a time.

A search needs every match, not just the best few: it counts the distinct clauses matched and
ranks passages of equal score by date and position. Whoosh finds them through a tree of matcher
objects that moves one passage at a time in Python (for a phrase, building span objects for
each), and at library scale that was most of a search: "互联网" matched 9,000 passages of a
20,000-passage library in 330 ms.

``every_match()`` finds the same passages with the same scores from the same index, a posting
list at a time:

* A term's postings are read a block at a time (one unpickling per block, as Whoosh stores
  them), each passage scored with the index's own weighting (BM25F, worked out once per
  distinct frequency and length), and kept as arrays: ``term_postings()``.
* ``Term``: the term's passages and scores, times the query's boost.
* ``Phrase`` (slop 1, as ``search.analysis`` makes them): passages holding the words at
  consecutive positions, found by set intersections of the words' occurrences, scored as Whoosh
  scores a phrase: the sum of its words' scores.
* ``And``: passages matching every part, the sum of their scores; ``AndMaybe``: the first
  part's passages, plus the second part's score where it matches too.

The posting lists read are kept for the index they were read from (any change to it starts
afresh), the most recently used up to ``MAX_KEPT_POSTINGS`` for the process: the common characters and words that many different
queries share (国, 的, 互, 网, "the") are read once, not on every search.

Any other query, weighting or index layout returns None, and the caller runs Whoosh's own
matchers instead: this is a faster way to the same answer, never a different one.
``tests/search/test_scoring.py`` holds it to Whoosh's matches, passage for passage and score for
score, on the real library.

It reads two things Whoosh keeps to itself: a term's posting blocks (``W3LeafMatcher``) and
each passage's field length (a column of one byte per passage). Both are pinned by the Whoosh
version in requirements.txt; if either is not as expected, the query goes back to Whoosh.
"""
from __future__ import annotations

import pickle
import sys
import threading
import weakref
from array import array
from bisect import bisect_left
from collections import OrderedDict
from itertools import accumulate

from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.matching import ListMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.scoring import BM25FScorer
from whoosh.util import make_binary_tree
from whoosh.util.numeric import byte_to_length

# Postings kept between searches, counted as a docnum and score each, an occurrence kept for
# phrases as three: measured full, about 33 bytes each, so about 16 MB a process.
MAX_KEPT_POSTINGS = 500_000

_SHIFT = 32  # an occurrence is docnum << _SHIFT | position


class Unsupported(Exception):
    """The query, weighting or index is not one this module reads: use Whoosh's matchers."""


def every_match(searcher, query, restrict=None):
    """Every passage matching ``query`` (and ``restrict``, a query used as a filter), as
    ``(scored, by_segment)``: (score, global docnum) pairs and, for each segment, (segment
    reader, docnum offset, segment docnums). None when the query is not one this module reads."""
    try:
        evaluation = _Evaluation(searcher)
        matches = evaluation.scores(query)
    except Unsupported:
        return None
    if restrict is not None:
        try:
            allowed = evaluation.scores(restrict).keys()
        except Unsupported:
            allowed = set(searcher.docs_for_query(restrict))
        matches = {d: s for d, s in matches.items() if d in allowed}
    docnums = sorted(matches)
    scored = [(matches[d], d) for d in docnums]
    by_segment = []
    leaves = searcher.leaf_searchers()
    for i, (sub, offset) in enumerate(leaves):
        end = leaves[i + 1][1] if i + 1 < len(leaves) else None
        lo = bisect_left(docnums, offset)
        hi = bisect_left(docnums, end) if end is not None else len(docnums)
        by_segment.append((sub.reader(), offset, [d - offset for d in docnums[lo:hi]]))
    return scored, by_segment


class _Evaluation:
    """One query's matches over the whole index: {global docnum: score}."""

    def __init__(self, searcher):
        self.searcher = searcher
        self.index = index_key(searcher)

    def scores(self, query) -> dict[int, float]:
        if isinstance(query, wq.Term):
            postings = term_postings(self.searcher, query.fieldname, query.text, index=self.index)
            if postings is None:
                return {}
            return self._boosted(dict(zip(postings.docs, postings.scores)), query.boost)
        if isinstance(query, wq.Phrase):
            return self._phrase(query)
        if type(query) is wq.And:
            return self._and(query)
        if type(query) is wq.AndMaybe:
            first, second = self.scores(query.a), self.scores(query.b)
            return {d: (s + second[d] if d in second else s) for d, s in first.items()}
        raise Unsupported(type(query).__name__)

    @staticmethod
    def _boosted(scores: dict[int, float], boost: float) -> dict[int, float]:
        if boost == 1.0:  # Whoosh wraps a matcher to boost it only when the boost is not 1
            return scores
        return {d: s * boost for d, s in scores.items()}

    def _and(self, query) -> dict[int, float]:
        parts = [self.scores(q) for q in query.subqueries]
        if len(parts) == 1:
            return parts[0]
        common = set(min(parts, key=len))
        for part in parts:
            common.intersection_update(part)
        # Summed as Whoosh's tree of matchers sums two parts (a + b); more are summed left to
        # right, where Whoosh balances its tree by the parts' sizes (which can change the last
        # bit of a score, never which passages match).
        summed = {d: parts[0][d] for d in common}
        for part in parts[1:]:
            summed = {d: s + part[d] for d, s in summed.items()}
        return self._boosted(summed, query.boost)

    def _phrase(self, query) -> dict[int, float]:
        if query.slop != 1 or not query.words:
            raise Unsupported("phrase with slop")
        words = [term_postings(self.searcher, query.fieldname, word, positions=True, index=self.index)
                 for word in query.words]
        if any(p is None for p in words):
            return {}
        if len(words) > 1:
            # The words at consecutive positions, in order (Whoosh's slop of 1). From the
            # rarest word's occurrences, word by word (the rarer first), keep those the next
            # word continues: shifted by the words' distance, a set intersection in C.
            order = sorted(range(len(words)), key=lambda k: len(words[k].occurrences))
            at = order[0]
            found = words[at].occurrences  # occurrences of word `at` in a phrase still possible
            for k in order[1:]:
                step = k - at
                found = {x + step for x in found} & words[k].occurrences
                at = k
                if not found:
                    return {}
            matched = sorted({x >> _SHIFT for x in found})
        else:
            matched = list(words[0].docs)
        # Whoosh scores a phrase as the sum of its words' scores, added along a balanced
        # binary tree of matchers: summed along the same tree, the sums are the same.
        parts = []
        for p in words:
            score_of = dict(zip(p.docs, p.scores))
            parts.append([score_of[d] for d in matched])
        sums = make_binary_tree(_add_lists, parts)
        return self._boosted(dict(zip(matched, sums)), query.boost)


def _add_lists(a: list, b: list) -> list:
    return [x + y for x, y in zip(a, b)]


class TermPostings:
    """A term's postings across an open index: global docnums (ascending), each passage's
    score for the term (the index's BM25F, before any boost) and, when read for phrases, every
    occurrence as docnum << 32 | position, in a set."""

    __slots__ = ("docs", "scores", "occurrences")

    def __init__(self, docs, scores, occurrences: frozenset | None = None):
        self.docs, self.scores, self.occurrences = docs, scores, occurrences

    def __len__(self):
        # What it holds, in postings' worth of memory (a set member takes about three times
        # an array's docnum and score), and one for itself: a term no passage holds is kept
        # too (so it is not looked up again), and must count.
        return 1 + len(self.docs) + (3 * len(self.occurrences) if self.occurrences is not None else 0)


class _Kept:
    """Posting lists read, most recently used last, up to MAX_KEPT_POSTINGS in all: one for
    the process, shared by its threads (each has a searcher of its own on the same files)."""

    def __init__(self):
        self.entries: OrderedDict = OrderedDict()  # (index, field, term) -> TermPostings
        self.size = 0
        self.lock = threading.Lock()

    def get(self, key, positions: bool) -> TermPostings | None:
        with self.lock:
            found = self.entries.get(key)
            if found is None or (positions and found.occurrences is None):
                return None
            self.entries.move_to_end(key)
            return found

    def put(self, key, postings: TermPostings) -> None:
        with self.lock:
            old = self.entries.pop(key, None)
            if old is not None:
                self.size -= len(old)
            if len(postings) > MAX_KEPT_POSTINGS // 4:  # too big to keep: read it each time
                return
            self.entries[key] = postings
            self.size += len(postings)
            while self.size > MAX_KEPT_POSTINGS:
                _, dropped = self.entries.popitem(last=False)
                self.size -= len(dropped)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.size = 0


_kept = _Kept()


def forget() -> None:
    """Drop every posting list kept: the next searches read the index afresh."""
    _kept.clear()


def index_key(searcher) -> tuple:
    """What the searcher's postings depend on: its generation's directory and, for each
    segment, its id and how many of its passages are deleted (which only grows). Searchers on
    the same files share posting lists; any change to the index makes a new key."""
    reader = searcher.reader()
    leaves = [(reader, 0)] if reader.is_atomic() else reader.leaf_readers()
    segments = [(r.segment(), offset) for r, offset in leaves]
    if any(segment is None for segment, _ in segments):  # an empty index's reader, say
        raise Unsupported("a reader without segments")
    return (getattr(leaves[0][0].storage(), "folder", None) if leaves else None,
            tuple((segment.segment_id(), segment.deleted_count(), offset) for segment, offset in segments))


def term_postings(searcher, fieldname: str, text, *, positions: bool = False,
                  index: tuple | None = None) -> TermPostings | None:
    """The term's postings in the searcher's index (None if no passage holds it), read once and
    kept while they are among the most recently used. ``index``: ``index_key(searcher)``."""
    schema = searcher.schema
    if fieldname not in schema:
        return None
    try:
        tbytes = schema[fieldname].to_bytes(text)
    except ValueError:
        return None
    key = (index if index is not None else index_key(searcher), fieldname, tbytes)
    found = _kept.get(key, positions)
    if found is None:
        found = _read(searcher, fieldname, tbytes, positions)
        _kept.put(key, found)
    return found if found.docs else None


def _read(searcher, fieldname: str, tbytes: bytes, positions: bool) -> TermPostings:
    """The term's postings read from every segment, in docnum order, deleted passages left
    out, each scored by the weighting's own function (its statistics are the whole index's)."""
    if positions and not searcher.schema[fieldname].format.supports("positions"):
        raise Unsupported(f"{fieldname} has no positions")
    scorer = None
    memo: dict = {}
    docs, scores = array("I"), array("d")
    occurrences = array("Q") if positions else None
    for subsearcher, offset in searcher.leaf_searchers():
        reader = subsearcher.reader()
        if (fieldname, tbytes) not in reader:
            continue
        if scorer is None:
            scorer = searcher.weighting.scorer(subsearcher, fieldname, tbytes)
            if type(scorer) is not BM25FScorer:
                raise Unsupported(type(scorer).__name__)
        matcher = reader.postings(fieldname, tbytes)
        deleted = frozenset()
        if isinstance(matcher, FilterMatcher):
            if not matcher._exclude:
                raise Unsupported("include filter")
            deleted, matcher = matcher._ids, matcher.child
        lengths = _lengths(reader, fieldname)
        score = scorer._score
        for ids, weights, values in _blocks(matcher, positions):
            deltas = _decode_all(values) if positions else None
            for i, d in enumerate(ids):
                if d in deleted:
                    continue
                pair = (weights[i], lengths[d])
                s = memo.get(pair)
                if s is None:
                    s = memo[pair] = score(pair[0], byte_to_length(pair[1]) if pair[1] else None)
                docs.append(offset + d)
                scores.append(s)
                if positions:
                    base = (offset + d) << _SHIFT
                    occurrences.extend(base + q for q in accumulate(deltas[i]))
    return TermPostings(docs, scores, frozenset(occurrences) if positions else None)


def _blocks(matcher, positions: bool):
    """(docnums, weights, values) of a term's postings in a segment, a block at a time (values
    only when ``positions``)."""
    if type(matcher) is ListMatcher:
        ids = list(matcher._ids)
        if matcher._all_weights:
            weights = [matcher._all_weights] * len(ids)
        elif matcher._weights:
            weights = list(matcher._weights)
        else:
            weights = [1.0] * len(ids)
        yield ids, weights, (list(matcher._values) if positions else None)
        return
    if type(matcher) is not W3LeafMatcher:
        raise Unsupported(type(matcher).__name__)
    while matcher.is_active():
        matcher._read_ids()
        matcher._read_weights()
        values = None
        if positions:
            matcher._read_values()
            values = matcher._values
        yield matcher._ids, matcher._weights, values
        matcher._next_block()


def _decode(value: bytes) -> list[int]:
    """A posting's position deltas (Whoosh's Positions format: a 4-byte count, then a pickled
    list of deltas, its final STOP sometimes left off)."""
    body = value[4:]
    return pickle.loads(body if body.endswith(b".") else body + b".")


def _decode_all(values) -> list[list[int]]:
    """Every posting's position deltas in one unpickling: the pickled lists side by side between
    a MARK and a LIST opcode are a pickled list of those lists. Values not written as the first
    one was are decoded one by one."""
    if not values:
        return []
    first = values[0]
    if not (first[4:6] == b"\x80\x02" and first.endswith(b".")):
        return [_decode(v) for v in values]
    try:
        decoded = pickle.loads(b"(" + b"".join([v[6:-1] for v in values]) + b"l.")
    except Exception:
        decoded = None
    if type(decoded) is not list or len(decoded) != len(values):
        return [_decode(v) for v in values]
    return decoded


_segment_data: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # segment reader -> {name: value}
_segment_lock = threading.Lock()


def per_segment(reader, name, build):
    """``build(reader)``, worked out once per segment reader and kept while the reader is: a
    shared searcher keeps its readers from one search to the next."""
    with _segment_lock:
        kept = _segment_data.setdefault(reader, {})
        value = kept.get(name)
    if value is None:
        value = build(reader)
        with _segment_lock:
            kept[name] = value
    return value


def clause_keys(reader) -> list[str]:
    """Every passage's clause key in a segment (its ``clause_key`` column), for counting the
    clauses matched: looking keys up in the column one by one was most of counting a common
    word's thousands of passages. Interned, so the readers of one segment in a worker's
    threads hold one string per key between them."""
    return per_segment(reader, "clause_key",
                       lambda r: [sys.intern(key) for key in r.column_reader("clause_key")])


def _lengths(reader, fieldname: str) -> bytes:
    """Each passage's length in ``fieldname`` as Whoosh stores it for scoring (one byte per
    passage)."""
    def read(reader):
        try:
            source = reader._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            column = bytes(source._dbfile.get(source._basepos, source._count)) if source else b""
        except AttributeError:
            raise Unsupported("lengths column") from None
        return column + bytes(reader.doc_count_all() - len(column))  # passages past the end: length 0
    return per_segment(reader, ("length", fieldname), read)
