"""The analysis behind bilingual search (search/analysis.py), on the real passages.

Most tests search a small in-memory Whoosh index of the zh-hans and en passages, built with the
project's analyzers and queried through parse_query/whoosh_query, and compare the refs found with
what a plain substring or regex search of the same texts finds.
"""
import re

import pytest
from whoosh import query as wq
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import RamStorage

import search.analysis as analysis
from search.analysis import (QueryTerm, char_analyzer, fold, highlight, highlight_spans,
                             parse_query, read_dictionary, spelling_analyzer, whoosh_query,
                             word_analyzer)

INDEXED = ("zh-hans", "en")


@pytest.fixture(scope="module")
def index(corpus):
    schema = Schema(ref=ID(stored=True), version=ID(stored=True),
                    text=TEXT(analyzer=word_analyzer(), phrase=True, stored=False),
                    chars=TEXT(analyzer=char_analyzer(), phrase=True))
    ix = RamStorage().create_index(schema)
    writer = ix.writer()
    for p in corpus.passages:
        if p.version in INDEXED:
            writer.add_document(ref=p.ref, version=p.version, text=p.text, chars=p.text)
    writer.commit()
    return ix


def found(index, q):
    query = whoosh_query(parse_query(q))
    assert query is not None, f"nothing searchable in {q!r}"
    with index.searcher() as searcher:
        return {hit["ref"] for hit in searcher.search(query, limit=None)}


def refs_containing(corpus, needle):
    return {p.ref for p in corpus.passages if p.version in INDEXED and needle in p.text}


def refs_matching(corpus, pattern, version="en"):
    rx = re.compile(pattern, re.IGNORECASE)
    return {p.ref for p in corpus.passages if p.version == version and rx.search(p.text)}


def tokens(analyzer, text):
    return [(t.text, t.pos, t.startchar, t.endchar)
            for t in analyzer(text, positions=True, chars=True)]


# --- folding ---------------------------------------------------------------------------------

def test_fold_turns_traditional_full_width_and_capitals_into_simplified_ascii_lower_case():
    assert fold("網絡安全") == "网络安全"
    assert fold("ＩＰｖ６") == "ipv6"
    assert fold("國發〔2015〕40號") == "国发〔2015〕40号"  # 〔〕 are not touched by NFKC folding
    assert fold("（ＭＴＰＳ）") == "(mtps)"


def test_fold_keeps_the_length_of_text_with_lone_surrogates():
    assert fold("國\ud800家") == "国\ufffd家"


def test_fold_keeps_the_length_of_every_passage_in_every_version(corpus):
    for p in corpus.passages:
        assert len(fold(p.text)) == len(p.text), (p.version, p.ref)


def test_fold_of_a_traditional_passage_reads_as_the_simplified_one(corpus):
    hant = corpus.passage("zh-hant", "2.1.0").text
    assert "衆創空間" in hant
    assert "众创空间" in fold(hant)
    assert fold(hant).index("众创空间") == hant.index("衆創空間")


def test_fold_falls_back_to_character_by_character_when_opencc_changes_the_length(monkeypatch):
    real = analysis._t2s

    class LengthChangingConverter:
        """Like OpenCC t2s, but a whole-string rule that adds a character."""

        def convert(self, text):
            converted = real.convert(text)
            return converted + "者" if len(text) > 1 else converted

    monkeypatch.setattr(analysis, "_t2s", LengthChangingConverter())
    text = "發展改革委、國務院，ＩＣ卡"
    folded = fold(text)
    assert len(folded) == len(text)
    assert folded == "发展改革委、国务院,ic卡"


# --- analyzers -------------------------------------------------------------------------------

def test_word_positions_are_sequential_and_offsets_point_into_the_original_text(corpus):
    for version in ("zh-hans", "zh-hant", "en"):
        text = corpus.passage(version, "2.1.0").text
        toks = tokens(word_analyzer(), text)
        assert len(toks) > 30
        assert [pos for _, pos, _, _ in toks] == list(range(len(toks)))
        for word, _, start, end in toks:
            assert analysis.stem(fold(text[start:end])) == word


