from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "groups"
    label = "groups"
    verbose_name = "Group sessions: office hours, AMAs and skill-shares"

    def ready(self) -> None:
        from groups import messages, selectors, suggestions
        from groups.services import departures
        from groups.services.sessions import complete_finished_group_sessions
        from marketplace import home, session_data
        from marketplace.departures import register_departure_handler
        from matching import group_sessions
        from sessions_app import calendar, list_sections, sweep

        # A group session is busy time for its host (counted toward the weekly cap) and for each seated
        # person: the slot engine, the booking re-check and a join's own check all read it through this.
        session_data.register_busy_provider(selectors.busy_commitments)
        home.register_minutes_given_provider(selectors.minutes_hosted)
        home.register_next_session_provider(selectors.next_group_session_for_home)
        home.register_waiting_provider(selectors.group_feedback_waiting)
        # The outbox (sessions_app) sends what a seat's messages say; groups writes them.
        messages.register()
        # A request nobody can meet in time points to upcoming group sessions on its skills.
        group_sessions.register_group_session_finder(suggestions.group_sessions_on_skills)
        # Someone deactivated gives up their seats (the first waiting person gets each) and their hosting.
        register_departure_handler(departures.give_up_group_sessions)
        # As 1:1 sessions, an ended group session becomes completed in each outbox sweep.
        sweep.register_completion_step(complete_finished_group_sessions)
        # The personal calendar feed shows the sessions one hosts or has a seat in.
        calendar.register_feed_events_provider(messages.feed_events)
        # "My sessions" lists them too, with the feedback waiting.
        list_sections.register_list_section(selectors.session_list_section)
