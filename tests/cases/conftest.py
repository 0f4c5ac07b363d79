from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from cases.models import Case, State
from cases.services import case_transition
from casework.models import Region, User
from tests.factories import new_case

SUBMISSION = {
    "rectification_account": "已责令企业停产整改，完成污水管网改造。",
    "truth_finding": "true",
}


def advance(case: Case, officer: User, supervisor: User, to: str) -> Case:
    """Drive a case forward through the services to state ``to``."""
    steps = [
        (State.RECTIFYING, "start", officer, {}, ""),
        (State.SUBMITTED, "submit", officer, SUBMISSION, ""),
        (
            State.VERIFIED,
            "verify",
            supervisor,
            {"verification_conclusion": "经现场核查，已整改到位。"},
            "",
        ),
        (State.CLOSED, "close", supervisor, {}, ""),
    ]
    order = [State.ASSIGNED, State.RECTIFYING, State.SUBMITTED, State.VERIFIED, State.CLOSED]
    for target, name, user, data, comment in steps:
        if order.index(case.state) >= order.index(to):
            break
        if order.index(case.state) >= order.index(target):
            continue  # already past this step
        if name == "close" and case.notice_ends_on:
            # Closing waits for the public notice window: step past its end.
            with time_machine.travel(case.notice_ends_on + dt.timedelta(days=1), tick=False):
                case = case_transition(case_id=case.pk, user=user, transition=name)
            continue
        case = case_transition(
            case_id=case.pk, user=user, transition=name, data=data, comment=comment
        )
    assert case.state == to
    return case


@pytest.fixture
def case(supervisor: User, jizhou: Region) -> Case:
    return new_case(supervisor, jizhou)


@pytest.fixture
def qingyuan_case(supervisor: User, qingyuan: Region) -> Case:
    return new_case(supervisor, qingyuan)
