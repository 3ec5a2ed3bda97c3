from django.contrib import admin


class SuperuserAdminSite(admin.AdminSite):
    site_header = "SEND Improvement Portal administration"
    site_title = "SEND Improvement Portal administration"
    index_title = "Records and their history"

    def has_permission(self, request):
        return request.user.is_active and request.user.is_superuser
