"""The library: the list of documents with its filters and counts, the concordance and glossary
across documents (pages and JSON), links from a citation 《…》 to the document it names, and the
mark on a translated paragraph whose placement the importer is unsure of.

One library of real texts, ingested once for the module: the seed, the Reports on the Work of
the Government of 2016, 2019 and 2020 (as ``manage.py ingest`` reads them), and a document the
seed cites by title, 中共中央 国务院关于深化体制机制改革加快实施创新驱动发展战略的若干意见
(中发〔2015〕8号, 2015-03-13). No shipped document cites another shipped one (the reports are all
titled 政府工作报告 and cite none), so that document is the seed's own sources ingested under the
cited document's number, issuer, date and title: its text is the seed's, and every count in it
equals the seed's. Each test runs in a transaction that is rolled back, with the page cache
emptied, so a test that changes a row changes it for itself only.
"""
import re
import shutil
from html import unescape
from urllib.parse import quote, quote_plus

import pytest
from django.conf import settings

from reader.models import Document, Passage, Sentence
from reader.cross_references import CitationIndex
from reader.services import corpus_ingest
from reader.sources.corpus import build_corpus

SEED = "guofa-2015-40"
LIBRARY_DIR = settings.BASE_DIR / "fixtures" / "documents"
REPORTS = ["gwr-2020", "gwr-2019", "gwr-2016"]  # newest first
CITED = {"slug": "zhongfa-2015-8", "number": "中发〔2015〕8号", "issuer": "中共中央 国务院",
         "date": "2015-03-13"}
CITED_TITLE = "中共中央 国务院关于深化体制机制改革加快实施创新驱动发展战略的若干意见"
SEED_TITLE = "国务院关于积极推进“互联网+”行动的指导意见"
NEWEST_FIRST = REPORTS + [SEED, CITED["slug"]]
OLDEST_FIRST = NEWEST_FIRST[::-1]


def _copy_of_seed(directory, slug, number, issuer, date):
    """The seed's corpus, read from a copy of its sources whose manifest names another document."""
    shutil.copytree(LIBRARY_DIR / SEED, directory, dirs_exist_ok=True)
    manifest = directory / "manifest.toml"
    text = manifest.read_text(encoding="utf-8")
    for field, value in (("slug", f'"{slug}"'), ("number", f'"{number}"'),
                         ("issuer", f'"{issuer}"'), ("date", date)):
        text = re.sub(rf"^{field} = .*$", f"{field} = {value}", text, count=1, flags=re.M)
    manifest.write_text(text, encoding="utf-8")
    return build_corpus(directory, settings.GLOSSARY_FILE)


@pytest.fixture(scope="module")
def shelved(django_db_setup, django_db_blocker, corpus, tmp_path_factory):
    """The five documents, written once for this module and removed after it."""
    corpora = [corpus, _copy_of_seed(tmp_path_factory.mktemp("cited"), **CITED)] + [
        build_corpus(LIBRARY_DIR / slug, settings.GLOSSARY_FILE) for slug in REPORTS]
    with django_db_blocker.unblock():
        for each in corpora:
            corpus_ingest(corpus=each)
        Document.objects.filter(slug=CITED["slug"]).update(title=CITED_TITLE)
    yield
    with django_db_blocker.unblock():
        Document.objects.all().delete()


