"""The slot engine: when a mentor can be booked, as a pure function of plain data.

A slot is bookable when it lies inside a weekly block (wall-clock time in the mentor's zone), outside time
off, at least ``min_notice_minutes`` from now (and never in the past), at least ``buffer_minutes`` away from
the mentor's confirmed sessions, not overlapping a confirmed session of the mentor or of the asker, and when
it keeps the mentor within ``weekly_minutes_cap`` for the ISO week (in the mentor's zone) of its local start.
A listing may also ask for slots that lie wholly inside some people's working hours (``within``: each a
``WorkingWeek``, weekly wall-clock intervals in that person's own zone); outside them is treated as busy.
Starts sit on a grid of the mentor's local wall clock (local minute-of-day % grid == 0), so Asia/Kathmandu
(+05:45) gets starts at :05, :15 ... UTC.

DST: blocks are wall-clock times, so 09:00 stays 09:00 local across a change. A local time the clock skips
is never a start; a block end the clock skips is clamped to the transition instant. A local time the clock
repeats means its first occurrence only. A slot's length is real elapsed time. Working hours follow the same
rules, except that a working interval beginning at a skipped time begins at the transition instant.

Internally every instant is an integer count of microseconds since the Unix epoch, which keeps comparisons
exact and cheap. The zone is consulted a few times per local day that has a block; on the rare days whose
UTC offset changes, each candidate start is resolved on its own. Starts exist only inside the supported range
of marketplace.instants (years 2000-2199): a range reaching past it is clamped to it, so that no input,
however extreme, takes the calendar arithmetic near datetime's limits (years 1 and 9999).

One module on purpose (just over 400 lines): every rule of bookability is read and changed together, and the
listing and the single-slot check must share each line of it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import pairwise
from zoneinfo import ZoneInfo

from marketplace.instants import EARLIEST, LATEST
from marketplace.timezones import get_zone, iso_week_start, require_aware, resolve_local, resolve_local_end

__all__ = [
    "Interval",
    "MentorSchedule",
    "WeeklyBlock",
    "WorkingWeek",
    "bookable_slots",
    "first_bookable_slot",
    "is_bookable",
    "iso_week_start",
    "lies_within",
]

_US_PER_MINUTE = 60_000_000
_US_PER_DAY = 86_400_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL = _EPOCH.toordinal()
_ONE_US = timedelta(microseconds=1)
_ONE_DAY = timedelta(days=1)
# Starts lie in the supported range, so that local days, ISO weeks and a session's end around them stay far
# from datetime's own limits.
_FIRST_START = (EARLIEST - _EPOCH) // _ONE_US
_LAST_START = (LATEST - _EPOCH) // _ONE_US


@dataclass(frozen=True, slots=True)
class WeeklyBlock:
    """A weekly availability block in the mentor's wall-clock time; never crosses midnight."""

    weekday: int  # 0 = Monday
    start: time  # local wall-clock, naive
    end: time  # local wall-clock, naive, > start

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), got {self.weekday!r}")
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("block start and end are naive wall-clock times")
        if self.start >= self.end:
            raise ValueError(f"block start {self.start} must be before its end {self.end}")


@dataclass(frozen=True, slots=True)
class Interval:
    """A half-open span ``[start, end)`` of time between two aware instants."""

    start: datetime  # aware, UTC
    end: datetime  # aware, UTC, > start

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("interval start and end must be timezone-aware")
        if self.end <= self.start:
            raise ValueError(f"interval end {self.end} must be after its start {self.start}")


# Slot descriptors of the frozen Interval, to fill engine-made intervals without the checks (see _intervals).
_SET_START: Callable[[Interval, datetime], None] = vars(Interval)["start"].__set__
_SET_END: Callable[[Interval, datetime], None] = vars(Interval)["end"].__set__


