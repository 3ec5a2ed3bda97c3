from django.urls import path

from . import views

app_name = "board"

urlpatterns = [
    # The areas I belong to
    path("board/", views.board_home, name="home"),
    # An area's plans and actions, my to-do list and an action's page
    path("board/<slug:area_slug>/", views.my_area, name="my-area"),
    path("board/<slug:area_slug>/todo/", views.todo, name="todo"),
    path("board/<slug:area_slug>/actions/<int:pk>/", views.action_detail, name="action"),
    # The area's records (inspections, plans, measures, meetings), with links to edit them
    path("board/<slug:area_slug>/records/", views.records, name="records"),
    # A plan's exports (they carry each action's latest approved update)
    path(
        "board/<slug:area_slug>/plans/<int:plan_pk>/export.xlsx",
        views.plan_export_xlsx,
        name="plan-export-xlsx",
    ),
    path(
        "board/<slug:area_slug>/plans/<int:plan_pk>/actions.csv",
        views.plan_export_csv,
        {"what": "actions"},
        name="plan-export-actions-csv",
    ),
    path(
        "board/<slug:area_slug>/plans/<int:plan_pk>/milestones.csv",
        views.plan_export_csv,
        {"what": "milestones"},
        name="plan-export-milestones-csv",
    ),
]
