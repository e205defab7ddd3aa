from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "groups"
    label = "groups"
    verbose_name = "Group sessions: office hours, AMAs and skill-shares"

    def ready(self) -> None:
        from groups import messages, selectors, suggestions
        from groups.services import departures
        from marketplace import home, session_data
        from marketplace.departures import register_departure_handler
        from matching import group_sessions

        # A group session is busy time for its host (counted toward the weekly cap) and for each seated
        # person: the slot engine, the booking re-check and a join's own check all read it through this.
        session_data.register_busy_provider(selectors.busy_commitments)
        home.register_minutes_given_provider(selectors.minutes_hosted)
        # The outbox (sessions_app) sends what a seat's messages say; groups writes them.
        messages.register()
        # A request nobody can meet in time points to upcoming group sessions on its skills.
        group_sessions.register_group_session_finder(suggestions.group_sessions_on_skills)
        # Someone deactivated gives up their seats (the first waiting person gets each) and their hosting.
        register_departure_handler(departures.give_up_group_sessions)
