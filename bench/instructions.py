"""Benchmark: the instructions drawing the 100-action public report takes, counted by valgrind.

This machine's speed swings by half or more from hour to hour, so a change that
saves a few per cent of the report's CPU time cannot be seen in seconds.
valgrind's callgrind counts the instructions a process executes instead: the
same count on every run of the same code and libraries, whatever else the
machine is doing. This builds the same 100-action public report as
``bench/reports.py`` (a throwaway test database; PostgreSQL when DATABASE_URL
is set), then runs two processes under callgrind side by side: one imports and
warms up the renderer as the fork server does and draws the report as the
render child does (``progress.pdf.settle_for_one_render``: progress logging
quietened, the cyclic garbage collector off), the other does the same but
draws nothing. The difference is the drawing's count.

The count is not a time: Python's interpreter and the C libraries (Pango,
HarfBuzz, zlib) do different amounts of work per instruction. It is for
comparing two versions of the code, run one after the other.

Run with ``make bench-instructions`` (about five minutes: callgrind runs the
drawing some fifty times slower). Needs valgrind (Debian's ``valgrind``
package). Prints figures; asserts nothing.
"""

import gc
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ACTIONS = 100
_TOTAL = re.compile(rb"^(?:summary|totals):\s+(\d+)", re.MULTILINE)


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def write_html(path):
    """The 100-action public report's HTML, from a throwaway test database, into ``path``."""
    _django()
    from bench.reports import real_html

    Path(path).write_text(real_html(ACTIONS), encoding="utf-8")


def draw(path):
    """As the fork server and its render child do: warm up, then draw ``path`` (or nothing)."""
    _django()
    from progress.pdf import render_pdf, settle_for_one_render, warm_up

    warm_up()
    gc.collect()
    settle_for_one_render()
    if path != "nothing":
        pdf = render_pdf(Path(path).read_text(encoding="utf-8"))
        print(len(pdf))


def counted(valgrind, out, what):
    """Start this script under callgrind, drawing ``what``; its count goes to ``out``."""
    command = [
        valgrind,
        "--tool=callgrind",
        f"--callgrind-out-file={out}",
        sys.executable,
        __file__,
        "--draw",
        what,
    ]
    return subprocess.Popen(  # noqa: S603 - valgrind and this script, with this interpreter
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def total(out):
    found = _TOTAL.search(Path(out).read_bytes())
    if not found:
        raise SystemExit(f"callgrind wrote no total to {out}")
    return int(found.group(1))


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--html":
        write_html(sys.argv[2])
        return
    if len(sys.argv) == 3 and sys.argv[1] == "--draw":
        draw(sys.argv[2])
        return
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        print("valgrind is not installed (Debian's valgrind package): no instructions counted")
        return
    with tempfile.TemporaryDirectory() as tmp:
        html = Path(tmp) / "report.html"
        subprocess.run(  # noqa: S603 - this script, with this interpreter
            [sys.executable, __file__, "--html", str(html)], check=True, capture_output=True
        )
        with_report, without = Path(tmp) / "with.out", Path(tmp) / "without.out"
        runs = [counted(valgrind, with_report, str(html)), counted(valgrind, without, "nothing")]
        if any(run.wait() for run in runs):
            raise SystemExit("a process under callgrind failed")
        drawn, baseline = total(with_report), total(without)
    print(
        f"{ACTIONS}-action public report: drawing it took {(drawn - baseline) / 1e9:.2f} billion "
        f"instructions (callgrind; the process {drawn / 1e9:.2f} billion with it, "
        f"{baseline / 1e9:.2f} billion without) – no target: the same count on every run, "
        "to compare two versions of the code"
    )


if __name__ == "__main__":
    main()