@dataclass(frozen=True, slots=True)
class MentorSchedule:
    """Everything the engine needs to know about one mentor."""

    timezone: str  # IANA name of the mentor's zone
    blocks: tuple[WeeklyBlock, ...]
    time_off: tuple[Interval, ...] = ()
    busy: tuple[Interval, ...] = ()  # the mentor's confirmed sessions; the buffer applies around these
    buffer_minutes: int = 0
    min_notice_minutes: int = 0
    weekly_minutes_cap: int | None = None  # None = no cap
    # The Monday of an ISO week in the mentor's zone -> confirmed minutes already booked in that week.
    booked_minutes_by_week: Mapping[date, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        get_zone(self.timezone)  # an unknown zone fails here, naming itself


@dataclass(frozen=True, slots=True)
class WorkingWeek:
    """A person's working hours: weekly wall-clock intervals in their own zone (touching ones join)."""

    timezone: str  # IANA name of the person's zone
    intervals: tuple[WeeklyBlock, ...]

    def __post_init__(self) -> None:
        get_zone(self.timezone)


def bookable_slots(
    schedule: MentorSchedule,
    *,
    start: datetime,
    end: datetime,
    duration_minutes: int,
    now: datetime,
    asker_busy: Sequence[Interval] = (),
    grid_minutes: int = 10,
    within: Sequence[WorkingWeek] = (),
) -> list[Interval]:
    """Every bookable slot whose start lies in ``[start, end)``, sorted, as UTC intervals.

    With ``within``, only the slots that lie wholly inside the working hours of each of those people.
    """
    require_aware(start, "start")
    require_aware(end, "end")
    require_aware(now, "now")
    lo, hi = _clamp(_us(start)), _clamp(_us(end))
    rules = _Rules.build(schedule, now, duration_minutes, grid_minutes, asker_busy, lo, hi, within)
    starts = rules.collect(max(lo, rules.earliest), hi, first_only=False)
    return _intervals(starts, duration_minutes, rules.grid)


def first_bookable_slot(
    schedule: MentorSchedule,
    *,
    start: datetime,
    end: datetime,
    duration_minutes: int,
    now: datetime,
    asker_busy: Sequence[Interval] = (),
    grid_minutes: int = 10,
    within: Sequence[WorkingWeek] = (),
) -> Interval | None:
    """The first slot ``bookable_slots`` would return, found without computing the others."""
    require_aware(start, "start")
    require_aware(end, "end")
    require_aware(now, "now")
    lo, hi = _clamp(_us(start)), _clamp(_us(end))
    rules = _Rules.build(schedule, now, duration_minutes, grid_minutes, asker_busy, lo, hi, within)
    starts = rules.collect(max(lo, rules.earliest), hi, first_only=True)
    if not starts:
        return None
    return _intervals(starts, duration_minutes, rules.grid)[0]


def is_bookable(
    schedule: MentorSchedule,
    *,
    slot_start: datetime,
    duration_minutes: int,
    now: datetime,
    asker_busy: Sequence[Interval] = (),
    grid_minutes: int = 10,
    within: Sequence[WorkingWeek] = (),
) -> bool:
    """Whether ``slot_start`` is one of the slots ``bookable_slots`` offers (over any range containing it)."""
    require_aware(slot_start, "slot_start")
    require_aware(now, "now")
    at = _us(slot_start)
    if _clamp(at) != at:
        return False
    rules = _Rules.build(schedule, now, duration_minutes, grid_minutes, asker_busy, at, at + 1, within)
    return rules.admits(at)


def lies_within(slot: Interval, week: WorkingWeek) -> bool:
    """Whether the whole of ``slot`` lies inside the person's working hours (touching intervals join)."""
    start, end = _us(slot.start), _us(slot.end)
    for span_start, span_end in _working_spans(week, start, end):
        if span_start <= start and end <= span_end:
            return True
    return False


def _working_spans(week: WorkingWeek, lo: int, hi: int) -> tuple[tuple[int, int], ...]:
    """The person's working time around ``[lo, hi]`` as disjoint, sorted spans of instants (touching joined).

    Covers every local day that ``[lo, hi]`` touches, and one more on each side.
    """
    zone = get_zone(week.timezone)
    return _working_spans_of_days(week, _local_ordinal(lo, zone) - 1, _local_ordinal(hi, zone) + 1)


@lru_cache(maxsize=4096)
def _working_spans_of_days(week: WorkingWeek, first_day: int, last_day: int) -> tuple[tuple[int, int], ...]:
    # Cached: a listing for many mentors reads the asker's week once per mentor over the same days.
    zone = get_zone(week.timezone)
    by_weekday: list[list[WeeklyBlock]] = [[] for _ in range(7)]
    for interval in week.intervals:
        by_weekday[interval.weekday].append(interval)
    spans: list[tuple[int, int]] = []
    for ordinal in range(first_day, last_day + 1):
        midnight = datetime.fromordinal(ordinal)
        for interval in by_weekday[(ordinal + 6) % 7]:
            begins = _us(resolve_local_end(datetime.combine(midnight, interval.start), zone))
            ends = _us(resolve_local_end(datetime.combine(midnight, interval.end), zone))
            if begins < ends:
                spans.append((begins, ends))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for span_start, span_end in spans:
        if merged and span_start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], span_end))
        else:
            merged.append((span_start, span_end))
    return tuple(merged)


