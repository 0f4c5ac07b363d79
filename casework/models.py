"""The organisation: regions, responsible units, people and the roles they hold over regions."""

from __future__ import annotations

import math
from contextvars import ContextVar
from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import connections, models, router, transaction
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext_lazy as _

from casework import workdays

if TYPE_CHECKING:
    from collections.abc import Iterable


class Role(models.TextChoices):
    COUNTY_OFFICER = "county_officer", _("County officer")
    CITY_SUPERVISOR = "city_supervisor", _("City supervisor")
    FIELD_INSPECTOR = "field_inspector", _("Field inspector")
    LEADER = "leader", _("Leader (read-only)")


class RegionKind(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County-level division")
    ZONE = "zone", _("Development zone or new district")
    CITY_LEVEL = "city_level", _("City level")


# The regions a user (%s) may see: each region they hold a role over, and all below it (a
# region's path starts with its ancestors'; paths are keys and slashes, "/1/2/5/", so nothing in
# them is a LIKE wildcard). The one statement of the rule: Region.visible_to and
# Case.objects.visible_to read it inside the query that asks, so a request's case list is one
# query, not a read of the memberships first; and as SQL, not built from ORM expressions per
# request (~2 ms of building and compiling a list page's scope).
VISIBLE_REGIONS = (
    "SELECT r.id FROM casework_region r JOIN casework_region h ON r.path LIKE h.path || '%%' "
    "JOIN casework_membership m ON m.region_id = h.id WHERE m.user_id = %s"
)


# A user's (role, region, region's path) triples (User.held).
HELD = (
    "SELECT m.role, m.region_id, r.path FROM casework_membership m "
    "JOIN casework_region r ON r.id = m.region_id WHERE m.user_id = %s"
)


class RegionQuerySet(models.QuerySet["Region"]):
    def visible_to(self, user: User | None) -> RegionQuerySet:
        """The regions this user may see: each region they hold a role over, and all below it
        (``VISIBLE_REGIONS``, which case visibility reads too)."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(pk__in=RawSQL(VISIBLE_REGIONS, [user.pk]))


class Region(models.Model):
    """A node of the administrative tree: province, city, county-level division or reporting unit.

    Development zones, new districts and the city level report like counties but have no GB/T 2260
    code. ``path`` is a materialised path of primary keys ("/1/2/5/") kept by ``save()``, so that a
    region and everything below it is one indexed ``LIKE 'prefix%'`` query.
    """

    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=20, choices=RegionKind.choices)
    gb_code = models.CharField(
        _("GB/T 2260 code"),
        max_length=6,
        unique=True,
        null=True,
        blank=True,
        validators=[RegexValidator(r"^\d{6}$", _("A GB/T 2260 code is six digits."))],
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    # Indexed for subtree look-ups (path LIKE 'prefix%'); on PostgreSQL db_index also adds the
    # pattern-ops index that LIKE needs.
    path = models.CharField(_("path"), max_length=255, editable=False, default="", db_index=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    # Roughly where the region is, for a plausibility check of field-check GPS positions.
    center_latitude = models.DecimalField(
        _("centre latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    center_longitude = models.DecimalField(
        _("centre longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    radius_km = models.PositiveIntegerField(_("radius (km)"), null=True, blank=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="region_unique_name_in_parent"),
            models.UniqueConstraint(
                fields=["name"],
                condition=models.Q(parent__isnull=True),
                name="region_unique_root_name",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        with transaction.atomic():
            old_path = self.path
            if self.pk is None:
                super().save(*args, **kwargs)
            new_path = f"{self.parent.path if self.parent else '/'}{self.pk}/"
            self.path = new_path
            kwargs.pop("force_insert", None)
            super().save(*args, **kwargs)
            if old_path and old_path != new_path:
                _forget_roles()  # the paths this request's memberships were read with
                # The region moved: carry its sub-regions along.
                Region.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                    path=Concat(
                        models.Value(new_path),
                        Substr("path", len(old_path) + 1),
                        output_field=models.CharField(),
                    )
                )

    def clean(self) -> None:
        moved_below_itself = self.parent_id == self.pk or bool(
            self.path and self.parent and self.parent.path.startswith(self.path)
        )
        if self.pk and self.parent_id and moved_below_itself:
            raise ValidationError(
                {"parent": _("A region cannot be placed below itself or its own sub-regions.")}
            )

    def distance_km(self, latitude: float, longitude: float) -> float | None:
        """Great-circle distance from the region's centre, if the centre is known."""
        if self.center_latitude is None or self.center_longitude is None:
            return None
        lat1, lon1 = (
            math.radians(float(self.center_latitude)),
            math.radians(float(self.center_longitude)),
        )
        lat2, lon2 = math.radians(latitude), math.radians(longitude)
        a = (
            math.sin((lat2 - lat1) / 2) ** 2
            + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
        )
        return 2 * 6371.0 * math.asin(math.sqrt(a))

    def subtree(self) -> RegionQuerySet:
        return Region.objects.filter(path__startswith=self.path)

    @property
    def ancestor_ids(self) -> list[int]:
        """This region's id and those above it, read from its materialised path."""
        return [int(part) for part in self.path.strip("/").split("/") if part]

    def ancestors(self) -> RegionQuerySet:
        return Region.objects.filter(pk__in=self.ancestor_ids).order_by("path")


class UnitKind(models.TextChoices):
    COUNTY_GOVERNMENT = "county_government", _("County government")
    CITY_DEPARTMENT = "city_department", _("City department")
    ZONE_COMMITTEE = "zone_committee", _("Zone administrative committee")
    TOWNSHIP = "township", _("Township or street")
    OTHER = "other", _("Other")


class ResponsibleUnitQuerySet(models.QuerySet["ResponsibleUnit"]):
    def visible_to(self, user: User | None) -> ResponsibleUnitQuerySet:
        return self.filter(region__in=Region.objects.visible_to(user))


class ResponsibleUnit(models.Model):
    """A unit that does the rectification work (责任单位), in one region."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=30, choices=UnitKind.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="units"
    )
    # Printed on the public notice (整改销号公示) for objections: 受理部门、联系电话、联系地址.
    contact_phone = models.CharField(_("phone for the public"), max_length=30, blank=True)
    contact_address = models.CharField(_("address for the public"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ResponsibleUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("responsible unit")
        verbose_name_plural = _("responsible units")
        ordering = ["region__path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="unit_unique_name_in_region"),
        ]

    def __str__(self) -> str:
        return self.name

    def may_lead_in(self, region: Region) -> bool:
        """Whether this unit may lead a case of ``region``: a unit of that region or of a region
        above it, or a city department (市本级) of the city above it."""
        above = region.ancestor_ids
        return self.region_id in above or (
            self.region.kind == RegionKind.CITY_LEVEL and self.region.parent_id in above
        )


class User(AbstractUser):
    """A person who uses the system. Roles come from memberships, never from this row alone."""

    full_name = models.CharField(_("full name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_short_name(self) -> str:
        return self.full_name or self.username

    def held(self) -> frozenset[tuple[str, int, str]] | None:
        """This user's (role, region, region's path) triples, read once per request
        (``request_roles``); None outside a request, where each question is its own query."""
        cache = request_roles.get()
        if cache is None:
            return None
        if self.pk not in cache:
            # As SQL: building and compiling the ORM's query cost ~1 ms of every page.
            with connections[router.db_for_read(Membership)].cursor() as cursor:
                cursor.execute(HELD, [self.pk])
                cache[self.pk] = frozenset(cursor.fetchall())
        return cache[self.pk]

    def _role_pairs(self) -> frozenset[tuple[str, int]] | None:
        held = self.held()
        return None if held is None else frozenset((role, pk) for role, pk, _ in held)

    def roles(self) -> set[str]:
        pairs = self._role_pairs()
        if pairs is not None:
            return {role for role, _ in pairs}
        return set(self.memberships.values_list("role", flat=True))

    def has_role(self, role: str, region: Region | None = None) -> bool:
        """Whether this user holds ``role``; with ``region``, over that region or one above it."""
        pairs = self._role_pairs()
        if pairs is not None:
            above = None if region is None else set(region.ancestor_ids)
            return any(r == role and (above is None or pk in above) for r, pk in pairs)
        memberships = self.memberships.filter(role=role)
        if region is None:
            return memberships.exists()
        return memberships.filter(region_id__in=region.ancestor_ids).exists()

    def has_role_over_any(self, role: str, regions: Iterable[Region]) -> bool:
        """Whether this user holds ``role`` over any of ``regions`` (or a region above one)."""
        ancestors = {pk for region in regions for pk in region.ancestor_ids}
        if not ancestors:
            return False
        pairs = self._role_pairs()
        if pairs is not None:
            return any(r == role and pk in ancestors for r, pk in pairs)
        return self.memberships.filter(role=role, region_id__in=ancestors).exists()


# Each user's memberships as read once in this request (casework.middleware.RequestRoleCache):
# a case page asks "may this person act?" for every action, each a query before (15 on the case
# detail API). A membership saved or deleted empties it.
request_roles: ContextVar[dict[int, frozenset[tuple[str, int, str]]] | None] = ContextVar(
    "request_roles", default=None
)


def _forget_roles() -> None:
    cache = request_roles.get()
    if cache:
        cache.clear()


class Membership(models.Model):
    """A role a person holds over a region (and everything below it)."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    unit = models.ForeignKey(
        ResponsibleUnit,
        verbose_name=_("responsible unit"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="memberships",
        help_text=_("The unit this person works for, if any."),
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["user", "region__path", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "region", "role"], name="membership_unique_role_per_region"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.region}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().save(*args, **kwargs)
        _forget_roles()

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        deleted = super().delete(*args, **kwargs)
        _forget_roles()
        return deleted

    def clean(self) -> None:
        if (
            self.unit_id
            and self.region_id
            and not self.unit.region.path.startswith(self.region.path)
        ):
            raise ValidationError({"unit": _("The unit must lie within the membership's region.")})


