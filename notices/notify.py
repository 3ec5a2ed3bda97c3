"""An email backend that sends through GOV.UK Notify, with Notify's official client.

Select it with ``EMAIL_BACKEND=notices.notify.NotifyEmailBackend`` and set
``NOTIFY_API_KEY`` and ``NOTIFY_TEMPLATE_ID`` (``NOTIFY_BASE_URL`` only to
use another Notify address). Notify sends from its own templates, so the
service needs one email template whose subject is ``((subject))`` and whose
body is ``((body))``: each email's subject and plain-text body fill them in.
Notify draws its own HTML from the text, so the HTML version is not sent.
A mail's one-click unsubscribe address goes to Notify as
``one_click_unsubscribe_url``, and the outbox row's reference as
``reference``.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail.backends.base import BaseEmailBackend
from notifications_python_client.notifications import NotificationsAPIClient

from .tasks import REFERENCE_HEADER


def _header(message, name):
    for key, value in message.extra_headers.items():
        if key.lower() == name.lower():
            return str(value)
    return ""


class NotifyEmailBackend(BaseEmailBackend):
    def __init__(self, *, api_key=None, template_id=None, base_url=None, timeout=30, **kwargs):
        super().__init__(**kwargs)
        self.api_key = api_key or getattr(settings, "NOTIFY_API_KEY", "")
        self.template_id = template_id or getattr(settings, "NOTIFY_TEMPLATE_ID", "")
        self.base_url = base_url or getattr(settings, "NOTIFY_BASE_URL", None)
        self.timeout = timeout
        if not (self.api_key and self.template_id):
            raise ImproperlyConfigured(
                "GOV.UK Notify needs an API key and an email template's ID "
                "(NOTIFY_API_KEY and NOTIFY_TEMPLATE_ID)."
            )
        self.client = None

    def open(self):
        if self.client is None:
            options = {"timeout": self.timeout}
            if self.base_url:
                options["base_url"] = self.base_url
            self.client = NotificationsAPIClient(self.api_key, **options)
        return self.client

    def close(self):
        self.client = None

    def send_messages(self, email_messages):
        """Send each message to each of its recipients; Notify's errors are raised, not hidden."""
        if not email_messages:
            return 0
        client = self.open()
        sent = 0
        for message in email_messages:
            recipients = message.recipients()
            if not recipients:
                continue
            unsubscribe = _header(message, "List-Unsubscribe").strip().strip("<>")
            reference = _header(message, REFERENCE_HEADER)
            for address in recipients:
                client.send_email_notification(
                    email_address=address,
                    template_id=self.template_id,
                    personalisation={"subject": str(message.subject), "body": message.body},
                    reference=reference or None,
                    one_click_unsubscribe_url=unsubscribe or None,
                )
            sent += 1
        return sent
