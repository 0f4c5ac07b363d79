"""The import's benchmark (part of ``manage.py bench``): a 交办 batch and a history ledger of
realistic size imported end to end (read, checked, written), beside the same rows put on the
ledger one by one through ``case_create``, the path a person typing them would take."""

from __future__ import annotations

import datetime as dt
import io
import random
import statistics
import time
from dataclasses import dataclass

from django.db import transaction
from openpyxl import Workbook

from cases.models import CaseKind, Source, SourceKind, SourceStream
from cases.services import case_create
from casework import clock
from casework.models import Region, ResponsibleUnit, User
from intake.models import ImportState
from intake.services import import_check

PLACES = [
    f"{a}{b}"
    for a in (
        "城南",
        "城北",
        "河东",
        "白鹭",
        "螺子",
        "禾埠",
        "长塘",
        "兴桥",
        "樟山",
        "曲濑",
        "永和",
        "天河",
        "富滩",
        "文陂",
        "值夏",
        "新圩",
        "东固",
        "富田",
        "油田",
        "梅塘",
    )
    for b in (
        "工业园",
        "大道",
        "村",
        "社区",
        "镇政府旁",
        "河段",
        "小区",
        "砂场",
        "养殖场",
        "菜市场",
    )
]
PROBLEMS = [
    "夜间偷排废水，河水发黑发臭",
    "油烟直排，影响楼上住户",
    "施工噪声扰民至凌晨",
    "露天焚烧垃圾，烟雾大",
    "砂石堆场扬尘严重",
    "养殖废水直排农田",
    "非法采砂破坏河道",
    "企业废气刺鼻",
    "固废随意倾倒山林",
    "污水管网破损外溢",
    "餐饮店噪声扰民",
    "石材加工粉尘污染",
    "屠宰场异味",
    "洗砂废水直排",
]
COUNTIES = [
    "吉州区",
    "青原区",
    "吉安县",
    "吉水县",
    "峡江县",
    "新干县",
    "永丰县",
    "泰和县",
    "遂川县",
    "万安县",
    "安福县",
    "永新县",
    "井冈山市",
]
BATCH_RUNS = 3
STATES = [("已销号", 70), ("已验收(公示中)", 8), ("待验收", 7), ("整改中", 10), ("已交办", 5)]


@dataclass
class Timing:
    name: str
    rows: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def _summary(rnd: random.Random, n: int, county: str) -> str:
    return (
        f"群众反映{county}{rnd.choice(PLACES)}{rnd.randint(1, 300)}号附近"
        f"{rnd.choice(PROBLEMS)}，已持续{rnd.randint(1, 24)}个月，涉及{rnd.randint(2, 90)}户。"
    )


def batch_file(rows: int, prefix: str, seed: int = 7) -> io.BytesIO:
    rnd = random.Random(seed)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("交办清单")
    sheet.append(["第三轮中央生态环境保护督察交办信访件"])
    sheet.append(
        ["序号", "受理编号", "交办问题基本情况", "行政区域", "污染类型", "是否重点件", "来电/来信"]
    )
    for n in range(1, rows + 1):
        county = rnd.choice(COUNTIES)
        sheet.append(
            [
                n,
                f"{prefix}{n:07d}",
                _summary(rnd, n, county),
                county,
                rnd.choice(["大气", "水", "噪声", "土壤、水", "固废"]),
                "否",
                "来电",
            ]
        )
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def history_file(rows: int, prefix: str, seed: int = 11) -> io.BytesIO:
    rnd = random.Random(seed)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("历史台账")
    sheet.append(
        [
            "序号",
            "受理编号",
            "交办问题基本情况",
            "行政区域",
            "污染类型",
            "交办日期",
            "状态",
            "办结日期",
            "验收日期",
            "销号日期",
            "调查核实情况",
            "是否属实",
            "处理和整改情况",
        ]
    )
    states = [s for s, weight in STATES for _ in range(weight)]
    for n in range(1, rows + 1):
        county = rnd.choice(COUNTIES)
        assigned = dt.date(2016, 7, 15) + dt.timedelta(days=rnd.randint(0, 2800))
        state = rnd.choice(states)
        concluded = assigned + dt.timedelta(days=rnd.randint(3, 60))
        verified = concluded + dt.timedelta(days=rnd.randint(5, 90))
        closed = verified + dt.timedelta(days=rnd.randint(14, 60))
        done = {"已销号": 3, "已验收(公示中)": 2, "待验收": 1}.get(state, 0)
        sheet.append(
            [
                n,
                f"{prefix}{n:07d}",
                _summary(rnd, n, county),
                county,
                "水",
                assigned,
                state,
                concluded if done >= 1 else None,
                verified if done >= 2 else None,
                closed if done >= 3 else None,
                "经调查，情况属实。",
                "属实",
                "已整改到位。",
            ]
        )
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def _source(name: str) -> Source:
    return Source.objects.get_or_create(
        name=name,
        defaults={
            "stream": SourceStream.objects.get(code="central"),
            "kind": SourceKind.INSPECTION,
            "report_days": 7,
        },
    )[0]


def _import(user: User, f: io.BytesIO, name: str, source: Source | None, **kw: object) -> float:
    start = time.perf_counter()
    run = import_check(
        user=user, file=f, file_name=name, source=source, write=True, inline=True, **kw
    )
    if run.state != ImportState.DONE:
        raise RuntimeError(f"{name}: {run.report.get('failure')}")
    return time.perf_counter() - start


def bench_imports(
    user: User, *, batch_rows: int, history_rows: int, serial_rows: int
) -> list[Timing]:
    timings = []
    runs = []
    for attempt in range(BATCH_RUNS):  # each into a source of its own; the median counts
        batch = batch_file(batch_rows, f"IMP-B{attempt}-", seed=7 + attempt)
        source = _source(f"BENCH 导入批次{attempt}")
        runs.append(_import(user, batch, "bench-batch.xlsx", source, batch_number=1))
    timings.append(
        Timing(
            f"import a batch (xlsx, end to end, median of {BATCH_RUNS})",
            batch_rows,
            statistics.median(runs),
        )
    )
    # The same kind of rows through the service, one at a time (what typing them in does).
    source = _source("BENCH 逐件录入")
    rnd = random.Random(7)
    regions = {r.name: r for r in Region.objects.filter(name__in=COUNTIES)}
    units = {
        u.region_id: u
        for u in ResponsibleUnit.objects.filter(
            region__in=regions.values(), kind="county_government"
        )
    }
    start = time.perf_counter()
    for n in range(serial_rows):
        county = rnd.choice(COUNTIES)
        with transaction.atomic():
            case_create(
                user=user,
                kind=CaseKind.PETITION,
                source=source,
                acceptance_number=f"IMP-S{n:07d}",
                summary=_summary(rnd, n, county),
                region=regions[county],
                unit=units[regions[county].pk],
                assigned_on=clock.today(),
                pollution_types=["water"],
            )
    timings.append(
        Timing("the same, one by one (case_create)", serial_rows, time.perf_counter() - start)
    )
    if history_rows:
        history = history_file(history_rows, "IMP-H")
        seconds = _import(user, history, "bench-history.xlsx", _source("BENCH 历史台账"))
        timings.append(Timing("import a history ledger (xlsx)", history_rows, seconds))
    return timings
