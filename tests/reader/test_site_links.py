"""The links every page carries (home, search, the API) follow the prefix the site is served
under, as Django's {% url %} does: they are reversed once per prefix, not once per page."""
from django.core.cache import cache
from django.test.utils import override_script_prefix


def test_every_page_links_home_search_and_the_api(library, client):
    for path in ("/", "/search/", "/guofa-2015-40/"):
        page = client.get(path).content.decode()
        assert all(f.replace("{0}", "/") in page for f in (
            'class="brand" href="{0}"', 'class="header-search" method="get" action="{0}search/"',
            'href="{0}api/documents"'))


def test_under_a_prefix_the_links_carry_it_and_without_it_they_do_not(library, client):
    with override_script_prefix("/duizhao/"):  # as a WSGI server's SCRIPT_NAME sets it
        prefixed = client.get("/search/", SCRIPT_NAME="/duizhao").content.decode()
    cache.clear()
    plain = client.get("/search/").content.decode()
    for link in ('class="brand" href="{0}"', 'class="header-search" method="get" action="{0}search/"',
                 'href="{0}api/documents"', 'class="search-form" method="get" action="{0}search/"'):
        assert link.replace("{0}", "/duizhao/") in prefixed
        assert link.replace("{0}", "/") in plain and link.replace("{0}", "/duizhao/") not in plain
