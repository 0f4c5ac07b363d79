from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from ops.demo_people import DEFAULT_DEMO_PASSWORD, demo_users_load


class Command(BaseCommand):
    help = (
        "Load demo people (one per role) and demo data, and print the logins. "
        "Refuses to run when DEBUG is off unless --force is given."
    )

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though DEBUG is off (never on real data).",
        )
        parser.add_argument("--password", default=DEFAULT_DEMO_PASSWORD)

    def handle(self, *args: object, force: bool, password: str, **options: object) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "load_demo refuses to run with DEBUG off: demo accounts with known passwords "
                "do not belong on a real system. Use --force if you are sure "
                "(DEBUG 关闭时拒绝加载演示数据；确需加载请加 --force)."
            )
        call_command("load_reference", stdout=self.stdout)
        people = demo_users_load(password=password)
        self._load_ledger()
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Demo logins (演示账号):"))
        width = max(len(p.username) for p in people)
        for person in people:
            self.stdout.write(
                f"  {person.username:<{width}}  password: {password}   {person.full_name} · "
                f"{person.description}"
            )

    def _load_ledger(self) -> None:
        from ops.demo_ledger import demo_ledger_load

        self.stdout.write("Loading the demo ledger (演示台账) ...")
        counts = demo_ledger_load(progress=lambda line: self.stdout.write(line))
        if counts is None:
            self.stdout.write("The demo ledger is already loaded.")
            return
        self.stdout.write(
            "Demo ledger: " + ", ".join(f"{label} {count}" for label, count in counts.items())
        )