def test_stock_positions_bug_is_absent_a_passage_ends_at_a_small_position(corpus):
    text = corpus.passage("zh-hans", "0.1").text
    toks = tokens(word_analyzer(), text)
    assert toks[-1][1] == len(toks) - 1 < len(text) // 2


def test_char_positions_are_sequential_and_skip_one_only_at_punctuation(corpus):
    text = corpus.passage("zh-hans", "2.1.2").text
    toks = tokens(char_analyzer(), text)
    for (_, pos, _, end), (_, next_pos, next_start, _) in zip(toks, toks[1:]):
        between = text[end:next_start]
        assert next_pos == pos + (2 if between.strip() else 1), repr(between)
    assert all(len(t) == 1 for t, _, _, _ in toks if not t.isascii())
    assert "".join(t for t, _, _, _ in toks if not t.isascii()) == "".join(
        c for c in text if "\u4e00" <= c <= "\u9fff")


def test_policy_terms_and_department_names_are_single_tokens(corpus):
    words = [t for t, _, _, _ in tokens(word_analyzer(), corpus.passage("zh-hans", "2.1.0").text)]
    for term in ("众创空间", "大众创业", "万众创新", "发展改革委", "工业和信息化部",
                 "人力资源社会保障部"):
        assert term in words
    title = [t for t, _, _, _ in tokens(word_analyzer(), corpus.passage("zh-hans", "title").text)]
    assert "互联网+" in title and "互联网" not in title


def test_every_dictionary_entry_comes_out_of_the_word_analyzer_whole():
    entries = read_dictionary()
    assert len(entries) >= 40
    for word, _, _ in entries:
        assert [t for t, _, _, _ in tokens(word_analyzer(), word)] == [word]


def test_latin_inside_chinese_is_a_word_of_its_own_and_digits_are_kept(corpus):
    ic = next(p.text for p in corpus.passages if p.version == "zh-hans" and "IC卡" in p.text)
    ipv6 = next(p.text for p in corpus.passages if p.version == "zh-hans" and "IPv6" in p.text)
    assert ("ic", "卡") == tuple(t for t, _, _, _ in tokens(word_analyzer(), ic)
                                 if t in ("ic", "卡"))
    words = [t for t, _, _, _ in tokens(word_analyzer(), ipv6)]
    assert "ipv6" in words and "地址" in words
    assert [t for t, _, _, _ in tokens(word_analyzer(), "到2018年，到2025年")] == [
        "到", "2018", "年", "到", "2025", "年"]


def test_latin_words_are_stemmed_in_the_word_field_only():
    text = "Manufacturing R&D in China’s e-commerce"
    assert [t for t, _, _, _ in tokens(word_analyzer(), text)] == [
        "manufactur", "r&d", "in", "china", "e", "commerc"]
    assert [t for t, _, _, _ in tokens(char_analyzer(), text)] == [
        "manufacturing", "r&d", "in", "china", "e", "commerce"]


def test_spelling_analyzer_gives_unstemmed_latin_words_only():
    text = "推进IPv6，2018年 Manufacturing and ＣＬＯＵＤ computing"
    assert [t.text for t in spelling_analyzer()(text)] == [
        "ipv6", "manufacturing", "and", "cloud", "computing"]


# --- searching the index ---------------------------------------------------------------------

def test_phrase_query_for_a_chinese_term_finds_exactly_the_passages_that_contain_it(index, corpus):
    expected = refs_containing(corpus, "众创空间")
    assert len(expected) >= 2
    assert found(index, "众创空间") == expected
    assert found(index, '"众创空间"') == expected


def test_a_single_character_is_found_exactly_where_the_text_has_it(index, corpus):
    expected = refs_containing(corpus, "国")
    assert len(expected) > 10
    assert found(index, "国") == expected


def test_a_substring_across_a_word_boundary_is_found_exactly_where_the_text_has_it(index, corpus):
    expected = refs_containing(corpus, "创空")
    assert expected == refs_containing(corpus, "众创空间")
    assert found(index, "创空") == expected
    # Across punctuation is not contiguous text: 创新。推动 does not contain 新推.
    assert found(index, "新推") == refs_containing(corpus, "新推")


