"""Wiring that must not wait for a view to be imported: connected in ``CaseworkConfig.ready``."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver
from knox.models import AuthToken

from casework.models import User


@receiver(post_save, sender=User, dispatch_uid="casework.kill_tokens_of_deactivated_users")
def kill_tokens_of_deactivated_users(sender: type, instance: User, **kwargs: Any) -> None:
    """A deactivated person's phones lose their tokens at once."""
    if not instance.is_active:
        AuthToken.objects.filter(user=instance).delete()
