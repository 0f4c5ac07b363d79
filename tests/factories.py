from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

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


def every_kind_of_row(boss: User, cases: list) -> None:  # type: ignore[type-arg]
    """Rows of every list on ``cases``, with every kind of value: times with their
    microseconds, decimals that a JSON number would round, a UUID, empty and set dates, JSON
    details, ties in the order, photos under field checks, co-operating units."""
    from cases.models import (
        Attachment,
        ExtensionRequest,
        FieldCheck,
        FieldCheckPhoto,
        FollowUp,
        Milestone,
        PollutionType,
        ProgressReport,
    )
    from casework.models import ResponsibleUnit

    moment = dt.datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=dt.UTC)
    units = list(ResponsibleUnit.objects.order_by("-pk")[:2])
    for n, case in enumerate(cases):
        for seq in (2, 1, 1):
            Milestone.objects.create(
                case=case,
                sequence=seq,
                description=f"节点{seq}",
                target_date=dt.date(2026, 5, seq),
                done_on=dt.date(2026, 4, 30) if seq == 2 else None,
            )
        for k in range(2):
            check = FieldCheck.objects.create(
                case=case,
                inspector=boss,
                client_uuid=uuid.uuid4(),
                fingerprint=f"f{n}{k}",
                checked_at=moment + dt.timedelta(hours=k),
                latitude=Decimal("27.1234567"),
                longitude=Decimal("114.9876543"),
                accuracy_m=Decimal("12.5") if k else None,
                far_from_region=bool(k),
                result="rectified",
                notes="现场=1+1",
            )
            for m in range(k + 1):
                FieldCheckPhoto.objects.create(
                    field_check=check,
                    stored_name=f"p{n}{k}{m}.jpg",
                    image=f"checks/p{n}{k}{m}.jpg",
                    content_type="image/jpeg",
                    width=640,
                    height=480,
                    size=1000 + m,
                    sha256="0" * 64,
                )
        Attachment.objects.create(
            case=case,
            kind="photo",
            description="整改后",
            original_name="a.jpg",
            stored_name=f"a{n}.jpg",
            file=f"evidence/a{n}.jpg",
            content_type="image/jpeg",
            size=10,
            sha256="1" * 64,
            uploaded_by=boss,
            uploaded_at=moment,
        )
        ExtensionRequest.objects.create(
            case=case,
            requested_by=boss,
            reason="雨季",
            current_deadline=dt.date(2026, 6, 1),
            requested_deadline=dt.date(2026, 7, 1),
            requested_at=moment,
        )
        FollowUp.objects.create(
            case=case,
            visited_on=dt.date(2026, 6, 2),
            method="phone",
            result="satisfied",
            recorded_by=boss,
            recorded_at=moment,
        )
        ProgressReport.objects.create(
            case=case, reported_by=boss, reported_at=moment, text="同时", percent=40
        )
        ProgressReport.objects.create(
            case=case, reported_by=boss, reported_at=moment, text="同时二", percent=0
        )
        case.co_units.set(units)
        case.pollution_types.set(PollutionType.objects.order_by("-sort_order")[:2])