def test_whitespace_between_chinese_characters_does_not_break_contiguity(index, corpus):
    assert "中共中央 国务院" in corpus.passage("zh-hans", "3.3.1").text
    assert "3.3.1" in found(index, "中央国务院")


def test_traditional_query_finds_the_simplified_passages(index, corpus):
    expected = refs_containing(corpus, "网络安全")
    assert expected
    assert found(index, "網絡安全") == expected


def test_full_width_ipv6_finds_ipv6(index, corpus):
    expected = {p.ref for p in corpus.passages
                if p.version in INDEXED and "ipv6" in p.text.lower()}
    assert expected
    assert found(index, "ＩＰｖ６") == found(index, "IPv6") == found(index, "ipv6") == expected


def test_latin_inside_chinese_is_searchable_with_or_without_the_chinese(index, corpus):
    assert found(index, "IC卡") == refs_containing(corpus, "IC卡") != set()
    assert found(index, "MTPS") == refs_containing(corpus, "MTPS") != set()


def test_manufacture_finds_every_passage_with_a_form_of_the_word(index, corpus):
    expected = refs_matching(corpus, r"\bmanufactur(?:e|es|ed|ing|er|ers)\b")
    assert len(expected) > 5
    assert found(index, "manufacture") == expected
    assert found(index, "manufacturing") == expected
    assert found(index, "Manufactured") == expected


def test_multi_word_english_query_requires_every_word(index, corpus):
    cloud = refs_matching(corpus, r"\bclouds?\b")
    finance = refs_matching(corpus, r"\bfinanc(?:e|es|ed|ing|ial)\b")
    both = found(index, "cloud finance")
    assert both == cloud & finance
    assert both and both != cloud and both != finance


def test_quoted_cloud_computing_is_a_phrase(index, corpus):
    expected = refs_matching(corpus, r"\bclouds?\W+comput(?:e|es|ed|ing|er|ers|ation)\b")
    assert found(index, '"cloud computing"') == expected
    assert found(index, "“cloud computing”") == expected


def test_quoted_english_words_must_be_adjacent_unquoted_ones_need_not_be(index, corpus):
    expected = refs_matching(corpus, r"\bpublic\W+servic(?:e|es|ed|ing)\b")
    assert found(index, '"public services"') == expected
    assert expected < found(index, "public services")


def test_internet_plus_matches_only_passages_with_the_plus(index, corpus):
    with_plus = refs_containing(corpus, "互联网+")
    without = refs_containing(corpus, "互联网")
    assert with_plus and with_plus < without
    assert found(index, "互联网+") == with_plus
    assert found(index, "“互联网+”") == with_plus
    assert found(index, "互联网") == without
    assert found(index, "互聯網＋") == with_plus


def test_several_chinese_terms_are_all_required(index, corpus):
    expected = refs_containing(corpus, "云计算") & refs_containing(corpus, "物联网")
    assert expected
    assert found(index, "云计算 物联网") == expected


def test_results_with_the_whole_word_rank_above_character_only_matches(index):
    query = whoosh_query(parse_query("创新"))
    with index.searcher() as searcher:
        hits = searcher.search(query, limit=None)
        assert len(hits) > 3
        assert hits[0].score > hits[len(hits) - 1].score


HOSTILE = ["AND", "NOT", "OR", "*", "?", "title:x", '"unbalanced', "((", "))", "\x00",
           "a\x00b", "<script>alert(1)</script>", "x" * 1000, "国" * 1000, "x" * 5000,
           '"', '""', "“”", "「", "+", "-", "AND OR NOT", "text:国", "chars:*", "互联网+*",
           "\u200b\u202e", "\ud800", "国\udfff家", "'; DROP TABLE", "\\", "~2", "^3", "[a TO z]", "{}", ""]


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_queries_never_raise_and_give_none_or_a_runnable_query(index, q):
    query = whoosh_query(parse_query(q))
    assert query is None or isinstance(query, wq.Query)
    if query is not None:
        with index.searcher() as searcher:
            searcher.search(query, limit=10)


