"""A real OpenID Connect provider for the single sign-on tests, in its own process.

``oidc-provider-mock`` (a development dependency) is a small OpenID Connect
server built on Authlib: discovery, an authorization page where a test person
is chosen, a token endpoint issuing RS256-signed ID tokens, user info and its
keys. It runs as a separate process on a free port of 127.0.0.1, and the
portal talks to it over real HTTP, as it would to Microsoft Entra ID.
"""

import json
import socket
import subprocess
import sys
import time
from dataclasses import dataclass

import pytest
import requests

PROVIDER_ID = "testidp"
PROVIDER_NAME = "Sign in with your council account"
CLIENT_ID = "send-portal-test"
CLIENT_SECRET = "test-client-secret"


@dataclass
class Person:
    sub: str
    claims: dict


# The council's people as its own sign-in knows them. Like Entra ID, no email_verified claim.
OFFICER = Person("officer-0001", {"email": "olu.officer@testshire.example", "name": "Olu Officer"})
STRANGER = Person("stranger-0002", {"email": "nobody@testshire.example", "name": "Nobody Known"})
UNVERIFIED = Person(
    "unverified-0003",
    {"email": "olu.officer@testshire.example", "email_verified": False, "name": "Not Olu"},
)
PEOPLE = [OFFICER, STRANGER, UNVERIFIED]


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Provider:
    url: str
    process: subprocess.Popen

    def authorize(self, authorize_url, person):
        """Choose ``person`` on the provider's page, as they would; the redirect back to the portal."""
        response = requests.post(
            authorize_url, data={"sub": person.sub}, allow_redirects=False, timeout=30
        )
        assert response.status_code == 302, response.text[:500]
        return response.headers["Location"]


@pytest.fixture(scope="session")
def oidc_provider():
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "oidc_provider_mock",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    for person in PEOPLE:
        command += ["--user-claims", json.dumps({"sub": person.sub, **person.claims})]
    process = subprocess.Popen(  # noqa: S603 - a fixed command with this interpreter
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(f"{url}/.well-known/openid-configuration", timeout=2).ok:
                break
        except requests.ConnectionError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(
                f"The test OpenID Connect provider did not start: {process.stderr.read()[:2000]!r}"
            )
        time.sleep(0.2)
    try:
        yield Provider(url=url, process=process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def single_sign_on(settings, oidc_provider):
    """The portal configured, as from its OIDC_* settings, for the test provider."""
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [
                {
                    "provider_id": PROVIDER_ID,
                    "name": PROVIDER_NAME,
                    "client_id": CLIENT_ID,
                    "secret": CLIENT_SECRET,
                    "settings": {"server_url": oidc_provider.url},
                }
            ],
        }
    }
    settings.OIDC_TRUST_EMAIL = True
    # As settings.py does for a configured provider: the button's form goes on to its page.
    settings.SECURE_CSP = {
        **settings.SECURE_CSP,
        "form-action": [*settings.SECURE_CSP["form-action"], oidc_provider.url],
    }
    return oidc_provider
