"""factory_boy factories for the domain models. Personas in conftest.py build on these."""

from datetime import time

import factory
from django.utils.text import slugify

from marketplace.models import AvailabilityBlock, Department, MentorProfile, Skill, User, UserSkill

PASSWORD = "test-pass-123"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Department {n}")


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Skill
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Skill {n}")
    slug = factory.LazyAttribute(lambda skill: slugify(skill.name))
    category = Skill.Category.COMMUNICATION


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    display_name = factory.Faker("name")
    timezone = "Europe/London"
    department = factory.SubFactory(DepartmentFactory)
    job_title = "Engineer"
    password = factory.django.Password(PASSWORD)


class MentorFactory(UserFactory):
    is_mentor = True
    headline = "Happy to help"
    profile = factory.RelatedFactory(
        "tests.factories.MentorProfileFactory",
        factory_related_name="user",
        availability_timezone=factory.SelfAttribute("..timezone"),
    )


class MentorProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MentorProfile

    user = factory.SubFactory(UserFactory, is_mentor=True)
    min_notice_minutes = 0
    buffer_minutes = 0
    weekly_minutes_cap = 600


class UserSkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UserSkill

    user = factory.SubFactory(MentorFactory)
    skill = factory.SubFactory(SkillFactory)
    level = 2


class AvailabilityBlockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AvailabilityBlock

    mentor = factory.SubFactory(MentorFactory)
    weekday = 0
    start = time(9, 0)
    end = time(12, 0)
