"""Links to pages by their URL names.

A URL name is a string, not an import, so a page in any app may link to a
page of any other without the apps importing each other: this is the one
documented way a lower layer refers to a page of a higher one.
"""

from django.urls import reverse


def records_url(area, anchor=""):
    """The board's page of an area's records (inspections, plans, measures, meetings)."""
    url = reverse("board:records", kwargs={"area_slug": area.slug})
    return f"{url}#{anchor}" if anchor else url


def action_url(area, action, anchor=""):
    """The board's page of one action."""
    url = reverse("board:action", kwargs={"area_slug": area.slug, "pk": action.pk})
    return f"{url}#{anchor}" if anchor else url
