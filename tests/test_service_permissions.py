"""Every service that changes data checks who asks, called directly and not through a view.

Each service is tried by every kind of user. The roles allowed succeed; everyone else gets PermissionDenied
with the service's own message, and the database is left exactly as it was (rows and history alike). A view
that forgot its own check would still be safe, and a new service must join the table below to pass.
"""

import datetime
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from tests.factories import (
    ActionFactory,
    CommissionerOfficeFactory,
    ExtensionRequestFactory,
    PsdLeadFactory,
    RecommendationFactory,
    ReviewerFactory,
    ThemeFactory,
)
from tracker import responses, themes, workflow
from tracker.models import (
    Action,
    CommissionerResponse,
    ExtensionRequest,
    ProgressNote,
    Recommendation,
    Report,
    ResponseExplanation,
    Theme,
)

pytestmark = pytest.mark.django_db

S = Action.Status
D = datetime.date
REVIEWERS = frozenset({"reviewer", "admin"})
OWN_PSD_LEAD = frozenset({"own_psd_lead"})
ROLES = [
    "own_psd_lead",
    "other_psd_lead",
    "reviewer",
    "admin",
    "inactive_psd_lead",
    "inactive_reviewer",
    "signed_out",
    "commissioner",
    "other_commissioner",
    "inactive_commissioner",
]
COMMISSIONER = frozenset({"commissioner"})
NOT_YOURS = "You cannot change this action."


@pytest.fixture
def users(psd_lead_a, psd_lead_b, reviewer, admin_user, force_a, force_b, commissioner_a):
    return {
        "commissioner": commissioner_a,
        "other_commissioner": CommissionerOfficeFactory(username="pcc-b", forces=[force_b]),
        "inactive_commissioner": CommissionerOfficeFactory(username="gone-pcc", forces=[force_a], is_active=False),
        "own_psd_lead": psd_lead_a,
        "other_psd_lead": psd_lead_b,
        "reviewer": reviewer,
        "admin": admin_user,
        "inactive_psd_lead": PsdLeadFactory(username="gone-a", forces=[force_a], is_active=False),
        "inactive_reviewer": ReviewerFactory(username="gone-reviewer", is_active=False),
        "signed_out": AnonymousUser(),
    }


@pytest.fixture
def world(today, force_a, colleague_a, commissioner_a):
    return SimpleNamespace(force=force_a, colleague=colleague_a, commissioner=commissioner_a)


@dataclass(frozen=True)
class Service:
    function: Callable  # the service function tried, so the table can be checked against the modules
    allowed: frozenset[str]
    refusal: Callable[[str], str]  # the message each refused role gets
    setup: Callable[[SimpleNamespace], object]  # builds what the service changes, in a state it accepts
    call: Callable[[object, object], object]  # (target, user)
    done: Callable[[object], bool]  # whether the change was made (read back from the database)


def _always(message: str) -> Callable[[str], str]:
    return lambda role: message


def _action(world, status=S.IN_PROGRESS) -> Action:
    return ActionFactory(force=world.force, status=status, due_date=D(2015, 5, 27))


def _reread(instance):
    """Return `instance` as the database now has it."""
    return type(instance).objects.get(pk=instance.pk)


# (transition, status it starts from, whom it is for, what a signed-in user of the force in the other role is told)
TRANSITION_CASES = [
    ("start", S.NOT_STARTED, OWN_PSD_LEAD, "Only the force's PSD lead can mark as being progressed."),
    ("complete", S.IN_PROGRESS, OWN_PSD_LEAD, "Only the force's PSD lead can mark as complete and send for review."),
    ("verify", S.COMPLETED, REVIEWERS, "Only an HMIC reviewer can verify and authorise closure."),
    ("reopen", S.VERIFIED, REVIEWERS, "Only an HMIC reviewer can reopen."),
    ("supersede", S.IN_PROGRESS, REVIEWERS, "Only an HMIC reviewer can close as superseded."),
    ("not_accept", S.IN_PROGRESS, REVIEWERS, "Only an HMIC reviewer can close as not accepted."),
]


