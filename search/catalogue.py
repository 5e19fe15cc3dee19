"""What a page of search results reads of the library, kept per process for the corpus revision.

A search page used to ask the database a dozen questions whose answers change only when an
ingest does: the documents and their titles, every version, and for each hit its clause's
passages, sentences and beads. Compiling and running those queries was a third of an uncached
search. Here they are read once per corpus revision (``reader.caching.revision``: the latest
change to any document, and how many there are) and kept:

- ``library()``: every document (by id and slug, with its title and selector label) and every
  version, and each clause's id by the key the index stores (``<document slug>/<ref>``). Small:
  a few hundred bytes a document and a few dozen a clause.
- ``clauses(ids)``: a clause's passages, sentences and beads, least recently used out first,
  at most ``MAX_CLAUSES`` of them, so the memory they take is bounded whatever the library's
  size (the library of four documents has about 500 clauses, all of which fit).

When the revision moves on (an ingest, in this process or another), both are read afresh on the
next search: a result never shows text older than the database's.
"""
from __future__ import annotations

import threading
from collections import OrderedDict, namedtuple
from dataclasses import dataclass, field

from django.urls import get_script_prefix, reverse
from django.utils.dateformat import format as date_format

from reader.caching import revision
from reader.models import Bead, Clause, Document, Passage, Sentence, Version

from .scope import document_title

MAX_CLAUSES = 2000

PassageRow = namedtuple("PassageRow", "id clause_id version_id text")
SentenceRow = namedtuple("SentenceRow", "index start end text")
BeadRow = namedtuple("BeadRow", "source_sentences target_sentences")


@dataclass
class ClauseRows:
    """One clause as a search result reads it."""
    passages: list[PassageRow] = field(default_factory=list)  # in the reader's order of versions
    sentences: dict[int, list[SentenceRow]] = field(default_factory=dict)  # version id -> in order
    beads: dict[int, list[BeadRow]] = field(default_factory=dict)  # target version id -> beads


@dataclass
class Library:
    token: str
    documents: list[Document]  # in the model's order
    by_id: dict[int, Document]
    by_slug: dict[str, Document]
    titles: dict[int, str]  # document id -> the title to show
    versions: dict[int, list[Version]]  # document id -> its versions, in the reader's order
    version_by_id: dict[int, Version]
    clause_ids: dict[str, int]  # "<document slug>/<ref>" -> clause id
    links: dict = field(default_factory=dict)  # (document id, script prefix) -> (reader URL, date as shown)

    def link(self, document: Document) -> tuple[str, str]:
        """The document's reader URL and its date as a result shows it, worked out once per
        corpus revision (and per script prefix the site is served under), not once per search."""
        key = (document.id, get_script_prefix())
        found = self.links.get(key)
        if found is None:
            found = self.links[key] = (reverse("reader:document", args=[document.slug]),
                                       date_format(document.date, "j F Y"))
        return found

    def choices(self, document: Document | None = None) -> list[Version]:
        """The versions to choose from: the document's, or one per version slug in the library
        (the first by position)."""
        if document is not None:
            return self.versions.get(document.id, [])
        first: dict[str, Version] = {}
        for version in sorted(self.version_by_id.values(), key=lambda v: (v.position, v.id)):
            first.setdefault(version.slug, version)
        return list(first.values())


_lock = threading.Lock()
_library: Library | None = None
_clauses: OrderedDict[int, tuple[str, ClauseRows]] = OrderedDict()  # clause id -> (token, rows)


def library() -> Library:
    """The library as of the current corpus revision (read from the database when it changed)."""
    global _library
    token = revision()[0]
    kept = _library
    if kept is not None and kept.token == token:
        return kept
    documents = list(Document.objects.all())
    versions: dict[int, list[Version]] = {}
    for version in Version.objects.order_by("document_id", "position", "id"):
        versions.setdefault(version.document_id, []).append(version)
    fresh = Library(
        token=token, documents=documents, by_id={d.id: d for d in documents},
        by_slug={d.slug: d for d in documents},
        titles={d.id: document_title(d) for d in documents},
        versions=versions, version_by_id={v.id: v for vs in versions.values() for v in vs},
        clause_ids={f"{slug}/{ref}": cid for cid, slug, ref in
                    Clause.objects.values_list("id", "document__slug", "ref")})
    with _lock:
        _clauses.clear()  # of an older revision
        _library = fresh
    return fresh


def clauses(of: Library, ids) -> dict[int, ClauseRows]:
    """The rows of the clauses ``ids`` of the library ``of``, read in three queries for those
    not already kept for its revision."""
    ids = set(ids)
    found: dict[int, ClauseRows] = {}
    with _lock:
        for cid in ids:
            kept = _clauses.get(cid)
            if kept is not None and kept[0] == of.token:
                _clauses.move_to_end(cid)
                found[cid] = kept[1]
    missing = ids - found.keys()
    if not missing:
        return found
    read = {cid: ClauseRows() for cid in missing}
    passage_of: dict[int, tuple[int, int]] = {}
    for row in (Passage.objects.filter(clause_id__in=missing).order_by("version__position", "id")
                .values_list("id", "clause_id", "version_id", "text")):
        passage = PassageRow(*row)
        read[passage.clause_id].passages.append(passage)
        passage_of[passage.id] = (passage.clause_id, passage.version_id)
    for passage_id, *fields in (Sentence.objects.filter(passage_id__in=passage_of).order_by("index")
                                .values_list("passage_id", "index", "start", "end", "text")):
        clause_id, version_id = passage_of[passage_id]
        read[clause_id].sentences.setdefault(version_id, []).append(SentenceRow(*fields))
    for clause_id, target_id, *fields in (Bead.objects.filter(clause_id__in=missing).order_by("id")
                                          .values_list("clause_id", "target_id", "source_sentences",
                                                       "target_sentences")):
        read[clause_id].beads.setdefault(target_id, []).append(BeadRow(*fields))
    with _lock:
        for cid, rows in read.items():
            _clauses[cid] = (of.token, rows)
        while len(_clauses) > MAX_CLAUSES:
            _clauses.popitem(last=False)
    return {**found, **read}
