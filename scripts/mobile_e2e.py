#!/usr/bin/env python3
"""A phone's day, in plain HTTP against a running Casework server (standard library only).

Logs in as a field inspector, syncs the cases it may see, files a field check with a photo while
"offline" (the same request sent three times, as a phone's retry queue does when answers are
lost), and checks that the case carries exactly one such check. Exits non-zero on any surprise.

    python scripts/mobile_e2e.py --base-url http://127.0.0.1:8000 --username inspector \\
        --password jian-demo-2026
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import sys
import urllib.error
import urllib.request
import uuid

# A 1x1 PNG: a real image, as the server checks photos from their bytes.
PHOTO = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


class Phone:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.token: str | None = None

    def request(
        self, method: str, path: str, body: bytes | None = None, content_type: str | None = None
    ) -> tuple[int, dict]:
        request = urllib.request.Request(self.base_url + path, data=body, method=method)
        request.add_header("Accept", "application/json")
        request.add_header("Accept-Language", "zh-hans")
        if content_type:
            request.add_header("Content-Type", content_type)
        if self.token:
            request.add_header("Authorization", f"Token {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    def json(self, method: str, path: str, payload: dict | None = None) -> tuple[int, dict]:
        body = json.dumps(payload).encode() if payload is not None else None
        return self.request(method, path, body, "application/json" if body else None)

    def multipart(
        self, path: str, fields: dict[str, str], files: list[tuple[str, str, bytes]]
    ) -> tuple[int, dict]:
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in fields.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{value}\r\n".encode()
            )
        for name, filename, data in files:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
                + data
                + b"\r\n"
            )
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request(
            "POST", path, b"".join(parts), f"multipart/form-data; boundary={boundary}"
        )


def check(condition: bool, message: str) -> None:
    print(("ok   " if condition else "FAIL ") + message)
    if not condition:
        sys.exit(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--username", default="inspector")
    parser.add_argument("--password", default="jian-demo-2026")
    parser.add_argument(
        "--checked-at",
        default=None,
        help="when the check was done (ISO 8601; default: now on this machine)",
    )
    args = parser.parse_args()
    phone = Phone(args.base_url)

    status, body = phone.json(
        "POST", "/api/v1/auth/login/", {"username": args.username, "password": args.password}
    )
    check(status == 200 and "token" in body, f"logged in as {args.username}")
    phone.token = body["token"]

    cases, path = [], "/api/v1/cases/?ordering=updated_at&page_size=200"
    while path:
        status, page = phone.json("GET", path)
        check(status == 200, f"synced a page of cases ({len(page.get('results', []))})")
        cases += page["results"]
        path = page["next"].split(args.base_url.rstrip("/"), 1)[-1] if page["next"] else None
    check(len(cases) > 0, f"{len(cases)} cases to check")
    target = cases[0]

    check_id = str(uuid.uuid4())  # made once, on the phone, when the check is done
    fields = {
        "client_uuid": check_id,
        "checked_at": args.checked_at or dt.datetime.now(dt.UTC).isoformat(),
        "latitude": "27.1412",
        "longitude": "114.9876",
        "accuracy_m": "12",
        "result": "rectified",
        "notes": "现场核查：已整改到位（离线提交）",
    }
    answers = []
    for attempt in range(3):  # the answers to the first tries were lost: the phone retries
        answers.append(
            phone.multipart(
                f"/api/v1/cases/{target['id']}/field-checks/",
                fields,
                [("photos", "site.png", PHOTO)],
            )
        )
        print(f"     attempt {attempt + 1}: HTTP {answers[-1][0]}")
    check(
        answers[0][0] == 201 and all(a[0] == 200 for a in answers[1:]),
        "first try created the check, the retries were recognised",
    )
    check(len({a[1]["id"] for a in answers}) == 1, "every try answered with the same record")

    status, detail = phone.json("GET", f"/api/v1/cases/{target['id']}/")
    mine = [c for c in detail["field_checks"] if c["client_uuid"] == check_id]
    check(status == 200 and len(mine) == 1, "the case carries exactly one check")
    status, _ = phone.json("POST", "/api/v1/auth/logout/")
    check(status == 204, "logged out")


if __name__ == "__main__":
    main()
