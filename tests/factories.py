from __future__ import annotations

import factory

from casework.models import Membership, Region, User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Faker("name", locale="zh_CN")
    is_staff = True
    password = factory.django.Password("pw-for-tests")


def membership(user: User, region: Region, role: str) -> User:
    Membership.objects.create(user=user, region=region, role=role)
    return user
