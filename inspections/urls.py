from django.urls import path

from . import views

app_name = "inspections"

urlpatterns = [
    # Public
    path("", views.home, name="home"),
    path("areas/<slug:slug>/", views.area, name="area"),
    path("areas/<slug:slug>/findings/<int:pk>/", views.area_finding, name="area-finding"),
    path("areas/<slug:slug>/measures/", views.area_measures, name="area-measures"),
    path("areas/<slug:slug>/board-meetings/", views.area_meetings, name="area-meetings"),
    path("areas/<slug:slug>/you-said-we-did/", views.area_you_said, name="area-you-said"),
    path("areas/<slug:slug>/evidence/<uuid:uuid>/", views.public_evidence, name="public-evidence"),
    path("areas/<slug:slug>/reports/<uuid:uuid>/", views.public_report, name="public-report"),
    path(
        "areas/<slug:slug>/open-data/progress.csv",
        views.area_open_data_csv,
        name="area-open-data-csv",
    ),
    path(
        "areas/<slug:slug>/open-data/progress.json",
        views.area_open_data_json,
        name="area-open-data-json",
    ),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("open-data/", views.open_data, name="open-data"),
    # Board: the areas I belong to
    path("board/", views.board_home, name="board-home"),
    # Board: records editing (inspections, findings, judgements, members)
    path("board/<slug:area_slug>/records/", views.records, name="records"),
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
    path("board/<slug:area_slug>/members/", views.members, name="members"),
    path("board/<slug:area_slug>/members/new/", views.member_add, name="member-add"),
    path("board/<slug:area_slug>/members/<int:pk>/edit/", views.member_edit, name="member-edit"),
]
