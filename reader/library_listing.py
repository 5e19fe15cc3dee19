"""The library page's listing: every document with its titles, filtered and sorted.

``library()`` gives what ``/`` and ``/api/documents`` show: one ``LibraryEntry`` per document
(its title in the base version and in English, its versions, its clause count), filtered by
issuer and year and sorted by date, the filters offered built from the data and values that
match nothing reported rather than failed on; ``titles`` names many documents in a few queries
(the listing, the cross-reference index and the library's glossary use it).
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse

from .models import Clause, Document, Passage, Version


def titles(documents: list[Document]) -> dict[int, tuple[str, str]]:
    """Document id -> (its title in the base version, in its first English translation or "").

    The base title is ``Document.title`` where the ingest set it, else the base version's
    "title" clause, else the number; the English one is that translation's "title" clause.
    """
    found: dict[int, dict[str, str]] = {}
    for p in (Passage.objects.filter(clause__document__in=documents, clause__ref="title")
              .select_related("version").order_by("version__position")):
        v = p.version
        mine = found.setdefault(v.document_id, {})
        if v.is_base:
            mine["base"] = p.text
        elif v.language.split("-")[0] == "en" and "en" not in mine:
            mine["en"] = p.text
    return {d.id: (d.title or found.get(d.id, {}).get("base") or d.number or d.slug,
                   found.get(d.id, {}).get("en", "")) for d in documents}


SORTS = {"-date": "newest first", "date": "oldest first"}


@dataclass
class LibraryEntry:
    document: Document
    title: str  # in the base version
    english_title: str  # in the first English translation, "" if none has one
    versions: list[Version]
    clauses: int

    @property
    def base(self) -> Version | None:
        return next((v for v in self.versions if v.is_base), None)

    @property
    def translations(self) -> list[Version]:
        return [v for v in self.versions
                if v.kind in (Version.Kind.TRANSLATION, Version.Kind.MACHINE)]


@dataclass
class Library:
    entries: list[LibraryEntry]  # the documents shown, in the order asked
    total: int  # documents in the library
    issuers: list[str]  # every issuer in the library, to filter by
    years: list[int]  # every year a document is dated, newest first
    sort: str  # a key of SORTS
    issuer: str  # the issuer filtered by, "" for all
    year: int | None  # the year filtered by
    problems: list[str]  # filter values that were not understood, and ignored

    @property
    def filtered(self) -> bool:
        return bool(self.issuer or self.year)

    def url(self, **changes) -> str:
        """The library's URL with the current filters and order, changed as given."""
        params = {"issuer": self.issuer, "year": self.year or "",
                  "sort": "" if self.sort == "-date" else self.sort, **changes}
        kept = {name: value for name, value in params.items() if value}
        return reverse("reader:index") + (f"?{urlencode(kept)}" if kept else "")

    @property
    def sort_links(self) -> list[tuple[str, str, bool]]:
        """(label, url, current) for each order."""
        return [(label, self.url(sort="" if key == "-date" else key), key == self.sort)
                for key, label in SORTS.items()]

    @property
    def issuer_links(self) -> list[tuple[str, str, bool]]:
        return [("every issuer", self.url(issuer=""), not self.issuer)] + [
            (name, self.url(issuer=name), name == self.issuer) for name in self.issuers]

    @property
    def year_links(self) -> list[tuple[str, str, bool]]:
        return [("every year", self.url(year=""), self.year is None)] + [
            (str(y), self.url(year=y), y == self.year) for y in self.years]


def library(*, sort: str | None = None, issuer: str | None = None,
            year: str | None = None) -> Library:
    """The documents of the library, filtered by issuer and year and sorted by date.

    Values that match nothing in the library are reported in ``problems`` and ignored, so the
    reader always gets a page: the filters offered are built from the data.
    """
    documents = list(Document.objects.prefetch_related("versions").order_by("slug"))
    issuers = sorted({d.issuer for d in documents})
    years = sorted({d.date.year for d in documents}, reverse=True)
    problems = []
    sort = (sort or "-date").strip()
    if sort not in SORTS:
        problems.append(f"Unknown order “{sort[:40]}”: shown newest first.")
        sort = "-date"
    issuer = (issuer or "").strip()
    if issuer and issuer not in issuers:
        problems.append(f"No document in the library is issued by “{issuer[:80]}”: "
                        "shown from every issuer.")
        issuer = ""
    chosen_year = None
    if (year or "").strip():
        year = year.strip()
        if year.isascii() and year.isdigit() and len(year) <= 4 and int(year) in years:
            chosen_year = int(year)
        else:
            problems.append(f"No document in the library is dated in “{year[:20]}”: "
                            "shown from every year.")
    shown = [d for d in documents if (not issuer or d.issuer == issuer)
             and (chosen_year is None or d.date.year == chosen_year)]
    shown.sort(key=lambda d: d.date, reverse=sort == "-date")  # stable: ties stay by slug
    clause_counts = dict(Clause.objects.filter(document__in=shown).values("document")
                         .annotate(n=Count("id")).values_list("document", "n"))
    names = titles(shown)
    entries = [LibraryEntry(d, *names[d.id], list(d.versions.all()), clause_counts.get(d.id, 0))
               for d in shown]
    return Library(entries, len(documents), issuers, years, sort, issuer, chosen_year, problems)
