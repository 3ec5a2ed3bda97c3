from django.contrib import admin

from kit.admin import ReadOnlyAdmin

from .models import NoticePreference, OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "to", "subject", "state", "attempts", "sent_at"]
    list_filter = ["state", "kind"]
    search_fields = ["to", "key", "subject"]
    date_hierarchy = "created_at"


@admin.register(NoticePreference)
class NoticePreferenceAdmin(ReadOnlyAdmin):
    """People choose on their own "Email notices" page; the admin only shows their choices."""

    list_display = ["user", "kind", "enabled"]
    list_filter = ["kind", "enabled"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__email"]
