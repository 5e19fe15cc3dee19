"""Reader pages on the ingested corpus: the document list, the parallel reader, clause
permalinks with their citations, and 404s for anything that is not a document or clause."""
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from reader.models import Clause, Passage

DOC = "guofa-2015-40"
READER = f"/{DOC}/"
TITLE_ZH = "国务院关于积极推进“互联网+”行动的指导意见"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict
    children: list = field(default_factory=list)

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    @property
    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text for c in self.children)

    def iter(self):
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def find_all(self, tag=None, cls=None, **attrs) -> list["Element"]:
        return [e for e in self.iter()
                if (tag is None or e.tag == tag) and (cls is None or cls in e.classes)
                and all(e.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())]

    def find(self, tag=None, cls=None, **attrs) -> "Element":
        found = self.find_all(tag, cls, **attrs)
        assert found, f"no <{tag or '*'} class={cls} {attrs}>"
        return found[0]


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs))
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def page(client, url: str, status: int = 200) -> Element:
    response = client.get(url)
    assert response.status_code == status, url
    builder = _TreeBuilder()
    builder.feed(response.content.decode())
    return builder.root


def rows(html: Element) -> list[Element]:
    return [e for e in html.find_all("section", cls="row") if e.attrs.get("id", "").startswith("c-")]


def row(html: Element, ref: str) -> Element:
    return html.find("section", id=f"c-{ref}")


def cells(element: Element) -> list[Element]:
    return element.find_all("div", cls="cell")


def versions_of(element: Element) -> list[str]:
    return [cell.attrs["data-version"] for cell in cells(element)]


def text(ref: str, version: str) -> str:
    return Passage.objects.get(clause__ref=ref, version__slug=version).text


def squash(s: str) -> str:
    return " ".join(s.split())


# The document list

def test_index_lists_the_document_by_its_title_and_number(client, ingested):
    html = page(client, "/")

    link = html.find("a", cls="document-title")
    assert link.attrs["href"] == READER
    assert link.text == TITLE_ZH
    assert "国发〔2015〕40号" in html.find(cls="document-meta").text


def test_index_without_documents_says_how_to_ingest(client, db):
    html = page(client, "/")

    assert "python manage.py ingest" in squash(html.find("ul", cls="document-list").text)


# The parallel reader

def test_reader_shows_every_clause_as_a_row_with_simplified_chinese_beside_english(client, ingested):
    html = page(client, READER)

    refs = list(Clause.objects.of(ingested).in_order().values_list("ref", flat=True))
    assert len(refs) == 117
    assert [r.attrs["id"] for r in rows(html)] == [f"c-{ref}" for ref in refs]
    for r in rows(html):
        assert versions_of(r) == ["zh-hans", "en"], r.attrs["id"]
        assert [c.attrs.get("lang") for c in cells(r)] == ["zh-Hans", "en"], r.attrs["id"]


def test_reader_rows_show_the_passage_texts(client, ingested):
    html = page(client, READER)

    zh, en = cells(row(html, "2.1.3"))
    assert zh.find("p", cls="text").text == text("2.1.3", "zh-hans")
    assert en.find("p", cls="text").text == text("2.1.3", "en")
    assert TITLE_ZH in html.find("h1").text


def test_each_row_links_its_visible_ref_to_the_clause_permalink(client, ingested):
    html = page(client, READER)

    for r in rows(html):
        ref = r.attrs["id"].removeprefix("c-")
        link = r.find("a", cls="ref")
        assert link.text == ref
        assert link.attrs["href"] == f"/{DOC}/{ref}/"
    assert reverse("reader:clause", args=[DOC, "2.1.3"]) == f"/{DOC}/2.1.3/"


def test_outline_lists_parts_and_sections_linking_to_their_rows(client, ingested):
    html = page(client, READER)

    links = [a.attrs["href"] for a in html.find("nav", cls="outline").find_all("a")]
    assert len(links) == 3 + 3 + 11 + 7
    assert links[:3] == ["#c-1", "#c-1.1", "#c-1.2"]
    assert links[-1] == "#c-3.7"


def test_three_versions_can_be_compared_in_the_order_asked(client, ingested):
    html = page(client, READER + "?v=zh-hans,en,en-mt")

    for r in rows(html):
        assert versions_of(r) == ["zh-hans", "en", "en-mt"], r.attrs["id"]
    labels = [s.text for s in html.find(cls="row-head").find_all("span", cls="pane-label")]
    assert labels == ["简体中文", "English", "English (machine)"]
    mt = cells(row(html, "3.1.3"))[2]
    assert mt.find("p", cls="text").text == text("3.1.3", "en-mt")
    assert mt.attrs["lang"] == "en"


