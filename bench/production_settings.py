"""config.settings for a benchmark's gunicorn: production settings (DEBUG off), static file names unhashed.

Pages name their assets through the manifest of `collectstatic` with DEBUG off; the benchmark measures the
pages, not the assets (it never fetches them), so it renders plain /static/ names and needs no collected tree.
"""

from config.settings import *  # noqa: F403
from config.settings import STORAGES

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
