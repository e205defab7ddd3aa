"""HR insights with 50,000 employees, 10,000 mentors and 1,000,000 past sessions (issue 8).

Target: the summary API and the `/insights/` page answer in at most 500 ms server time for a 12-week range and
1.5 s for a full year. Server time is Django handling the request in-process (test client), without network.

Data: the shared benchmark organisation (benchdb.ensure_organisation: people, skills, weekly blocks, 100,000
future sessions) in its own database, plus two years of history generated inside PostgreSQL with
generate_series (seconds, not minutes): 1,000,000 past sessions (a few mentors much busier than others,
84% held, 6% cancelled, 4% no-shows), mentee feedback on 60% of held sessions and mentor feedback on 30%,
400,000 requests that led to one of those sessions plus 100,000 that never did, each asking for 1–2 skills,
the mentees' one-week follow-up on 55% of held sessions, and 300,000 informal moments logged by a fifth of the
people.

    DATABASE_URL=postgres://... .venv/bin/python bench/bench_insights.py [--explain]
"""

import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root: bench.*, the apps

from bench import benchdb
from bench.benchdb import setup_django, summary, timed

DATABASE = "sidebar_bench_insights"
PAST_SESSIONS = 1_000_000
HISTORY_DAYS = 728
REQUESTS_BOOKED_SHARE = 0.4
UNMET_REQUESTS = 100_000
MOMENTS = 300_000
REPEAT = 15


