from django.urls import path

from . import views

app_name = "actions"

urlpatterns = [
    # Board: an area's plans and actions
    path("board/<slug:area_slug>/", views.my_area, name="my-area"),
    path("board/<slug:area_slug>/todo/", views.todo, name="todo"),
    path("board/<slug:area_slug>/actions/<int:pk>/", views.action_detail, name="action"),
    # Board: records editing (plans, actions, milestones)
    path("board/<slug:area_slug>/plans/new/", views.plan_create, name="plan-create"),
    path("board/<slug:area_slug>/plans/<int:pk>/edit/", views.plan_edit, name="plan-edit"),
    path(
        "board/<slug:area_slug>/plans/<int:plan_pk>/actions/new/",
        views.action_create,
        name="action-create",
    ),
    path("board/<slug:area_slug>/actions/<int:pk>/edit/", views.action_edit, name="action-edit"),
    path(
        "board/<slug:area_slug>/actions/<int:action_pk>/milestones/new/",
        views.milestone_create,
        name="milestone-create",
    ),
    path(
        "board/<slug:area_slug>/milestones/<int:pk>/edit/",
        views.milestone_edit,
        name="milestone-edit",
    ),
]
