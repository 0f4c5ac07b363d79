"""The evidence file (一案一档): typed material checked from its bytes, served only to who may see
the case, a per-source checklist enforced before verification and before close-out, and the whole
file as one zip with an index sheet."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook, load_workbook
from rest_framework.test import APIClient

from cases.evidence import MAX_BYTES, attachment_add
from cases.models import Action, Attachment, Case, CaseEvent, State
from cases.services import case_available_transitions, case_feedback, case_transition
from casework.errors import InvalidInput, PermissionDenied, TransitionNotAllowed
from casework.models import Region, User
from tests.cases.conftest import SUBMISSION, advance
from tests.factories import new_case, png, source

pytestmark = pytest.mark.django_db

CHECKLIST = {
    "evidence_for_submit": ["rectification_report", "photo_after"],
    "evidence_for_close": ["verification_opinion", "notice_capture"],
}


def pdf(name: str = "整改报告.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")


def docx(name: str = "验收意见.docx") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return SimpleUploadedFile(name, buffer.getvalue())


def xlsx(name: str = "销号申请表.xlsx") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.fixture
def checked(supervisor: User, jizhou: Region) -> Case:
    """A petition whose source keeps a checklist."""
    strict = source("第二轮中央生态环境保护督察", **CHECKLIST)
    return new_case(supervisor, jizhou, source=strict)


def reload(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def test_material_is_checked_from_its_bytes_stored_under_a_server_name_and_recorded(
    case: Case, jizhou_officer: User, settings
) -> None:  # type: ignore[no-untyped-def]
    for kind, upload, content_type in (
        ("rectification_report", pdf(), "application/pdf"),
        ("verification_opinion", docx(), "wordprocessingml"),
        ("closure_form", xlsx(), "spreadsheetml"),
        ("photo_after", png("../../etc/现场.png"), "image/png"),
    ):
        item = attachment_add(case_id=case.pk, user=jizhou_officer, kind=kind, upload=upload)
        assert content_type in item.content_type
        assert item.file.name == f"evidence/{case.pk}/{item.stored_name}"
        assert (settings.MEDIA_ROOT / item.file.name).exists()
    assert Attachment.objects.get(kind="photo_after").original_name == "现场.png"
    events = CaseEvent.objects.filter(case=case, action=Action.EVIDENCE_ADD)
    assert events.count() == 4
    assert reload(case).version == 5


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("报告.pdf", b"MZ\x90\x00 this is a program"), "只接受"),
        (SimpleUploadedFile("报告.docx", b"PK\x03\x04 not really a zip"), "只接受"),
        (SimpleUploadedFile("空.pdf", b""), "空"),
        (SimpleUploadedFile("大.pdf", b"%PDF-" + b"0" * MAX_BYTES), "20 MB"),
    ],
)
def test_what_is_not_a_document_or_a_photo_is_refused_and_leaves_nothing(
    case: Case, jizhou_officer: User, settings, upload: SimpleUploadedFile, message: str
) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput) as excinfo:
        attachment_add(
            case_id=case.pk, user=jizhou_officer, kind="rectification_report", upload=upload
        )
    assert message in excinfo.value.field_errors["file"][0]
    assert not Attachment.objects.exists()
    assert not (settings.MEDIA_ROOT / "evidence").exists()
    assert reload(case).version == 1


def test_who_may_add_material(
    case: Case, leader: User, inspector: User, qingyuan_officer: User, jizhou_officer: User
) -> None:
    with pytest.raises(PermissionDenied):
        attachment_add(case_id=case.pk, user=leader, kind="other", upload=pdf())
    # The field inspector files before/after photos from the phone.
    attachment_add(case_id=case.pk, user=inspector, kind="photo_before", upload=png())
    with pytest.raises(InvalidInput) as excinfo:
        attachment_add(case_id=case.pk, user=jizhou_officer, kind="selfie", upload=png())
    assert list(excinfo.value.field_errors) == ["kind"]
    assert Attachment.objects.count() == 1


def test_the_checklist_stops_verification_and_closure_until_the_material_is_on_file(
    checked: Case, jizhou_officer: User, supervisor: User
) -> None:
    case = case_transition(case_id=checked.pk, user=jizhou_officer, transition="start")
    [submit] = case_available_transitions(case=case, user=jizhou_officer)
    assert submit.refusal == "申请验收前须在一案一档中上传：整改报告、整改后照片。"
    with pytest.raises(TransitionNotAllowed, match="整改报告、整改后照片"):
        case_transition(case_id=case.pk, user=jizhou_officer, transition="submit", data=SUBMISSION)
    assert reload(case).state == State.RECTIFYING
    attachment_add(case_id=case.pk, user=jizhou_officer, kind="rectification_report", upload=pdf())
    with pytest.raises(TransitionNotAllowed, match="须在一案一档中上传：整改后照片。"):
        case_transition(case_id=case.pk, user=jizhou_officer, transition="submit", data=SUBMISSION)
    attachment_add(case_id=case.pk, user=jizhou_officer, kind="photo_after", upload=png())
    case = advance(reload(case), jizhou_officer, supervisor, State.VERIFIED)
    after_notice = case.notice_ends_on + dt.timedelta(days=1)
    with time_machine.travel(after_notice, tick=False):
        with pytest.raises(
            TransitionNotAllowed, match="销号前须在一案一档中上传：验收意见、公示截图"
        ):
            case_transition(case_id=case.pk, user=supervisor, transition="close")
        for kind, upload in (("verification_opinion", docx()), ("notice_capture", png())):
            attachment_add(case_id=case.pk, user=supervisor, kind=kind, upload=upload)
        case_transition(case_id=case.pk, user=supervisor, transition="close")
    assert reload(case).state == State.CLOSED
    with pytest.raises(TransitionNotAllowed, match="已销号"):
        attachment_add(case_id=case.pk, user=supervisor, kind="other", upload=pdf())


def test_a_source_without_public_notice_asks_for_no_notice_capture(
    supervisor: User, jizhou_officer: User, jizhou: Region
) -> None:
    quiet = source("2025年省生态环境警示片", "provincial_film", public_notice=False, **CHECKLIST)
    case = new_case(supervisor, jizhou, source=quiet)
    assert [str(x) for x in case.evidence_missing("close")] == ["验收意见"]


def test_an_untrue_petition_needs_no_rectification_evidence_but_a_true_one_does(
    checked: Case, jizhou_officer: User
) -> None:
    with pytest.raises(TransitionNotAllowed, match="整改报告"):
        case_feedback(
            case_id=checked.pk,
            user=jizhou_officer,
            outcome="concluded",
            truth_finding="true",
            investigation="属实",
            rectification_account="已整改",
        )
    assert reload(checked).state == State.ASSIGNED and reload(checked).feedback_outcome == ""
    case_feedback(
        case_id=checked.pk,
        user=jizhou_officer,
        outcome="concluded",
        truth_finding="false",
        investigation="经现场调查，未发现反映的问题。",
    )
    assert reload(checked).state == State.SUBMITTED


def test_after_reopening_the_material_must_be_new(
    checked: Case, jizhou_officer: User, supervisor: User
) -> None:
    for kind, upload in (("rectification_report", pdf()), ("photo_after", png())):
        attachment_add(case_id=checked.pk, user=jizhou_officer, kind=kind, upload=upload)
    case = advance(checked, jizhou_officer, supervisor, State.VERIFIED)
    case_transition(
        case_id=case.pk,
        user=supervisor,
        transition="reopen",
        comment="回头看发现反弹",
        data={"deadline": case.deadline + dt.timedelta(days=60)},
    )
    assert [str(x) for x in reload(case).evidence_missing("submit")] == ["整改报告", "整改后照片"]


def test_the_api_files_lists_serves_and_zips_the_evidence_file(
    checked: Case, jizhou_officer: User, qingyuan_officer: User
) -> None:
    api = APIClient()
    api.force_authenticate(jizhou_officer)
    url = f"/api/v1/cases/{checked.pk}/attachments/"
    response = api.post(
        url,
        {"kind": "photo_after", "file": png("after.png"), "description": '=HYPERLINK("x")'},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    item = response.json()
    assert (item["kind_label"], item["original_name"]) == ("整改后照片", "after.png")
    bad = api.post(url, {"kind": "photo_after", "file": pdf("x.png").open()}, format="multipart")
    assert bad.status_code == 201  # a PDF is accepted whatever its name says
    assert bad.json()["original_name"] == "x.pdf"
    refused = api.post(
        url,
        {"kind": "photo_after", "file": SimpleUploadedFile("a.jpg", b"GIF89a")},
        format="multipart",
    )
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["attr"] == "file"

    detail = api.get(f"/api/v1/cases/{checked.pk}/").json()
    assert [a["id"] for a in detail["attachments"]] == [item["id"], bad.json()["id"]]
    assert detail["evidence_missing"] == {"submit": ["整改报告"], "close": ["验收意见", "公示截图"]}

    download = api.get(item["url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "image/png"
    assert "attachment" in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"
    other = APIClient()
    other.force_authenticate(qingyuan_officer)
    assert other.get(item["url"]).status_code == 404

    archive = api.get(f"/api/v1/cases/{checked.pk}/evidence-file/")
    assert archive.status_code == 200
    with zipfile.ZipFile(io.BytesIO(b"".join(archive.streaming_content))) as bundle:
        names = bundle.namelist()
        index = load_workbook(io.BytesIO(bundle.read("00_目录.xlsx"))).active
    assert names == ["01_整改后照片_after.png", "02_整改后照片_x.pdf", "00_目录.xlsx"]
    rows = list(index.iter_rows(values_only=True))
    assert rows[1][:3] == ("序号", "材料类型", "文件名")
    assert rows[2][:4] == (1, "整改后照片", "01_整改后照片_after.png", '=HYPERLINK("x")')
    assert index["D3"].data_type == "s"  # typed text, never a formula


def test_the_admin_adds_material_and_lists_it_on_the_case(
    checked: Case, jizhou_officer: User
) -> None:
    web = Client()
    web.force_login(jizhou_officer)
    url = f"/admin/cases/case/{checked.pk}/act/evidence/"
    page = web.get(url).content.decode()
    assert "仍须上传：整改报告、整改后照片" in page
    refused = web.post(url, {"kind": "rectification_report", "file": pdf("x.pdf").open()})
    assert refused.status_code == 302
    bad = web.post(url, {"kind": "photo_after", "file": SimpleUploadedFile("a.png", b"nope")})
    assert bad.status_code == 200 and "只接受" in bad.content.decode()
    change = web.get(f"/admin/cases/case/{checked.pk}/change/").content.decode()
    item = Attachment.objects.get()
    assert f"/api/v1/attachments/{item.pk}/" in change
    assert f"/api/v1/cases/{checked.pk}/evidence-file/" in change


def test_a_supervisor_ticks_a_sources_checklist_in_the_admin(supervisor: User) -> None:
    strict = source("第二轮中央生态环境保护督察", **CHECKLIST)
    web = Client()
    web.force_login(supervisor)
    url = f"/admin/cases/source/{strict.pk}/change/"
    form = web.get(url).context["adminform"].form
    assert form.initial["evidence_for_submit"] == ["rectification_report", "photo_after"]
    data = {
        "stream": strict.stream_id,
        "name": strict.name,
        "kind": strict.kind,
        "year": strict.year,
        "report_days": 7,
        "notice_working_days": 10,
        "public_notice": "on",
        "evidence_for_submit": ["rectification_report"],
        "evidence_for_close": [],
    }
    assert web.post(url, data).status_code == 302
    strict.refresh_from_db()
    assert (strict.evidence_for_submit, strict.evidence_for_close) == (["rectification_report"], [])
    assert strict.followup_required is False  # an unticked box
    data["evidence_for_submit"] = ["selfie"]
    refused = web.post(url, data)
    assert refused.status_code == 200
    assert "evidence_for_submit" in refused.context["adminform"].form.errors


def test_a_formula_in_the_acceptance_number_stays_text_in_the_index(
    supervisor: User, jizhou: Region
) -> None:
    from cases.evidence import evidence_zip

    case = new_case(supervisor, jizhou, acceptance_number='=HYPERLINK("http://x")')
    with zipfile.ZipFile(evidence_zip(case)) as bundle:
        index = load_workbook(io.BytesIO(bundle.read("00_目录.xlsx"))).active
    assert index["A1"].data_type == "s"
    assert index["A1"].value.startswith("=HYPERLINK")
