import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "send_portal.settings")

application = get_wsgi_application()

# What was loaded to start the portal (its code, settings, URL patterns, apps) lives
# as long as the process. Frozen, it is left out of the cyclic garbage collector's
# full collections, which otherwise walk every one of those objects again every few
# hundred requests, on whichever request happens to trigger them.
gc.freeze()
