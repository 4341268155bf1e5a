"""The Django admin lists every model and reports overdue per force."""

import pytest
from django.urls import reverse

from tests.factories import ActionFactory, ExtensionRequestFactory, KeyFigureFactory, ProgressNoteFactory
from tracker import workflow

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model", ["force", "user", "report", "recommendation", "action", "progressnote", "extensionrequest"]
)
def test_changelist_loads(client, admin_user, model, force_a):
    ActionFactory(recommendation__report__subject_force=force_a)
    ProgressNoteFactory()
    ExtensionRequestFactory()
    KeyFigureFactory()
    client.force_login(admin_user)
    assert client.get(reverse(f"admin:tracker_{model}_changelist")).status_code == 200


def test_overdue_filter_in_the_action_changelist(client, today, admin_user, force_a):
    overdue = ActionFactory(recommendation__report__subject_force=force_a, due_date=today.replace(month=5))
    ActionFactory(recommendation__report__subject_force=force_a, due_date=today.replace(month=9))
    client.force_login(admin_user)
    response = client.get(reverse("admin:tracker_action_changelist"), {"overdue": "yes"})
    assert list(response.context["cl"].result_list) == [overdue]


def test_force_changelist_counts_overdue(client, today, admin_user, force_a):
    ActionFactory(recommendation__report__subject_force=force_a, due_date=today.replace(month=5))
    client.force_login(admin_user)
    response = client.get(reverse("admin:tracker_force_changelist"))
    row = next(f for f in response.context["cl"].result_list if f.pk == force_a.pk)
    assert row._overdue == 1


def test_action_history_page_in_admin(client, admin_user, force_a, psd_lead_a):
    action = ActionFactory(recommendation__report__subject_force=force_a)
    workflow.transition(action, "start", by=psd_lead_a)
    client.force_login(admin_user)
    response = client.get(reverse("admin:tracker_action_history", args=[action.pk]))
    assert response.status_code == 200 and "Mark as being progressed" in response.content.decode()


def test_psd_lead_cannot_reach_the_admin(client, psd_lead_a):
    client.force_login(psd_lead_a)
    assert client.get(reverse("admin:index")).status_code == 302
