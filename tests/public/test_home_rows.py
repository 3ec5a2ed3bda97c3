"""The home page's rows, written in Python, read exactly as the template loop they replaced."""

from django.template import Context, Template
from django.utils.safestring import mark_safe

from public.selectors import HomeRow
from public.templatetags.public_rows import home_area_rows

# The loop templates/public/home.html had, as it was.
LOOP = Template(
    """      {% for area in areas %}
        <li class="portal-area">
          <h3 class="govuk-heading-s govuk-!-margin-bottom-2"><a class="govuk-link" href="{{ area.url }}">{{ area.name }}</a></h3>
          <dl class="govuk-summary-list govuk-summary-list--no-border govuk-!-margin-bottom-0">
            <div class="govuk-summary-list__row">
              <dt class="govuk-summary-list__key">Where it stands now</dt>
              <dd class="govuk-summary-list__value">{{ area.stands }}</dd>
            </div>
            <div class="govuk-summary-list__row">
              <dt class="govuk-summary-list__key">Is it getting better?</dt>
              <dd class="govuk-summary-list__value">{{ area.line }}</dd>
            </div>
            <div class="govuk-summary-list__row">
              <dt class="govuk-summary-list__key">Next key date</dt>
              <dd class="govuk-summary-list__value">{{ area.next_date|default:"None set" }}</dd>
            </div>
          </dl>
        </li>
      {% endfor %}
"""
)

ROWS = [
    HomeRow(
        "Bath & North East Somerset",
        "/areas/bath/?a=1&b=2",
        "Written Statement of Action: being delivered",
        "2 of 14 actions overdue. <Not> “quoted” 'text'.",
        "Next board meeting: 3 March 2027",
    ),
    HomeRow("Otherton", "/areas/otherton/", "No inspection recorded", "No plan.", None),
    HomeRow("Safe", "/areas/safe/", mark_safe("<em>safe</em>"), "", ""),
]


def test_the_rows_read_exactly_as_the_template_loop_wrote_them():
    written = "      " + home_area_rows(ROWS) + "\n"
    assert written == LOOP.render(Context({"areas": ROWS}))


def test_every_value_is_escaped_and_a_missing_date_says_none_set():
    written = home_area_rows(ROWS)
    assert 'href="/areas/bath/?a=1&amp;b=2">Bath &amp; North East Somerset</a>' in written
    assert "&lt;Not&gt; “quoted” &#x27;text&#x27;." in written
    assert written.count(">None set</dd>") == 2
    assert "<em>safe</em>" in written  # already safe: kept as it is, as the template did
