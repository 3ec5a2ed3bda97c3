from django.urls import path

from . import views

app_name = "inspections"

urlpatterns = [
    # Board: records editing (inspections, findings, judgements, members)
    path(
        "board/<slug:area_slug>/inspections/new/",
        views.inspection_create,
        name="inspection-create",
    ),
    path(
        "board/<slug:area_slug>/inspections/<int:pk>/edit/",
        views.inspection_edit,
        name="inspection-edit",
    ),
    path(
        "board/<slug:area_slug>/inspections/<int:inspection_pk>/findings/new/",
        views.finding_create,
        name="finding-create",
    ),
    path("board/<slug:area_slug>/findings/<int:pk>/edit/", views.finding_edit, name="finding-edit"),
    path(
        "board/<slug:area_slug>/inspections/<int:inspection_pk>/judgements/new/",
        views.judgement_create,
        name="judgement-create",
    ),
    path(
        "board/<slug:area_slug>/judgements/<int:pk>/edit/",
        views.judgement_edit,
        name="judgement-edit",
    ),
    path(
        "board/<slug:area_slug>/interventions/new/",
        views.intervention_create,
        name="intervention-create",
    ),
    path(
        "board/<slug:area_slug>/interventions/<int:pk>/edit/",
        views.intervention_edit,
        name="intervention-edit",
    ),
    path("board/<slug:area_slug>/members/", views.members, name="members"),
    path("board/<slug:area_slug>/members/new/", views.member_add, name="member-add"),
    path("board/<slug:area_slug>/members/<int:pk>/edit/", views.member_edit, name="member-edit"),
]
