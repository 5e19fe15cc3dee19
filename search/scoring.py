"""Every passage a query matches, scored, read a posting list at a time.

A search needs every match, not just the best few: it counts the distinct clauses matched and
ranks passages of equal score by date and position. Whoosh finds them through a tree of matcher
objects that moves one passage at a time in Python (for a phrase, building span objects for
each), and at library scale that was most of a search: "互联网" matched 9,000 passages of a
20,000-passage library in 330 ms.

``every_match()`` finds the same passages with the same scores from the same index, a posting
list at a time, as numpy arrays (docnums ascending, and their scores):

* A term's postings are read a block at a time (one unpickling per block, as Whoosh stores
  them) and each passage scored with the index's own weighting (BM25F, worked out once per
  distinct frequency and length): ``term_postings()``.
* ``Term``: the term's passages and scores, times the query's boost.
* ``Phrase`` (slop 1, as ``search.analysis`` makes them): passages holding the words at
  consecutive positions. Every occurrence of a word is one number (docnum << 32 | position),
  in ascending order; those of the rarest word, shifted by the distance to the next word, are
  looked up among that word's by binary search, and so on. Scored as Whoosh scores a phrase:
  the sum of its words' scores.
* ``And``: passages matching every part, the sum of their scores; ``AndMaybe``: the first
  part's passages, plus the second part's score where it matches too.

Sums are added in the order Whoosh adds them, in double precision as Python does, so the scores
are equal to the last bit.

The posting lists read are kept for the index they were read from (any change to it starts
afresh), the most recently used up to ``MAX_KEPT_BYTES`` for the process: the common
characters and words that many different queries share (国, 的, 互, 网, "the") are read once,
not on every search.

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
import threading
import weakref
from collections import OrderedDict
from itertools import chain

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.matching import ListMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.scoring import BM25FScorer
from whoosh.util import make_binary_tree
from whoosh.util.numeric import byte_to_length

# Bytes of posting lists kept between searches, for the process. A posting takes 16 (docnum
# and score), an occurrence kept for phrases 8, and each term kept ENTRY_BYTES more.
MAX_KEPT_BYTES = 16 * 2**20
ENTRY_BYTES = 512

_SHIFT = 32  # an occurrence is docnum << _SHIFT | position
_NOTHING = (np.zeros(0, np.int64), np.zeros(0, np.float64))


class Unsupported(Exception):
    """The query, weighting or index is not one this module reads: use Whoosh's matchers."""


def every_match(searcher, query, restrict=None) -> tuple[np.ndarray, np.ndarray] | None:
    """Every passage matching ``query`` (and ``restrict``, a query used as a filter), as two
    arrays: their global docnums, ascending, and their scores. None when the query is not one
    this module reads."""
    try:
        evaluation = _Evaluation(searcher)
        docs, scores = evaluation.scores(query)
    except Unsupported:
        return None
    if restrict is not None:
        try:
            allowed = evaluation.scores(restrict)[0]
        except Unsupported:
            allowed = np.array(sorted(searcher.docs_for_query(restrict)), dtype=np.int64)
        keep, _ = _found_in(allowed, docs)
        docs, scores = docs[keep], scores[keep]
    return docs, scores