def _transition_service(name, source, allowed, wrong_role_message) -> Service:
    # The force's PSD lead asking for a reviewer's transition (or a reviewer for the force's) is told whose it is;
    # anyone with no part in the action is told only that they cannot change it.
    wrong_role = REVIEWERS if allowed == OWN_PSD_LEAD else OWN_PSD_LEAD
    target = workflow.TRANSITIONS[name].target
    return Service(
        function=workflow.transition,
        allowed=allowed,
        refusal=lambda role: wrong_role_message if role in wrong_role else NOT_YOURS,
        setup=lambda world: _action(world, source),
        call=lambda action, user: workflow.transition(action, name, by=user, text="Evidence reviewed."),
        done=lambda action: _reread(action).status == target,
    )


def _two_recommendations(world):
    return RecommendationFactory(report__subject_force=world.force), RecommendationFactory()


def _theme_with(count: int) -> Theme:
    theme = ThemeFactory()
    for _ in range(count):
        RecommendationFactory(theme=theme)
    return theme


def _bulk(**change) -> Callable[[object, object], int]:
    return lambda actions, user: workflow.bulk_update(actions, by=user, **change)


def _bulk_actions(world) -> list[Action]:
    return [_action(world), _action(world)]


def _force_report(world) -> Report:
    """Return a report about the world's force, with one recommendation and the force's action on it."""
    return ActionFactory(force=world.force, recommendation__report__subject_force=world.force).recommendation.report


def _invited_report(world) -> Report:
    report = _force_report(world)
    responses.invite_comments(report, by=world.commissioner, due_on=D(2015, 6, 10))
    return report


CHANGE_THEMES = _always("Only an HMIC reviewer can change themes.")
REVIEWER_ONLY = _always("Only an HMIC reviewer can do this.")


def _for_reviewers(function, setup, call, done, refusal=REVIEWER_ONLY) -> Service:
    return Service(function, REVIEWERS, refusal, setup, call, done)