class CalendarStatus(models.TextChoices):
    OFFICIAL = "official", _("Official")
    PROVISIONAL = "provisional", _("Provisional")


class CalendarYear(models.Model):
    """A year's holiday arrangement entered from the State Council's notice (国务院办公厅关于某年
    部分节假日安排的通知), for a year the chinesecalendar package does not know yet.

    ``casework.workdays`` reads these rows; years with no row and no package entry are provisional
    (weekends and statutory holidays). A row marked provisional is a city's own expected
    arrangement: used instead of the computed one, its dates still marked provisional.
    """

    year = models.PositiveIntegerField(
        _("year"),
        unique=True,
        validators=[MinValueValidator(2000), MaxValueValidator(2099)],
    )
    status = models.CharField(
        _("status"), max_length=20, choices=CalendarStatus.choices, default=CalendarStatus.OFFICIAL
    )
    document_number = models.CharField(
        _("document number"),
        max_length=100,
        blank=True,
        help_text=_("The notice's number, e.g. 国办发明电〔2026〕7号."),
    )
    published_on = models.DateField(_("published on"), null=True, blank=True)
    holidays = models.JSONField(
        _("holidays"), default=list, help_text=_("Days off on weekdays, as ISO dates.")
    )
    workdays = models.JSONField(
        _("swapped working days"),
        default=list,
        help_text=_("Weekend days that are working days (调休), as ISO dates."),
    )
    entered_by = models.ForeignKey(
        "User",
        verbose_name=_("entered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("holiday calendar")
        verbose_name_plural = _("holiday calendars")
        ordering = ["-year"]

    def __str__(self) -> str:
        return _("%(year)s calendar (%(status)s)") % {
            "year": self.year,
            "status": self.get_status_display(),
        }

    def as_calendar(self) -> workdays.YearCalendar:
        return workdays.calendar_data_parse(
            {
                "year": self.year,
                "holidays": self.holidays,
                "workdays": self.workdays,
                "status": self.status,
                "source": self.document_number,
            },
            where=str(self.year),
        )
