"""Read-only admin for support: waits and offers change through the services (pages, API, beat), not here."""

from django.contrib import admin

from waitlists.models import WaitlistEntry, WaitlistOffer


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False  # an entry or offer made here would skip the mentor's lock and the order of the queue

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(ReadOnly):
    list_display = ["id", "person", "mentor", "before", "duration", "status", "joined_at", "closed_at"]
    list_filter = ["status", "duration"]
    search_fields = ["person__email", "mentor__email"]
    raw_id_fields = ["person", "mentor", "booking"]
    list_select_related = ["person", "mentor"]


@admin.register(WaitlistOffer)
class WaitlistOfferAdmin(ReadOnly):
    list_display = ["id", "entry", "mentor", "person", "start", "expires_at", "outcome", "ended_at"]
    list_filter = ["outcome"]
    search_fields = ["person__email", "mentor__email"]
    raw_id_fields = ["entry", "mentor", "person"]
    list_select_related = ["mentor", "person", "entry"]
