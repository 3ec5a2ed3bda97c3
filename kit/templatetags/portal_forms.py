"""Form helpers for templates: the error summary's links (see kit.forms.error_summary_links)."""

from django import template

from kit.forms import error_summary_links

register = template.Library()


@register.filter
def summary_links(form):
    return error_summary_links(form)
