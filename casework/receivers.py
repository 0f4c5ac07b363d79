"""Wiring that must not wait for a view to be imported: connected in ``CaseworkConfig.ready``."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from knox.models import AuthToken

from casework.models import User


@receiver(post_save, sender=User, dispatch_uid="casework.kill_tokens_of_deactivated_users")
def kill_tokens_of_deactivated_users(sender: type, instance: User, **kwargs: Any) -> None:
    """A deactivated person's phones lose their tokens at once."""
    if not instance.is_active:
        AuthToken.objects.filter(user=instance).delete()


@receiver(pre_save, sender=User, dispatch_uid="casework.kill_tokens_on_password_change")
def kill_tokens_on_password_change(sender: type, instance: User, **kwargs: Any) -> None:
    """A new password logs every phone out: whoever knew the old one keeps nothing."""
    if instance.pk is None:
        return
    old = User.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    if old is not None and old != instance.password:
        AuthToken.objects.filter(user=instance).delete()
