from django.urls import path

from . import import_views, views

app_name = "actions"

urlpatterns = [
    # Board: records editing (plans, actions, milestones)
    path("board/<slug:area_slug>/plans/new/", views.plan_create, name="plan-create"),
    path("board/<slug:area_slug>/plans/<int:pk>/edit/", views.plan_edit, name="plan-edit"),
    path(
        "board/<slug:area_slug>/plans/<int:pk>/summary/publish/",
        views.plan_summary_publish,
        name="plan-summary-publish",
    ),
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
    # Board: spreadsheets in and out
    path(
        "board/<slug:area_slug>/plans/<int:plan_pk>/import/",
        import_views.plan_import,
        name="plan-import",
    ),
    path(
        "board/<slug:area_slug>/plans/<int:plan_pk>/import/template.xlsx",
        import_views.plan_import_template,
        name="plan-import-template",
    ),
    path(
        "board/<slug:area_slug>/plans/<int:plan_pk>/import/<uuid:uuid>/",
        import_views.plan_import_preview,
        name="plan-import-preview",
    ),
    path(
        "board/<slug:area_slug>/plans/<int:plan_pk>/import/<uuid:uuid>/columns/",
        import_views.plan_import_columns,
        name="plan-import-columns",
    ),
]
