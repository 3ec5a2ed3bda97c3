from django.shortcuts import get_object_or_404, render

from actions.deadlines import portal_today

from .models import LocalArea
from .selectors import area_history, areas_for_home


def home(request):
    return render(request, "inspections/home.html", {"areas": areas_for_home()})


def area(request, slug):
    area = get_object_or_404(LocalArea, slug=slug)
    context = area_history(area, today=portal_today())
    return render(request, "inspections/area.html", context)
