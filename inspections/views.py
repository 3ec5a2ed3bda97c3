from django.shortcuts import get_object_or_404, render

from .models import LocalArea


def home(request):
    areas = LocalArea.objects.order_by("name")
    return render(request, "inspections/home.html", {"areas": areas})


def area(request, slug):
    area = get_object_or_404(LocalArea, slug=slug)
    return render(request, "inspections/area.html", {"area": area})
