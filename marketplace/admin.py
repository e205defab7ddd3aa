from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from marketplace.models import AvailabilityBlock, Department, MentorProfile, Skill, TimeOff, User, UserSkill


class UserSkillInline(admin.TabularInline):
    model = UserSkill
    extra = 0
    autocomplete_fields = ["skill"]


class AvailabilityInline(admin.TabularInline):
    model = AvailabilityBlock
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "display_name", "department", "job_level", "timezone", "is_mentor", "is_active"]
    list_filter = ["is_mentor", "is_active", "department", "job_level", "groups"]
    search_fields = ["email", "display_name"]
    autocomplete_fields = ["department"]
    filter_horizontal = ["groups", "user_permissions", "skills_wanted"]
    inlines = [UserSkillInline, AvailabilityInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            "Profile",
            {
                "fields": (
                    "display_name",
                    "department",
                    "job_title",
                    "job_level",
                    "timezone",
                    "headline",
                    "bio",
                )
            },
        ),
        ("Mentoring", {"fields": ("is_mentor", "skills_wanted")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "category"]
    list_filter = ["category"]
    search_fields = ["name", "slug"]


@admin.register(MentorProfile)
class MentorProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "accepting", "weekly_minutes_cap", "min_notice_minutes", "buffer_minutes"]
    list_select_related = ["user"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]


@admin.register(TimeOff)
class TimeOffAdmin(admin.ModelAdmin):
    list_display = ["mentor", "start", "end", "note"]
    raw_id_fields = ["mentor"]
