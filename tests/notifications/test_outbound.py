"""Robot webhooks go only to allowed destinations (notifications/outbound.py): a county officer
cannot point the worker at the office network, and what a far end answers is not kept."""

from __future__ import annotations

import pytest
from django.test import Client

from casework.models import User
from notifications.models import ChannelPreference, Delivery, DeliveryStatus, Kind, Notification
from notifications.services import delivery_attempt, notify

pytestmark = pytest.mark.django_db


def send_one(user: User) -> Delivery:
    notify(recipients=[user], kind=Kind.SYSTEM, title="【提醒】测试", body="正文", dedupe="t")
    return Delivery.objects.get()


def add_channel(client: Client, address: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/admin/notifications/channelpreference/add/",
        {"channel": "webhook", "address": address, "enabled": "on"},
    )


def test_an_officer_can_only_enter_a_robot_host_over_https(jizhou_officer: User) -> None:
    client = Client()
    client.force_login(jizhou_officer)
    refused = {
        "http://127.0.0.1:8799/internal-admin/api": "https://",
        "https://evil.example/hook": "qyapi.weixin.qq.com",
        "https://user:pw@qyapi.weixin.qq.com/cgi-bin/webhook/send": "用户名",
        "https://qyapi.weixin.qq.com:99999/x": "网址",
    }
    for address, words in refused.items():
        response = add_channel(client, address)
        assert response.status_code == 200, address  # the form again, with the error
        errors = " ".join(response.context["adminform"].form.errors["address"])
        assert words in errors, (address, errors)
    assert not ChannelPreference.objects.exists()
    good = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"
    assert add_channel(client, good).status_code == 302
    assert ChannelPreference.objects.get().address == good


def test_a_stored_address_inside_the_network_is_never_called(
    robot, settings, jizhou_officer: User, supervisor: User
) -> None:  # type: ignore[no-untyped-def]
    # An address saved before the rules (or written past them) is checked again at sending.
    settings.CASEWORK_WEBHOOK_HOSTS = ["localhost"]
    settings.CASEWORK_WEBHOOK_ALLOW_PRIVATE = False
    address = robot.url.replace("127.0.0.1", "localhost")
    ChannelPreference.objects.create(user=jizhou_officer, channel="webhook", address=address)
    delivery = send_one(jizhou_officer)
    assert delivery_attempt(delivery.pk) == DeliveryStatus.FAILED
    assert robot.messages == []
    preference = ChannelPreference.objects.get()
    assert not preference.enabled and "网络内部" in preference.disabled_reason


def test_a_redirect_is_not_followed_and_the_far_ends_words_are_not_kept(
    robot, jizhou_officer: User, supervisor: User
) -> None:  # type: ignore[no-untyped-def]
    ChannelPreference.objects.create(user=jizhou_officer, channel="webhook", address=robot.url)
    robot.answers = [(302, {"errcode": 0})]
    assert delivery_attempt(send_one(jizhou_officer).pk) == DeliveryStatus.FAILED
    assert len(robot.messages) == 1  # sent once, the redirect not followed
    assert ChannelPreference.objects.get().disabled_reason == "HTTP 302"

    ChannelPreference.objects.update(enabled=True, disabled_reason="")
    Delivery.objects.all().delete()
    Notification.objects.all().delete()
    robot.answers = [(200, {"errcode": 93000, "errmsg": "internal: db=10.0.0.5 user=admin"})]
    assert delivery_attempt(send_one(jizhou_officer).pk) == DeliveryStatus.FAILED
    reason = ChannelPreference.objects.get().disabled_reason
    assert reason == "robot answered errcode 93000"
    alert = Notification.objects.filter(recipient=supervisor, kind=Kind.SYSTEM).latest("id")
    assert "10.0.0.5" not in alert.body and "93000" in alert.body