SERVICES: dict[str, Service] = {
    **{f"transition:{case[0]}": _transition_service(*case) for case in TRANSITION_CASES},
    "add_note": Service(
        workflow.add_note,
        OWN_PSD_LEAD | REVIEWERS,
        _always("You cannot add notes to this action."),
        _action,
        lambda action, user: workflow.add_note(action, by=user, text="Training booked for March."),
        lambda action: action.notes.exists(),
    ),
    "assign_owner": Service(
        workflow.assign_owner,
        OWN_PSD_LEAD | REVIEWERS,
        _always(NOT_YOURS),
        lambda world: (_action(world), world.colleague),
        lambda target, user: workflow.assign_owner(target[0], by=user, owner=target[1]),
        lambda target: _reread(target[0]).owner == target[1],
    ),
    "request_extension": Service(
        workflow.request_extension,
        OWN_PSD_LEAD,
        _always("Only the force's PSD lead can ask for a revised deadline."),
        _action,
        lambda action, user: workflow.request_extension(
            action, by=user, requested_due_date=D(2015, 9, 30), reason="Sign-off is in September."
        ),
        lambda action: action.extension_requests.filter(decision=ExtensionRequest.Decision.PENDING).exists(),
    ),
    "decide_extension": Service(
        workflow.decide_extension,
        REVIEWERS,
        _always("Only an HMIC reviewer can decide an extension request."),
        lambda world: ExtensionRequestFactory(action=_action(world), requested_due_date=D(2015, 9, 30)),
        lambda request, user: workflow.decide_extension(request, by=user, approve=True),
        lambda request: _reread(request.action).revised_due_date == D(2015, 9, 30),
    ),
    "set_rag": Service(
        workflow.set_rag,
        OWN_PSD_LEAD,
        _always("Only the force's PSD lead can give the action a RAG rating."),
        _action,
        lambda action, user: workflow.set_rag(action, by=user, rag="amber", reason="Training delayed"),
        lambda action: _reread(action).rag == "amber",
    ),
    "set_publishable": Service(
        workflow.set_publishable,
        REVIEWERS,
        _always("Only an HMIC reviewer can publish an action."),
        _action,
        lambda action, user: workflow.set_publishable(action, by=user, publishable=True),
        lambda action: _reread(action).is_publishable,
    ),
    "confirm_recheck": Service(
        workflow.confirm_recheck,
        REVIEWERS,
        _always("Only an HMIC reviewer can re-check a verified action."),
        lambda world: ActionFactory(force=world.force, status=S.VERIFIED, recheck_on=D(2015, 6, 1)),
        lambda action, user: workflow.confirm_recheck(action, by=user, text="Still in place."),
        lambda action: _reread(action).recheck_on is None,
    ),
    "set_report_publishable": _for_reviewers(
        workflow.set_report_publishable,
        lambda world: _action(world).recommendation.report,
        lambda report, user: workflow.set_report_publishable(report, by=user, publishable=True),
        lambda report: _reread(report).is_publishable,
    ),
    "set_priority": _for_reviewers(
        workflow.set_priority,
        lambda world: _action(world).recommendation,
        lambda recommendation, user: workflow.set_priority(recommendation, by=user, priority=True),
        lambda recommendation: _reread(recommendation).is_priority,
    ),
    "link_recurrence": _for_reviewers(
        workflow.link_recurrence,
        _two_recommendations,
        lambda pair, user: workflow.link_recurrence(pair[0], by=user, earlier=pair[1], kind="repeats"),
        lambda pair: _reread(pair[0]).follows == pair[1],
    ),
    "bulk_update:owner": _for_reviewers(
        workflow.bulk_update,
        lambda world: (_bulk_actions(world), world.colleague),
        lambda target, user: workflow.bulk_update(target[0], by=user, owner=target[1], set_owner=True),
        lambda target: all(_reread(action).owner == target[1] for action in target[0]),
    ),
    "bulk_update:publishable": _for_reviewers(
        workflow.bulk_update,
        _bulk_actions,
        _bulk(publishable=True),
        lambda actions: all(_reread(action).is_publishable for action in actions),
    ),
    "bulk_update:priority": _for_reviewers(
        workflow.bulk_update,
        _bulk_actions,
        _bulk(priority=True),
        lambda actions: all(_reread(action).recommendation.is_priority for action in actions),
    ),
    "transition_to": Service(
        workflow.transition_to,
        OWN_PSD_LEAD,
        lambda role: "Only the force's PSD lead can mark as being progressed." if role in REVIEWERS else NOT_YOURS,
        lambda world: _action(world, S.NOT_STARTED),
        lambda action, user: workflow.transition_to(action, S.IN_PROGRESS, by=user),
        lambda action: _reread(action).status == S.IN_PROGRESS,
    ),
    "responses.invite_comments": Service(
        responses.invite_comments,
        COMMISSIONER,
        _always("Only the commissioner's office of the force can invite the chief officer's comments."),
        _force_report,
        lambda report, user: responses.invite_comments(report, by=user, due_on=D(2015, 6, 10)),
        lambda report: CommissionerResponse.objects.filter(report=report, comments_due_on=D(2015, 6, 10)).exists(),
    ),
    "responses.write_chief_officer_comments": Service(
        responses.write_chief_officer_comments,
        OWN_PSD_LEAD,
        _always("Only the force's PSD lead can write the chief officer's comments."),
        _invited_report,
        lambda report, user: responses.write_chief_officer_comments(report, by=user, text="We accept them."),
        lambda report: CommissionerResponse.objects.filter(report=report, chief_officer_comments__gt="").exists(),
    ),
    "responses.save_response": Service(
        responses.save_response,
        COMMISSIONER,
        _always("Only the commissioner's office of the force can write its response."),
        _force_report,
        lambda report, user: responses.save_response(report, by=user, comments="Welcome.", explanations={}),
        lambda report: CommissionerResponse.objects.filter(report=report, commissioner_comments="Welcome.").exists(),
    ),
    "themes.rename": _for_reviewers(
        themes.rename,
        lambda world: _theme_with(1),
        lambda theme, user: themes.rename(theme, by=user, title="Vetting appeals"),
        lambda theme: _reread(theme).title == "Vetting appeals",
        refusal=CHANGE_THEMES,
    ),
    "themes.confirm": _for_reviewers(
        themes.confirm,
        lambda world: _theme_with(1),
        lambda theme, user: themes.confirm(theme, by=user),
        lambda theme: _reread(theme).confirmed,
        refusal=CHANGE_THEMES,
    ),
    "themes.merge": _for_reviewers(
        themes.merge,
        lambda world: (_theme_with(1), _theme_with(1)),
        lambda pair, user: themes.merge(pair[0], pair[1], by=user),
        lambda pair: not Theme.objects.filter(pk=pair[1].pk).exists(),
        refusal=CHANGE_THEMES,
    ),
    "themes.split": _for_reviewers(
        themes.split,
        lambda world: _theme_with(2),
        lambda theme, user: themes.split(theme, theme.recommendations.all()[:1], by=user, title="Split off"),
        lambda theme: Theme.objects.filter(title="Split off").exists(),
        refusal=CHANGE_THEMES,
    ),
}


