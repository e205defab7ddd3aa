from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = "Matching: requests and ranking"

    def ready(self) -> None:
        from marketplace import home
        from matching import selectors

        # The home page learns about requests only through this hook (docs/design.md).
        home.register_open_requests_provider(selectors.open_requests_for_home)