def test_clauses_missing_from_a_version_say_so_instead_of_inventing_text(client, ingested):
    html = page(client, READER + "?v=zh-hans,en,en-mt")

    missing = cells(row(html, "2.1.3"))[2]
    assert "missing" in missing.classes
    # The cell carries its version's language (its caption at phone width names the version);
    # what it says is English.
    assert missing.attrs["lang"] == "en"
    assert missing.find("p", cls="absent").attrs["lang"] == "en"
    assert "Not in English (machine)" in missing.text
    assert not missing.find_all("p", cls="text")
    absent = [r.attrs["id"] for r in rows(html) if "missing" in cells(r)[2].classes]
    assert len(absent) == 117 - 37
    assert "c-3" in absent


def test_version_order_in_the_url_is_respected(client, ingested):
    html = page(client, READER + "?v=en,zh-hant")

    for r in rows(html):
        assert versions_of(r) == ["en", "zh-hant"], r.attrs["id"]
    assert [c.attrs["lang"] for c in cells(row(html, "3.3"))] == ["en", "zh-Hant"]
    assert cells(row(html, "3.3"))[1].find("p", cls="text").text == "（三）營造寬松環境。"


def test_picker_checks_the_versions_shown(client, ingested):
    html = page(client, READER + "?v=en,zh-hant")

    boxes = [b for b in html.find("form", cls="picker").find_all("input", type="checkbox")
             if b.attrs.get("name") == "v"]
    assert [b.attrs["value"] for b in boxes] == ["zh-hans", "zh-hant", "en", "en-mt"]
    assert [b.attrs["value"] for b in boxes if "checked" in b.attrs] == ["zh-hant", "en"]


def test_repeated_v_parameters_from_the_picker_form_work_like_a_list(client, ingested):
    html = page(client, READER + "?v=zh-hant&v=en-mt")

    assert versions_of(row(html, "3.6")) == ["zh-hant", "en-mt"]


def test_unknown_version_is_reported_and_ignored(client, ingested):
    html = page(client, READER + "?v=fr,en")

    assert "Unknown version “fr” ignored." in html.find("p", cls="notice").text
    assert versions_of(row(html, "2.1.3")) == ["en"]


def test_only_unknown_versions_fall_back_to_the_default_panes(client, ingested):
    html = page(client, READER + "?v=klingon")

    assert "klingon" in html.find("p", cls="notice").text
    assert versions_of(row(html, "2.1.3")) == ["zh-hans", "en"]


def test_markup_in_the_version_parameter_is_escaped(client, ingested):
    response = client.get(READER, {"v": "<script>alert(1)</script>"})

    assert response.status_code == 200
    body = response.content.decode()
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_variant_marker_appears_on_the_reader_row(client, ingested):
    html = page(client, READER)

    zh = cells(row(html, "3.5.2"))[0]
    notes = zh.find("details", cls="notes")
    assert notes.find_all("span", cls="marker-variant")
    assert "002_97e1ecdbb18a24da.txt line 401" in notes.text


def test_translation_note_about_a_label_slip_appears_beside_the_english(client, ingested):
    html = page(client, READER)

    en = cells(row(html, "2.2"))[1]
    assert en.find("p", cls="text").text.startswith("(1)")
    assert "labelled “(1)”" in en.find("details", cls="notes").text


# Clause permalinks

def test_permalink_shows_the_clause_in_all_four_versions(client, ingested):
    html = page(client, f"/{DOC}/2.1.3/")

    articles = html.find_all("article", cls="clause-version")
    assert [a.attrs["data-version"] for a in articles] == ["zh-hans", "zh-hant", "en", "en-mt"]
    for article, version in zip(articles[:3], ["zh-hans", "zh-hant", "en"]):
        assert article.find("p", cls="text").text == text("2.1.3", version)
    assert [c.attrs.get("lang") for c in cells(html)[:3]] == ["zh-Hans", "zh-Hant", "en"]
    assert "Not in English (machine)" in articles[3].text
    assert "converted" in articles[1].find("span", cls="badge").text


def test_permalink_has_a_breadcrumb_to_its_section_and_part(client, ingested):
    html = page(client, f"/{DOC}/2.1.3/")

    crumbs = html.find("nav", cls="breadcrumb").find_all("li")
    assert [squash(li.text) for li in crumbs] == [
        "Documents", "国发〔2015〕40号", "Part 2", "Section 2.1", "Clause 2.1.3"]
    assert [li.find("a").attrs["href"] for li in crumbs[:4]] == [
        "/", READER, f"/{DOC}/2/", f"/{DOC}/2.1/"]


def test_permalink_links_to_previous_and_next_clauses(client, ingested):
    html = page(client, f"/{DOC}/2.1.3/")

    assert html.find("a", rel="prev").attrs["href"] == f"/{DOC}/2.1.2/"
    assert html.find("a", rel="next").attrs["href"] == f"/{DOC}/2.2/"


