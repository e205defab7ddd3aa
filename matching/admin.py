from django.contrib import admin

from matching.models import MentorRequest


@admin.register(MentorRequest)
class MentorRequestAdmin(admin.ModelAdmin):
    list_display = [
        "topic",
        "asker",
        "status",
        "needed_by",
        "duration",
        "match_count",
        "created_at",
        "booked_at",
    ]
    list_filter = ["status", "duration", "skills"]
    search_fields = ["topic", "asker__email", "asker__display_name"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["asker", "booked_mentor"]
    filter_horizontal = ["skills"]
    readonly_fields = ["created_at", "last_matched_at", "first_matched_at", "match_count", "shortlist"]
    list_select_related = ["asker"]
