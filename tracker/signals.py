"""
What ForceSummary hears of actions saved or deleted around Action.save: a deletion, one by one or with its report,
and a raw save (a fixture or backup deserialised, which Django saves without calling Action.save).
"""

from django.db.models.signals import post_save, pre_delete, pre_save
from django.dispatch import receiver

from tracker.models import Action, ForceSummary


@receiver(pre_delete, sender=Action, dispatch_uid="uncount_deleted_action")
def uncount_deleted_action(sender, instance: Action, using: str, **kwargs) -> None:
    # Sent inside the deletion's transaction, for a cascade from a report or recommendation too.
    ForceSummary.objects.add({}, ForceSummary.objects.counts_of([instance.pk], using=using), using=using)


@receiver(pre_save, sender=Action, dispatch_uid="count_action_before_raw_save")
def count_action_before_raw_save(sender, instance: Action, raw: bool, using: str, **kwargs) -> None:
    if raw:
        instance._counted_before = ForceSummary.objects.counts_of([instance.pk], using=using, lock=True)


@receiver(post_save, sender=Action, dispatch_uid="count_action_after_raw_save")
def count_action_after_raw_save(sender, instance: Action, raw: bool, using: str, **kwargs) -> None:
    if raw:
        before = instance.__dict__.pop("_counted_before", {})
        ForceSummary.objects.add(ForceSummary.objects.counts_of([instance.pk], using=using), before, using=using)
