"""Nobody sees or changes another force's actions."""

import pytest

from tests.factories import ActionFactory
from tracker.access import get_action_for_user
from tracker.models import Action

pytestmark = pytest.mark.django_db


def test_psd_lead_sees_only_their_forces_actions(force_a, force_b, psd_lead_a):
    mine = ActionFactory(recommendation__report__subject_force=force_a)
    ActionFactory(recommendation__report__subject_force=force_b)
    assert list(Action.objects.visible_to(psd_lead_a)) == [mine]


def test_reviewer_sees_every_force(force_a, force_b, reviewer):
    ActionFactory(recommendation__report__subject_force=force_a)
    ActionFactory(recommendation__report__subject_force=force_b)
    assert Action.objects.visible_to(reviewer).count() == 2


def test_psd_lead_of_two_forces_sees_both(force_a, force_b):
    from tests.factories import PsdLeadFactory

    both = PsdLeadFactory(forces=[force_a, force_b])
    ActionFactory(recommendation__report__subject_force=force_a)
    ActionFactory(recommendation__report__subject_force=force_b)
    assert Action.objects.visible_to(both).count() == 2


def test_user_without_a_force_sees_nothing(force_a):
    from tests.factories import PsdLeadFactory

    ActionFactory(recommendation__report__subject_force=force_a)
    assert not Action.objects.visible_to(PsdLeadFactory()).exists()


def test_inactive_reviewer_sees_nothing(force_a, reviewer):
    ActionFactory(recommendation__report__subject_force=force_a)
    reviewer.is_active = False
    assert not Action.objects.visible_to(reviewer).exists()


def test_another_forces_action_is_not_found(force_a, psd_lead_b):
    from django.http import Http404

    action = ActionFactory(recommendation__report__subject_force=force_a)
    with pytest.raises(Http404):
        get_action_for_user(psd_lead_b, action.pk)
