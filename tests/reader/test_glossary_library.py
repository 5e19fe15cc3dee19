"""The glossary across the library: the terms of the Reports on the Work of the Government
(2016, 2019, 2020) next to those of the seed document, each identified in the official English
translation of every document that uses it, on the real texts.

The four documents are ingested once for the module, as ``manage.py ingest`` reads them, and
removed after it. Each test runs in a transaction that is rolled back, with the page cache
emptied.
"""
from collections import Counter

from django.conf import settings
from django.core.cache import cache

from reader.align import align
from reader.glossary import Glossary, occurrences
from reader.models import Occurrence, Passage, Term
from search.analysis import term_spans

SEED = "guofa-2015-40"
REPORTS = ["gwr-2016", "gwr-2019", "gwr-2020"]  # oldest first
LIBRARY_DIR = settings.BASE_DIR / "fixtures" / "documents"


def _library_term(client, zh):
    return next(t for t in client.get("/api/glossary").json()["terms"] if t["term"] == zh)


def _used(entry, version="en"):
    """Rendering -> count of one document's use of a term, as the library glossary reports it."""
    return {u["rendering"]: u["count"] for u in entry["renderings"][version]["used"]}


def test_the_glossary_has_the_key_terms_of_the_reports_and_each_term_occurs_in_some_document(library, corpus):
    glossary = corpus.glossary
    named = {t.zh for t in glossary.terms}
    assert {"供给侧结构性改革", "稳增长", "三大攻坚战", "放管服", "六稳", "六保", "新发展理念",
            "高质量发展", "乡村振兴", "脱贫攻坚", "一带一路", "大众创业、万众创新", "互联网+",
            "营商环境", "减税降费", "新型城镇化", "简政放权", "国内生产总值", "居民消费价格"} <= named
    counts = Counter()
    for zh, count in Term.objects.values_list("zh", "count"):
        counts[zh] += count
    assert [t.zh for t in glossary.terms if counts[t.zh] == 0] == []
    seed_terms = set(Term.objects.filter(document=library[SEED], count__gt=0).values_list("zh", flat=True))
    report_terms = set(Term.objects.filter(document__slug__in=REPORTS, count__gt=0).values_list("zh", flat=True))
    assert len(named - seed_terms) == 57 and named - seed_terms <= report_terms


def test_every_rendering_listed_for_a_version_is_identified_in_at_least_one_document_of_the_library(library, corpus):
    identified = set(Occurrence.objects.filter(rendering__isnull=False)
                     .values_list("term__zh", "version__slug", "rendering__text"))
    listed = [(t.zh, version, r) for t in corpus.glossary.terms for version in ("en", "en-mt")
              for r in t.renderings_for(version)]
    assert len(listed) > 300
    assert [x for x in listed if x not in identified] == []


def test_supply_side_structural_reform_is_identified_in_each_report_with_the_renderings_the_official_translation_uses(client, library):
    term = _library_term(client, "供给侧结构性改革")

    assert [d["document"] for d in term["documents"]] == REPORTS  # never in the seed (2015-07)
    for use in term["documents"]:
        text = "".join(Passage.objects.filter(clause__document__slug=use["document"], version__slug="zh-hans")
                       .values_list("text", flat=True))
        assert use["occurrences"] == text.count("供给侧结构性改革") > 0
    by_document = {d["document"]: _used(d) for d in term["documents"]}
    assert by_document["gwr-2016"] == {"supply-side structural reform": 4,
                                       "structural reform on the supply side": 1}
    assert set(by_document["gwr-2019"]) == set(by_document["gwr-2020"]) == {"supply-side structural reform"}

    for o in Occurrence.objects.filter(term__zh="供给侧结构性改革", rendering__isnull=False).select_related(
            "rendering", "clause", "version"):
        sentence = o.clause.passages.get(version=o.version).sentences.get(index=o.target_sentence).text
        assert sentence[o.target_start:o.target_end].lower() == o.rendering.text.lower()