def test_bare_operators_wildcards_and_brackets_leave_nothing_to_search():
    for q in ("AND", "NOT", "OR", "*", "?", "((", "", "   ", "\x00", '""'):
        assert whoosh_query(parse_query(q)) is None, q


def test_field_syntax_is_read_as_plain_words():
    assert parse_query("title:x") == [QueryTerm("title"), QueryTerm("x")]
    assert parse_query("NOT cloud AND data") == [QueryTerm("cloud"), QueryTerm("data")]


def test_quotes_make_phrases_and_an_unbalanced_quote_is_ignored():
    assert parse_query('"cloud computing" data') == [QueryTerm("cloud computing", phrase=True),
                                                     QueryTerm("data")]
    assert parse_query("「众创空间」") == [QueryTerm("众创空间", phrase=True)]
    assert parse_query('"cloud computing') == [QueryTerm("cloud"), QueryTerm("computing")]
    assert parse_query("e-commerce") == [QueryTerm("e-commerce", phrase=True)]


def test_a_very_long_query_is_capped():
    terms = parse_query("国" * 5000)
    assert len(terms) == 1 and len(terms[0].text) == analysis.MAX_QUERY_CHARS


def test_a_pasted_sentence_longer_than_the_phrase_cap_finds_its_passage(index, corpus):
    text = corpus.passage("zh-hans", "2.1.2").text
    pasted = text[:120]
    assert len(pasted) > analysis.MAX_PHRASE_TOKENS
    assert found(index, pasted) == refs_containing(corpus, pasted) == {"2.1.2"}


def test_analyzers_survive_pickling_because_whoosh_stores_the_schema_in_the_index():
    import pickle

    for make in (word_analyzer, char_analyzer, spelling_analyzer):
        analyzer = pickle.loads(pickle.dumps(make()))
        assert tokens(analyzer, "互联网+ IPv6") == tokens(make(), "互联网+ IPv6")


# --- highlighting ----------------------------------------------------------------------------

def test_highlight_marks_every_occurrence_of_a_chinese_term(corpus):
    text = corpus.passage("zh-hans", "2.1.2").text
    html = highlight(text, parse_query("众创空间"))
    assert html.count("<mark>众创空间</mark>") == text.count("众创空间") == 3
    assert re.sub(r"</?mark>", "", html) == text


def test_highlight_marks_whole_english_words_sharing_the_query_stem(corpus):
    text = corpus.passage("en", "2.2.0").text
    assert "manufacturing" in text
    html = highlight(text, parse_query("manufacture"))
    assert html.count("<mark>manufacturing</mark>") + html.count("<mark>Manufacturing</mark>") \
        == len(re.findall(r"\bmanufacturing\b", text, re.IGNORECASE))
    assert "<mark>manufactur</mark>" not in html


def test_highlight_marks_a_phrase_as_one_span():
    text = "use cloud computing, not cloud storage; computing clouds"
    spans = highlight_spans(text, parse_query('"cloud computing"'))
    assert [text[s:e] for s, e in spans] == ["cloud computing"]


def test_highlight_escapes_html_in_the_text():
    text = '<script>alert("x")</script> 推进“互联网+”行动 & <b>bold</b>'
    html = highlight(text, parse_query("互联网+ script"))
    assert "<script" not in html and "<b>" not in html
    assert "&lt;<mark>script</mark>&gt;" in html
    assert "<mark>互联网+</mark>" in html
    assert "&amp;" in html


def test_highlight_offsets_map_to_the_original_traditional_text(corpus):
    hant = corpus.passage("zh-hant", "2.1.2").text
    spans = highlight_spans(hant, parse_query("众创空间"))
    assert spans and all(hant[s:e] == "衆創空間" for s, e in spans)
    assert "<mark>衆創空間</mark>" in highlight(hant, parse_query("众创空间"))
    hans = corpus.passage("zh-hans", "2.1.2").text
    assert "<mark>众创空间</mark>" in highlight(hans, parse_query("衆創空間"))


