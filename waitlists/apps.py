from django.apps import AppConfig


class WaitlistsConfig(AppConfig):
    name = "waitlists"
    label = "waitlists"
    verbose_name = "Waiting lists for full 1:1 mentors"

    def ready(self) -> None:
        from marketplace import home, profile_sections, session_data, time_changes
        from marketplace.departures import register_departure_handler
        from sessions_app import booking_hooks
        from waitlists import messages, selectors, tasks, views
        from waitlists.services import entries, offers

        # A held slot is busy time for everyone but its holder: listing, matching and the booking re-check.
        session_data.register_busy_provider(selectors.held_slots)
        # Booking the mentor before the deadline answers the wait (in the booking's transaction).
        booking_hooks.register_booking_listener(offers.booking_made)
        # Time that may have come free is offered to the first person waiting (a task per mentor).
        time_changes.register_time_change_listener(tasks.queue_offer_freed_time)
        messages.register()
        # The home page leads with a time held for the person.
        home.register_waiting_provider(selectors.held_for_home)
        # Someone deactivated stops waiting, and nobody waits for them any more.
        register_departure_handler(entries.leave_waitlists_of_departed)
        profile_sections.register_mentor_page_section(views.mentor_page_section)
