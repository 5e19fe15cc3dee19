"""What the read-only routes answer besides their pages: 405 to methods that would change
something, and, for every path under /api/, errors as JSON ``{"error": …, "status": …}``.

The API's clients parse JSON; an HTML error page (Django's default for a 404 or a 500) or a
CSRF 403 in answer to a POST would leave them guessing. ``read_only`` goes on every reader,
API and search view; the error handlers are installed in config/urls.py. ``RefConverter`` is
the shape of a clause ref in a URL, so that junk (``%00``) is a 404 before any query is made.
"""
from __future__ import annotations

import re
from functools import wraps

from django.http import HttpResponse, JsonResponse
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt

from .sources.base import NAMED_REFS

API_PREFIX = "/api/"
SAFE_METHODS = ("GET", "HEAD")


class RefConverter:
    """A named ref (title, occasion, signature …) or dotted numbers: 0.1, 2, 2.1, 2.0.4, 3.7.3."""

    regex = r"(?:" + "|".join(NAMED_REFS) + r"|[0-9]{1,3}(?:\.[0-9]{1,3}){0,2})"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value

    @classmethod
    def matches(cls, value: str) -> bool:
        return re.fullmatch(cls.regex, value) is not None


def is_api(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def json_error(status: int, message: str, **extra) -> JsonResponse:
    return JsonResponse({"error": message, "status": status, **extra}, status=status,
                        json_dumps_params={"ensure_ascii": False})


def read_only(view):
    """GET and HEAD only: any other method answers 405 with an Allow header.

    The view is exempt from CSRF: it changes nothing, so there is no token to check, and the
    405 must come before the middleware's 403 (which would tell a client its token is wrong
    when the truth is that nothing here can be posted to).
    """
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method in SAFE_METHODS:
            return view(request, *args, **kwargs)
        message = f"{request.method[:20]} is not allowed: this is read-only (GET or HEAD)."
        if is_api(request):
            response = json_error(405, message)
        else:
            response = HttpResponse(message + "\n", status=405, content_type="text/plain; charset=utf-8")
        response["Allow"] = ", ".join(SAFE_METHODS)
        return response
    return csrf_exempt(wrapper)


# --- error handlers (config/urls.py): JSON under /api/, the HTML pages elsewhere ---------------

def not_found(request, exception):
    if is_api(request):
        return json_error(404, f"Nothing at {request.path[:200]}; the API starts at /api/documents.")
    return defaults.page_not_found(request, exception)


def bad_request(request, exception):
    if is_api(request):
        return json_error(400, "Bad request: the request could not be read (malformed, too many "
                               "parameters, or an unknown host).")
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    if is_api(request):
        return json_error(403, "Forbidden.")
    return defaults.permission_denied(request, exception)


def server_error(request):
    if is_api(request):
        return json_error(500, "Server error: it has been logged. Try again later.")
    return defaults.server_error(request)
