from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    # Sign in, sign out, password change and reset.
    path("accounts/", include("send_portal.auth_urls")),
    # django-allauth: two-step sign-in (/accounts/2fa/), single sign-on
    # (/accounts/oidc/<provider>/...), asking for the password again. Its own
    # sign-in, sign-out and password pages are hidden by the portal's above.
    path("accounts/", include("allauth.urls")),
    # The visitors' site: home, each area's public pages, open data.
    path("", include("public.urls")),
    # Email notices: my choices (/accounts/email-notices/) and the
    # unsubscribe link in every email.
    path("", include("notices.urls")),
    # The board's own pages: my areas, My area, My to-do, action pages, records, exports.
    path("", include("board.urls")),
    # The board's editing pages, each in the app that owns the records.
    path("", include("inspections.urls")),
    path("", include("actions.urls")),
    # The board: progress updates, evidence, measures and meetings.
    path("", include("progress.urls")),
]

# Stored files (evidence, reports) are never served from MEDIA_URL, not even in the demo:
# only the pages that check who may see them send them (progress/files.py).

# The pages shown when something goes wrong, in the site's own style (send_portal/errors.py).
handler403 = "send_portal.errors.permission_denied"
handler404 = "send_portal.errors.page_not_found"
handler500 = "send_portal.errors.server_error"
