"""The order of a search's results: the best passage of each clause matched, best first.

Passages are ordered by score, best first; passages of equal score by their document's date
(newest first), then the document's slug, the clause's position and the version's position
(``rank_key``), never by the order they happened to be indexed in (which changes when one
document is re-indexed). Each clause is shown once, at its best-ranked passage.

A common word matches thousands of passages, and a library holds the same sentence in many
documents, so equal scores come in large groups. Ordering them passage by passage meant reading
every tied passage's stored fields, and counting the clauses matched meant looking up each
passage's clause: at 50 times the library, more than half of a search. Instead, what ranking
needs of every passage in the index is kept in arrays by docnum (``PassageTable``): a number
standing for its clause, its place in the order of equal scores and its row's id. A search then
orders and counts its matches and names the passages it shows with array operations, reading
no passage's stored fields.

Each segment's part is read once from its stored fields (a segment's files never change: a
deletion only hides passages, which then never match) and kept while an index using it is one
of the last few a process searched, so importing one document rereads only its segment.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

KEPT_INDEXES = 2  # the live index and the one before it, for searches still running on it


def rank_key(score: float, fields: dict) -> tuple:
    """Best first: score, then the document's date (newest first), slug, clause and version
    order. The order ``top_clauses`` gives, stated plainly (tests check the one against the other)."""
    return (-score, -fields.get("document_date", 0), fields["document"], fields.get("position", 0),
            fields.get("version_position", 0))


@dataclass(frozen=True)
class PassageTable:
    """Every passage of an index, by global docnum: ``clause``, a number standing for its clause
    key (the same number in every segment, ``clause_key`` gives the key back); ``tie``, its place
    in ``rank_key``'s order among passages of equal score; ``passage``, its row's id."""
    clause: np.ndarray
    tie: np.ndarray
    passage: np.ndarray


def top_clauses(searcher, docs: np.ndarray, scores: np.ndarray,
                needed: int) -> tuple[int, list[tuple[int, str, float]]]:
    """How many distinct clauses the matches (global docnums and their scores) are of, and the
    best ``needed`` clauses as (passage id, clause key, score) of their best-ranked passage."""
    if not len(docs):
        return 0, []
    table = passage_table(searcher)
    order = np.lexsort((table.tie[docs], -scores))
    clauses, first = np.unique(table.clause[docs][order], return_index=True)
    best = order[np.sort(first)[:needed]]
    chosen = docs[best]
    top = [(pid, clause_key(number), score) for pid, number, score
           in zip(table.passage[chosen].tolist(), table.clause[chosen].tolist(), scores[best].tolist())]
    return len(clauses), top


def clause_key(number: int) -> str:
    """The clause key a ``PassageTable.clause`` number stands for."""
    return _clause_keys[number]


@dataclass(frozen=True)
class _Segment:
    """What ranking needs of each passage of a segment, by its docnum in the segment."""
    clause: np.ndarray
    passage: np.ndarray
    dates: np.ndarray
    documents: list[str]
    positions: np.ndarray
    version_positions: np.ndarray


_lock = threading.Lock()
_indexes: OrderedDict = OrderedDict()  # index key -> PassageTable, most recently used last
_segments: dict = {}  # segment key -> _Segment, for the segments of the indexes kept
_clause_numbers: dict[str, int] = {}  # clause key -> its number, for the process
_clause_keys: list[str] = []  # number -> clause key


def passage_table(searcher) -> PassageTable:
    """The table of the searcher's index, made once for the process (the threads' searchers on
    the same files share it)."""
    reader = searcher.reader()
    leaves = [(reader, 0)] if reader.is_atomic() else list(reader.leaf_readers())
    keys = [_segment_key(leaf) for leaf, _ in leaves]
    key = tuple(zip(keys, (offset for _, offset in leaves)))
    with _lock:
        table = _indexes.get(key)
        if table is not None:
            _indexes.move_to_end(key)
            return table
        segments = {k: _segments.get(k) for k in keys}
    for (leaf, _), k in zip(leaves, keys):
        if segments[k] is None:
            segments[k] = _read_segment(leaf)
    table = _join([segments[k] for k in keys])
    with _lock:
        _indexes[key] = table
        while len(_indexes) > KEPT_INDEXES:
            _indexes.popitem(last=False)
        kept = {k for index in _indexes for k, _ in index}
        _segments.update((k, s) for k, s in segments.items() if k is not None)
        for gone in set(_segments) - kept:
            del _segments[gone]
    return table


def forget() -> None:
    """Drop every table kept: the next search reads its index's stored fields afresh."""
    with _lock:
        _indexes.clear()
        _segments.clear()


def _segment_key(reader):
    """A segment's files, which never change, by its id (random, and new for every segment
    written). A reader with no segment (an empty index's) is not kept: None."""
    segment = reader.segment() if hasattr(reader, "segment") else None
    return segment.segment_id() if segment is not None else None


def _read_segment(reader) -> _Segment:
    count = reader.doc_count_all()
    keys, passages, dates, documents, positions, version_positions = [], [], [], [], [], []
    for docnum in range(count):  # deleted passages too: their docnums keep their place
        fields = reader.stored_fields(docnum)
        keys.append(fields["clause_key"])
        passages.append(int(fields["django_id"]))
        dates.append(fields.get("document_date", 0))
        documents.append(fields["document"])
        positions.append(fields.get("position", 0))
        version_positions.append(fields.get("version_position", 0))
    with _lock:
        clause = np.fromiter((_number(k) for k in keys), np.int64, count)
    return _Segment(clause, np.array(passages, dtype=np.int64), np.array(dates, dtype=np.int64), documents,
                    np.array(positions, dtype=np.int64), np.array(version_positions, dtype=np.int64))


def _number(key: str) -> int:
    """The clause key's number, a new one for a key not seen before (called with the lock held)."""
    number = _clause_numbers.get(key)
    if number is None:
        number = _clause_numbers[key] = len(_clause_keys)
        _clause_keys.append(key)
    return number


def _join(segments: list[_Segment]) -> PassageTable:
    """The index's table from its segments' (in docnum order): ``tie`` is each passage's place
    when every passage is sorted by ``rank_key`` at one score."""
    if not segments:
        return PassageTable(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64))
    dates = np.concatenate([s.dates for s in segments])
    positions = np.concatenate([s.positions for s in segments])
    version_positions = np.concatenate([s.version_positions for s in segments])
    documents = np.unique(np.array([d for s in segments for d in s.documents], dtype=str),
                          return_inverse=True)[1].reshape(-1)  # each slug's place in sorted order
    order = np.lexsort((version_positions, positions, documents, -dates))
    tie = np.empty(len(order), np.int64)
    tie[order] = np.arange(len(order))
    return PassageTable(np.concatenate([s.clause for s in segments]), tie,
                        np.concatenate([s.passage for s in segments]))