def ensure_history() -> None:
    from django.db import connection

    from marketplace.models import User
    from sessions_app.models import Booking

    if Booking.objects.filter(topic="Bench past session").exists():
        return
    started = time.perf_counter()
    mentors = list(
        User.objects.filter(is_mentor=True, email__startswith="mentor")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    employees = list(
        User.objects.filter(email__startswith="employee").order_by("pk").values_list("pk", flat=True)
    )
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    print(f"Generating {PAST_SESSIONS:,} past sessions over {HISTORY_DAYS} days …", flush=True)
    with connection.cursor() as cursor:
        # Mentors drawn with random()^2: the first mentors are much busier (a realistic, uneven load).
        cursor.execute(
            """
            INSERT INTO sessions_app_booking
                (mentor_id, mentee_id, "start", "end", duration, topic, status, meeting_url, cancel_reason,
                 uid, sequence, created_at, updated_at)
            SELECT m, e, s, s + make_interval(mins => d), d, 'Bench past session',
                   CASE WHEN r < 0.06 THEN 'cancelled' WHEN r < 0.10 THEN 'no_show' ELSE 'completed' END,
                   'https://meet.example.com/bench', '', gen_random_uuid(), 0, s - interval '2 days', s
            FROM (
                SELECT (%(mentors)s::bigint[])[1 + floor(power(random(), 2) * %(n_mentors)s)::int] AS m,
                       (%(employees)s::bigint[])[1 + floor(random() * %(n_employees)s)::int] AS e,
                       date_trunc('hour', %(now)s::timestamptz - random() * interval '%(days)s days')
                         + floor(random() * 6) * interval '10 minutes' AS s,
                       CASE WHEN random() < 0.5 THEN 20 ELSE 30 END AS d,
                       random() AS r
                FROM generate_series(1, %(count)s)
            ) AS generated
            """,
            {
                "mentors": mentors,
                "n_mentors": len(mentors),
                "employees": employees,
                "n_employees": len(employees),
                "now": now - timedelta(hours=1),
                "days": HISTORY_DAYS,
                "count": PAST_SESSIONS,
            },
        )
        print(f"  sessions: {time.perf_counter() - started:.0f}s", flush=True)
        cursor.execute(
            """
            INSERT INTO sessions_app_feedback
                (booking_id, author_id, role, rating, helpful, comment, next_step, created_at)
            SELECT id, mentee_id, 'mentee', 1 + floor(4 * sqrt(random()))::int + (random() < 0.4)::int,
                   random() < 0.86, '', '', "end" + interval '1 hour'
            FROM sessions_app_booking WHERE topic = 'Bench past session' AND status = 'completed'
              AND random() < 0.6
            """
        )
        cursor.execute(
            "UPDATE sessions_app_feedback SET rating = 5 WHERE rating > 5"  # 1 + 4 + 1 at the top end
        )
        cursor.execute(
            """
            INSERT INTO sessions_app_feedback
                (booking_id, author_id, role, rating, helpful, comment, next_step, created_at)
            SELECT id, mentor_id, 'mentor', 4, true, '', '', "end" + interval '2 hours'
            FROM sessions_app_booking WHERE topic = 'Bench past session' AND status = 'completed'
              AND random() < 0.3
            """
        )
        print(f"  feedback: {time.perf_counter() - started:.0f}s", flush=True)
        cursor.execute(
            """
            INSERT INTO matching_mentorrequest
                (asker_id, topic, context, needed_by, duration, prefer_other_department, prefer_same_timezone,
                 status, created_at, booked_at, booked_session_start, booked_mentor_id, match_count,
                 shortlist)
            SELECT mentee_id, 'Bench request', '', c + interval '3 days', duration, false, false, 'booked',
                   c, c + interval '20 minutes', "start", mentor_id, 5, '[]'::jsonb
            FROM (
                SELECT mentee_id, mentor_id, "start", duration,
                       "start" - interval '1 hour' - random() * random() * interval '5 days' AS c
                FROM sessions_app_booking WHERE topic = 'Bench past session' AND random() < %(share)s
            ) AS helped
            """,
            {"share": REQUESTS_BOOKED_SHARE},
        )
        cursor.execute(
            """
            INSERT INTO matching_mentorrequest
                (asker_id, topic, context, needed_by, duration, prefer_other_department, prefer_same_timezone,
                 status, created_at, match_count, shortlist)
            SELECT e, 'Bench request', '', c + interval '2 days', 30, false, false, 'expired', c, 0,
                   '[]'::jsonb
            FROM (
                SELECT (%(employees)s::bigint[])[1 + floor(random() * %(n_employees)s)::int] AS e,
                       %(now)s::timestamptz - interval '3 days' - random() * interval '%(days)s days' AS c
                FROM generate_series(1, %(count)s)
            ) AS unmet
            """,
            {
                "employees": employees,
                "n_employees": len(employees),
                "now": now,
                "days": HISTORY_DAYS,
                "count": UNMET_REQUESTS,
            },
        )
        # 1–2 skills per request; demand skewed to the first skills, unmet requests to the last ones.
        cursor.execute(
            """
            INSERT INTO matching_mentorrequest_skills (mentorrequest_id, skill_id)
            SELECT DISTINCT r.id, s.ids[1 + floor(power(random(), CASE WHEN r.status = 'booked' THEN 1.5
                                                                    ELSE 0.4 END) * s.n)::int]
            FROM matching_mentorrequest AS r
            CROSS JOIN (SELECT array_agg(id ORDER BY id) AS ids, count(*) AS n FROM marketplace_skill) AS s
            CROSS JOIN generate_series(1, 2) AS g
            WHERE r.topic = 'Bench request' AND (g = 1 OR random() < 0.5)
            """
        )
        print(f"  requests: {time.perf_counter() - started:.0f}s", flush=True)
        cursor.execute("ANALYZE")
    print(f"History ready in {time.perf_counter() - started:.0f}s", flush=True)


def ensure_follow_ups_and_moments() -> None:
    """The reflection loop's data (added after the first history: a database from before gets it here)."""
    from django.db import connection

    from sessions_app.models import FollowUp

    if FollowUp.objects.exists():
        return
    started = time.perf_counter()
    loggers = _moment_loggers()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO sessions_app_followup (booking_id, outcome, note, created_at)
            SELECT id, CASE WHEN r < 0.55 THEN 'yes' WHEN r < 0.85 THEN 'partly' ELSE 'no' END, '',
                   "end" + interval '7 days'
            FROM (SELECT id, "end", random() AS r FROM sessions_app_booking
                  WHERE topic = 'Bench past session' AND status = 'completed'
                    AND "end" < now() - interval '7 days' AND random() < 0.55) AS answered
            """
        )
        cursor.execute(
            """
            INSERT INTO sessions_app_moment (author_id, kind, with_person_id, with_name, note, happened_on,
                                             created_at)
            SELECT a, (ARRAY['tip', 'encouragement', 'introduction', 'advice'])[1 + floor(random() * 4)::int],
                   NULL, 'A colleague', 'Bench moment', d::date, d
            FROM (
                SELECT (%(people)s::bigint[])[1 + floor(random() * %(n_people)s)::int] AS a,
                       now() - random() * interval '%(days)s days' AS d
                FROM generate_series(1, %(count)s)
            ) AS logged
            """,
            {
                "people": loggers,
                "n_people": len(loggers),
                "days": HISTORY_DAYS,
                "count": MOMENTS,
            },
        )
        cursor.execute("ANALYZE sessions_app_followup")
        cursor.execute("ANALYZE sessions_app_moment")
    print(f"Follow-ups and moments ready in {time.perf_counter() - started:.0f}s", flush=True)


def _moment_loggers() -> list[int]:
    from marketplace.models import User

    return list(User.objects.order_by("pk").values_list("pk", flat=True)[::5])


def main() -> None:
    setup_django(DATABASE)
    benchdb.ensure_organisation()
    ensure_history()
    ensure_follow_ups_and_moments()
    if "--seed-only" in sys.argv:
        return
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.urls import NoReverseMatch, clear_url_caches, reverse

    from insights import rollups
    from marketplace.models import Department, User
    from sessions_app.models import Booking

    try:
        reverse("api-insights-summary")
    except NoReverseMatch:  # config/urls.py does not include insights yet
        settings.ROOT_URLCONF = "tests.insights.urls"
        clear_url_caches()

    started = time.perf_counter()
    rollups.refresh(now=datetime.now(UTC), full=True)
    print(f"Summary tables, full refresh (all history): {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    rollups.refresh(now=datetime.now(UTC))
    print(
        f"Summary tables, refresh of recent weeks (every few minutes): {time.perf_counter() - started:.1f} s"
    )

    client = Client()
    client.force_login(User.objects.get(email="hr@example.com"))
    today = datetime.now(UTC).date()
    twelve_weeks = (today - timedelta(days=today.weekday()) - timedelta(weeks=11), today)
    one_year = (today - timedelta(days=364), today)
    department = Department.objects.get(name="Engineering")
    print(
        f"{User.objects.count():,} people; {Booking.objects.count():,} sessions "
        f"({Booking.objects.filter(start__lt=datetime.now(UTC)).count():,} past); "
        f"PostgreSQL {connection.get_database_version()[0]}; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )

    def get(url: str) -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    for label, (start, end) in (("12 weeks", twelve_weeks), ("full year", one_year)):
        rollups.refresh(now=datetime.now(UTC))  # fresh tables: no request pays for a refresh while timed
        query = f"start={start}&end={end}"
        department_query = f"{query}&department={department.pk}"
        get(f"/api/v1/insights/summary/?{query}")  # warm-up
        for name, url in (
            (f"/api/v1/insights/summary/ ({label})", f"/api/v1/insights/summary/?{query}"),
            (f"/insights/ page ({label})", f"/insights/?{query}"),
            (
                f"/api/v1/insights/summary/ ({label}, one department)",
                f"/api/v1/insights/summary/?{department_query}",
            ),
            (f"/api/v1/insights/export.csv ({label})", f"/api/v1/insights/export.csv?{query}"),
        ):
            print(summary(name, timed(lambda url=url: get(url), REPEAT)), flush=True)
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
