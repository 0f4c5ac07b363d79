"""A believable demo ledger: a few hundred cases over the four source streams, the counties and
every state, with their histories (events at the dates they happened), some of them overdue.

Every case is created and moved through ``cases.services``, at the moment each step happened
(``casework.clock.at``), so the demo's trails, deadlines and notice windows are the real thing.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from collections.abc import Callable
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image

from cases.evidence import attachment_add
from cases.models import Batch, Case, CaseKind, Source, SourceKind, SourceStream, State
from cases.services import (
    case_create,
    case_feedback,
    case_transition,
    case_update,
    extension_request_create,
    extension_request_decide,
    followup_decide,
    followup_record,
    milestone_complete,
    progress_report_add,
)
from casework import clock, workdays
from casework.models import Region, ResponsibleUnit, Role, User


@dataclass(frozen=True)
class DemoSource:
    name: str
    stream: str
    kind: str
    year: int
    report_days: int
    first_batch: dt.date
    batches: int
    petitions: int
    findings: int


# Dates are relative to "today" where a source is still being worked on, so that the demo
# always has cases due this week and overdue ones.
def _sources(today: dt.date) -> list[DemoSource]:
    return [
        DemoSource(
            "第三轮中央生态环境保护督察",
            "central",
            SourceKind.INSPECTION,
            2024,
            10,
            dt.date(2024, 5, 16),
            12,
            110,
            12,
        ),
        DemoSource(
            "省第三轮生态环境保护督察",
            "provincial",
            SourceKind.INSPECTION,
            today.year,
            7,
            today - dt.timedelta(days=32),
            10,
            90,
            8,
        ),
        DemoSource(
            f"{today.year - 1}年长江经济带生态环境警示片",
            "yangtze_film",
            SourceKind.WARNING_FILM,
            today.year - 1,
            10,
            dt.date(today.year - 1, 12, 1),
            1,
            0,
            14,
        ),
        DemoSource(
            f"{today.year - 1}年江西省生态环境警示片",
            "provincial_film",
            SourceKind.WARNING_FILM,
            today.year - 1,
            10,
            dt.date(today.year - 1, 11, 10),
            1,
            0,
            16,
        ),
    ]


PLACES = {
    "吉州区": ["兴桥镇", "长塘镇", "樟山镇", "曲濑镇", "习溪桥街道", "白塘街道"],
    "青原区": ["河东街道", "天玉镇", "值夏镇", "新圩镇", "富田镇", "东固畲族镇"],
    "吉安县": ["敦厚镇", "永阳镇", "天河镇", "横江镇", "吉安高新区"],
    "吉水县": ["文峰镇", "阜田镇", "八都镇", "金滩镇"],
    "峡江县": ["水边镇", "巴邱镇", "仁和镇"],
    "新干县": ["金川镇", "三湖镇", "大洋洲镇", "界埠镇"],
    "永丰县": ["恩江镇", "坑田镇", "藤田镇", "佐龙乡"],
    "泰和县": ["澄江镇", "马市镇", "沿溪镇", "苑前镇"],
    "遂川县": ["泉江镇", "雩田镇", "草林镇", "大汾镇"],
    "万安县": ["芙蓉镇", "窑头镇", "百嘉镇"],
    "安福县": ["平都镇", "洲湖镇", "枫田镇", "严田镇"],
    "永新县": ["禾川镇", "石桥镇", "埠前镇"],
    "井冈山市": ["茨坪镇", "厦坪镇", "龙市镇", "拿山镇"],
    "井冈山经济技术开发区": ["园区"],
    "庐陵新区": ["新区"],
}
RIVERS = ["赣江", "禾水", "泸水", "孤江", "蜀水", "遂川江", "乌江", "同江"]
COMPANIES = [
    "某砂石加工厂",
    "某生猪养殖场",
    "某化工企业",
    "某陶瓷厂",
    "某建筑工地",
    "某石材加工厂",
    "某采砂场",
    "某木材加工厂",
    "某混凝土搅拌站",
    "某电子企业",
    "某再生资源回收站",
]
PETITIONS = [
    ("water", "反映{place}{company}将生产废水直排{river}，河水发黑发臭。"),
    ("water", "反映{place}{company}养殖废水未经处理直排附近水塘和农田。"),
    ("air", "反映{place}{company}生产过程中废气直排，周边居民常闻到刺鼻气味。"),
    ("air", "反映{place}{company}夜间偷偷焚烧废料，浓烟滚滚。"),
    ("noise", "反映{place}{company}夜间施工噪声扰民，严重影响周边居民休息。"),
    ("dust", "反映{place}渣土车未覆盖、{company}料场未苫盖，道路扬尘严重。"),
    ("solid_waste", "反映{place}{river}河道边堆放大量建筑垃圾和生活垃圾，无人清理。"),
    ("ecology", "反映{place}{river}河段存在非法采砂，破坏河道生态。"),
    ("ecology", "反映{place}有人毁林开垦、乱挖山体，水土流失严重。"),
    ("soil", "反映{place}{company}将废渣倾倒在农田旁，担心污染土壤。"),
    ("cooking_fumes", "反映{place}多家餐饮店油烟直排，影响楼上居民生活。"),
]
FINDINGS = [
    ("water", "{region}部分城镇污水处理厂进水浓度偏低，污水管网建设滞后，雨污混流问题突出。"),
    ("water", "{river}{region}段部分入河排污口排查整治不到位，存在污水直排现象。"),
    ("ecology", "{region}部分废弃矿山生态修复滞后，存在边坡裸露、水土流失问题。"),
    ("solid_waste", "{region}生活垃圾填埋场渗滤液处理能力不足，存在超标排放风险。"),
    ("air", "{region}工业园区部分企业挥发性有机物治理设施运行不正常。"),
    ("ecology", "{region}{river}岸线违规侵占问题整改不彻底，部分项目未拆除到位。"),
    ("water", "{region}畜禽养殖污染治理不到位，部分养殖场粪污直排。"),
]
STEPS = ["完成问题排查和整改方案编制", "完成主体工程建设", "完成验收并建立长效机制"]


class DemoLedger:
    def __init__(self, *, seed: int, now: dt.datetime) -> None:
        self.random = random.Random(seed)
        # Its own stream, so that the co-operating units leave the rest of the demo as it was.
        self.co_random = random.Random(seed + 1)
        # The story ends today. Dates that reach into a year whose official holidays are not
        # known yet are counted on the provisional calendar and marked so (casework.workdays).
        self.now = now
        self.today = timezone.localdate(now)
        self.supervisor = User.objects.get(username="supervisor")
        self.officers: dict[int, User] = {}
        self.counties = list(
            Region.objects.filter(parent__gb_code="360800")
            .exclude(kind="city_level")
            .order_by("sort_order")
        )

    def officer_for(self, region: Region) -> User:
        """The region's demo officer: 吉州区 and 青原区 have named ones, others get one."""
        if region.pk not in self.officers:
            named = User.objects.filter(
                memberships__region=region, memberships__role=Role.COUNTY_OFFICER
            ).first()
            if named is None:
                named, _ = User.objects.get_or_create(
                    username=f"officer_{region.gb_code or region.pk}",
                    defaults={"full_name": f"{region.name}经办人", "is_staff": True},
                )
                named.set_unusable_password()
                named.save()
                named.memberships.get_or_create(region=region, role=Role.COUNTY_OFFICER)
            self.officers[region.pk] = named
        return self.officers[region.pk]

    def at(self, day: dt.date, hour: int | None = None) -> dt.datetime:
        moment = timezone.make_aware(
            dt.datetime.combine(
                day, dt.time(hour or self.random.randint(9, 17), self.random.randint(0, 59))
            )
        )
        return min(moment, self.now - dt.timedelta(minutes=1))

    def pick_region(self) -> Region:
        # The demo officers' counties get more cases, so their logins have plenty to do.
        weights = [4 if r.name in ("吉州区", "青原区") else 1 for r in self.counties]
        return self.random.choices(self.counties, weights=weights)[0]

    def load(self, progress: Callable[[str], None] = lambda line: None) -> None:
        # The public notice prints whom to contact; the demo's numbers are made up.
        for unit in ResponsibleUnit.objects.filter(contact_phone=""):
            unit.contact_phone = f"0796-8{self.random.randint(100000, 999999)}（演示）"
            unit.contact_address = f"{unit.region.name}{unit.name}（演示地址）"
            unit.save(update_fields=["contact_phone", "contact_address"])
        specs = _sources(self.today)
        for number, spec in enumerate(specs, start=1):
            progress(
                f"  [{number}/{len(specs)}] {spec.name}: "
                f"{spec.petitions + spec.findings} 件 ({spec.petitions + spec.findings} cases)"
            )
            source = self._source(spec)
            batches = self._batches(source, spec)
            for index in range(spec.petitions):
                self._petition(source, batches[index * len(batches) // spec.petitions], index)
            for index in range(spec.findings):
                self._finding(source, spec, index)

    def _source(self, spec: DemoSource) -> Source:
        source, _ = Source.objects.get_or_create(
            name=spec.name,
            defaults={
                "stream": SourceStream.objects.get(code=spec.stream),
                "kind": spec.kind,
                "year": spec.year,
                "report_days": spec.report_days,
            },
        )
        return source

    def _batches(self, source: Source, spec: DemoSource) -> list[Batch]:
        batches, day = [], spec.first_batch
        for number in range(1, spec.batches + 1):
            batches.append(
                Batch.objects.get_or_create(
                    source=source, number=number, defaults={"handed_down_on": day}
                )[0]
            )
            day = workdays.add_working_days(day, 1) if number % 2 else day + dt.timedelta(days=1)
        return batches

    def _petition(self, source: Source, batch: Batch, index: int) -> None:
        region = self.pick_region()
        pollution, template = self.random.choice(PETITIONS)
        place = self.random.choice(PLACES.get(region.name, ["城区"]))
        summary = template.format(
            place=f"{region.name}{place}",
            company=self.random.choice(COMPANIES),
            river=self.random.choice(RIVERS),
        )
        number = f"X3JX{batch.handed_down_on:%Y%m%d}{index + 1:04d}"
        if source.stream.code == "provincial":
            number = f"SJX{batch.handed_down_on:%Y%m%d}{index + 1:04d}"
        with clock.at(self.at(batch.handed_down_on, 16)):
            case = case_create(
                user=self.supervisor,
                kind=CaseKind.PETITION,
                source=source,
                batch=batch,
                acceptance_number=number,
                summary=summary,
                region=region,
                unit=self._unit(region),
                assigned_on=batch.handed_down_on,
                pollution_types=[pollution],
                is_priority=self.random.random() < 0.12,
                contact_person=self.random.choice(["李明", "张华", "刘洋", "陈静", "王磊"]),
                complainant_name=self.random.choice(
                    ["周先生", "吴女士", "郑某某", "匿名", "钱先生"]
                ),
                complainant_phone=f"1{self.random.randint(3000000000, 9999999999)}",
                contact_phone=f"0796-8{self.random.randint(100000, 999999)}",
                co_units=self._co_units(region),
            )
        if self.random.random() < 0.05:
            # Another citizen reported the same thing the same day: a repeat (重复件) that
            # follows this case through its life.
            with clock.at(self.at(batch.handed_down_on, 17)):
                case_create(
                    user=self.supervisor,
                    kind=CaseKind.PETITION,
                    source=source,
                    batch=batch,
                    acceptance_number=f"{number[:-4]}{index + 501:04d}",
                    summary=summary.replace("反映", "再次反映", 1),
                    region=region,
                    unit=case.unit,
                    assigned_on=batch.handed_down_on,
                    pollution_types=[pollution],
                    duplicate_of=case,
                    comment="与同批次已交办件反映问题相同，作重复件处理。",
                )
        self._play(case)

    def _finding(self, source: Source, spec: DemoSource, index: int) -> None:
        region = self.pick_region()
        pollution, template = self.random.choice(FINDINGS)
        summary = template.format(region=region.name, river=self.random.choice(RIVERS))
        assigned_on = spec.first_batch
        deadline = assigned_on + dt.timedelta(days=self.random.choice([240, 365, 400, 540]))
        span = (deadline - assigned_on).days
        milestones = [
            {
                "description": step,
                "target_date": assigned_on + dt.timedelta(days=span * (i + 1) // 3),
            }
            for i, step in enumerate(STEPS)
        ]
        prefix = {
            "central": "ZY",
            "provincial": "SD",
            "yangtze_film": "CJ",
            "provincial_film": "SP",
        }
        with clock.at(self.at(assigned_on, 10)):
            case = case_create(
                user=self.supervisor,
                kind=CaseKind.FINDING,
                source=source,
                acceptance_number=f"{prefix[spec.stream]}-{spec.year}-{index + 1:03d}",
                summary=summary,
                region=region,
                unit=self._unit(region),
                assigned_on=assigned_on,
                deadline=deadline,
                pollution_types=[pollution],
                milestones=milestones,
                rectification_goal="问题整改到位，建立长效监管机制。",
                responsible_leader=f"{region.name}分管副县（区）长",
            )
        self._play(case)

    def _co_units(self, region: Region) -> list[ResponsibleUnit]:
        """About one petition in twelve crosses a county line (a river, a road between two
        counties): the neighbouring county's government co-operates (配合单位). 青原区 and
        吉州区 share the Gan river in the demo, so the demo officers each see the other's."""
        if self.co_random.random() >= 0.08:
            return []
        pair = {"吉州区": "青原区", "青原区": "吉州区"}
        others = [r for r in self.counties if r.pk != region.pk]
        named = [r for r in others if r.name == pair.get(region.name)]
        return [self._unit(named[0] if named else self.co_random.choice(others))]

    def _unit(self, region: Region) -> ResponsibleUnit:
        return ResponsibleUnit.objects.filter(region=region).order_by("pk").first()

    def _play(self, case: Case) -> None:
        """Walk the case through its life up to today, the way a county and the city would."""
        if case.kind == CaseKind.PETITION:
            self._play_petition(case)
        else:
            self._play_finding(case)

    def _play_petition(self, case: Case) -> None:
        """Two steps: the feedback within days (办结, 阶段性办结 or 正在办理), then, for a stage
        conclusion, rectification to its own deadline; then verification, notice, closure."""
        rnd = self.random
        officer = self.officer_for(case.region)
        diligence = rnd.random()
        if diligence < 0.06 and (self.today - case.assigned_on).days < 60:
            return  # not taken up yet: overdue against its feedback deadline
        day = self._step(case, case.assigned_on, rnd.randint(0, 1), officer, "start")
        if day is None:
            return
        allowed = (case.deadline - case.assigned_on).days
        late = rnd.randint(1, 6) if diligence < 0.15 else 0
        feedback_day = case.assigned_on + dt.timedelta(days=rnd.randint(2, allowed) + late)
        if feedback_day >= self.today:
            return
        untrue = rnd.random() < 0.1
        roll = rnd.random()
        outcome = "concluded" if untrue or roll < 0.5 else "stage" if roll < 0.94 else "in_progress"
        values = self._feedback_values(untrue, outcome)
        if not untrue:
            with clock.at(self.at(feedback_day, 8)):
                case_update(
                    case_id=case.pk,
                    user=officer,
                    changes={
                        "penalty_cases": rnd.choice([0, 0, 1, 1, 2]),
                        "ordered_to_correct": rnd.choice([0, 1, 1, 2]),
                        "fines_10k_yuan": rnd.choice(["0", "0", "1.5", "3.2", "8", "12.6"]),
                        "people_summoned": rnd.choice([0, 0, 1, 2]),
                    },
                )
        if outcome == "in_progress":
            values["rectification_deadline"] = feedback_day + dt.timedelta(days=rnd.randint(7, 20))
            with clock.at(self.at(feedback_day)):
                case_feedback(case_id=case.pk, user=officer, outcome=outcome, **values)
            feedback_day = values["rectification_deadline"] - dt.timedelta(days=rnd.randint(0, 4))
            if feedback_day >= self.today:
                return
            outcome = "concluded" if rnd.random() < 0.5 else "stage"
            values = self._feedback_values(False, outcome)
        if outcome == "stage":
            values["rectification_deadline"] = feedback_day + dt.timedelta(
                days=rnd.choice([30, 60, 90, 180])
            )
        if outcome == "concluded" and not untrue:
            self._evidence(case, officer, feedback_day, "rectification_report", "photo_after")
        with clock.at(self.at(feedback_day)):
            case_feedback(case_id=case.pk, user=officer, outcome=outcome, **values)
        if outcome == "concluded":
            self._verify_and_close(case, feedback_day, officer)
            return
        case.refresh_from_db()
        pace = rnd.choice([0.5, 0.8, 1.0, 1.0, 1.2, 1.6]) if diligence > 0.2 else 2.5
        done_day = self._work(
            case, officer, feedback_day, pace, "整改措施正在落实，已完成主体整治工作。"
        )
        account = {"rectification_account": "已按整改措施完成整改，现场复核无相关问题。"}
        if done_day >= self.today:
            return
        self._evidence(case, officer, done_day, "rectification_report", "photo_after")
        if self._step(case, done_day, 0, officer, "submit", data=account) is None:
            return
        self._verify_and_close(case, done_day, officer)

    def _follow_up(self, case: Case, officer: User, day: dt.date) -> None:
        """回访 before close-out; a dissatisfied complainant is decided on the next day."""
        roll = self.random.random()
        result = "satisfied" if roll < 0.8 else "basically" if roll < 0.95 else "unsatisfied"
        with clock.at(self.at(day)):
            follow_up = followup_record(
                case_id=case.pk,
                user=officer,
                visited_on=day,
                method=self.random.choice(["phone", "phone", "visit"]),
                result=result,
                note="群众认为夜间仍偶有异味。" if result == "unsatisfied" else "",
            )
        if result != "unsatisfied":
            return
        with clock.at(self.at(day + dt.timedelta(days=1))):
            followup_decide(
                follow_up_id=follow_up.pk,
                user=self.supervisor,
                send_back=False,
                comment="经现场复核，企业已整改到位，异味系周边农田施肥所致，同意销号。",
            )

    def _evidence(self, case: Case, user: User, day: dt.date, *kinds: str) -> None:
        """File the material the checklist asks for (一案一档): small real PDFs and photos."""
        for kind in kinds:
            if kind.startswith("photo") or kind == "notice_capture":
                buffer = io.BytesIO()
                colour = (self.random.randint(60, 200), self.random.randint(90, 200), 90)
                Image.new("RGB", (64, 48), colour).save(buffer, "PNG")
                upload = SimpleUploadedFile(f"{kind}.png", buffer.getvalue())
            else:
                text = f"%PDF-1.4\n% {case.acceptance_number} {kind}\n%%EOF\n".encode()
                upload = SimpleUploadedFile(f"{kind}.pdf", text)
            with clock.at(self.at(day, 8)):
                attachment_add(case_id=case.pk, user=user, kind=kind, upload=upload)

    def _feedback_values(self, untrue: bool, outcome: str) -> dict:
        rnd = self.random
        if untrue:
            return {
                "truth_finding": "false",
                "investigation": "经现场调查核实，未发现群众反映的问题，该信访件不属实。",
            }
        values = {
            "truth_finding": rnd.choice(["true", "true", "mostly_true", "partly_true"]),
            "investigation": "经现场调查核实，群众反映问题属实。",
            "rectification_account": "已责令企业立即停止违法行为，依法立案查处。",
            "accountability_account": rnd.choice(["", "约谈企业负责人1人次。", "问责1人次。"]),
        }
        if outcome == "concluded":
            values["rectification_account"] = "已督促责任主体完成整改，现场已无相关问题。"
        else:
            values["rectification_measures"] = "制定整改方案，完善治理设施，按期整改到位。"
        return values

    def _play_finding(self, case: Case) -> None:
        rnd = self.random
        officer = self.officer_for(case.region)
        diligence = rnd.random()
        if diligence < 0.06 and (self.today - case.assigned_on).days < 60:
            return
        if self._step(case, case.assigned_on, rnd.randint(0, 2), officer, "start") is None:
            return
        self._milestones(case, officer)
        # How far into the allowed time the unit gets its work done (above 1: late).
        pace = rnd.choice([0.5, 0.8, 1.0, 1.2, 1.6, 2.0, 2.5]) if diligence > 0.2 else 3.0
        done_day = self._work(
            case, officer, case.assigned_on, pace, "已完成现场调查，正在落实整改措施。"
        )
        if done_day >= self.today:
            return
        with clock.at(self.at(done_day)):
            case_update(
                case_id=case.pk,
                user=officer,
                changes={
                    "penalty_cases": rnd.choice([0, 0, 1, 1, 2]),
                    "ordered_to_correct": rnd.choice([0, 1, 1, 2]),
                    "fines_10k_yuan": rnd.choice(["0", "0", "1.5", "3.2", "8", "12.6"]),
                    "people_summoned": rnd.choice([0, 0, 1, 2]),
                },
            )
        account = {"rectification_account": "已督促责任主体完成整改，现场已无相关问题。"}
        self._evidence(case, officer, done_day, "rectification_report", "photo_after")
        if self._step(case, done_day, 0, officer, "submit", data=account) is None:
            return
        self._verify_and_close(case, done_day, officer)

    def _work(self, case: Case, officer: User, start: dt.date, pace: float, text: str) -> dt.date:
        """Rectification from ``start`` to the deadline at ``pace`` (above 1: late): a progress
        report half way, sometimes an extension; returns the day the work is done."""
        total = (case.deadline - start).days
        progress_day = start + dt.timedelta(days=max(1, int(total * pace * 0.5)))
        if progress_day < self.today:
            with clock.at(self.at(progress_day)):
                progress_report_add(case_id=case.pk, user=officer, text=text, percent=50)
        if self.random.random() < 0.08 and case.deadline > self.today - dt.timedelta(days=1):
            self._extension(case, officer)
        return start + dt.timedelta(days=max(1, int(total * pace)))

    def _verify_and_close(self, case: Case, done_day: dt.date, officer: User) -> None:
        rnd = self.random
        if (self.today - done_day).days <= 10 and rnd.random() < 0.6:
            return  # submitted lately: in the supervisors' queue awaiting verification
        verify_day = workdays.add_working_days(done_day, rnd.randint(1, 6))
        if rnd.random() < 0.1:
            verify_day = self._step(
                case,
                verify_day,
                0,
                self.supervisor,
                "reject",
                comment="现场核查发现整改不彻底，请继续整改。",
                data={"deadline": verify_day + dt.timedelta(days=20)},
            )
            if verify_day is None:
                return
            verify_day = self._step(case, verify_day, rnd.randint(3, 10), officer, "submit")
            if verify_day is None:
                return
            verify_day = workdays.add_working_days(verify_day, rnd.randint(1, 4))
        if (
            self._step(
                case,
                verify_day,
                0,
                self.supervisor,
                "verify",
                data={"verification_conclusion": "经现场核查，已整改到位，同意验收。"},
            )
            is None
        ):
            return
        case.refresh_from_db()
        close_day = (case.notice_ends_on or verify_day) + dt.timedelta(days=rnd.randint(1, 5))
        if case.kind == CaseKind.PETITION:
            visit_day = verify_day + dt.timedelta(days=rnd.randint(1, 3))
            if visit_day + dt.timedelta(days=1) >= self.today:
                return
            self._follow_up(case, officer, visit_day)
            close_day = max(close_day, visit_day + dt.timedelta(days=2))
        if close_day >= self.today:
            return
        kinds = ["verification_opinion"] + (["notice_capture"] if case.notice_ends_on else [])
        self._evidence(case, self.supervisor, close_day, *kinds)
        if self._step(case, close_day, 0, self.supervisor, "close") is None:
            return
        if rnd.random() < 0.04:
            reopen_day = close_day + dt.timedelta(days=rnd.randint(20, 90))
            self._step(
                case,
                reopen_day,
                0,
                self.supervisor,
                "reopen",
                comment="省督察“回头看”发现问题反弹，重新整改。",
                data={"deadline": reopen_day + dt.timedelta(days=60)},
            )

    def _step(
        self,
        case: Case,
        day: dt.date,
        wait: int,
        user: User,
        name: str,
        data: dict | None = None,
        comment: str = "",
    ) -> dt.date | None:
        day = day + dt.timedelta(days=wait)
        if day >= self.today:
            return None
        with clock.at(self.at(day)):
            case_transition(
                case_id=case.pk, user=user, transition=name, data=data or {}, comment=comment
            )
        return day

    def _milestones(self, case: Case, officer: User) -> None:
        for milestone in case.milestones.all():
            late = self.random.choice([-20, -5, 0, 10, 45])
            done_on = milestone.target_date + dt.timedelta(days=late)
            if done_on < self.today and self.random.random() < 0.85:
                with clock.at(self.at(done_on)):
                    milestone_complete(milestone_id=milestone.pk, user=officer, done_on=done_on)

    def _extension(self, case: Case, officer: User) -> None:
        ask_on = max(case.assigned_on, case.deadline - dt.timedelta(days=3))
        if ask_on >= self.today:
            return
        with clock.at(self.at(ask_on)):
            request = extension_request_create(
                case_id=case.pk,
                user=officer,
                reason="涉及设备采购和工程施工，需延长整改时限。",
                requested_deadline=case.deadline + dt.timedelta(days=30),
            )
        decide_on = ask_on + dt.timedelta(days=1)
        if decide_on < self.today:
            approve = self.random.random() < 0.7
            with clock.at(self.at(decide_on)):
                extension_request_decide(
                    request_id=request.pk,
                    user=self.supervisor,
                    approve=approve,
                    comment="" if approve else "理由不充分，请按期完成。",
                )


def demo_ledger_load(
    *, seed: int = 2023, progress: Callable[[str], None] = lambda line: None
) -> dict[str, int] | None:
    """Load the demo ledger once; returns counts by state, or None when it was already there."""
    if Case.objects.filter(source__name="第三轮中央生态环境保护督察").exists():
        return None
    with transaction.atomic():
        DemoLedger(seed=seed, now=timezone.now()).load(progress)
    counts = {label: Case.objects.filter(state=value).count() for value, label in State.choices}
    counts["overdue"] = Case.objects.overdue().count()
    return counts
