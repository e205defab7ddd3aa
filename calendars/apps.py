from django.apps import AppConfig


class CalendarsConfig(AppConfig):
    name = "calendars"
    verbose_name = "Calendars: busy times from a person's own calendar"

    def ready(self) -> None:
        # The tasks are known in every process: adding a calendar starts a sync by the task's name.
        import calendars.tasks  # noqa: F401
        from calendars import selectors
        from marketplace import profile_sections, session_data

        # The slot engine learns about a person's own calendar only through this hook (docs/design.md).
        session_data.register_busy_provider(selectors.calendar_busy)
        profile_sections.register_profile_section(selectors.profile_section)
