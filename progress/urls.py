from django.urls import path

from . import bulk_views, draft_views, forum_views, views, withdraw_views

app_name = "progress"

urlpatterns = [
    # Board: progress updates and their workflow
    path(
        "board/<slug:area_slug>/actions/<int:action_pk>/updates/new/",
        views.update_create,
        name="update-create",
    ),
    path("board/<slug:area_slug>/updates/<int:pk>/edit/", views.update_edit, name="update-edit"),
    path(
        "board/<slug:area_slug>/updates/<int:pk>/evidence/",
        views.evidence_upload,
        name="evidence-upload",
    ),
    path(
        "board/<slug:area_slug>/updates/<int:pk>/delete/",
        draft_views.update_delete,
        name="update-delete",
    ),
    path(
        "board/<slug:area_slug>/updates/<int:pk>/withdraw/",
        withdraw_views.update_withdraw,
        name="update-withdraw",
    ),
    # Approving several submitted updates at once (and publishing them too)
    path(
        "board/<slug:area_slug>/updates/approve-several/",
        bulk_views.approve_many,
        name="updates-approve",
    ),
    # Last of the update pages: <transition> would otherwise swallow "evidence".
    path(
        "board/<slug:area_slug>/updates/<int:pk>/<slug:transition>/",
        views.update_transition,
        name="update-transition",
    ),
    path(
        "board/<slug:area_slug>/evidence/<int:pk>/",
        views.evidence_download,
        name="evidence-download",
    ),
    # The parent carer forum's page, its responses, and the board's replies
    path("board/<slug:area_slug>/forum/", forum_views.forum_page, name="forum"),
    path(
        "board/<slug:area_slug>/forum/updates/<int:pk>/acknowledge/",
        forum_views.forum_respond,
        {"kind": "acknowledge"},
        name="forum-acknowledge",
    ),
    path(
        "board/<slug:area_slug>/forum/updates/<int:pk>/challenge/",
        forum_views.forum_respond,
        {"kind": "challenge"},
        name="forum-challenge",
    ),
    path(
        "board/<slug:area_slug>/forum-challenges/",
        forum_views.forum_challenges,
        name="forum-challenges",
    ),
    path(
        "board/<slug:area_slug>/forum-challenges/<int:pk>/reply/",
        forum_views.forum_reply,
        name="forum-reply",
    ),
    # Board: progress reports
    path("board/<slug:area_slug>/reports/", views.reports, name="reports"),
    path("board/<slug:area_slug>/reports/<int:pk>/", views.report_detail, name="report"),
    path(
        "board/<slug:area_slug>/reports/<int:pk>/status/",
        views.report_status,
        name="report-status",
    ),
    path(
        "board/<slug:area_slug>/reports/<int:pk>/preview/",
        views.report_preview,
        name="report-preview",
    ),
    path("board/<slug:area_slug>/reports/<int:pk>/pdf/", views.report_pdf, name="report-pdf"),
    path(
        "board/<slug:area_slug>/reports/<int:pk>/withdraw/",
        withdraw_views.report_withdraw,
        name="report-withdraw",
    ),
    # Board: records editing (measures, values, meetings)
    path("board/<slug:area_slug>/measures/new/", views.measure_create, name="measure-create"),
    path("board/<slug:area_slug>/measures/<int:pk>/edit/", views.measure_edit, name="measure-edit"),
    path(
        "board/<slug:area_slug>/measures/<int:measure_pk>/values/new/",
        views.value_create,
        name="value-create",
    ),
    path("board/<slug:area_slug>/values/<int:pk>/edit/", views.value_edit, name="value-edit"),
    path("board/<slug:area_slug>/meetings/new/", views.meeting_create, name="meeting-create"),
    path("board/<slug:area_slug>/meetings/<int:pk>/edit/", views.meeting_edit, name="meeting-edit"),
    path(
        "board/<slug:area_slug>/you-said-we-did/new/", views.you_said_create, name="you-said-create"
    ),
    path(
        "board/<slug:area_slug>/you-said-we-did/<int:pk>/edit/",
        views.you_said_edit,
        name="you-said-edit",
    ),
]
