"""WSGI entry point (gunicorn config.wsgi)."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()

# Load the jieba dictionary now (gunicorn preloads this module in its master process), so that
# no visitor's first search pays for it and every worker shares the loaded copy.
from search.analysis import segmenter  # noqa: E402

segmenter()
