"""Keep fixture loads from rewinding work already done on an action, and give new rows their first history row."""

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from tracker.models import Action, Recommendation, Report

# Fields a report fixture never sets: the forces' and HMIC's work since the report was imported.
KEPT_ON_RELOAD = {
    Action: [
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
        "rag",
        "rag_reason",
        "is_publishable",
    ],
    Recommendation: ["theme_id", "is_priority", "follows_id", "follow_kind"],
    Report: ["is_publishable"],
}


@receiver(pre_save, sender=Action)
@receiver(pre_save, sender=Recommendation)
@receiver(pre_save, sender=Report)
def keep_work_done_on_fixture_reload(sender, instance, raw: bool, **kwargs) -> None:
    """On `loaddata` of a row that already exists, keep what people have changed since it was imported."""
    if not raw:
        return
    # A report fixture names rows by natural key only, so a new one arrives without a primary key. A backup
    # (dumpdata) gives every row its primary key and carries the rows' own history, which must not be doubled.
    instance._new_from_report_fixture = instance.pk is None
    if instance.pk is None:
        return
    fields = KEPT_ON_RELOAD[sender]
    existing = sender.objects.filter(pk=instance.pk).values(*fields).first()
    if existing:
        for name, value in existing.items():
            setattr(instance, name, value)


@receiver(post_save, sender=Action)
@receiver(post_save, sender=Recommendation)
@receiver(post_save, sender=Report)
def record_fixture_creation(sender, instance, raw: bool, created: bool, **kwargs) -> None:
    """Give rows first created by loading a report fixture a history row, which simple-history skips for raw saves."""
    if not (raw and created and getattr(instance, "_new_from_report_fixture", False)):
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
