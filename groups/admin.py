"""Read-mostly admin for support: seats change through the services (pages and API), not here."""

from django.contrib import admin

from groups.models import GroupFeedback, GroupSession, Question, Seat


@admin.register(GroupSession)
class GroupSessionAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "title",
        "host",
        "start",
        "duration",
        "capacity",
        "seats_taken",
        "waitlist_length",
        "status",
    ]
    list_filter = ["status", "duration"]
    search_fields = ["title", "host__email"]
    raw_id_fields = ["host", "series"]
    date_hierarchy = "start"
    list_select_related = ["host"]
    readonly_fields = ["seats_taken", "waitlist_length", "uid", "sequence", "capacity", "start", "end"]

    def has_add_permission(self, request) -> bool:
        return False  # a session made here would skip the host's busy-time check and the series rules


@admin.register(Seat)
class SeatAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "session",
        "person",
        "status",
        "seat_number",
        "position",
        "from_waitlist",
        "joined_at",
    ]
    list_filter = ["status", "from_waitlist"]
    search_fields = ["person__email", "session__title"]
    list_select_related = ["session", "person"]
    readonly_fields = [field.name for field in Seat._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False  # seats are taken and given up under the session's lock (groups.services.seats)


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["id", "session", "author", "anonymous", "answered_at", "created_at"]
    search_fields = ["text", "session__title"]
    raw_id_fields = ["session", "author"]


@admin.register(GroupFeedback)
class GroupFeedbackAdmin(admin.ModelAdmin):
    list_display = ["id", "session", "author", "rating", "helpful", "created_at"]
    list_filter = ["rating", "helpful"]
    search_fields = ["session__title", "author__email"]
    list_select_related = ["session", "author"]
    readonly_fields = [field.name for field in GroupFeedback._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False  # given by the attendee, once, after the session (groups.services.feedback)
