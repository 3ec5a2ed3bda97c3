"""The portal's task worker, started by a test as a process of its own on the test's database.

It runs ``manage.py run_worker`` as production does, with each PDF drawn slowly
(tests/progress/render_stubs.py, SLOW_RENDER_SECONDS) so that a test can kill
it, or cut its database connections, mid-render. PostgreSQL only: an embedded
test database is not shared between processes.
"""

import os
import subprocess
import sys
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent

WORKER = """
import os, sys
sys.path.insert(0, os.getcwd())
import django
django.setup()
from django.core.management import call_command
from progress import pdf
from tests.progress import render_stubs
pdf.render_pdf = render_stubs.slow_real_render
call_command("run_worker", "--queue-name", "*", "--interval", "0.1", "--no-startup-delay",
             "--no-reload", "--verbosity", "0")
"""


def database_url():
    """The test database (this test process's connection) as DATABASE_URL."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER'] or ''}{password}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


def start_worker(log_path, **variables):
    """A task worker on the test database, its output written to ``log_path``.

    ``variables`` are added to its environment (settings module, storage folder...).
    """
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": database_url(),
        "TASKS_BACKEND": "database",
        "SLOW_RENDER_SECONDS": "1.5",
        **variables,
    }
    with Path(log_path).open("w") as log:
        return subprocess.Popen(  # noqa: S603 - a fixed script with this interpreter
            [sys.executable, "-c", WORKER], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
