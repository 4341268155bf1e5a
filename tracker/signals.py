"""Keep fixture loads from rewinding work already done on an action."""

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from tracker.models import Action, Recommendation

# Fields a fixture never sets: the force's and HMIC's work on the action.
_WORKFLOW_FIELDS = [
    "owner_id",
    "status",
    "revised_due_date",
    "version",
    "created_at",
    "updated_at",
    "started_at",
    "completed_at",
    "verified_at",
    "closed_at",
]


@receiver(pre_save, sender=Action)
def keep_workflow_state_on_fixture_reload(sender, instance: Action, raw: bool, **kwargs) -> None:
    """On `loaddata` of an action that already exists, keep its status, owner and dates."""
    if not raw or instance.pk is None:
        return
    existing = Action.objects.filter(pk=instance.pk).values(*_WORKFLOW_FIELDS).first()
    if existing:
        for name, value in existing.items():
            setattr(instance, name, value)


@receiver(post_save, sender=Action)
@receiver(post_save, sender=Recommendation)
def record_fixture_creation(sender, instance, raw: bool, created: bool, **kwargs) -> None:
    """Give rows first created by `loaddata` a history row, which simple-history skips for raw saves."""
    if not (raw and created):
        return
    history_model = sender.history.model
    values = {
        field.attname: getattr(instance, field.attname)
        for field in history_model._meta.concrete_fields
        if not field.name.startswith("history_") and hasattr(instance, field.attname)
    }
    history_model.objects.create(
        history_type="+",
        history_date=timezone.now(),
        history_change_reason="Loaded from report fixture",
        **values,
    )
