from django.urls import path

from . import views

app_name = "actions"

urlpatterns = [
    # Board: an area's plans and actions
    path("board/<slug:area_slug>/", views.my_area, name="my-area"),
    path("board/<slug:area_slug>/todo/", views.todo, name="todo"),
    path("board/<slug:area_slug>/actions/<int:pk>/", views.action_detail, name="action"),
    # Board: records editing (plans, actions, milestones)
]
