import os
import sys

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

from django.conf import settings  # noqa: E402

try:
    settings.SECRET_KEY  # noqa: B018 - the web server must never start without a key
except ImproperlyConfigured:
    sys.stderr.write(settings.UNCONFIGURED_HELP + "\n")
    raise SystemExit(1) from None
