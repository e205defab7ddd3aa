"""Read-mostly admin for support: bookings change through the services (pages and API), not here."""

from django.contrib import admin

from sessions_app.models import Booking, Feedback, OutboundMessage


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ["id", "start", "duration", "mentor", "mentee", "status", "sequence"]
    list_filter = ["status", "duration"]
    search_fields = ["mentor__email", "mentee__email", "topic"]
    raw_id_fields = ["mentor", "mentee", "cancelled_by"]
    date_hierarchy = "start"
    list_select_related = ["mentor", "mentee"]
    readonly_fields = [field.name for field in Booking._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False  # a booking made here would skip the slot check and the outbox


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "recipient", "booking", "due_at", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind"]
    raw_id_fields = ["booking", "recipient"]
    list_select_related = ["recipient"]


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["id", "booking", "author", "role", "rating", "helpful", "created_at"]
    list_filter = ["role", "rating", "helpful"]
    raw_id_fields = ["booking", "author"]
    list_select_related = ["author"]
