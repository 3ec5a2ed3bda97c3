"""Signals the notices layer sends for the layers above it.

``schedule_ran(sender=None, now=now)`` is sent by ``manage.py send_reminders``
after its jobs have run, so a higher layer (the public site's digests) can do
its own scheduled work without this layer importing it.
"""

from django.dispatch import Signal

schedule_ran = Signal()
