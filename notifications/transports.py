"""One transport per channel kind. ``send`` returns on success, raises ``TransientError`` when a
later retry may succeed and ``PermanentError`` when it never will (the channel is then disabled)."""

from __future__ import annotations

import http.client
import json
import logging
import smtplib
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from notifications import outbound

logger = logging.getLogger(__name__)


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
    """A chat group robot's webhook (WeCom, DingTalk and Feishu accept this text message shape),
    sent only to an allowed destination (``notifications.outbound``)."""

    def send(self, address: str, title: str, body: str) -> None:
        payload = json.dumps(
            {"msgtype": "text", "text": {"content": f"{title}\n{body}"}}, ensure_ascii=False
        ).encode()
        try:
            status, text = outbound.post_json(address, payload)
        except outbound.Refused as exc:
            raise PermanentError(str(exc)) from exc
        except (ConnectionError, TimeoutError, OSError, http.client.HTTPException) as exc:
            raise TransientError(exc.__class__.__name__) from exc
        # What the far end says is kept as a status only: its words are not ours to show.
        if not 200 <= status < 300:
            if (400 <= status < 500 and status not in (408, 429)) or 300 <= status < 400:
                raise PermanentError(f"HTTP {status}")
            raise TransientError(f"HTTP {status}")
        try:
            answer = json.loads(text) if text.strip() else {}
        except ValueError:
            answer = {}
        errcode = answer.get("errcode", 0) if isinstance(answer, dict) else 0
        if errcode not in (0, None):
            # The robot refused the message: a wrong or revoked key will never work.
            code = errcode if isinstance(errcode, int) else "?"
            raise PermanentError(f"robot answered errcode {code}")


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
