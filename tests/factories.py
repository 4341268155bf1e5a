"""factory-boy factories: every test builds the data it needs from these."""

import datetime

import factory
from django.utils import timezone

from tracker.models import (
    Action,
    ExtensionRequest,
    Force,
    IdentityProvider,
    KeyFigure,
    ProgressNote,
    Recommendation,
    Report,
    SignInRule,
    Theme,
    User,
)


class ForceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Force
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Testshire Police {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))
    kind = Force.Kind.TERRITORIAL


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("password")
    role = User.Role.PSD_LEAD


class PsdLeadFactory(UserFactory):
    """A force PSD lead; pass `forces=[force]` to make them a member."""

    role = User.Role.PSD_LEAD

    @factory.post_generation
    def forces(self, create, extracted, **kwargs):
        if create and extracted:
            self.forces.set(extracted)


class CommissionerOfficeFactory(PsdLeadFactory):
    """Someone in a police and crime commissioner's office; pass `forces=[force]` for the force it oversees."""

    role = User.Role.COMMISSIONER


class ReviewerFactory(UserFactory):
    role = User.Role.REVIEWER


class AdminFactory(UserFactory):
    role = User.Role.REVIEWER
    is_staff = True
    is_superuser = True


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report

    slug = factory.Sequence(lambda n: f"report-{n}")
    title = "Police Integrity and Corruption"
    series = "Police Integrity and Corruption 2014"
    subject_force = factory.SubFactory(ForceFactory)
    published_on = datetime.date(2014, 11, 27)
    published_precision = "day"


class KeyFigureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KeyFigure

    report = factory.SubFactory(ReportFactory)
    code = factory.Sequence(lambda n: f"figure-{n}")
    label = "Public complaints per 100 workforce"
    value = 10
    national_value = 12


class RecommendationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recommendation

    report = factory.SubFactory(ReportFactory)
    kind = Recommendation.Kind.RECOMMENDATION
    number = factory.Sequence(lambda n: n + 1)
    text = "Within six months, the force should ensure that it has communicated to all staff the requirements."
    timeframe = "Within six months"
    due_date = datetime.date(2015, 5, 27)
    due_precision = "day"
    inspection_question = "How well does the force prevent, identify and investigate corruption?"
    evidence = "HMIC found that staff had a limited understanding of the policy."


class AreaForImprovementFactory(RecommendationFactory):
    """An area for improvement: numbered apart from recommendations, and with no due date unless it gives one."""

    kind = Recommendation.Kind.AREA_FOR_IMPROVEMENT
    text = "The force should improve how it records the outcome of vetting appeals."
    timeframe = ""
    due_date = None
    due_precision = ""


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme

    title = factory.Sequence(lambda n: f"Theme {n}")
    canonical_wording = "Within six months, the force should publish a policy."


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    recommendation = factory.SubFactory(RecommendationFactory)
    force = factory.LazyAttribute(lambda o: o.recommendation.report.subject_force or ForceFactory())
    due_date = factory.LazyAttribute(lambda o: o.recommendation.due_date)
    status = Action.Status.NOT_STARTED
    created_at = factory.LazyFunction(timezone.now)


class ProgressNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressNote

    action = factory.SubFactory(ActionFactory)
    author = factory.SubFactory(PsdLeadFactory)
    text = "Policy drafted and out for consultation."


class ExtensionRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExtensionRequest

    action = factory.SubFactory(ActionFactory)
    requested_by = factory.SubFactory(PsdLeadFactory)
    requested_due_date = datetime.date(2015, 9, 30)
    reason = "The new policy needs sign-off by the chief officer group, which meets in September."


class IdentityProviderFactory(factory.django.DjangoModelFactory):
    """The row of an identity provider configured in settings (tests.oidc.LocalIdentityProvider.app)."""

    class Meta:
        model = IdentityProvider
        django_get_or_create = ["key"]

    key = "test-force"


class SignInRuleFactory(factory.django.DjangoModelFactory):
    """A sign-in rule: by default, anyone with an address at test.police.uk is a PSD lead of `force`."""

    class Meta:
        model = SignInRule

    provider = factory.SubFactory(IdentityProviderFactory)
    claim = SignInRule.EMAIL
    value = "@test.police.uk"
    role = User.Role.PSD_LEAD
    force = factory.SubFactory(ForceFactory)
