"""Stand-ins for ``progress.pdf.render_pdf``, run in the render child.

The render child is not forked from the test process, so a stand-in must be
a function it can import by name: these live here, in a module that needs no
Django. Each takes what ``render_pdf`` takes.
"""

import os
import time


def slow_render(html, **options):
    """Write this process's id to the file named by ``html``, then take a minute."""
    with open(html, "w", encoding="utf-8") as pid_file:
        pid_file.write(str(os.getpid()))
    time.sleep(60)


def broken_render(html, **options):
    raise ValueError("the layout fell over")


def dying_render(html, **options):
    os._exit(3)


def greedy_render(html, **options):
    """Ask for far more memory than the cap allows, as a huge document would."""
    hoard = [bytearray(64 * 1024 * 1024) for _ in range(1000)]
    return bytes(len(hoard))


def parent_render(html, **options):
    """The render child's parent's process id, in place of a PDF."""
    return str(os.getppid()).encode()


def tiny_pdf(html, **options):
    """A stand-in PDF, for tests about the task and the worker rather than the drawing."""
    return b"%PDF-1.7\n% a stand-in\n%%EOF\n"


def slow_real_render(html, **options):
    """The real render, after a pause long enough for a test to stop its worker mid-render."""
    from progress.pdf import render_pdf

    time.sleep(float(os.environ.get("SLOW_RENDER_SECONDS", "2")))
    return render_pdf(html, **options)


def draw_with(monkeypatch, render):
    """Have reports drawn by ``render`` in the test process, one document or several at once."""
    from progress import pdf

    monkeypatch.setattr(pdf, "html_to_pdf", render)
    monkeypatch.setattr(
        pdf, "html_to_pdfs", lambda htmls, **options: [render(html, **options) for html in htmls]
    )
