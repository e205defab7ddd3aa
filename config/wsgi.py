import os
from importlib import import_module

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
# Every view, serializer and form module now, at start (in gunicorn's master with preload_app), not in each
# worker's first request: that one took 1.5 s and more on a busy 2-core machine.
import_module(settings.ROOT_URLCONF)
