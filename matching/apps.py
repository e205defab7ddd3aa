from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = "Matching: requests and ranking"

    def ready(self) -> None:
        from marketplace import home, time_changes
        from matching import selectors, tasks

        # The home page learns about requests only through this hook (docs/design.md).
        home.register_open_requests_provider(selectors.open_requests_for_home)
        # Time a mentor freed may be what an open request is waiting for: re-match those they could help.
        time_changes.register_time_change_listener(tasks.queue_rematch_for_mentor)
