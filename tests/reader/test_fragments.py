"""The pieces of a page rendered by Jinja2 (reader/fragments.py: a page of search results,
concordance lines) escape what they quote as the rest of the page does, on the real library:
the reports' English has "R&D" where the Chinese has 研发."""
import jinja2
import pytest

from reader.fragments import render_fragment


def test_search_results_show_an_aligned_ampersand_escaped(indexed_library, db, client):
    page = client.get("/search/", {"q": "研发"}).content.decode()
    assert page.count('<li class="result"') == 20
    assert "R&amp;D" in page  # the English sentence aligned with a Chinese hit
    assert "R&D" not in page


def test_concordance_lines_show_a_rendering_with_an_ampersand_escaped(indexed_library, db, client):
    for url in ("/concordance/", "/gwr-2019/concordance/"):
        page = client.get(url, {"q": "研发"}).content.decode()
        assert page.count('<li class="kwic-line">') > 3
        assert "R&amp;D" in page
        assert "R&D" not in page


def test_a_fragment_not_given_a_value_it_names_fails_instead_of_rendering_nothing():
    with pytest.raises(jinja2.UndefinedError):
        render_fragment("search/_results.jinja", {})
