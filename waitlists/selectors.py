"""Reads of waiting lists: a person's entries with their held offers, one entry, and the busy-time provider
that makes a held slot busy for everyone but its holder."""

from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import datetime

from django.db.models import Case, Prefetch, QuerySet, Value, When
from django.http import Http404

from marketplace import home
from marketplace.models import User
from marketplace.session_data import Commitment
from waitlists.messages import book_url
from waitlists.models import LIVE, WaitlistEntry, WaitlistOffer


def held_slots(user_ids: Collection[int], start: datetime, end: datetime) -> dict[int, list[Commitment]]:
    """The slots of these mentors held for someone and overlapping [start, end): busy time (counted toward
    the weekly cap) for everyone but the holder. One query; every listing and booking re-check asks it."""
    found: dict[int, list[Commitment]] = defaultdict(list)
    if not user_ids:
        return {}
    for mentor_id, person_id, held_start, held_end in WaitlistOffer.objects.filter(
        outcome=WaitlistOffer.Outcome.HELD, mentor_id__in=list(user_ids), start__lt=end, end__gt=start
    ).values_list("mentor_id", "person_id", "start", "end"):
        found[mentor_id].append(Commitment(None, held_start, held_end, as_mentor=True, held_for=person_id))
    return dict(found)


def _with_offers(entries: QuerySet[WaitlistEntry]) -> QuerySet[WaitlistEntry]:
    return entries.select_related("mentor").prefetch_related(
        Prefetch(
            "offers",
            queryset=WaitlistOffer.objects.filter(outcome=WaitlistOffer.Outcome.HELD),
            to_attr="held_offers",
        )
    )


def entries_of(person: User) -> QuerySet[WaitlistEntry]:
    """The person's entries, live ones first, the latest first within each: two queries for a page."""
    live_first = Case(When(status__in=LIVE, then=Value(0)), default=Value(1))
    return _with_offers(WaitlistEntry.objects.filter(person=person).order_by(live_first, "-joined_at", "-id"))


def entry_of(person: User, entry_id: int) -> WaitlistEntry:
    """One of the person's own entries; someone else's is a 404."""
    entry = _with_offers(WaitlistEntry.objects.filter(person=person, pk=entry_id)).first()
    if entry is None:
        raise Http404
    return entry


def live_entry(person: User, mentor_id: int) -> WaitlistEntry | None:
    """The person's waiting (or offered) entry on this mentor, if any."""
    return _with_offers(
        WaitlistEntry.objects.filter(person=person, mentor_id=mentor_id, status__in=LIVE)
    ).first()


def held_offer(entry: WaitlistEntry) -> WaitlistOffer | None:
    """The offer held for an entry read with `entries_of`/`entry_of` (prefetched), if any."""
    offers: Iterable[WaitlistOffer] | None = getattr(entry, "held_offers", None)
    if offers is None:
        offers = entry.offers.filter(outcome=WaitlistOffer.Outcome.HELD)
    return next(iter(offers), None)


def held_for_home(user_id: int, now: datetime, limit: int) -> list[home.Waiting]:
    """The times held for the person now, soonest first, at most `limit` (the home page): one query."""
    offers = (
        WaitlistOffer.objects.filter(
            entry__person_id=user_id, outcome=WaitlistOffer.Outcome.HELD, expires_at__gt=now, start__gt=now
        )
        .select_related("mentor")
        .order_by("start", "pk")[:limit]
    )
    return [
        home.Waiting(
            kind="held_offer",
            with_name=offer.mentor.name,
            session_start=offer.start,
            url=book_url(offer),
            held_until=offer.expires_at,
        )
        for offer in offers
    ]
