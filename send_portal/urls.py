from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    # Sign in, sign out, password change and reset.
    path("accounts/", include("send_portal.auth_urls")),
    # Public pages and the board's area pages (inspections, findings, members).
    path("", include("inspections.urls")),
    # The board: my area, to-do, action pages, plans and actions.
    path("", include("actions.urls")),
    # The board: progress updates, evidence, measures and meetings.
    path("", include("progress.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
