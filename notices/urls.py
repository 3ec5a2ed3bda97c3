from django.urls import path

from . import views

app_name = "notices"

urlpatterns = [
    # Signed in: which emails I get, beside the other account pages (not under
    # board/, where board/<area>/ would clash with an area called "notices").
    path("accounts/email-notices/", views.preferences, name="preferences"),
    # The link in every email: no sign-in, the signed token says who and what.
    path("notices/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