def test_a_snippet_is_cut_around_the_first_match_with_ellipses(corpus):
    text = corpus.passage("zh-hans", "3.1.2").text
    first = text.index("物联网")
    html = highlight(text, parse_query("物联网"), around=10)
    assert html.startswith("…") and html.endswith("…")
    assert html == "…" + text[first - 10:first] + "<mark>物联网</mark>" + text[first + 3:first + 13] + "…"


def test_an_english_snippet_does_not_cut_words(corpus):
    text = corpus.passage("en", "2.2.0").text
    html = highlight(text, parse_query("manufacturing"), around=40)
    plain = re.sub(r"</?mark>", "", html).strip("…")
    assert plain in text
    start = text.index(plain)
    end = start + len(plain)
    assert "<mark>manufacturing</mark>" in html
    assert not (text[start - 1].isalnum() and text[start].isalnum())
    assert not (text[end - 1].isalnum() and text[end].isalnum())
    assert plain == plain.strip()


def test_the_highlighters_token_cache_never_holds_more_tokens_than_its_budget_and_still_marks_right(corpus):
    # A worker serving ever new queries keeps tokens of the texts it highlights; what it keeps
    # is bounded by tokens held, so memory stops growing however long the texts are.
    cache = analysis._TokenCache(lambda text: analysis._Tokens.of(analysis.char_tokens(fold(text))), budget=1_000)
    texts = [p.text for p in corpus.passages if p.version == "zh-hans"]
    held = []
    for text in texts:
        tokens = cache(text)
        held.append(cache.held)
        assert [text[s:e] for s, e in zip(tokens.starts, tokens.ends)] \
            == [text[s:e] for _, s, e, _ in analysis.char_tokens(fold(text))]
    assert sum(len(t) for t in texts) > 10 * 1_000  # the texts are far larger than the budget
    assert max(held) <= 1_000 and len(cache.entries) < len(texts)
    assert cache(texts[-1]) is cache(texts[-1])  # the most recent stays cached


def test_highlighting_marks_the_same_spans_with_a_cold_cache_and_a_warm_one(corpus):
    text = corpus.passage("zh-hant", "2.1.2").text
    terms = parse_query("众创空间 互联网")
    analysis._passage_chars.clear()
    cold = highlight_spans(text, terms)
    warm = highlight_spans(text, terms)
    assert cold == warm and [text[s:e] for s, e in cold].count("衆創空間") == 3


def test_a_rendering_is_all_of_a_query_by_key_exactly_when_term_spans_finds_it_whole():
    # The concordance looks renderings up by their whole key instead of matching the query
    # against each one; the two must agree on every rendering, for queries that are the
    # rendering itself, its variants and its neighbours' words.
    from django.conf import settings

    from reader.glossary import load_glossary
    from search.analysis import term_key, term_spans, whole_key

    renderings = sorted({r for term in load_glossary(settings.GLOSSARY_FILE).terms
                         for rs in term.renderings.values() for r in rs})
    assert len(renderings) > 100
    queries = set()
    for r in renderings:
        queries.update({r, r.upper(), r + "s", f"“{r}”", r + ".", " ".join(r.split()[:1]),
                        " ".join(r.split()[1:]), r.replace(" ", "-")})
    agreed = 0
    for q in sorted(queries):
        key = term_key(q)
        for r in renderings:
            by_scan = term_spans(r, q) == [(0, len(r))]
            by_key = bool(key) and whole_key(r, chinese=key[0]) == key
            assert by_scan == by_key, (q, r)
            agreed += by_scan
    assert agreed >= len(renderings)  # each rendering is at least all of itself


