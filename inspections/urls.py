from django.urls import path

from . import views

app_name = "inspections"

urlpatterns = [
    # Public
    path("", views.home, name="home"),
    path("areas/<slug:slug>/", views.area, name="area"),
    # Board: the areas I belong to
    path("board/", views.board_home, name="board-home"),
    # Board: records editing (inspections, findings, judgements, members)
]