def _found_in(haystack: np.ndarray, needles: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which of ``needles`` the ascending ``haystack`` holds (a mask) and, for those, where."""
    if not len(haystack):
        return np.zeros(len(needles), bool), np.zeros(len(needles), np.intp)
    where = np.searchsorted(haystack, needles)
    where[where == len(haystack)] = 0
    return haystack[where] == needles, where


class _Evaluation:
    """One query's matches over the whole index: (global docnums ascending, their scores)."""

    def __init__(self, searcher):
        self.searcher = searcher
        self.index = index_key(searcher)

    def scores(self, query) -> tuple[np.ndarray, np.ndarray]:
        if isinstance(query, wq.Term):
            postings = term_postings(self.searcher, query.fieldname, query.text, index=self.index)
            if postings is None:
                return _NOTHING
            return postings.docs, self._boosted(postings.scores, query.boost)
        if isinstance(query, wq.Phrase):
            return self._phrase(query)
        if type(query) is wq.And:
            return self._and(query)
        if type(query) is wq.AndMaybe:
            (docs, scores), (maybe_docs, maybe_scores) = self.scores(query.a), self.scores(query.b)
            also, where = _found_in(maybe_docs, docs)
            scores = scores.copy()
            scores[also] = scores[also] + maybe_scores[where[also]]  # the first part's score + the second's
            return docs, scores
        raise Unsupported(type(query).__name__)

    @staticmethod
    def _boosted(scores: np.ndarray, boost: float) -> np.ndarray:
        if boost == 1.0:  # Whoosh wraps a matcher to boost it only when the boost is not 1
            return scores
        return scores * boost

    def _and(self, query) -> tuple[np.ndarray, np.ndarray]:
        parts = [self.scores(q) for q in query.subqueries]
        if len(parts) == 1:
            return parts[0]
        common = min(parts, key=lambda part: len(part[0]))[0]
        for docs, _ in parts:
            common = common[_found_in(docs, common)[0]]
        # Summed as Whoosh's tree of matchers sums two parts (a + b); more are summed left to
        # right, where Whoosh balances its tree by the parts' sizes (which can change the last
        # bit of a score, never which passages match).
        summed = None
        for docs, scores in parts:
            part = scores[np.searchsorted(docs, common)]
            summed = part if summed is None else summed + part
        return common, self._boosted(summed, query.boost)

    def _phrase(self, query) -> tuple[np.ndarray, np.ndarray]:
        if query.slop != 1 or not query.words:
            raise Unsupported("phrase with slop")
        words = [term_postings(self.searcher, query.fieldname, word, positions=True, index=self.index)
                 for word in query.words]
        if any(p is None for p in words):
            return _NOTHING
        if len(words) > 1:
            # The words at consecutive positions, in order (Whoosh's slop of 1). From the
            # rarest word's occurrences, word by word (the rarer first), keep those the next
            # word continues: shifted by the words' distance, looked up in its occurrences.
            order = sorted(range(len(words)), key=lambda k: len(words[k].occurrences))
            at = order[0]
            found = words[at].occurrences  # occurrences of word `at` in a phrase still possible
            for k in order[1:]:
                shifted = found + (k - at)
                found = shifted[_found_in(words[k].occurrences, shifted)[0]]
                at = k
                if not len(found):
                    return _NOTHING
            docs = found >> _SHIFT  # ascending, as the occurrences are
            matched = docs[np.concatenate(([True], docs[1:] != docs[:-1]))]
        else:
            matched = words[0].docs
        # Whoosh scores a phrase as the sum of its words' scores, added along a balanced
        # binary tree of matchers: summed along the same tree, the sums are the same.
        parts = [p.scores[np.searchsorted(p.docs, matched)] for p in words]
        return matched, self._boosted(make_binary_tree(np.add, parts), query.boost)


class TermPostings:
    """A term's postings across an open index: global docnums (ascending), each passage's
    score for the term (the index's BM25F, before any boost) and, when read for phrases, every
    occurrence as docnum << 32 | position (ascending)."""

    __slots__ = ("docs", "scores", "occurrences")

    def __init__(self, docs: np.ndarray, scores: np.ndarray, occurrences: np.ndarray | None = None):
        self.docs, self.scores, self.occurrences = docs, scores, occurrences

    @property
    def nbytes(self) -> int:
        # What it holds and what keeping it costs: a term no passage holds is kept too (so it
        # is not looked up again), and must count.
        held = self.docs.nbytes + self.scores.nbytes
        return ENTRY_BYTES + held + (self.occurrences.nbytes if self.occurrences is not None else 0)


class _Kept:
    """Posting lists read, most recently used last, up to MAX_KEPT_BYTES in all: one for the
    process, shared by its threads (each has a searcher of its own on the same files)."""

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
                self.size -= old.nbytes
            if postings.nbytes > MAX_KEPT_BYTES // 4:  # too big to keep: read it each time
                return
            self.entries[key] = postings
            self.size += postings.nbytes
            while self.size > MAX_KEPT_BYTES:
                _, dropped = self.entries.popitem(last=False)
                self.size -= dropped.nbytes

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.size = 0


_kept = _Kept()


def forget() -> None:
    """Drop every posting list kept: the next searches read the index afresh."""
    _kept.clear()


def index_key(searcher) -> tuple:
    """What the searcher's postings depend on: for each segment, its id (random, and new for
    every segment written), how many of its passages are deleted (which only grows) and its
    place in the index. Searchers on the same files share posting lists; any change to the
    index makes a new key."""
    reader = searcher.reader()
    leaves = [(reader, 0)] if reader.is_atomic() else reader.leaf_readers()
    segments = [(r.segment(), offset) for r, offset in leaves]
    if any(segment is None for segment, _ in segments):  # an empty index's reader, say
        raise Unsupported("a reader without segments")
    return tuple((segment.segment_id(), segment.deleted_count(), offset) for segment, offset in segments)


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
    return found if len(found.docs) else None


def _read(searcher, fieldname: str, tbytes: bytes, positions: bool) -> TermPostings:
    """The term's postings read from every segment, in docnum order, deleted passages left
    out, each scored by the weighting's own function (its statistics are the whole index's),
    once per distinct frequency and field length."""
    if positions and not searcher.schema[fieldname].format.supports("positions"):
        raise Unsupported(f"{fieldname} has no positions")
    scorer = None
    docs, weights, lengths, occurrences = [], [], [], []
    for subsearcher, offset in searcher.leaf_searchers():
        reader = subsearcher.reader()
        if (fieldname, tbytes) not in reader:
            continue
        if scorer is None:
            scorer = searcher.weighting.scorer(subsearcher, fieldname, tbytes)
            if type(scorer) is not BM25FScorer:
                raise Unsupported(type(scorer).__name__)
        matcher = reader.postings(fieldname, tbytes)
        deleted = None
        if isinstance(matcher, FilterMatcher):
            if not matcher._exclude:
                raise Unsupported("include filter")
            deleted, matcher = matcher._ids, matcher.child
        length_bytes = _lengths(reader, fieldname)
        for ids, block_weights, values in _blocks(matcher, positions):
            keep = ~np.isin(ids, np.fromiter(deleted, np.int64)) if deleted else None
            if keep is not None:
                ids, block_weights = ids[keep], block_weights[keep]
            docs.append(ids + offset)
            weights.append(block_weights)
            lengths.append(length_bytes[ids])
            if positions:
                occurrences.append(_occurrences(ids + offset, _decode_all(values), keep))
    if not docs:
        return TermPostings(*_NOTHING, np.zeros(0, np.int64) if positions else None)
    docs, weights, lengths = np.concatenate(docs), np.concatenate(weights), np.concatenate(lengths)
    # Each distinct (frequency, length byte) scored once, by the weighting's own function.
    distinct_weights, weight_of = np.unique(weights, return_inverse=True)
    pairs, pair_of = np.unique(weight_of.reshape(-1) * 256 + lengths, return_inverse=True)
    table = np.array([scorer._score(float(distinct_weights[pair >> 8]), byte_to_length(pair & 255) if pair & 255 else None)
                      for pair in pairs.tolist()], dtype=np.float64)
    scores = table[pair_of.reshape(-1)]
    return TermPostings(docs, scores, np.concatenate(occurrences) if positions else None)


def _occurrences(docs: np.ndarray, deltas: list[list[int]], keep: np.ndarray | None) -> np.ndarray:
    """Every occurrence (docnum << 32 | position) of a block's postings, ascending, from each
    posting's position deltas (``keep``: which postings are not deleted)."""
    if keep is not None:
        deltas = [d for d, kept in zip(deltas, keep.tolist()) if kept]
    counts = np.fromiter(map(len, deltas), np.int64, len(deltas))
    steps = np.fromiter(chain.from_iterable(deltas), np.int64, int(counts.sum()))
    running = np.concatenate(([0], np.cumsum(steps)))  # the sum of every step before each
    starts = np.cumsum(counts) - counts  # where each posting's steps start
    positions = running[1:] - np.repeat(running[starts], counts)
    return np.repeat(docs << _SHIFT, counts) + positions


def _blocks(matcher, positions: bool):
    """(docnums, weights, values) of a term's postings in a segment, a block at a time, as
    arrays (values, a posting's encoded positions, only when ``positions``)."""
    if type(matcher) is ListMatcher:  # postings inlined in the term's entry
        ids = np.asarray(matcher._ids, dtype=np.int64)
        if matcher._all_weights:
            weights = np.full(len(ids), matcher._all_weights, dtype=np.float64)
        elif matcher._weights:
            weights = np.asarray(matcher._weights, dtype=np.float64)
        else:
            weights = np.ones(len(ids))
        yield ids, weights, (list(matcher._values) if positions else None)
        return
    if type(matcher) is not W3LeafMatcher or matcher._byteids:
        raise Unsupported(type(matcher).__name__)
    while matcher.is_active():
        # A block's data as W3LeafMatcher._read_ids and _read_weights decode it, in arrays:
        # docnums stored as differences, weights as None (all 1), one float for all, or one each.
        if matcher._data is None:
            matcher._read_data()
        ids, weights = matcher._data[0], matcher._data[1]
        ids = np.cumsum(np.asarray(ids, dtype=np.int64))
        if weights is None:
            weights = np.ones(len(ids))
        elif isinstance(weights, float):
            weights = np.full(len(ids), np.float32(weights), dtype=np.float64)  # as array("f") holds it
        else:
            weights = np.asarray(weights, dtype=np.float64)
        values = None
        if positions:
            matcher._read_values()
            values = matcher._values
        yield ids, weights, values
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


def _lengths(reader, fieldname: str) -> np.ndarray:
    """Each passage's length in ``fieldname`` as Whoosh stores it for scoring (one byte per
    passage)."""
    def read(reader):
        try:
            source = reader._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            column = bytes(source._dbfile.get(source._basepos, source._count)) if source else b""
        except AttributeError:
            raise Unsupported("lengths column") from None
        column += bytes(reader.doc_count_all() - len(column))  # passages past the end: length 0
        return np.frombuffer(column, dtype=np.uint8)
    return per_segment(reader, ("length", fieldname), read)
