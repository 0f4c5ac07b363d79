"""One transport per channel kind. ``send`` returns on success, raises ``TransientError`` when a
later retry may succeed and ``PermanentError`` when it never will (the channel is then disabled)."""

from __future__ import annotations

import json
import logging
import smtplib
import urllib.error
import urllib.request
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

WEBHOOK_TIMEOUT_SECONDS = 5


class TransientError(Exception):
    pass


class PermanentError(Exception):
    pass


class Transport(Protocol):
    def send(self, address: str, title: str, body: str) -> None: ...


class EmailTransport:
    def send(self, address: str, title: str, body: str) -> None:
        try:
            send_mail(title, body, None, [address], fail_silently=False)
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentError(f"recipient refused: {exc}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TransientError(str(exc)) from exc


class WebhookTransport:
    """A chat group robot's webhook (WeCom, DingTalk and Feishu accept this text message shape)."""

    def send(self, address: str, title: str, body: str) -> None:
        if not address.startswith(("http://", "https://")):
            raise PermanentError("the webhook address is not an http(s) URL")
        payload = json.dumps(
            {"msgtype": "text", "text": {"content": f"{title}\n{body}"}}, ensure_ascii=False
        ).encode()
        request = urllib.request.Request(
            address,
            data=payload,
            method="POST",
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
        try:
            with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:
                text = response.read(4096).decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            if 400 <= exc.code < 500 and exc.code not in (408, 429):
                raise PermanentError(f"HTTP {exc.code}") from exc
            raise TransientError(f"HTTP {exc.code}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise TransientError(str(exc)) from exc
        try:
            answer = json.loads(text) if text.strip() else {}
        except ValueError:
            answer = {}
        errcode = answer.get("errcode", 0) if isinstance(answer, dict) else 0
        if errcode not in (0, None):
            # The robot refused the message: a wrong or revoked key will never work.
            raise PermanentError(f"robot answered errcode {errcode}: {answer.get('errmsg', '')}")


class LogSmsBackend:
    """The default SMS backend: writes the message to the log (no SMS gateway configured)."""

    def send(self, address: str, title: str, body: str) -> None:
        logger.info("SMS to %s: %s %s", address, title, body)


def sms_backend() -> Transport:
    return import_string(
        getattr(settings, "CASEWORK_SMS_BACKEND", "notifications.transports.LogSmsBackend")
    )()


def transport_for(channel: str) -> Transport:
    if channel == "email":
        return EmailTransport()
    if channel == "webhook":
        return WebhookTransport()
    if channel == "sms":
        return sms_backend()
    raise PermanentError(f"unknown channel {channel}")
