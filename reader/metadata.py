"""What a document's pages tell search engines and citation managers about the document: the
meta description, the canonical address, the Highwire ``citation_*`` tags that Zotero and Google
Scholar read, and a Schema.org ``Legislation`` for JSON-LD.

Plain data built from the corpus, in the same names the page's own citation block uses
(``reading.citation``): the original title and issuer as printed, the English title and issuer
from the translation. The templates only print it (``reader/_page_metadata.html``).

Highwire, as Zotero's "Embedded Metadata" translator maps it:

- ``citation_author`` is the issuing body as it names itself (国务院). Zotero splits an author
  at its last space into first and last name ("State Council" would become State / Council);
  a name without spaces stays whole. The English name goes with the publisher, which is a
  literal field: ``国务院 (State Council)``, as the page's BibTeX writes the author.
- The issuer is also ``citation_technical_report_institution``: that tag makes Zotero file the
  page as a Report (its guess from ``citation_title`` alone is a journal article), and a
  Report has a Report Number, which Zotero fills from ``citation_technical_report_number``: the
  document number (Zotero has no Highwire tag for a statute's number, and a journal article
  would drop it). A document without a number (the Reports on the Work of the Government) has
  no number tag.
- ``citation_title`` is the original title with the English one in brackets, as the BibTeX
  entry has it; a clause page adds ", clause N" as its BibTeX does. ``citation_date`` is
  YYYY/MM/DD (Google Scholar's form; Zotero reads it). ``citation_language`` is the original's
  language (``zh``).
"""
from __future__ import annotations

from dataclasses import dataclass

from django.utils.text import Truncator

from .models import Clause, Document, Version
from .reading import cited_ref, english_issuer, english_title, passage_text

DESCRIPTION_CHARS = 160


@dataclass(frozen=True)
class Names:
    """A document's names: the original's and the English translation's."""

    title: str
    english_title: str
    issuer: str
    english_issuer: str
    base: Version
    english: Version | None
    versions: tuple[Version, ...]

    @property
    def issuer_both(self) -> str:
        if self.english_issuer and self.english_issuer != self.issuer:
            return f"{self.issuer} ({self.english_issuer})"
        return self.issuer

    @property
    def title_both(self) -> str:
        return f"{self.title} [{self.english_title}]" if self.english_title else self.title


@dataclass(frozen=True)
class PageMetadata:
    description: str
    canonical: str
    citation: list[tuple[str, str]]  # (name, content) of each citation_* meta tag, in order
    json_ld: dict


def plain(text: str) -> str:
    """One line with plain spaces: a title as a citation manager should store it (the sources'
    line breaks and no-break spaces are layout)."""
    return " ".join(text.split())


def names_of(document: Document) -> Names:
    versions = tuple(Version.objects.of(document))
    base = next(v for v in versions if v.is_base)
    english = next((v for v in versions if v.language == "en"), None)
    return Names(
        title=plain(passage_text(document, "title", base.slug) or document.title or document.name),
        english_title=plain(english_title(passage_text(document, "title", english.slug))) if english else "",
        issuer=document.issuer,
        english_issuer=english_issuer(document, english),
        base=base, english=english, versions=versions,
    )


def cited_part(clause: Clause) -> str:
    """"clause 2.1.3", or for front and back matter its ref ("title", "signature")."""
    return clause.ref if clause.is_matter else f"clause {cited_ref(clause)}"


def long_date(document: Document) -> str:
    return f"{document.date.day} {document.date:%B} {document.date.year}"


def _issued(document: Document, names: Names) -> str:
    """"国发〔2015〕40号, State Council, 1 July 2015" (no number: issuer and date only)."""
    return ", ".join(filter(None, [document.number, names.english_issuer, long_date(document)]))


def _shown_in(names: Names) -> str:
    others = [v for v in names.versions if not v.is_base and not v.is_chinese]
    if not others:
        return "the Chinese text"
    return "the Chinese text side by side with its English translation" + ("s" if len(others) > 1 else "")


