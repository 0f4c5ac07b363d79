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


def source(name: str = "第三轮中央生态环境保护督察", stream: str = "central", **policy: object):  # type: ignore[no-untyped-def]
    from cases.models import Source, SourceKind, SourceStream

    return Source.objects.get_or_create(
        name=name,
        defaults={
            "stream": SourceStream.objects.get(code=stream),
            "kind": SourceKind.INSPECTION,
            "year": 2026,
            # The tests' source counts working days, to exercise the official calendar; the
            # model's default (calendar days, as while a team is on site) has its own tests.
            "report_in_working_days": True,
            # No evidence checklist unless a test is about it (tests/cases/test_evidence.py).
            "evidence_for_submit": [],
            "evidence_for_close": [],
            # No follow-up asked for before close-out unless a test is about it.
            "followup_required": False,
            **policy,
        },
    )[0]


def new_case(supervisor: User, region: Region, **fields: object):  # type: ignore[no-untyped-def]
    """A case put on the ledger through the service, as the supervisor would."""
    import datetime as dt

    from django.utils import timezone

    from cases.models import CaseKind
    from cases.services import case_create
    from casework.models import ResponsibleUnit

    new_case.counter = getattr(new_case, "counter", 0) + 1  # type: ignore[attr-defined]
    values: dict[str, object] = {
        "kind": CaseKind.PETITION,
        "source": source(),
        "acceptance_number": f"X3JX2026{new_case.counter:08d}",  # type: ignore[attr-defined]
        "summary": "群众反映某企业夜间偷排废水，河水发黑发臭。",
        "region": region,
        "unit": ResponsibleUnit.objects.filter(region=region).first(),
        "assigned_on": timezone.localdate(),
        "deadline": timezone.localdate() + dt.timedelta(days=10),
    }
    values.update(fields)
    return case_create(user=supervisor, **values)  # type: ignore[arg-type]


def png(name: str = "photo.png", color: str = "green") -> object:
    """A small real PNG, as an uploaded file."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (16, 12), color).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")
