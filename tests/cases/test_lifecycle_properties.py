"""Random sequences of actions by random users keep the ledger's invariants."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from cases.evidence import attachment_add
from cases.models import (
    Action,
    Case,
    CaseEvent,
    CaseKind,
    ExtensionRequest,
    FeedbackOutcome,
    FollowUp,
    Objection,
    State,
    TruthFinding,
)
from cases.services import (
    case_feedback,
    case_mark_repeat,
    case_reassign,
    case_transition,
    case_unmark_repeat,
    case_update,
    extension_request_create,
    extension_request_decide,
    followup_decide,
    followup_record,
    objection_decide,
    objection_record,
    progress_report_add,
)
from casework.errors import ApplicationError
from casework.models import Region, ResponsibleUnit, User
from tests.cases.conftest import SUBMISSION
from tests.factories import new_case, png, source

pytestmark = pytest.mark.django_db

PERSONAS = ("jizhou_officer", "qingyuan_officer", "supervisor", "leader", "inspector", "outsider")
# Weighted towards the people who may act, so that actions succeed as well as fail.
ACTORS = (*PERSONAS, "own_officer", "own_officer", "supervisor")
READ_ONLY = ("leader", "inspector", "outsider")
TRANSITION_DATA = {
    "submit": SUBMISSION,
    "verify": {"verification_conclusion": "经核查已整改到位"},
}


class LedgerMachine(RuleBasedStateMachine):
    users: dict[str, User]

    def __init__(self) -> None:
        super().__init__()
        self.clock = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
        self.traveller = time_machine.travel(self.clock, tick=False)
        self.traveller.start()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        supervisor = self.users["supervisor"]
        no_notice = source("2025年省生态环境警示片", "provincial_film", public_notice=False)
        # 青原区's case comes from a source that keeps an evidence checklist (一案一档).
        strict = source(
            "第二轮中央生态环境保护督察",
            evidence_for_submit=["rectification_report", "photo_after"],
            evidence_for_close=["verification_opinion"],
            followup_required=True,
        )
        self.cases = [
            new_case(supervisor, Region.objects.get(name="吉州区")),
            new_case(supervisor, Region.objects.get(name="青原区"), source=strict),
            new_case(supervisor, Region.objects.get(name="吉州区"), source=no_notice),
        ]
        self.counter = 0

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)
        self.traveller.stop()

    def _attempt(self, case: Case, who: str, call, read_only=READ_ONLY) -> None:  # type: ignore[no-untyped-def]
        if who == "own_officer":
            region = Case.objects.get(pk=case.pk).region.name
            who = "jizhou_officer" if region == "吉州区" else "qingyuan_officer"
        before_state = Case.objects.get(pk=case.pk).state
        before_events = CaseEvent.objects.filter(case=case).count()
        try:
            call(self.users[who])
        except ApplicationError:
            assert Case.objects.get(pk=case.pk).state == before_state
            assert CaseEvent.objects.filter(case=case).count() == before_events
            return
        assert who not in read_only, f"{who} changed a case"
        assert CaseEvent.objects.filter(case=case).count() == before_events + 1

    @rule(
        index=st.integers(0, 2),
        who=st.sampled_from(ACTORS),
        name=st.sampled_from(["start", "submit", "verify", "reject", "close", "reopen"]),
        complete=st.booleans(),
    )
    def transition(self, index: int, who: str, name: str, complete: bool) -> None:
        case = self.cases[index]
        data = dict(TRANSITION_DATA.get(name, {})) if complete else {}
        if complete and name in ("reject", "reopen"):
            data["deadline"] = self.clock.date() + dt.timedelta(days=20)
        comment = "理由" if complete else ""
        self._attempt(
            case,
            who,
            lambda user: case_transition(
                case_id=case.pk, user=user, transition=name, data=data, comment=comment
            ),
        )

    @rule(index=st.integers(0, 2), steps=st.lists(st.integers(0, 2), min_size=1, max_size=4))
    def proper_steps(self, index: int, steps: list[int]) -> None:
        """The steps the lifecycle expects next, by the person who should take them, so that
        random runs reach verification, closure and reopening, not only refusals."""
        for step in steps:
            case = Case.objects.get(pk=self.cases[index].pk)
            officer = "jizhou_officer" if case.region.name == "吉州区" else "qingyuan_officer"
            name, who = {
                State.ASSIGNED: ("start", officer),
                State.RECTIFYING: ("submit", officer),
                State.SUBMITTED: (("verify", "verify", "reject")[step], "supervisor"),
                State.VERIFIED: (("close", "close", "reopen")[step], "supervisor"),
                State.CLOSED: ("reopen", "supervisor"),
            }[case.state]
            if name == "close" and case.notice_ends_on and step == 0:
                self.time_passes((case.notice_ends_on - self.clock.date()).days + 1)
            data = dict(TRANSITION_DATA.get(name, {}))
            if name in ("reject", "reopen"):
                data["deadline"] = self.clock.date() + dt.timedelta(days=20)
            if step < 2 and name in ("submit", "close"):
                self._prepare(case, name, officer)  # what the checklist asks for, mostly
            self._attempt(
                case,
                who,
                lambda user, case=case, name=name, data=data: case_transition(
                    case_id=case.pk, user=user, transition=name, data=data, comment="理由"
                ),
            )

    def _prepare(self, case: Case, name: str, officer: str) -> None:
        """A diligent unit files the evidence and the follow-up before asking for the step."""
        stage, who = ("submit", officer) if name == "submit" else ("close", "supervisor")
        required = case.source.evidence_required(stage)
        have = set(case.attachments.values_list("kind", flat=True))
        for kind in (k for k in required if k not in have):
            attachment_add(case_id=case.pk, user=self.users[who], kind=kind, upload=png())
        if name == "close" and case.source.followup_required and not case.follow_ups.exists():
            followup_record(
                case_id=case.pk,
                user=self.users[officer],
                visited_on=self.clock.date(),
                method="phone",
                result="satisfied",
            )

    @rule(
        index=st.integers(0, 2),
        who=st.sampled_from(ACTORS),
        action=st.sampled_from(
            [
                "extension",
                "decide_extension",
                "objection",
                "decide_objection",
                "edit",
                "progress",
                "feedback",
                "reassign",
            ]
        ),
        flag=st.booleans(),
        number=st.integers(1, 40),
    )
    def other_action(self, index: int, who: str, action: str, flag: bool, number: int) -> None:
        """Any of the actions besides transitions, by anyone."""
        case = Case.objects.get(pk=self.cases[index].pk)
        request = ExtensionRequest.objects.filter(case=case, status="pending").first()
        objection = Objection.objects.filter(case=case, status="pending").first()
        if action == "decide_extension" and request is None:
            action = "extension"
        if action == "decide_objection" and objection is None:
            action = "objection"
        self.counter += 1
        calls = {
            "extension": lambda user: extension_request_create(
                case_id=case.pk,
                user=user,
                reason="施工周期长",
                requested_deadline=case.deadline + dt.timedelta(days=number),
            ),
            "decide_extension": lambda user: extension_request_decide(
                request_id=request.pk, user=user, approve=flag, comment="审批意见"
            ),
            "objection": lambda user: objection_record(
                case_id=case.pk, user=user, content="群众仍有反映"
            ),
            "decide_objection": lambda user: objection_decide(
                objection_id=objection.pk,
                user=user,
                upheld=flag,
                comment="经核查",
                deadline=self.clock.date() + dt.timedelta(days=number),
            ),
            "edit": lambda user: case_update(
                case_id=case.pk, user=user, changes={"investigation": f"第{self.counter}次核实"}
            ),
            "progress": lambda user: progress_report_add(
                case_id=case.pk, user=user, text="持续推进", percent=number
            ),
            "feedback": lambda user: case_feedback(
                case_id=case.pk,
                user=user,
                outcome=FeedbackOutcome.values[number % 3],
                truth_finding=TruthFinding.FALSE if number % 5 == 0 else TruthFinding.TRUE,
                investigation="经调查核实",
                rectification_account="已责令整改" if flag else "",
                rectification_measures="持续整改" if flag else "",
                rectification_deadline=self.clock.date() + dt.timedelta(days=number),
            ),
            "reassign": lambda user: case_reassign(
                case_id=case.pk,
                user=user,
                comment="转办",
                unit=ResponsibleUnit.objects.filter(region__name="市本级").order_by("pk")[
                    number % 4
                ],
            ),
        }
        self._attempt(case, who, calls[action])

    @rule(
        index=st.integers(0, 2),
        who=st.sampled_from(ACTORS),
        kind=st.sampled_from(["rectification_report", "photo_after", "verification_opinion"]),
    )
    def add_evidence(self, index: int, who: str, kind: str) -> None:
        case = self.cases[index]
        self._attempt(
            case,
            who,
            lambda user: attachment_add(case_id=case.pk, user=user, kind=kind, upload=png()),
            # The field inspector files photos into the evidence file, and nothing else.
            read_only=("leader", "outsider"),
        )

    @rule(
        index=st.integers(0, 2),
        who=st.sampled_from(ACTORS),
        result=st.sampled_from(["satisfied", "basically", "unsatisfied"]),
        send_back=st.booleans(),
    )
    def follow_up(self, index: int, who: str, result: str, send_back: bool) -> None:
        """回访, and a supervisor's decision on a dissatisfied one."""
        case = self.cases[index]
        pending = FollowUp.objects.filter(case=case, result="unsatisfied", decision="").first()
        if pending is not None:
            self._attempt(
                case,
                who,
                lambda user: followup_decide(
                    follow_up_id=pending.pk,
                    user=user,
                    send_back=send_back,
                    comment="经复核",
                    deadline=self.clock.date() + dt.timedelta(days=15),
                ),
            )
            return
        self._attempt(
            case,
            who,
            lambda user: followup_record(
                case_id=case.pk,
                user=user,
                visited_on=self.clock.date(),
                method="phone",
                result=result,
                note="仍有意见",
            ),
        )

    @rule(who=st.sampled_from(ACTORS), link=st.booleans())
    def repeat(self, who: str, link: bool) -> None:
        """The third case (吉州区) is linked as a repeat of the first, or unlinked again."""
        repeat, original = self.cases[2], self.cases[0]
        if link:
            self._attempt(
                repeat,
                who,
                lambda user: case_mark_repeat(
                    case_id=repeat.pk,
                    user=user,
                    original_number=original.acceptance_number,
                    comment="同一问题",
                ),
            )
        else:
            self._attempt(
                repeat,
                who,
                lambda user: case_unmark_repeat(case_id=repeat.pk, user=user, comment="不同点位"),
            )

    @invariant()
    def a_repeat_is_where_its_original_is(self) -> None:
        repeat = Case.objects.select_related("duplicate_of").get(pk=self.cases[2].pk)
        if repeat.duplicate_of is not None:
            original = repeat.duplicate_of
            assert (repeat.state, repeat.feedback_outcome, repeat.closed_at) == (
                original.state,
                original.feedback_outcome,
                original.closed_at,
            )
            assert not Case.objects.overdue().filter(pk=repeat.pk).exists()

    @rule(days=st.integers(1, 5))
    def time_passes(self, days: int) -> None:
        self.traveller.stop()
        self.clock += dt.timedelta(days=days)
        self.traveller = time_machine.travel(self.clock, tick=False)
        self.traveller.start()

    @invariant()
    def every_change_has_exactly_one_event(self) -> None:
        for case in Case.objects.filter(pk__in=[c.pk for c in self.cases]):
            assert case.state in State.values
            trail = list(CaseEvent.objects.filter(case=case).order_by("id"))
            assert case.version == len(trail)
            state = ""
            for event in trail:
                if event.to_state:
                    assert event.from_state == state, (event.action, event.from_state, state)
                    state = event.to_state
            assert state == case.state

    @invariant()
    def nobody_acted_outside_their_jurisdiction_or_role(self) -> None:
        for event in CaseEvent.objects.filter(case__in=[c.pk for c in self.cases]):
            if event.action == Action.EVIDENCE_ADD:
                assert event.actor.username not in ("leader", "outsider")
                continue
            assert event.actor.username not in READ_ONLY
            # The actor could see the case's region when acting: regions change only by
            # reassignment within the supervisor's jurisdiction, so it holds now too.
            assert Case.objects.visible_to(event.actor).filter(pk=event.case_id).exists()

    @invariant()
    def the_deadline_chased_is_the_current_steps(self) -> None:
        """Nothing is overdue against a deadline that is not current: an open petition still
        owing its feedback is chased on its feedback deadline (or the date it promised), one in
        rectification and every finding on the rectification deadline."""
        for case in Case.objects.filter(pk__in=[c.pk for c in self.cases]):
            if case.kind == CaseKind.PETITION:
                assert case.feedback_deadline is not None
                if case.truth_finding == TruthFinding.FALSE and case.feedback_outcome:
                    assert case.feedback_outcome != FeedbackOutcome.STAGE
            if case.state not in (State.ASSIGNED, State.RECTIFYING):
                assert case.step is None
            elif case.feedback_outcome == "":
                assert (case.step, case.deadline) == ("feedback", case.feedback_deadline)
            elif case.feedback_outcome != FeedbackOutcome.IN_PROGRESS:
                assert (case.step, case.deadline) == ("rectification", case.rectification_deadline)

    @invariant()
    def a_closed_case_passed_verification(self) -> None:
        for case in Case.objects.filter(pk__in=[c.pk for c in self.cases], state=State.CLOSED):
            actions = list(
                CaseEvent.objects.filter(case=case, to_state__gt="")
                .order_by("id")
                .values_list("action", flat=True)
            )
            if actions[-1] in (Action.REPEAT_LINK, Action.REPEAT_FOLLOW):
                # Closed by following its original, which passed verification and closed.
                event = (
                    CaseEvent.objects.filter(
                        case=case, action__in=[Action.REPEAT_LINK, Action.REPEAT_FOLLOW]
                    )
                    .order_by("id")
                    .last()
                )
                original = Case.objects.get(pk=event.data["original"])
                assert original.state == State.CLOSED
                assert original.events.filter(action=Action.CLOSE).exists()
                continue
            assert actions[-2:] == [Action.VERIFY, Action.CLOSE]
            # ... was followed up where its source asks for it, with no dissatisfaction left
            # undecided ...
            if case.source.followup_required:
                assert case.follow_ups.exists()
            assert not case.follow_ups.filter(result="unsatisfied", decision="").exists()
            # ... and has the evidence its source's checklist asks for.
            assert case.evidence_missing("close") == []
            if case.truth_finding != TruthFinding.FALSE:
                assert case.evidence_missing("submit") == []
            assert case.closed_at is not None and case.closed_at <= timezone.now()


def test_random_sequences_of_actions_keep_the_invariants(
    jizhou_officer: User,
    qingyuan_officer: User,
    supervisor: User,
    leader: User,
    inspector: User,
    outsider: User,
) -> None:
    LedgerMachine.users = {
        "jizhou_officer": jizhou_officer,
        "qingyuan_officer": qingyuan_officer,
        "supervisor": supervisor,
        "leader": leader,
        "inspector": inspector,
        "outsider": outsider,
    }
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=40,
            stateful_step_count=30,
            deadline=None,
            derandomize=True,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
