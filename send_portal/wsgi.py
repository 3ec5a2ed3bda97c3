import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "send_portal.settings")

# The youngest generation is collected after this many more container objects are
# alive than at its last collection (Python's default is 700, then every 10th of those
# collections reaches the middle generation and every 10th of those the old one).
YOUNG_COLLECTION_AFTER = 50_000


def settle_garbage_collector():
    """Once the portal is loaded: freeze what it loaded and collect young objects less often.

    What was loaded to start the portal (its code, settings, URL patterns, apps)
    lives as long as the process. Frozen, it is left out of the cyclic garbage
    collector's full collections, which otherwise walk every one of those objects
    again every few hundred requests, on whichever request happens to trigger them.

    A page builds tens of thousands of short-lived objects, freed by reference
    counting as the request ends; at Python's default threshold the collector
    stops a large page (the area page of the benchmark) some 80 times to look for
    cycles among them, about 5% of its time. Collected every 50,000 objects
    instead, requests seldom meet a collection; what they leave in cycles (rare:
    the portal's pages make few) waits at most 50,000 objects, a few megabytes.
    """
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_AFTER, middle, old)


application = get_wsgi_application()
settle_garbage_collector()
