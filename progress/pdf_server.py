"""What the report render fork server preloads: ``progress.pdf``, warmed up.

Imported by the fork server only (``progress.pdf._render_context`` names it), before it
forks any render child: it renders one small report-like document
(``progress.pdf.warm_up``), so WeasyPrint's first-render set-up is done once here and
every render child, a fresh fork, starts with it done. Nothing else imports it.
"""

from .pdf import warm_up

# False if the warm-up document could not be drawn: the renders still work, only colder.
WARMED_UP = warm_up()
