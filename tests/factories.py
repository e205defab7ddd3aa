"""factory_boy factories for the domain models. Personas in conftest.py build on these."""

from datetime import time, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

import factory
from allauth.account.models import EmailAddress
from django.db.models import Model
from django.utils import timezone
from django.utils.text import slugify

from groups.models import GroupSession, Question, Seat
from marketplace.models import AvailabilityBlock, Department, MentorProfile, Skill, User, UserSkill
from matching.models import MentorRequest
from sessions_app.models import Booking, Feedback, FollowUp, Moment, OutboundMessage

PASSWORD = "test-pass-123"

ModelT = TypeVar("ModelT", bound=Model)


class ModelFactory(factory.django.DjangoModelFactory[ModelT]):
    """A factory whose call, `UserFactory(...)`, is typed as the model it creates (factory_boy types only
    `.create()` and `.build()`; the call goes through its metaclass, which it leaves untyped)."""

    class Meta:
        abstract = True

    if TYPE_CHECKING:

        def __new__(cls, *args: Any, **kwargs: Any) -> ModelT: ...  # type: ignore[misc]


class DepartmentFactory(ModelFactory[Department]):
    class Meta:
        model = Department
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Department {n}")


class SkillFactory(ModelFactory[Skill]):
    class Meta:
        model = Skill
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Skill {n}")
    slug = factory.LazyAttribute(lambda skill: slugify(skill.name))
    category = Skill.Category.COMMUNICATION


class UserFactory(ModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    display_name = factory.Faker("name")
    timezone = "Europe/London"
    department = factory.SubFactory(DepartmentFactory)
    job_title = "Engineer"
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified_email(user: User, create: bool, extracted: bool | None, **kwargs: Any) -> None:
        """A verified address, as after following the sign-up mail (verification is mandatory);
        `UserFactory(verified_email=False)` for a person who has not confirmed theirs."""
        if create and extracted is not False:
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)


class MentorFactory(UserFactory):
    is_mentor = True
    headline = "Happy to help"
    profile = factory.RelatedFactory(
        "tests.factories.MentorProfileFactory",
        factory_related_name="user",
        availability_timezone=factory.SelfAttribute("..timezone"),
    )


class MentorProfileFactory(ModelFactory[MentorProfile]):
    class Meta:
        model = MentorProfile

    user = factory.SubFactory(UserFactory, is_mentor=True)
    min_notice_minutes = 0
    buffer_minutes = 0
    weekly_minutes_cap = 600


class UserSkillFactory(ModelFactory[UserSkill]):
    class Meta:
        model = UserSkill

    user = factory.SubFactory(MentorFactory)
    skill = factory.SubFactory(SkillFactory)
    level = 2


class AvailabilityBlockFactory(ModelFactory[AvailabilityBlock]):
    class Meta:
        model = AvailabilityBlock

    mentor = factory.SubFactory(MentorFactory)
    weekday = 0
    start = time(9, 0)
    end = time(12, 0)


def _a_future_slot() -> object:
    """Two days ahead on the 10-minute grid (UTC)."""
    now = timezone.now().replace(second=0, microsecond=0)
    return now.replace(minute=now.minute - now.minute % 10) + timedelta(days=2)


class BookingFactory(ModelFactory[Booking]):
    """A confirmed session, inserted directly (no slot check): use sessions_app.services to book for real."""

    class Meta:
        model = Booking

    mentor = factory.SubFactory(MentorFactory)
    mentee = factory.SubFactory(UserFactory)
    start = factory.LazyFunction(_a_future_slot)
    duration = 30
    end = factory.LazyAttribute(lambda booking: booking.start + timedelta(minutes=booking.duration))
    topic = "Preparing a board presentation"
    meeting_url = "https://meet.example.com/sidebar-test"


class FeedbackFactory(ModelFactory[Feedback]):
    class Meta:
        model = Feedback

    booking = factory.SubFactory(BookingFactory, status=Booking.Status.COMPLETED)
    author = factory.LazyAttribute(lambda feedback: feedback.booking.mentee)
    role = Feedback.Role.MENTEE
    rating = 5
    helpful = True


class MentorRequestFactory(ModelFactory[MentorRequest]):
    """A request for help stored directly (no matching): use matching.services.create_request to match it."""

    class Meta:
        model = MentorRequest
        skip_postgeneration_save = True

    asker = factory.SubFactory(UserFactory)
    topic = "Preparing a board presentation"
    duration = 30
    created_at = factory.LazyFunction(timezone.now)
    needed_by = factory.LazyAttribute(lambda request: request.created_at + timedelta(days=3))

    @factory.post_generation
    def skills(self, create, extracted, **kwargs):
        if create and extracted:
            self.skills.set(extracted)


class OutboundMessageFactory(ModelFactory[OutboundMessage]):
    """An outbox row due now, for the booking's mentee."""

    class Meta:
        model = OutboundMessage

    booking = factory.SubFactory(BookingFactory)
    kind = OutboundMessage.Kind.REMINDER
    recipient = factory.LazyAttribute(lambda message: message.booking.mentee)
    lead_minutes = 60
    sequence = factory.LazyAttribute(lambda message: message.booking.sequence)
    due_at = factory.LazyFunction(timezone.now)


class FollowUpFactory(ModelFactory[FollowUp]):
    class Meta:
        model = FollowUp

    booking = factory.SubFactory(BookingFactory, status=Booking.Status.COMPLETED)
    outcome = FollowUp.Outcome.YES
    note = ""


class MomentFactory(ModelFactory[Moment]):
    class Meta:
        model = Moment

    author = factory.SubFactory(UserFactory)
    kind = Moment.Kind.TIP
    with_name = "Priya"
    note = "Showed me how she structures board updates"
    happened_on = factory.LazyFunction(lambda: timezone.now().date())


class GroupSessionFactory(ModelFactory[GroupSession]):
    """A scheduled group session two days ahead, stored directly: groups.services publishes for real."""

    class Meta:
        model = GroupSession

    host = factory.SubFactory(MentorFactory)
    title = "Office hours: presenting to the board"
    start = factory.LazyFunction(_a_future_slot)
    duration = 30
    end = factory.LazyAttribute(lambda session: session.start + timedelta(minutes=session.duration))
    capacity = 5
    meeting_url = "https://meet.example.com/sidebar-group"


class SeatFactory(ModelFactory[Seat]):
    """A seat stored directly (no counters kept): use groups.services.seats.join_session to join for real."""

    class Meta:
        model = Seat

    session = factory.SubFactory(GroupSessionFactory)
    person = factory.SubFactory(UserFactory)
    status = Seat.Status.SEATED
    seat_number = factory.Sequence(lambda n: n + 1)
    session_capacity = factory.LazyAttribute(lambda seat: seat.session.capacity)


class QuestionFactory(ModelFactory[Question]):
    class Meta:
        model = Question

    session = factory.SubFactory(GroupSessionFactory)
    author = factory.SubFactory(UserFactory)
    text = "How do you prepare the first slide?"
