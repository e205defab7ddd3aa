"""Read-mostly admin for support: bookings change through the services (pages and API), not here."""

from django.contrib import admin

from sessions_app.models import Booking, Feedback, FollowUp, Moment, OutboundMessage


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
    list_display = [
        "id",
        "kind",
        "channel",
        "recipient",
        "booking",
        "lead_minutes",
        "due_at",
        "status",
        "attempts",
        "sent_at",
        "short_error",
    ]
    list_filter = ["status", "channel", "kind"]
    search_fields = ["recipient__email", "last_error"]
    raw_id_fields = ["booking", "recipient"]
    list_select_related = ["recipient"]
    readonly_fields = ["claimed_at", "sent_at", "created_at"]

    @admin.display(description="last error")
    def short_error(self, message: OutboundMessage) -> str:
        return message.last_error[:80]


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["id", "booking", "author", "role", "rating", "helpful", "created_at"]
    list_filter = ["role", "rating", "helpful"]
    raw_id_fields = ["booking", "author"]
    list_select_related = ["author"]


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = ["id", "booking", "outcome", "created_at"]
    list_filter = ["outcome"]
    raw_id_fields = ["booking"]


@admin.register(Moment)
class MomentAdmin(admin.ModelAdmin):
    list_display = ["id", "author", "kind", "happened_on", "created_at"]
    list_filter = ["kind"]
    raw_id_fields = ["author", "with_person"]
    list_select_related = ["author"]
