from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render

from actions.deadlines import portal_today

from .access import areas_for
from .models import LocalArea
from .selectors import area_history, areas_for_home


def home(request):
    return render(request, "inspections/home.html", {"areas": areas_for_home()})


def area(request, slug):
    area = get_object_or_404(LocalArea, slug=slug)
    context = area_history(area, today=portal_today())
    return render(request, "inspections/area.html", context)


@login_required
def board_home(request):
    """The areas I belong to; straight to My area when there is only one."""
    memberships = list(areas_for(request.user))
    if len(memberships) == 1:
        return redirect("actions:my-area", area_slug=memberships[0].area.slug)
    return render(request, "inspections/board_home.html", {"memberships": memberships})