def test_a_term_without_chinese_is_found_in_every_passage_exactly_where_it_is_among_jiebas_words(
        corpus, report_corpora, monkeypatch):
    # Highlighting looks for an English term among Latin words, each Chinese run one token,
    # instead of segmenting the Chinese with jieba first: the same spans, in every passage of the
    # library (Chinese with Latin inside, English with Chinese inside), for the library's own
    # English words, word pairs as phrases and not, numbers and names like IPv6 and R&D.
    from search.analysis import stem, term_spans, word_tokens

    passages = [p for c in [corpus, *report_corpora] for p in c.passages]
    texts = sorted({p.text for p in passages}) + ["cloud 云 computing, cloud computing", "Internet 加 Plus行动"]
    mixed = [t for t in texts if re.search(r"[\u4e00-\u9fff]", t) and re.search(r"[A-Za-z0-9]", t)]
    words = sorted({w.lower() for t in texts for w in re.findall(r"[A-Za-z]{3,}", t)})
    queries = words[::40] + ["IPv6", "R&D", "5G", "2015", "O2O", "P2P", "13th Five-Year Plan",
                             "cloud computing", "Internet Plus", "made in china 2025"]
    queries += [f'"{a} {b}"' for a, b in zip(words[::97], words[5::97])]
    terms = [parse_query(q) for q in queries]
    assert len(mixed) > 50 and len(terms) > 100

    def spans_of(texts):
        return [([highlight_spans(t, ts) for ts in terms], [term_spans(t, q) for q in queries]) for t in texts]

    fast = spans_of(texts)
    jieba_words = analysis._TokenCache(lambda text: analysis._Tokens.of(
        (stem(w), s, e, pos) for pos, (w, s, e) in enumerate(word_tokens(fold(text)))), 10**7)
    monkeypatch.setattr(analysis, "_passage_words", jieba_words)
    assert fast == spans_of(texts)
    assert sum(bool(spans) for found, _ in fast for spans in found) > 1000  # found, not only agreed absent


def test_the_highlighters_character_tokens_are_the_char_fields_tokens_in_every_passage(corpus, report_corpora):
    # Highlighting keeps character tokens as arrays, made a Chinese run at a time; they must be
    # the tokens the index's char field has (char_tokens), text, offsets and positions.
    texts = sorted({p.text for c in [corpus, *report_corpora] for p in c.passages})
    texts += ["", "。", "互联网+行动、“互联网 +”。IPv6 地址", "＋+互联网++創新（R&D）’s 5G"]
    for text in texts:
        made = analysis._passage_chars(text)
        expected = analysis.char_tokens(fold(text))
        assert (list(made.keys), list(made.starts), list(made.ends), list(made.positions)) \
            == ([t for t, _, _, _ in expected], [s for _, s, _, _ in expected],
                [e for _, _, e, _ in expected], [p for _, _, _, p in expected]), text


def test_highlighting_finds_the_same_in_every_passage_when_it_skips_chinese_a_text_cannot_hold(
        corpus, report_corpora, monkeypatch):
    # A passage with no Chinese in it (most English ones) is not tokenized for the Chinese of a
    # query, only for its Latin parts (IPv6, 5G): the spans must be those of looking for all of it.
    passages = [p for c in [corpus, *report_corpora] for p in c.passages]
    texts = sorted({p.text for p in passages}) + ["IPv6 and 5G", "ＩＰｖ６ networks, R&D", "互联网"]
    queries = ["互联网", "国", "的", "IPv6、地址", "IPv6地址", "5G 网络", "R&D 研发", "創新", "互联网+",
               "众创空间", "“互联网+”行动", "O2O、P2P", "十三五", '"IPv6、地址"', '"5G，网络"']
    terms = [parse_query(q) for q in queries]
    english = [t for t in texts if not re.search(r"[\u4e00-\u9fff]", t)]
    assert len(english) > 300

    def spans_of():
        return [[highlight_spans(t, ts) for ts in terms] for t in texts]

    skipping = spans_of()
    monkeypatch.setattr(analysis, "_MAYBE_CHINESE", re.compile(""))  # every text may hold Chinese
    assert skipping == spans_of()
    # the Latin parts of a quoted Chinese phrase are still found in English
    assert [texts[-3][s:e] for s, e in skipping[-3][-2]] == ["IPv6"]