def _outside_working_hours(week: WorkingWeek, lo: int, hi: int) -> list[tuple[int, int]]:
    """The gaps between the person's working spans, covering at least ``[lo, hi]``: busy for a listing."""
    gaps = []
    cursor = lo - _US_PER_DAY
    for span_start, span_end in _working_spans(week, lo, hi):
        if span_start > cursor:
            gaps.append((cursor, span_start))
        cursor = max(cursor, span_end)
    gaps.append((cursor, max(cursor, hi) + _US_PER_DAY))
    return gaps


def _us(instant: datetime) -> int:
    return (instant - _EPOCH) // _ONE_US


def _clamp(at: int) -> int:
    return min(max(at, _FIRST_START), _LAST_START)


def _intervals(starts: list[int], duration_minutes: int, grid: int) -> list[Interval]:
    """Sorted starts as UTC intervals: building them is most of a listing's cost, hence the shortcuts.

    Consecutive starts are mostly one grid step apart, and adding a timedelta to the previous datetime is
    several times cheaper than making one from a number. The intervals are valid by construction, so they
    skip ``Interval.__post_init__``'s checks.
    """
    duration = timedelta(minutes=duration_minutes)
    step = timedelta(microseconds=grid)
    new, set_start, set_end = object.__new__, _SET_START, _SET_END
    intervals = []
    previous_at, previous = 0, _EPOCH
    for at in starts:
        start = previous + step if at - previous_at == grid else _EPOCH + timedelta(microseconds=at)
        interval = new(Interval)
        set_start(interval, start)
        set_end(interval, start + duration)
        intervals.append(interval)
        previous_at, previous = at, start
    return intervals


