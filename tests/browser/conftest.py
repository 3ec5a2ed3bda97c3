"""Real-browser tests: headless Debian Chromium driven by Playwright, against the live server."""

import datetime
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from progress import workflow
from progress.models import ProgressUpdate
from tests.cast import make_cast

# Playwright's sync API runs an event loop in the test thread; Django would refuse DB access.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--disable-default-apps",
    "--disable-extensions",
    "--metrics-recording-only",
    "--no-default-browser-check",
]
PASSWORD = "correct horse battery"
AXE_JS = (Path(__file__).parent / "axe.min.js").read_text()
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        message = f"No Chromium at {CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(autouse=True)
def _cookies_over_http(settings):
    """The live server speaks plain http, where a browser never sends Secure cookies."""
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


@pytest.fixture
def cast(live_server):
    """The shared cast, committed where the live server can see it."""
    return make_cast()


def sign_in(page, live_server, username):
    """Sign in through the real form, as a person would."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


def fill_date(page, legend, day, month, year):
    """Fill a GOV.UK date input found by its fieldset's legend."""
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day))
    group.get_by_label("Month").fill(str(month))
    group.get_by_label("Year").fill(str(year))


def main_text(page):
    return page.locator("main").inner_text()


def write_draft(cast, **fields):
    """A draft update by the board member, made the way the service makes one."""
    values = {
        "period_start": datetime.date(2025, 4, 1),
        "period_end": datetime.date(2025, 6, 30),
        "delivery_status": "not_started",
        "impact_status": "no_evidence_yet",
        "narrative": "Recruitment for the new clinic is under way.",
        "public_summary": "We are hiring staff for a new clinic.",
        **fields,
    }
    return workflow.create_update(
        ProgressUpdate(action=cast.action, **values), by=cast.board_member
    )


def run_axe(page, tags=AXE_TAGS):
    """axe-core's violations on the page as it is now.

    Evaluated rather than added as a <script>: the site's CSP (script-src
    'self' plus a nonce) would block an injected tag.
    """
    page.evaluate(AXE_JS)
    return page.evaluate(
        "t => axe.run(document, {runOnly: {type: 'tag', values: t}, resultTypes: ['violations']})",
        list(tags),
    )["violations"]


def describe_violations(where, violations):
    """axe's violations in words: rule, impact, help, and each offending element."""
    lines = []
    for violation in violations:
        lines.append(
            f"{where}: {violation['id']} ({violation['impact']}): {violation['help']}"
            f" <{violation['helpUrl']}>"
        )
        for node in violation["nodes"]:
            target = " ".join(t if isinstance(t, str) else " >> ".join(t) for t in node["target"])
            lines.append(f"    at {target}: {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"       {summary[:300]}")
    return lines