def test_the_library_glossary_shows_the_official_translations_moving_from_one_belt_one_road_to_the_belt_and_road_initiative(client, library):
    term = _library_term(client, "一带一路")
    official = {d["document"]: _used(d) for d in term["documents"]}

    assert list(official) == [SEED] + REPORTS
    assert set(official[SEED]) == {"One Belt, One Road"}
    for slug in REPORTS:
        assert "Belt and Road Initiative" in official[slug] and "One Belt, One Road" not in official[slug]
    history = {(h["version"], h["rendering"]): h for h in term["history"]}  # one per version slug
    assert (history["en", "One Belt, One Road"]["first"]["document"], history["en", "One Belt, One Road"]["last"]["document"]) == (SEED, SEED)
    # The seed's machine translation already had the later name; its official one did not.
    assert history["en-mt", "Belt and Road Initiative"]["first"]["document"] == SEED
    assert history["en", "Belt and Road Initiative"]["first"]["document"] == REPORTS[0]
    assert history["en", "Belt and Road Initiative"]["last"]["document"] == "gwr-2020"
    assert history["en", "BRI"]["first"]["document"] == "gwr-2019"


def test_a_slogan_the_translations_word_differently_over_the_years_shows_each_wording_where_it_is_used(client, library):
    term = _library_term(client, "全面建成小康社会")
    history = {h["rendering"]: h for h in term["history"]}

    finishing = history["finishing building a moderately prosperous society in all respects"]
    assert (finishing["first"]["document"], finishing["last"]["document"]) == ("gwr-2016", "gwr-2016")
    building = history["building a moderately prosperous society in all respects"]
    assert (building["first"]["document"], building["last"]["document"]) == ("gwr-2019", "gwr-2020")
    assert term["inconsistent"] is True


def _clauses(corpus, version):
    out = []
    for ref in corpus.refs:
        zh = [s.text for s in corpus.sentences.get(("zh-hans", ref), [])]
        en = [s.text for s in corpus.sentences.get((version, ref), [])]
        beads = [([i + 1 for i in b.source], [j + 1 for j in b.target], b.score)
                 for b in align(zh, en)] if zh and en else []
        out.append((ref, zh, en, beads))
    return out


def test_a_term_of_the_reports_not_in_the_seed_document_has_no_occurrences_there_and_does_not_disturb_its_counts(library, corpus):
    seed = library[SEED]
    assert Term.objects.get(document=seed, zh="供给侧结构性改革").count == 0
    assert not Occurrence.objects.filter(clause__document=seed, term__zh="供给侧结构性改革").exists()

    text = "".join(p.text for p in corpus.passages if p.version == "zh-hans")
    in_seed = Glossary("seed", tuple(t for t in corpus.glossary.terms if term_spans(text, t.zh)))
    assert len(in_seed.terms) == 83 < len(corpus.glossary.terms)
    for version in ("en", "en-mt"):
        clauses = _clauses(corpus, version)
        everything = occurrences(corpus.glossary, version, clauses)
        only_seed = occurrences(in_seed, version, clauses)
        assert everything == only_seed
        stored = Occurrence.objects.filter(clause__document=seed, version__slug=version)
        assert stored.count() == len(everything)
        assert stored.filter(rendering__isnull=False).count() == sum(1 for o in everything if o.rendering)


CONCORDANCE_QUERIES = ["国", "互联网", "发展", "互联网+", "供给侧结构性改革", "網絡安全", "大众创业、万众创新",
                       "the", "development", "GDP", "IPv6", "2018", "mass creation spaces",
                       "supply-side structural reform", "Belt and Road"]


def _every_sentence(snapshot, q, versions):
    """What a concordance read before it had an index of tokens: every sentence of ``versions``."""
    return {(cid, v.id, n) for v in versions for cid in snapshot.clauses
            for n in range(1, len(snapshot.texts.get((cid, v.id), [])) + 1)}


def test_the_concordance_pages_are_the_same_as_when_every_sentence_was_read(client, library, monkeypatch):
    from reader import terms

    def pages():
        out = {}
        for q in CONCORDANCE_QUERIES:
            for url in ("/concordance/", "/guofa-2015-40/concordance/", "/gwr-2019/concordance/"):
                for page in ("1", "2"):
                    cache.clear()
                    out[url, q, page] = client.get(url, {"q": q, "page": page}).content.decode()
        return out

    indexed = pages()
    monkeypatch.setattr(terms._Snapshot, "candidates", _every_sentence)
    read_whole = pages()

    assert indexed == read_whole
    assert sum("kwic-line" in page for page in indexed.values()) > 40  # lines were found
