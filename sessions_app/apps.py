from django.apps import AppConfig


class SessionsAppConfig(AppConfig):
    name = "sessions_app"
    label = "sessions_app"
    verbose_name = "Sessions: bookings, calendars and notifications"

    def ready(self) -> None:
        # The tasks are registered in every process, the web's too: the outbox starts a sweep by the task's
        # name, and with tasks in-process (task_always_eager) an unknown name goes to a broker nobody reads.
        import sessions_app.tasks  # noqa: F401
        from marketplace import home, session_data
        from matching import notifications as matching_notifications
        from sessions_app import selectors
        from sessions_app.services.match_notices import queue_match_found

        # marketplace's slot engine and browse pages learn about sessions only through these (docs/design.md).
        session_data.register_busy_provider(selectors.busy_commitments)
        session_data.register_rating_provider(selectors.mentor_ratings)
        session_data.register_track_record_provider(selectors.mentor_track_records)
        # The home page: the next session, answers waiting, the minutes a mentor gives this week.
        home.register_next_session_provider(selectors.next_session_for_home)
        home.register_waiting_provider(selectors.answers_waiting)
        home.register_minutes_given_provider(selectors.minutes_given)
        # "A mentor is now free for your request": matching tells us, we write the outbox row.
        matching_notifications.register_match_notifier(queue_match_found)
