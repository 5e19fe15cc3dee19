"""Sentence segmentation of Chinese and English passages, on the real texts and hard cases."""
import pytest

from reader.segment import chinese_sentences, english_sentences, sentences


def texts(spans):
    return [s.text for s in spans]


def test_a_chinese_item_splits_into_its_heading_sentences_and_responsibility_line(corpus):
    spans = sentences(corpus.passage("zh-hans", "3.1.2").text, "zh-Hans")
    assert texts(spans)[0] == "2.强化应用基础。"
    assert texts(spans)[-1] == "（发展改革委、工业和信息化部等负责）"
    assert all(s.text.endswith(("。", "）")) for s in spans)


def test_a_closing_quote_or_bracket_stays_with_the_sentence_it_closes():
    assert texts(chinese_sentences("他说：“好。”然后走了。（完）")) == ["他说：“好。”", "然后走了。", "（完）"]


def test_sentence_offsets_point_at_the_passage_text_exactly(corpus):
    for p in corpus.passages:
        language = "en" if p.version.startswith("en") else "zh-Hans"
        for span in sentences(p.text, language):
            assert p.text[span.start:span.end] == span.text


def test_the_signature_lines_are_sentences_of_their_own(corpus):
    assert texts(sentences(corpus.passage("zh-hans", "signature").text, "zh-Hans")) == [
        "中华人民共和国国务院", "2015年7月1日"]
    assert texts(sentences(corpus.passage("en", "signature").text, "en")) == ["State Council", "1 July 2015."]


@pytest.mark.parametrize("text, expected", [
    ("Use cloud computing, big data, etc. to improve services. Then act.",
     ["Use cloud computing, big data, etc. to improve services.", "Then act."]),
    ("Support standards (ISO, IEC, etc.) and platforms. Then act.",
     ["Support standards (ISO, IEC, etc.) and platforms.", "Then act."]),
    ("See No. 40 of 2015, e.g. its annex. Then act.", ["See No. 40 of 2015, e.g. its annex.", "Then act."]),
    ("3. Developing open innovation. Encourage it.", ["3. Developing open innovation.", "Encourage it."]),
    ("(3) lay a solid industrial foundation. Efforts will be made.",
     ["(3) lay a solid industrial foundation.", "Efforts will be made."]),
    ("Implement the “Broadband China” strategy. Then act.",
     ["Implement the “Broadband China” strategy.", "Then act."]),
])
def test_english_abbreviations_labels_and_quotes_do_not_end_sentences(text, expected):
    assert texts(english_sentences(text)) == expected


def test_a_stray_closing_bracket_goes_back_to_the_sentence_it_closes():
    spans = english_sentences("Build platforms (funds, etc.). ) Open source to society.")
    assert texts(spans) == ["Build platforms (funds, etc.). )", "Open source to society."]


def test_a_final_responsibility_parenthesis_is_a_sentence_even_without_a_full_stop_before_it(corpus):
    spans = texts(sentences(corpus.passage("en", "3.3.2").text, "en"))
    assert spans[-1].startswith("(Development and Reform Commission")
    assert not spans[-2].endswith(")")
    assert texts(english_sentences("Act now (a small aside)")) == ["Act now (a small aside)"]


def test_a_segment_that_starts_with_a_comma_is_joined_to_the_sentence_it_continues(corpus):
    spans = texts(sentences(corpus.passage("en", "3.4.1").text, "en"))
    assert not any(s.startswith(",") for s in spans)
    assert any("other such areas., borrow mutual strength" in s for s in spans)


def test_real_passages_have_as_many_english_sentences_as_chinese_nearly_everywhere(corpus):
    # A segmenter that split at "etc." or labels would leave many clauses uneven.
    uneven = [ref for ref in corpus.refs
              if len(sentences(corpus.passage("zh-hans", ref).text, "zh-Hans"))
              != len(sentences(corpus.passage("en", ref).text, "en"))]
    assert len(uneven) <= 3, uneven


def test_threads_segmenting_at_once_each_get_their_own_texts_sentences():
    """gunicorn's threaded workers segment in several threads at once (the import page)."""
    from concurrent.futures import ThreadPoolExecutor
    texts = [f"Sentence one of text {n}. Sentence two of text {n}, a little longer. And a third, "
             f"number {n}." * 3 for n in range(40)]
    expected = [[s.text for s in sentences(t, "en")] for t in texts]
    with ThreadPoolExecutor(8) as pool:
        for _ in range(5):
            got = list(pool.map(lambda t: [s.text for s in sentences(t, "en")], texts))
            assert got == expected