def document_description(document: Document, names: Names | None = None) -> str:
    names = names or names_of(document)
    english = f" ({names.english_title})" if names.english_title else ""
    return (f"{names.title}{english}, {_issued(document, names)}: {_shown_in(names)}, "
            "aligned sentence by sentence, with every repair to the sources shown.")


def clause_description(document: Document, clause: Clause, names: Names | None = None) -> str:
    names = names or names_of(document)
    text = passage_text(document, clause.ref, names.english.slug) if names.english else ""
    text = text or passage_text(document, clause.ref, names.base.slug)
    head = f"{cited_part(clause).capitalize()} of {document.name} ({names.english_issuer}, {long_date(document)})"
    return Truncator(" ".join(f"{head}: {text}".split())).chars(DESCRIPTION_CHARS)


def citation_tags(document: Document, names: Names, url: str, clause: Clause | None = None
                  ) -> list[tuple[str, str]]:
    title = names.title_both + (f", {cited_part(clause)}" if clause else "")
    tags = [
        ("citation_title", title),
        ("citation_author", names.issuer),
        ("citation_date", f"{document.date:%Y/%m/%d}"),
        ("citation_publisher", names.issuer_both),
    ]
    tags.append(("citation_technical_report_institution", names.issuer_both))
    if document.number:
        tags.append(("citation_technical_report_number", document.number))
    tags += [
        ("citation_public_url", url),
        ("citation_language", names.base.language.split("-")[0].lower()),
    ]
    return tags


def _version_name(document: Document, names: Names, version: Version) -> str:
    title = passage_text(document, "title", version.slug)
    if version.language == "en":
        title = english_title(title)
    return plain(title) or f"{names.title} ({version.label})"


def legislation(document: Document, names: Names, url: str, clause: Clause | None = None,
                clause_url: str = "") -> dict:
    """Schema.org Legislation for the document (the original), its translations as
    ``workTranslation`` and script conversions as ``workExample``; on a clause page the clause
    as ``hasPart``."""
    work = {
        "@context": "https://schema.org",
        "@type": "Legislation",
        "@id": url,
        "url": url,
        "name": names.title,
        **({"alternateName": names.english_title} if names.english_title else {}),
        **({"legislationIdentifier": document.number} if document.number else {}),
        "legislationDate": document.date.isoformat(),
        "legislationPassedBy": {
            "@type": "Organization", "name": names.issuer,
            **({"alternateName": names.english_issuer}
               if names.english_issuer and names.english_issuer != names.issuer else {}),
        },
        **({"legislationType": document.get_genre_display()}
           if document.genre != Document.Genre.OTHER else {}),
        "inLanguage": names.base.language,
    }
    translations, scripts = [], []
    for version in names.versions:
        if version.is_base:
            continue
        entry = {"@type": "Legislation", "name": _version_name(document, names, version),
                 "inLanguage": version.language, "url": f"{url}?v={version.slug}",
                 "description": version.get_kind_display()}
        if version.kind == Version.Kind.SCRIPT:
            scripts.append({**entry, "exampleOfWork": {"@id": url}})
        else:
            translations.append({**entry, "translationOfWork": {"@id": url}})
    if translations:
        work["workTranslation"] = translations
    if scripts:
        work["workExample"] = scripts
    if clause is not None:
        work["hasPart"] = {"@type": "Legislation", "@id": clause_url, "url": clause_url,
                           "name": f"{names.title}, {cited_part(clause)}",
                           "inLanguage": names.base.language}
    return work


def document_page(document: Document, url: str) -> PageMetadata:
    """The reader's metadata; ``url`` is the document's absolute permalink."""
    names = names_of(document)
    return PageMetadata(document_description(document, names), url,
                        citation_tags(document, names, url), legislation(document, names, url))


def clause_page(document: Document, clause: Clause, url: str, document_url: str) -> PageMetadata:
    """A clause permalink page's metadata; ``url`` is the clause's absolute permalink."""
    names = names_of(document)
    return PageMetadata(clause_description(document, clause, names), url,
                        citation_tags(document, names, url, clause),
                        legislation(document, names, document_url, clause, url))