@dataclass(frozen=True, slots=True)
class _Rules:
    """One query's rules, prepared: blocks by weekday, and every interval a slot must not overlap, merged."""

    zone: ZoneInfo
    # Per weekday, (start, end) of each block as microseconds since local midnight, sorted.
    blocks_by_weekday: tuple[tuple[tuple[int, int], ...], ...]
    blocks_overlap: bool
    blocked_starts: list[int]  # disjoint, sorted: busy ± buffer, time off and asker busy, merged
    blocked_ends: list[int]
    earliest: int
    duration: int
    duration_minutes: int
    grid: int
    cap: int | None
    booked: Mapping[date, int]

    @classmethod
    def build(
        cls,
        schedule: MentorSchedule,
        now: datetime,
        duration_minutes: int,
        grid_minutes: int,
        asker_busy: Sequence[Interval],
        lo: int,
        hi: int,
        within: Sequence[WorkingWeek] = (),
    ) -> _Rules:
        """Rules for slots starting in ``[lo, hi)``; intervals that cannot touch such a slot are dropped."""
        if duration_minutes <= 0:
            raise ValueError(f"duration_minutes must be positive, got {duration_minutes!r}")
        if grid_minutes <= 0:
            raise ValueError(f"grid_minutes must be positive, got {grid_minutes!r}")
        duration = duration_minutes * _US_PER_MINUTE
        horizon = hi + duration
        buffer = max(schedule.buffer_minutes, 0) * _US_PER_MINUTE
        spans = []
        for intervals, widen in ((schedule.busy, buffer), (schedule.time_off, 0), (asker_busy, 0)):
            for interval in intervals:
                span_start = _us(interval.start) - widen
                span_end = _us(interval.end) + widen
                if span_end > lo and span_start < horizon:
                    spans.append((span_start, span_end))
        for week in within:
            for span_start, span_end in _outside_working_hours(week, lo, horizon):
                if span_end > lo and span_start < horizon:
                    spans.append((span_start, span_end))
        spans.sort()
        blocked_starts: list[int] = []
        blocked_ends: list[int] = []
        for span_start, span_end in spans:
            if blocked_ends and span_start <= blocked_ends[-1]:
                if span_end > blocked_ends[-1]:
                    blocked_ends[-1] = span_end
            else:
                blocked_starts.append(span_start)
                blocked_ends.append(span_end)

        by_weekday: list[list[tuple[int, int]]] = [[] for _ in range(7)]
        for block in schedule.blocks:
            by_weekday[block.weekday].append((_time_us(block.start), _time_us(block.end)))
        overlap = False
        for day_blocks in by_weekday:
            day_blocks.sort()
            overlap = overlap or any(a[1] > b[0] for a, b in pairwise(day_blocks))

        return cls(
            zone=get_zone(schedule.timezone),
            blocks_by_weekday=tuple(tuple(day_blocks) for day_blocks in by_weekday),
            blocks_overlap=overlap,
            blocked_starts=blocked_starts,
            blocked_ends=blocked_ends,
            earliest=_us(now) + max(schedule.min_notice_minutes, 0) * _US_PER_MINUTE,
            duration=duration,
            duration_minutes=duration_minutes,
            grid=grid_minutes * _US_PER_MINUTE,
            cap=schedule.weekly_minutes_cap,
            booked=schedule.booked_minutes_by_week,
        )

    def collect(self, lo: int, hi: int, *, first_only: bool) -> list[int]:
        """Sorted bookable starts in ``[lo, hi)`` (``lo`` past notice); just the first if ``first_only``."""
        if lo >= hi:
            return []
        found: list[int] = []
        first_day = _local_ordinal(lo, self.zone)
        # One more day: if ``hi`` falls in a fall-back's second pass across midnight, its local date is the
        # day before that of first-pass starts just earlier than it.
        last_day = _local_ordinal(hi, self.zone) + 1
        for ordinal in range(first_day, last_day + 1):
            weekday = (ordinal + 6) % 7  # ordinal 1 (0001-01-01) was a Monday
            day_blocks = self.blocks_by_weekday[weekday]
            if not day_blocks or not self._within_cap(ordinal - weekday):
                continue
            midnight = datetime.fromordinal(ordinal)
            offset = _steady_offset(self.zone, midnight)
            day_found: list[int] = []
            for block_start, block_end in day_blocks:
                if offset is None:
                    self._walk_block(day_found, midnight, block_start, block_end, lo, hi, first_only)
                else:
                    base = (ordinal - _EPOCH_ORDINAL) * _US_PER_DAY - offset
                    self._fill_block(day_found, base, block_start, block_end, lo, hi, first_only)
            if day_found:
                if first_only:
                    return [min(day_found)]
                found.extend(day_found)
        if self.blocks_overlap:
            found = sorted(set(found))
        return found

    def admits(self, at: int) -> bool:
        """Whether the instant ``at`` is a bookable start: ``collect``'s decisions, for one start."""
        if at < self.earliest:
            return False
        wall = (_EPOCH + timedelta(microseconds=at)).astimezone(self.zone).replace(tzinfo=None)
        ordinal = wall.toordinal()
        weekday = wall.weekday()
        time_of_day = _time_us(wall.time())
        if time_of_day % self.grid or not self._within_cap(ordinal - weekday):
            return False
        midnight = datetime.fromordinal(ordinal)
        offset = _steady_offset(self.zone, midnight)
        if offset is None:
            first = resolve_local(wall, self.zone)
            if first is None or _us(first) != at:  # the repeated hour's second occurrence
                return False
        end = at + self.duration
        for block_start, block_end in self.blocks_by_weekday[weekday]:
            if not block_start <= time_of_day < block_end:
                continue
            if end <= _block_end_at(midnight, offset, block_end, self.zone):
                return not self._blocked(at, end)
        return False

    def _within_cap(self, monday_ordinal: int) -> bool:
        if self.cap is None:
            return True
        booked = self.booked.get(date.fromordinal(monday_ordinal), 0)
        return booked + self.duration_minutes <= self.cap

    def _blocked(self, start: int, end: int) -> bool:
        index = bisect_right(self.blocked_ends, start)
        return index < len(self.blocked_starts) and self.blocked_starts[index] < end

    def _fill_block(
        self, out: list[int], base: int, block_start: int, block_end: int, lo: int, hi: int, first_only: bool
    ) -> None:
        """One block's starts on a day with one UTC offset: a lattice, minus what blocked intervals forbid."""
        grid, duration = self.grid, self.duration
        at = base + -(-block_start // grid) * grid
        last = min(base + block_end - duration, hi - 1)
        if at < lo:
            at += -(-(lo - at) // grid) * grid
        if at > last:
            return
        starts, ends = self.blocked_starts, self.blocked_ends
        count = len(ends)
        index = bisect_right(ends, at)
        # Blocked interval [s, e) forbids the starts in (s - duration, e). Intervals are disjoint and sorted,
        # so only the first one ending after ``at`` can forbid it, and no interval forbids a start before its
        # s - duration.
        while at <= last:
            if index < count and starts[index] - duration < at:
                at += -(-(ends[index] - at) // grid) * grid
                index += 1
                while index < count and ends[index] <= at:
                    index += 1
                continue
            if first_only:
                out.append(at)
                return
            stop = last if index >= count else min(last, starts[index] - duration)
            emitted = range(at, stop + 1, grid)
            out.extend(emitted)
            at = emitted[-1] + grid

    def _walk_block(
        self,
        out: list[int],
        midnight: datetime,
        block_start: int,
        block_end: int,
        lo: int,
        hi: int,
        first_only: bool,
    ) -> None:
        """Starts of one block on a day whose UTC offset changes: each grid wall time is resolved alone."""
        limit = _block_end_at(midnight, None, block_end, self.zone)
        grid = self.grid
        for time_of_day in range(-(-block_start // grid) * grid, block_end, grid):
            first = resolve_local(midnight + timedelta(microseconds=time_of_day), self.zone)
            if first is None:
                continue
            at = _us(first)
            end = at + self.duration
            if lo <= at < hi and end <= limit and not self._blocked(at, end):
                out.append(at)
                if first_only:
                    return


def _time_us(value: time) -> int:
    return ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000 + value.microsecond


def _block_end_at(midnight: datetime, offset: int | None, block_end: int, zone: ZoneInfo) -> int:
    """The instant a block ends on the local day of ``midnight``; ``offset`` is ``_steady_offset``'s."""
    if offset is None:
        return _us(resolve_local_end(midnight + timedelta(microseconds=block_end), zone))
    return (midnight.toordinal() - _EPOCH_ORDINAL) * _US_PER_DAY - offset + block_end


def _local_ordinal(at: int, zone: ZoneInfo) -> int:
    return (_EPOCH + timedelta(microseconds=at)).astimezone(zone).toordinal()


def _steady_offset(zone: ZoneInfo, midnight: datetime) -> int | None:
    """The local day's UTC offset in microseconds, or None when the offset changes during the day.

    This midnight and the next must read the same offset, the next one in both its readings (fold 0 and 1):
    a fall-back whose repeated stretch crosses midnight leaves this day's end ambiguous. Assumes a day never
    holds two offset changes that cancel out.
    """
    offset = zone.utcoffset(midnight)
    assert offset is not None, "a ZoneInfo knows the offset of every instant"
    next_midnight = midnight + _ONE_DAY
    if zone.utcoffset(next_midnight) != offset or zone.utcoffset(next_midnight.replace(fold=1)) != offset:
        return None
    return offset // _ONE_US