def html(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def text_of(page: str) -> str:
    """The page's text as a reader sees it: tags dropped, entities decoded, spaces squashed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", "", page)).split())


def titles_listed(page: str) -> list[str]:
    return [unescape(t) for t in re.findall(r'class="document-title">([^<]+)</a>', page)]


def documents_listed(page: str) -> list[str]:
    return re.findall(r'<a href="/([^/]+)/" lang="[^"]+" class="document-title">', page)


def cell_of(page: str, ref: str, version: str) -> str:
    """One version's cell of one clause row of a reader page."""
    row = page[page.index(f'id="c-{ref}"'):]
    row = row[:row.index("</section>")]
    cell = row[row.index(f'data-version="{version}"'):]
    return cell[:cell.index('<div class="cell') if '<div class="cell' in cell else len(cell)]


def concordance_of(client, slug: str, q: str) -> dict:
    return client.get(f"/api/documents/{slug}/concordance", {"q": q}).json()


# The library page

def test_the_library_lists_every_document_newest_first_with_its_title_number_issuer_date_and_genre(client, library):
    page = html(client, "/")

    assert documents_listed(page) == NEWEST_FIRST
    assert titles_listed(page) == ["政府工作报告"] * 3 + [SEED_TITLE, CITED_TITLE]
    text = text_of(page)
    assert "国务院 · 5 March 2019 · report" in text
    assert "国发〔2015〕40号 · 国务院 · 1 July 2015" in text
    assert "中发〔2015〕8号 · 中共中央 国务院 · 13 March 2015" in text
    assert 'href="/zhongfa-2015-8/" lang="zh-Hans" class="document-title"' in page
    assert "5 documents, newest first." in text


def test_each_document_shows_its_english_title_versions_and_counts_of_clauses_and_translations(client, library):
    page = html(client, "/")

    seed = page[page.index(f'href="/{SEED}/"'):page.index(f'href="/{CITED["slug"]}/"')]
    english = Passage.objects.get(clause__document=library[SEED], clause__ref="title", version__slug="en").text
    assert f'<div class="document-title-en" lang="en">{english}</div>' in unescape(seed)
    assert library[SEED].clauses.count() == 117
    assert "117 clauses · 2 translations" in text_of(seed)
    assert re.findall(r'class="version-chip" lang="([^"]+)">([^<]+)<', seed) == [
        ("zh-Hans", "简体中文"), ("zh-Hant", "繁體中文"), ("en", "English"), ("en", "English (machine)")]

    report = page[page.index('href="/gwr-2019/"'):page.index('href="/gwr-2016/"')]
    assert '<div class="document-title-en" lang="en">REPORT ON THE WORK OF THE GOVERNMENT</div>' in report
    assert f"{library['gwr-2019'].clauses.count()} clauses · 1 translation" in text_of(report)


def test_sorting_by_date_puts_the_oldest_first_and_links_switch_between_the_orders(client, library):
    page = html(client, "/?sort=date")

    assert documents_listed(page) == OLDEST_FIRST
    assert "5 documents, oldest first." in text_of(page)
    assert '<a href="/">newest first</a>' in page
    assert '<a href="/?sort=date" aria-current="true" class="current">oldest first</a>' in page
    assert documents_listed(html(client, "/?sort=-date")) == NEWEST_FIRST


def test_filtering_by_issuer_shows_only_that_issuers_documents_and_keeps_the_order(client, library):
    page = html(client, "/?issuer=" + quote("国务院") + "&sort=date")
    assert documents_listed(page) == [SEED] + REPORTS[::-1]
    assert "4 of 5 documents issued by 国务院, oldest first." in text_of(page)

    both = html(client, "/?issuer=" + quote("中共中央 国务院"))
    assert documents_listed(both) == [CITED["slug"]]
    # The links to switch the order and the year keep the issuer.
    assert f'href="/?issuer={quote_plus("中共中央 国务院")}&amp;sort=date">oldest first</a>' in both
    assert f'href="/?issuer={quote_plus("中共中央 国务院")}&amp;year=2019">2019</a>' in both


def test_filtering_by_year_shows_the_documents_dated_in_it(client, library):
    assert documents_listed(html(client, "/?year=2019")) == ["gwr-2019"]
    page = html(client, "/?year=2015&sort=date")
    assert documents_listed(page) == [CITED["slug"], SEED]
    assert "2 of 5 documents dated 2015, oldest first." in text_of(page)
    assert '<option value="2015" selected>' in page


def test_the_filters_are_built_from_the_data_as_labelled_selects_and_links(client, library):
    page = html(client, "/")

    for name in ("issuer", "year", "sort"):
        assert f'<label for="library-{name}">' in page
        assert f'<select id="library-{name}" name="{name}">' in page
    assert re.findall(r'<option value="([^"]*)" lang="zh-Hans"', page) == ["中共中央 国务院", "国务院"]
    assert re.findall(r'<option value="(\d+)"', page) == ["2020", "2019", "2016", "2015"]
    assert f'<a href="/?issuer={quote_plus("国务院")}" lang="zh-Hans">国务院</a>' in page
    assert '<a href="/?year=2016">2016</a>' in page


@pytest.mark.parametrize("query, message", [
    ("issuer=" + quote("教育部"), "No document in the library is issued by “教育部”: shown from every issuer."),
    ("year=1999", "No document in the library is dated in “1999”: shown from every year."),
    ("year=twenty", "No document in the library is dated in “twenty”: shown from every year."),
    ("year=" + "2" * 5000, "No document in the library is dated in “22222222222222222222”"),
    ("year=%EF%BC%92%EF%BC%90%EF%BC%91%EF%BC%95", "No document in the library is dated in “２０１５”"),
    ("sort=title", "Unknown order “title”: shown newest first."),
    ("issuer=%3Cscript%3Ealert(1)%3C/script%3E", "issued by “<script>alert(1)</script>”"),
])
def test_filter_values_the_library_does_not_have_get_a_message_and_every_document(client, library, query, message):
    page = html(client, f"/?{query}")

    assert message in text_of(page)
    assert documents_listed(page) == NEWEST_FIRST
    assert "<script>alert" not in page


def test_filters_that_together_match_no_document_say_so(client, library):
    page = html(client, "/?issuer=" + quote("中共中央 国务院") + "&year=2019")

    assert documents_listed(page) == []
    assert "0 of 5 documents issued by 中共中央 国务院 dated 2019" in text_of(page)
    assert "No document matches these filters. Show every document." in text_of(page)


def test_the_library_links_to_the_concordance_and_glossary_across_documents(client, library):
    page = html(client, "/")

    assert '<a href="/concordance/">concordance</a>' in page
    assert '<a href="/glossary/">glossary</a>' in page


def test_the_documents_api_gives_titles_genre_versions_and_counts(client, library):
    data = client.get("/api/documents").json()

    assert [d["slug"] for d in data["documents"]] == NEWEST_FIRST
    by_slug = {d["slug"]: d for d in data["documents"]}
    seed = by_slug[SEED]
    assert seed["title"] == SEED_TITLE
    assert seed["title_en"].startswith("State Council Guiding Opinions")
    assert seed["genre"] in {choice for choice, _ in Document.Genre.choices}
    assert (seed["clauses"], seed["translations"]) == (117, 2)
    assert seed["versions"] == ["zh-hans", "zh-hant", "en", "en-mt"]
    report = by_slug["gwr-2019"]
    assert (report["title"], report["title_en"], report["genre"], report["number"]) == (
        "政府工作报告", "REPORT ON THE WORK OF THE GOVERNMENT", "report", "")
    assert (report["clauses"], report["translations"]) == (library["gwr-2019"].clauses.count(), 1)
    assert by_slug[CITED["slug"]]["title"] == CITED_TITLE


# The concordance across the library

def test_supply_side_structural_reform_is_found_in_each_report_newest_first_with_its_english(client, library):
    data = client.get("/api/concordance?q=供给侧结构性改革").json()

    expected = {slug: concordance_of(client, slug, "供给侧结构性改革") for slug in NEWEST_FIRST}
    assert [(d["slug"], d["count"]) for d in data["documents"]] == [
        (slug, expected[slug]["count"]) for slug in REPORTS]
    assert all(expected[slug]["count"] > 0 for slug in REPORTS)
    assert expected[SEED]["count"] == 0
    assert data["count"] == len(data["lines"]) == sum(e["count"] for e in expected.values())
    for slug in REPORTS:
        lines = [line for line in data["lines"] if line["document"] == slug]
        assert [line["url"] for line in lines] == [line["url"] for line in expected[slug]["lines"]]
        assert all(line["url"].startswith(f"http://testserver/{slug}/?v=zh-hans,en#c-") for line in lines)
        assert data["documents"][REPORTS.index(slug)]["renderings"] == expected[slug]["renderings"]
    # Each line shows the English sentence aligned with it (the rendering marked where the
    # glossary lists it), and so how each report put it: mostly "supply-side structural reform",
    # once in 2016 "structural reform on the supply side".
    aligned = {(line["document"], line["ref"]): line["aligned"]["en"] for line in data["lines"]}
    assert all(a["rendering"].lower() in a["text"].lower() for a in aligned.values() if a["rendering"])
    assert "supply-side structural reform" in aligned["gwr-2019", "1.0.13"]["text"]
    assert aligned["gwr-2020", "1.0.5"]["text"].startswith("Supply-side structural reform was further advanced")
    assert "structural reform on the supply side" in aligned["gwr-2016", "2.0.11"]["text"]
    assert aligned["gwr-2016", "2.0.11"]["rendering"] in (None, "structural reform on the supply side")


def test_the_concordance_page_groups_the_lines_by_document_each_linking_to_its_sentence(client, library):
    page = html(client, "/concordance/?q=供给侧结构性改革")

    total = sum(concordance_of(client, slug, "供给侧结构性改革")["count"] for slug in REPORTS)
    assert f"{total} occurrences in 3 of 5 documents." in text_of(page)
    assert re.findall(r'<section class="kwic-document" id="doc-([^"]+)"', page) == REPORTS
    for slug, following in zip(REPORTS, REPORTS[1:] + [None]):
        part = page[page.index(f'id="doc-{slug}"'):page.index(f'id="doc-{following}"') if following else None]
        lines = concordance_of(client, slug, "供给侧结构性改革")["lines"]
        assert part.count('class="kwic-line"') == len(lines)
        for line in lines:
            assert f'href="/{slug}/?v=zh-hans,en#c-{line["ref"]}-s{line["sentence"]}"' in part
        assert f'<a href="/{slug}/" lang="zh-Hans">政府工作报告</a>' in part


def test_a_glossary_term_is_counted_per_document_and_translation(client, library):
    data = client.get("/api/concordance?q=众创空间").json()

    expected = {slug: concordance_of(client, slug, "众创空间") for slug in NEWEST_FIRST}
    assert [d["slug"] for d in data["documents"]] == [s for s in NEWEST_FIRST if expected[s]["count"]]
    assert {SEED, CITED["slug"]} <= {d["slug"] for d in data["documents"]}
    for document in data["documents"]:
        assert document["renderings"] == expected[document["slug"]]["renderings"]
    assert data["term"] == "众创空间"
    assert data["count"] == sum(e["count"] for e in expected.values())

    page = html(client, "/concordance/?q=众创空间")
    table = page[page.index('library-renderings"'):page.index("</table>")]
    rendering, n = next((r["rendering"], r["count"]) for r in expected[SEED]["renderings"]["en"]["used"])
    assert table.count(f'<span class="rendering">{rendering}</span> ×{n}') == 2  # the seed and its copy
    assert re.findall(r'<th scope="row"><a href="#doc-([^"]+)"', table) == [d["slug"] for d in data["documents"]]


def test_an_english_term_is_looked_up_in_the_translations_of_every_document(client, library):
    data = client.get("/api/concordance?q=supply-side structural reform").json()

    assert [d["slug"] for d in data["documents"]] == REPORTS
    assert all(line["version"] == "en" and line["match"].lower() == "supply-side structural reform"
               for line in data["lines"])
    aligned = [line["aligned"]["zh-hans"]["text"] for line in data["lines"]]
    assert all("供给侧结构性改革" in text for text in aligned if text)
    assert sum(1 for text in aligned if text) >= len(aligned) - 2


def test_a_long_library_concordance_is_paginated_a_hundred_lines_a_page(client, library):
    data = client.get("/api/concordance?q=互联网").json()
    assert data["count"] > 200 and data["pages"] == -(-data["count"] // 100)
    assert len(data["lines"]) == 100
    assert data["next"] == "http://testserver/api/concordance?q=%E4%BA%92%E8%81%94%E7%BD%91&page=2"
    last = client.get(f"/api/concordance?q=互联网&page={data['pages']}").json()
    assert len(last["lines"]) == data["count"] - 100 * (data["pages"] - 1) and last["next"] is None
    assert [line["document"] for line in last["lines"]][-1] == OLDEST_FIRST[0]

    page = html(client, "/concordance/?q=互联网")
    assert page.count('class="kwic-line"') == 100
    assert f"Page 1 of {data['pages']} (lines 1–100)" in text_of(page)
    assert 'href="?q=%E4%BA%92%E8%81%94%E7%BD%91&amp;page=2" rel="next"' in page
    second = html(client, "/concordance/?q=互联网&page=2")
    assert second.count('class="kwic-line"') == 100


@pytest.mark.parametrize("url, message", [
    ("/api/concordance", "Give a term to look up"),
    ("/api/concordance?q=" + "互" * 101, "at most 100 characters"),
    ("/api/concordance?q=……", "no letters, digits or Chinese characters"),
    ("/api/concordance?q=互联网&page=0", "page must be a number from 1 to"),
    ("/api/concordance?q=互联网&page=x", "page must be a number from 1 to"),
    ("/api/concordance?q=互联网&page=" + "9" * 5000, "page must be a number from 1 to"),
])
def test_a_library_concordance_request_that_cannot_be_answered_says_why(client, library, url, message):
    response = client.get(url)
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_the_library_concordance_page_explains_a_bad_term_and_offers_the_glossary_terms(client, library):
    page = html(client, "/concordance/?q=" + "互" * 101, status=400)
    assert "A concordance term is at most 100 characters" in text_of(page)

    empty = html(client, "/concordance/")
    assert '<a href="?q=%E4%BC%97%E5%88%9B%E7%A9%BA%E9%97%B4" lang="zh-Hans">众创空间</a>' in empty
    assert "No occurrences in the library." in text_of(html(client, "/concordance/?q=量子纠缠"))


def test_each_document_concordance_links_to_the_same_term_across_the_library(client, library):
    page = html(client, f"/{SEED}/concordance/?q=众创空间")
    assert '<a href="/concordance/?q=%E4%BC%97%E5%88%9B%E7%A9%BA%E9%97%B4"><q><span lang="zh-Hans">众创空间</span></q> in every document of the library</a>' in page
    library_page = html(client, "/concordance/?q=众创空间")
    assert f'<a href="/{SEED}/concordance/?q=%E4%BC%97%E5%88%9B%E7%A9%BA%E9%97%B4">in this document only</a>' in library_page


# The glossary across the library

def test_the_glossary_shows_where_and_since_when_each_rendering_is_used(client, library):
    term = next(t for t in client.get("/api/glossary").json()["terms"] if t["term"] == "新兴产业")

    # 新兴产业 is in the seed (and its copy) and in every report, oldest first.
    assert [d["document"] for d in term["documents"]] == OLDEST_FIRST
    assert [d["date"] for d in term["documents"]] == sorted(d["date"] for d in term["documents"])
    for use in term["documents"]:
        assert use["renderings"] == _glossary_entry(client, use["document"], "新兴产业")
    # Each rendering's history is per version slug: en, every document's published translation.
    history = {(h["version"], h["rendering"]): h for h in term["history"]}
    for (version, rendering), h in history.items():
        using = [(use["document"], r["count"]) for use in term["documents"]
                 for r in use["renderings"].get(version, {"used": []})["used"] if r["rendering"] == rendering]
        assert (h["first"]["document"], h["last"]["document"]) == (using[0][0], using[-1][0])
        assert h["count"] == sum(n for _, n in using)
    emerging = history["en", "emerging industries"]
    assert emerging["first"] == {"document": CITED["slug"], "date": "2015-03-13"}
    assert emerging["last"] == {"document": "gwr-2020", "date": "2020-05-22"}
    assert term["concordance"] == "http://testserver/concordance/?q=%E6%96%B0%E5%85%B4%E4%BA%A7%E4%B8%9A"

    page = html(client, "/glossary/")
    section = page[page.index('id="term-xin-xing-chan-ye"'):]
    section = section[:section.index("</section>")]
    assert re.findall(r'<a href="/([^/]+)/glossary/#term-xin-xing-chan-ye"', section) == OLDEST_FIRST
    assert re.search(r"en emerging industries ×\d+: since 2015, last 2020, in 5 documents", text_of(section))


def _glossary_entry(client, slug: str, zh: str) -> dict:
    """One term's renderings in one document's glossary JSON, as the library glossary gives them."""
    entry = next(t for t in client.get(f"/api/documents/{slug}/glossary").json()["terms"] if t["term"] == zh)
    return {version: {"used": r["used"], "not_identified": r["not_identified"]}
            for version, r in entry["renderings"].items()}


def test_the_glossary_lists_every_term_of_the_library_with_per_document_counts(client, library):
    data = {t["term"]: t for t in client.get("/api/glossary").json()["terms"]}
    seed = {t["term"]: t for t in client.get(f"/api/documents/{SEED}/glossary").json()["terms"]}

    assert set(data) == set(seed)
    term = data["众创空间"]
    assert [d["document"] for d in term["documents"]][:2] == [CITED["slug"], SEED]
    assert [d["occurrences"] for d in term["documents"]][:2] == [seed["众创空间"]["occurrences"]] * 2
    assert term["occurrences"] == sum(d["occurrences"] for d in term["documents"])

    page = html(client, "/glossary/")
    section = page[page.index('id="term-zhong-chuang-kong-jian"'):]
    section = section[:section.index("</section>")]
    for used in seed["众创空间"]["renderings"]["en"]["used"]:
        assert section.count(f"<li>{used['rendering']} ×{used['count']}</li>") >= 2
    assert (f'<a href="/{SEED}/concordance/?q=%E4%BC%97%E5%88%9B%E7%A9%BA%E9%97%B4">'
            f'{seed["众创空间"]["occurrences"]}</a>') in section


def test_the_library_glossary_can_show_only_terms_a_version_renders_in_more_than_one_way(client, library):
    data = {t["term"]: t for t in client.get("/api/glossary").json()["terms"]}
    varied = [zh for zh, t in data.items() if t["inconsistent"]]
    page = html(client, "/glossary/?inconsistent=1")

    # The published translations and the machine write 互联网+ differently, each always the same way.
    assert {h["version"] for h in data["互联网+"]["history"]} == {"en", "en-mt"}
    assert not data["互联网+"]["inconsistent"]
    assert data["新兴产业"]["inconsistent"]
    for t in data.values():
        versions = [h["version"] for h in t["history"]]
        assert t["inconsistent"] == (len(versions) > len(set(versions)))
    assert len(re.findall(r'<section class="library-term inconsistent" id="term-', page)) == len(varied)
    assert page.count('<section class="library-term') == len(varied)


def test_each_document_glossary_links_to_the_library_glossary(client, library):
    assert '<a href="/glossary/">The glossary across the library</a>' in html(client, f"/{SEED}/glossary/")


# Citations of library documents

def test_a_citation_of_a_library_document_by_its_title_links_to_its_reader_page(client, library):
    page = html(client, f"/{SEED}/")

    cell = cell_of(page, "3.3.1", "zh-hans")
    assert (f'贯彻落实《<a class="xref" href="/{CITED["slug"]}/" title="{CITED_TITLE}, '
            f'中发〔2015〕8号, 2015-03-13">{CITED_TITLE}</a>》，放宽') in cell
    # The sentence is still one sentence, with its anchor, and reads as the passage does.
    sentence = re.search(r'<span class="s[^"]*" data-s="2" id="c-3.3.1-s2"[^>]*>(.*?)</span>', cell).group(1)
    assert re.sub(r"<[^>]+>", "", sentence) == Sentence.objects.get(
        passage__clause__document=library[SEED], passage__clause__ref="3.3.1",
        passage__version__slug="zh-hans", index=2).text


def test_a_citation_in_traditional_characters_links_to_the_same_document(client, library):
    page = html(client, f"/{SEED}/?v=zh-hant,en")

    cell = cell_of(page, "3.3.1", "zh-hant")
    assert (f'貫徹落實《<a class="xref" href="/{CITED["slug"]}/" title="{CITED_TITLE}, '
            '中发〔2015〕8号, 2015-03-13">中共中央 國務院關于深化體制機制改革加快實施創新驅動發展戰略的若干意見</a>》') in cell


def test_a_linked_citation_keeps_its_pinyin(client, library):
    page = html(client, f"/{SEED}/?v=zh-hans,en&pinyin=1")

    cell = cell_of(page, "3.3.1", "zh-hans")
    link = re.search(rf'<a class="xref" href="/{CITED["slug"]}/"[^>]*>(.*?)</a>', cell).group(1)
    pinyin = '<rt lang="zh-Latn-pinyin" aria-hidden="true">'
    assert link.startswith(f"<ruby>中共{pinyin}zhōnggòng</rt>中央{pinyin}zhōngyāng</rt></ruby>")
    assert re.sub(r"<rt\b[^>]*>[^<]*</rt>|<[^>]+>", "", link) == CITED_TITLE
    assert f"实施{pinyin}shíshī</rt>" in link


def test_the_permalink_page_links_the_citation_in_both_scripts(client, library):
    page = html(client, f"/{SEED}/3.3.1/")
    assert page.count(f'<a class="xref" href="/{CITED["slug"]}/"') == 2


def test_a_document_does_not_link_a_citation_of_itself(client, library):
    page = html(client, f"/{CITED['slug']}/")
    assert 'class="xref"' not in page
    assert f"《{CITED_TITLE}》" in page


def test_a_citation_of_a_document_outside_the_library_stays_plain_text(client, library):
    Document.objects.filter(slug=CITED["slug"]).delete()
    page = html(client, f"/{SEED}/")
    assert 'class="xref"' not in page
    assert f"贯彻落实《{CITED_TITLE}》，放宽" in page
    # 《中国制造2025》 in the 2016 report names a document the library does not have.
    assert "《中国制造2025》" in html(client, "/gwr-2016/")


def test_citations_match_titles_in_either_script_with_or_without_the_issuer_and_any_quotation_marks(library):
    seed, cited = library[SEED], library[CITED["slug"]]
    index = CitationIndex.of_library()

    for citation in ("国务院关于积极推进“互联网+”行动的指导意见", "关于积极推进“互联网+”行动的指导意见",
                     "國務院關於積極推進「互聯網+」行動的指導意見", "关于积极推进互联网+行动的指导意见"):
        assert index.find(citation) == seed, citation
    for citation in ("中共中央国务院关于深化体制机制改革加快实施创新驱动发展战略的若干意见",
                     "关于深化体制机制改革加快实施创新驱动发展战略的若干意见"):
        assert index.find(citation) == cited, citation
    assert index.find("国务院关于深化体制机制改革加快实施创新驱动发展战略的若干意见") is None
    assert index.find("中国制造2025") is None
    assert index.find(CITED_TITLE, citing=cited) is None


def test_a_title_that_several_documents_share_links_none_of_them(client, library):
    index = CitationIndex.of_library()

    assert index.find("政府工作报告") is None
    pieces = index.pieces("审议《政府工作报告》。", library[SEED])
    assert [(p.text, p.url) for p in pieces] == [("审议《政府工作报告》。", "")]


# Placement uncertainty

def test_a_report_paragraph_placed_with_low_confidence_is_marked_with_its_score(client, library):
    uncertain = Passage.objects.filter(clause__document=library["gwr-2019"], placement__lt=0.5)
    assert uncertain.exists()
    page = html(client, "/gwr-2019/")

    assert page.count('class="placement-uncertain"') == uncertain.count()
    for passage in uncertain.select_related("clause"):
        cell = cell_of(page, passage.clause.ref, "en")
        assert f"? placement uncertain (score {passage.placement:.2f})" in text_of(cell)
        assert (f'title="The importer placed this paragraph under clause {passage.clause.ref} with a '
                f'score of {passage.placement:.2f} out of 1: check that it belongs here"') in cell
    sure = Passage.objects.filter(clause__document=library["gwr-2019"], version__slug="en",
                                  placement__gte=0.5).select_related("clause").first()
    assert "placement uncertain" not in cell_of(page, sure.clause.ref, "en")


def test_the_marker_follows_the_score_at_the_threshold(client, library):
    Passage.objects.filter(clause__document=library[SEED], clause__ref="2.1.1", version__slug="en").update(placement=0.49)
    Passage.objects.filter(clause__document=library[SEED], clause__ref="2.1.2", version__slug="en").update(placement=0.5)
    page = html(client, f"/{SEED}/")

    assert "placement uncertain (score 0.49)" in text_of(cell_of(page, "2.1.1", "en"))
    assert "placement uncertain" not in cell_of(page, "2.1.2", "en")
    assert page.count('class="placement-uncertain"') == 1
    assert "placement uncertain (score 0.49)" in text_of(html(client, f"/{SEED}/2.1.1/"))