def test_first_and_last_clauses_have_only_one_neighbour(client, ingested):
    first = page(client, f"/{DOC}/title/")
    last = page(client, f"/{DOC}/signature/")

    assert not first.find_all("a", rel="prev")
    assert first.find("a", rel="next").attrs["href"] == f"/{DOC}/addressees/"
    assert last.find("a", rel="prev").attrs["href"] == f"/{DOC}/3.7.3/"
    assert not last.find_all("a", rel="next")


def test_permalink_links_back_to_its_row_in_the_full_reader(client, ingested):
    default = page(client, f"/{DOC}/2.1.3/")
    chosen = page(client, f"/{DOC}/2.1.3/?v=en,en-mt")

    assert default.find("a", cls="in-context").attrs["href"] == f"{READER}?v=zh-hans,en#c-2.1.3"
    assert chosen.find("a", cls="in-context").attrs["href"] == f"{READER}?v=en,en-mt#c-2.1.3"


def test_permalink_offers_english_chinese_and_bibtex_citations(client, ingested):
    html = page(client, f"/{DOC}/2.1.3/")
    url = f"http://testserver/{DOC}/2.1.3/"

    assert html.find("a", cls="permalink").attrs["href"] == url
    english = html.find("pre", id="cite-en").text
    assert url in english and "国发〔2015〕40号" in english and "2.1.3" in english
    assert "1 July 2015" in english
    chinese = html.find("pre", id="cite-zh").text
    assert f"《{TITLE_ZH}》" in chinese and "国发〔2015〕40号" in chinese
    assert "2015年7月1日" in chinese and url in chinese
    bibtex = html.find("pre", id="cite-bibtex").text
    assert bibtex.startswith("@misc{")
    assert f"url = {{{url}}}" in bibtex and "国发〔2015〕40号" in bibtex
    assert bibtex.count("{") == bibtex.count("}")


@pytest.mark.parametrize("ref, zh, en", [
    ("title", TITLE_ZH, "State Council Guiding Opinions"),
    ("addressees", "各省、自治区、直辖市人民政府，国务院各部委、各直属机构：", "All provincial"),
    ("signature", "中华人民共和国国务院", "State Council"),
])
def test_front_and_back_matter_have_permalinks(client, ingested, ref, zh, en):
    html = page(client, f"/{DOC}/{ref}/")

    articles = {a.attrs["data-version"]: a for a in html.find_all("article", cls="clause-version")}
    assert zh in articles["zh-hans"].find("p", cls="text").text
    assert en in articles["en"].find("p", cls="text").text
    assert articles["en-mt"].find_all("p", cls="text")  # the machine translation covers these too
    assert html.find("h1").text.startswith(ref.capitalize())


def test_variant_note_is_readable_on_the_permalink_page(client, ingested):
    html = page(client, f"/{DOC}/3.5.2/")

    zh = html.find("article", data_version="zh-hans")
    assert "面向“互联网+”融合发展需求" in zh.find("p", cls="text").text
    variants = [li.text for li in zh.find_all("li", cls="note-variant")]
    assert any("002_97e1ecdbb18a24da.txt line 401" in v and "面身" in v for v in variants), variants


def test_reconstructed_heading_is_marked_on_its_permalink(client, ingested):
    html = page(client, f"/{DOC}/3.3/")

    hant = html.find("article", data_version="zh-hant")
    assert hant.find("p", cls="text").text == "（三）營造寬松環境。"
    assert "reconstructed" in hant.find("span", cls="badge").text
    assert any("reconstructed" in li.text for li in hant.find_all("li", cls="note-repair"))


# Not found

@pytest.mark.parametrize("path", [
    "/no-such-document/",
    "/no-such-document/2.1.3/",
    f"/{DOC}/9.9/",
    f"/{DOC}/2.1.99/",
    f"/{DOC}/2..1/",
    f"/{DOC}/abc/",
    f"/{DOC}/2.1.3.4/",
    f"/{DOC}/{'1.' * 400}1/",
    f"/{DOC}/{'9' * 5000}/",
    f"/{DOC}/%E4%BD%A0%ZZ%C3%28/",
    f"/{DOC}/%00/",
    f"/{DOC}/2.1%00/",
    f"/{DOC}%00/",
    f"/{DOC}/2.1.3/extra/",
])
def test_unknown_or_malformed_paths_get_the_not_found_page(client, ingested, path):
    response = client.get(path)

    assert response.status_code == 404
    assert "Not found" in response.content.decode()
    assert "/guofa-2015-40/2.1.3/" in response.content.decode()  # how clause addresses look


def test_not_found_page_escapes_the_path_it_echoes(client, ingested):
    response = client.get(f"/{DOC}/<script>alert(1)</script>/")

    assert response.status_code == 404
    assert "<script>alert" not in response.content.decode()
