from django.urls import path

from . import feeds, views
from .cache import cached_public_page

app_name = "public"

urlpatterns = [
    path("", views.home, name="home"),
    path("areas/<slug:slug>/", views.area, name="area"),
    path("areas/<slug:slug>/findings/<int:pk>/", views.area_finding, name="area-finding"),
    path("areas/<slug:slug>/feed/", cached_public_page(feeds.AreaFeed()), name="area-feed"),
    path("areas/<slug:slug>/follow/", views.area_follow, name="area-follow"),
    path("follow/confirm/<str:token>/", views.follow_confirm, name="follow-confirm"),
    path("follow/stop/<str:token>/", views.follow_stop, name="follow-stop"),
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
    # The whole public history: one JSON file, and one CSV file per section.
    path(
        "areas/<slug:slug>/open-data/history.json",
        views.area_history_json,
        name="area-open-data-history-json",
    ),
    path(
        "areas/<slug:slug>/open-data/<slug:section>.csv",
        views.area_history_csv,
        name="area-open-data-history-csv",
    ),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("help/", views.help_page, name="help"),
    path("glossary/", views.glossary, name="glossary"),
    path("open-data/", views.open_data, name="open-data"),
]
