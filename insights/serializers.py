"""The shape of the insights summary (docs/api.md "Insights"), for the OpenAPI schema.

insights.selectors.summary builds the summary, privacy rule applied; these serializers describe what it
returns (a suppressed row keeps only `key`, `label` and `suppressed`, so figures are not required). The
schemathesis run (tests/test_schemathesis.py) holds the real answers to this description.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from insights.regions import REGIONS
from insights.selectors.privacy import FEWER_THAN_5, FIGURE_BASIS, PROTECTS_SMALLER
from marketplace.serializers import DepartmentSerializer

SUPPRESSION_REASONS = [FEWER_THAN_5, PROTECTS_SMALLER]  # a group's
POPULATION_SUPPRESSED = [FEWER_THAN_5]  # the whole summary's
WITHHOLDABLE = sorted({*FIGURE_BASIS, "mentor_utilization"})


def count(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=0, allow_null=True, **kwargs)


def share(**kwargs) -> serializers.FloatField:
    """A rate: a fraction from 0 to 1 (4 decimals), null with nothing to divide by, or withheld."""
    return serializers.FloatField(min_value=0, max_value=1, allow_null=True, **kwargs)


def hours(**kwargs) -> serializers.FloatField:
    return serializers.FloatField(min_value=0, allow_null=True, **kwargs)


def withheld(**kwargs) -> serializers.ListField:
    """The rates and averages set to null because fewer than 5 people make them up."""
    return serializers.ListField(child=serializers.ChoiceField(choices=WITHHOLDABLE), **kwargs)


class WeekSerializer(serializers.Serializer):
    week_start = serializers.DateField()
    sessions = count()
    participants = count()
    minutes = count()
    no_shows = count()
    cancellations = count()
    requests = count()
    median_hours_to_help = hours()
    follow_ups = count()
    unblocked_rate = share()
    moments_logged = count()
    group_sessions_held = count()
    group_seats_offered = count()
    group_seats_filled = count()
    group_fill_rate = share()
    group_attendees = count()
    waitlist_conversions = count()
    waitlist_conversion_rate = share()
    withheld = withheld()


class SkillDemandSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    requested = count()
    unmet = count()
    offered = count()
    free_minutes_per_week = count()


class SkillGapSerializer(SkillDemandSerializer):
    sentence = serializers.CharField()


class LoadSliceSerializer(serializers.Serializer):
    from_percent = serializers.IntegerField(min_value=0, max_value=100)
    to_percent = serializers.IntegerField(min_value=0, max_value=100)
    mentors = count()
    sessions = count()
    share = share()


class LoadSpreadSerializer(serializers.Serializer):
    active_mentors = count()
    mentors_carrying_half = count()
    share_of_mentors_carrying_half = share()
    slices = LoadSliceSerializer(many=True)
    suppressed = serializers.ChoiceField(choices=SUPPRESSION_REASONS, allow_null=True)


@extend_schema_field(
    {
        "oneOf": [{"type": "integer"}, {"type": "string"}],
        "nullable": True,
        "description": 'A department id (null: people without one), a job level ("": not set) or a region '
        f"({', '.join(REGIONS)}).",
    }
)
class GroupKeyField(serializers.ReadOnlyField):
    pass


class EquityRowSerializer(serializers.Serializer):
    """One group of a breakdown; a suppressed group carries no figures."""

    key = GroupKeyField()
    label = serializers.CharField()  # type: ignore[assignment]  # the metaclass moves it off Field.label
    suppressed = serializers.ChoiceField(choices=SUPPRESSION_REASONS, allow_null=True)
    employees = count(required=False)
    participants = count(required=False)
    participation_rate = share(required=False)
    requests = count(required=False)
    median_hours_to_help = hours(required=False)
    served_before_deadline_rate = share(required=False)
    helpful_rate = share(required=False)
    unblocked_rate = share(required=False)
    group_attendees = count(required=False)
    group_seats_filled = count(required=False)
    waitlist_conversions = count(required=False)
    withheld = withheld(required=False)


class EquitySerializer(serializers.Serializer):
    """Breakdowns by group (none by department with a department filter; none at all when suppressed)."""

    department = EquityRowSerializer(many=True, required=False)
    job_level = EquityRowSerializer(many=True, required=False)
    region = EquityRowSerializer(many=True, required=False)


class InsightsSummarySerializer(serializers.Serializer):
    """GET /api/v1/insights/summary/: every figure is null when `suppressed` says why."""

    start = serializers.DateField()
    end = serializers.DateField()
    department = DepartmentSerializer(allow_null=True)
    as_of = serializers.DateTimeField(allow_null=True)
    definitions = serializers.DictField(child=serializers.CharField())
    suppressed = serializers.ChoiceField(choices=POPULATION_SUPPRESSED, allow_null=True)
    employees = count()
    participants = count()
    participation_rate = share()
    sessions_held = count()
    minutes_held = count()
    active_mentors = count()
    mentor_utilization = serializers.FloatField(min_value=0, allow_null=True)
    median_hours_to_help = hours()
    avg_rating = serializers.FloatField(min_value=1, max_value=5, allow_null=True)
    helpful_rate = share()
    no_show_rate = share()
    cancellation_rate = share()
    cross_department_share = share()
    served_before_deadline_rate = share()
    unblocked_rate = share()
    partly_unblocked_rate = share()
    follow_ups = count()
    moments_logged = count()
    requests = count()
    decided_requests = count()
    ratings = count()
    offering_mentors = count()
    offered_minutes = count()
    booked_minutes = count()
    group_sessions_held = count()
    group_seats_offered = count()
    group_seats_filled = count()
    group_fill_rate = share()
    group_attendees = count()
    waitlist_conversions = count()
    waitlist_conversion_rate = share()
    weekly = WeekSerializer(many=True)
    skills = SkillDemandSerializer(many=True)
    skill_gaps = SkillGapSerializer(many=True)
    load_spread = LoadSpreadSerializer()
    equity = EquitySerializer()
    withheld = withheld()
