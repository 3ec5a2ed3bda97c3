"""Benchmark: how fast this machine runs Python today, to read the other figures against.

The same code gives different times on different machines, and on the same
cloud machine at different hours: the page and report figures of one run mean
little beside another run's unless the machines' speed is known. This times a
fixed piece of work in the portal's own kind of Python (a Django template
rendering rows of escaped text and dates, then that HTML searched with
regular expressions and its text encoded) and prints its CPU time: the lower,
the faster the machine. A figure twice as high means the other benchmarks'
times should be about twice as high too, with the same code.

Printed first by `make bench`; its figure is given with the others in the
README. It has no target and needs no database.
"""

import datetime
import os
import re
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import django

django.setup()

from django.template import Context, Engine  # noqa: E402

RUNS = 15
ROWS = 2000

TEMPLATE = Engine(builtins=["django.template.defaultfilters"]).from_string(
    "<table>{% for row in rows %}<tr><th>{{ row.ref }}</th><td>{{ row.title }}</td>"
    '<td>{{ row.due|date:"j M Y" }}</td><td>{{ row.status|upper }}</td></tr>{% endfor %}</table>'
)
WORD = re.compile(r"(?<![\w-])(?:support|review|families|plan)(?![\w-])", re.IGNORECASE)


def work():
    """One fixed piece of work: render, search and encode about 250 KiB of HTML."""
    start = datetime.date(2026, 1, 1)
    rows = [
        {
            "ref": f"{n // 20 + 1}.{n % 20 + 1}",
            "title": f"Review support & plans for families <{n}>",
            "due": start + datetime.timedelta(days=n % 365),
            "status": "on track" if n % 3 else "off track",
        }
        for n in range(ROWS)
    ]
    html = TEMPLATE.render(Context({"rows": rows}))
    return len(WORD.findall(html)) + len(html.encode())


def reference_ms(runs=RUNS):
    """The machine reference now: the median and fastest CPU time of ``work``, in ms."""
    work()
    times = []
    for _ in range(runs):
        started = time.process_time()
        work()
        times.append((time.process_time() - started) * 1000)
    return statistics.median(times), min(times)


def main():
    median, fastest = reference_ms()
    print(
        f"machine reference (Django template, {ROWS} rows): median {median:.1f} ms "
        f"of CPU, fastest {fastest:.1f} ms – no target: the lower, the faster this machine "
        "runs the other benchmarks"
    )


if __name__ == "__main__":
    main()
