"""The GOV.UK Notify email backend, talking to a real HTTP server started by the test.

The server stands in for Notify's API: it records each request and answers as
Notify does. Notify's official client is used as it is, not mocked, so the
test sees the real request: its path, its JSON body and its signed token.
"""

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMultiAlternatives, mailers

from notices.kinds import Kind
from notices.models import OutboxMessage
from notices.notify import NotifyEmailBackend
from notices.outbox import queue_message
from tests.test_settings import start

SERVICE_ID = str(uuid.UUID(int=0x5E4D1))
SECRET = str(uuid.UUID(int=0xC0FFEE))
API_KEY = f"portal_test-{SERVICE_ID}-{SECRET}"
TEMPLATE_ID = str(uuid.UUID(int=0x7E3))


class FakeNotify(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(length) or b"{}")
        self.server.seen.append(
            {"path": self.path, "headers": dict(self.headers.items()), "json": body}
        )
        status, answer = self.server.answer
        payload = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def notify_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeNotify)
    server.seen = []
    server.answer = (201, {"id": str(uuid.uuid4()), "content": {}, "template": {}})
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def use_notify(settings, notify_server):
    settings.MAILERS = {
        "default": {
            "BACKEND": "notices.notify.NotifyEmailBackend",
            "OPTIONS": {
                "api_key": API_KEY,
                "template_id": TEMPLATE_ID,
                "base_url": notify_server.url,
            },
        }
    }
    return notify_server


def test_a_mail_goes_to_notify_as_one_template_with_subject_and_body(use_notify):
    message = EmailMultiAlternatives(
        subject="Your update needs some changes – Testshire",
        body="Hello Bilal,\n\nOlivia sent your update back.",
        to=["bilal@example.org"],
        headers={
            "List-Unsubscribe": "<http://127.0.0.1:8000/notices/unsubscribe/abc/>",
            "X-Outbox-Reference": "outbox-7",
        },
    )
    message.attach_alternative("<p>Hello Bilal,</p>", "text/html")

    assert mailers.default.send_messages([message]) == 1

    (request,) = use_notify.seen
    assert request["path"] == "/v2/notifications/email"
    assert request["json"] == {
        "email_address": "bilal@example.org",
        "template_id": TEMPLATE_ID,
        "personalisation": {
            "subject": "Your update needs some changes – Testshire",
            "body": "Hello Bilal,\n\nOlivia sent your update back.",
        },
        "reference": "outbox-7",
        "one_click_unsubscribe_url": "http://127.0.0.1:8000/notices/unsubscribe/abc/",
    }
    scheme, token = request["headers"]["Authorization"].split(" ")
    assert scheme == "Bearer"
    claims = jwt.decode(token, key=SECRET, algorithms=["HS256"])
    assert claims["iss"] == SERVICE_ID
    assert isinstance(claims["iat"], int)
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, key=str(uuid.uuid4()), algorithms=["HS256"])


def test_each_recipient_is_a_notification_of_its_own(use_notify):
    message = EmailMultiAlternatives(
        subject="Hello", body="Hello", to=["a@example.org"], cc=["b@example.org"]
    )

    assert mailers.default.send_messages([message]) == 1

    assert [r["json"]["email_address"] for r in use_notify.seen] == [
        "a@example.org",
        "b@example.org",
    ]
    assert "reference" not in use_notify.seen[0]["json"]


def test_the_outbox_sends_through_notify_and_records_it(people, committed, use_notify):
    message = committed(
        queue_message,
        key="notify-test",
        kind=Kind.UPDATE_APPROVED,
        to="bilal@example.org",
        template="update_approved",
        context={"name": "Bilal", "area_name": "Testshire", "by_name": "Olivia"},
        user=people.board_member,
    )

    message.refresh_from_db()
    assert message.state == OutboxMessage.State.SENT
    (request,) = use_notify.seen
    sent = request["json"]
    assert sent["personalisation"]["subject"] == "An officer approved your update – Testshire"
    assert sent["personalisation"]["body"] == message.body_text
    assert sent["one_click_unsubscribe_url"] == message.unsubscribe_url
    assert sent["reference"] == f"outbox-{message.pk}"


def test_an_error_from_notify_is_recorded_on_the_message(people, committed, use_notify):
    use_notify.answer = (
        400,
        {
            "status_code": 400,
            "errors": [{"error": "BadRequestError", "message": "Can’t send to this recipient"}],
        },
    )
    message = committed(
        queue_message,
        key="notify-error",
        kind=Kind.UPDATE_APPROVED,
        to="bilal@example.org",
        template="update_approved",
        context={"name": "Bilal", "area_name": "Testshire", "by_name": "Olivia"},
        user=people.board_member,
    )

    message.refresh_from_db()
    assert message.state == OutboxMessage.State.FAILED
    assert message.last_error.startswith("HTTPError: 400")
    assert "BadRequestError" in message.last_error


def test_the_backend_refuses_to_start_without_a_key_or_template():
    with pytest.raises(ImproperlyConfigured, match="NOTIFY_API_KEY and NOTIFY_TEMPLATE_ID"):
        NotifyEmailBackend(alias="default", api_key="", template_id=TEMPLATE_ID)


def test_the_portal_refuses_to_start_with_notify_but_no_key(tmp_path):
    result, _ = start(tmp_path, DEBUG="true", EMAIL_BACKEND="notices.notify.NotifyEmailBackend")

    assert result.returncode != 0
    assert "Set NOTIFY_API_KEY and NOTIFY_TEMPLATE_ID" in result.stderr


def test_the_portal_starts_with_notify_when_it_has_a_key_and_template(tmp_path):
    result, settings = start(
        tmp_path,
        DEBUG="true",
        EMAIL_BACKEND="notices.notify.NotifyEmailBackend",
        NOTIFY_API_KEY=API_KEY,
        NOTIFY_TEMPLATE_ID=TEMPLATE_ID,
    )

    assert result.returncode == 0, result.stderr
    assert settings["MAIL_BACKEND"] == "notices.notify.NotifyEmailBackend"