def database_state() -> tuple:
    """Return every row a service could write or delete, history included, for comparing before and after."""
    models = [
        Action,
        ExtensionRequest,
        ProgressNote,
        Recommendation,
        Report,
        Theme,
        CommissionerResponse,
        ResponseExplanation,
    ]
    rows = tuple(tuple(model.objects.order_by("pk").values_list()) for model in models)
    history = tuple(model.history.model.objects.count() for model in models if hasattr(model, "history"))
    return rows, history


CASES = [
    pytest.param(name, role, id=f"{name}-{role}")
    for name, service in SERVICES.items()
    for role in ROLES
    if role not in service.allowed
]


@pytest.mark.parametrize("name,role", CASES)
def test_a_service_refuses_anyone_it_is_not_for_and_changes_nothing(world, users, name, role):
    service = SERVICES[name]
    target = service.setup(world)
    before = database_state()

    with pytest.raises(PermissionDenied) as excinfo:
        service.call(target, users[role])

    assert str(excinfo.value) == service.refusal(role)
    assert database_state() == before
    assert not service.done(target)


@pytest.mark.parametrize(
    "name,role",
    [pytest.param(name, role, id=f"{name}-{role}") for name, s in SERVICES.items() for role in sorted(s.allowed)],
)
def test_a_service_does_its_change_for_the_roles_it_is_for(world, users, name, role):
    service = SERVICES[name]
    target = service.setup(world)
    before = database_state()

    service.call(target, users[role])

    assert service.done(target)
    assert database_state() != before


def test_every_transition_is_tried():
    assert {case[0] for case in TRANSITION_CASES} == set(workflow.TRANSITIONS)


def test_every_action_operation_is_tried_through_its_service():
    tried = {service.function.__name__ for service in SERVICES.values()}
    assert set(workflow.OPERATIONS) <= tried


@pytest.mark.parametrize("module", [workflow, themes, responses])
def test_every_service_that_names_who_asks_is_tried(module):
    # A new public function taking `by=` in a service module is a change someone makes: it must join SERVICES.
    services = {
        function
        for name, function in inspect.getmembers(module, inspect.isfunction)
        if function.__module__ == module.__name__
        and not name.startswith("_")
        and "by" in inspect.signature(function).parameters
    }
    assert services <= {service.function for service in SERVICES.values()}
