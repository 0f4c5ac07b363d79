from __future__ import annotations

from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from cases import public
from cases.api import CaseViewSet, attachment_file, field_check_photo
from casework.api import LoginView, LogoutView, MeView
from intake.api import ImportViewSet, import_template
from notifications.api import NotificationViewSet
from ops.health import healthz
from supervision import api as report_api
from supervision.export_views import disclosure_export, ledger_export, ranking_export

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("cases", CaseViewSet, basename="case")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("imports", ImportViewSet, basename="import")

api_v1 = [
    path("auth/login/", LoginView.as_view(), name="api-login"),
    path("auth/logout/", LogoutView.as_view(), name="api-logout"),
    path("auth/me/", MeView.as_view(), name="api-me"),
    re_path(
        r"^attachments/(?P<attachment_id>[0-9]{1,18})/$",
        attachment_file,
        name="attachment-file",
    ),
    re_path(
        r"^field-check-photos/(?P<photo_id>[0-9]{1,18})/$",
        field_check_photo,
        name="field-check-photo",
    ),
    path("reports/closure-rate/", report_api.ClosureRateView.as_view(), name="report-closure"),
    path("reports/schedule/", report_api.ScheduleView.as_view(), name="report-schedule"),
    path("reports/sentences/", report_api.SentencesView.as_view(), name="report-sentences"),
    path("reports/overdue/", report_api.OverdueView.as_view(), name="report-overdue"),
    path("reports/ranking/", report_api.RankingView.as_view(), name="report-ranking"),
    path("exports/ranking.xlsx", ranking_export, name="export-ranking"),
    path(
        "reports/overdue-trend/", report_api.OverdueTrendView.as_view(), name="report-overdue-trend"
    ),
    path(
        "reports/state-by-stream/",
        report_api.StateByStreamView.as_view(),
        name="report-state-by-stream",
    ),
    path(
        "reports/batches/<int:batch_id>/bulletin/",
        report_api.BatchBulletinView.as_view(),
        name="report-batch-bulletin",
    ),
    path("exports/ledger.xlsx", ledger_export, name="export-ledger"),
    re_path(
        r"^imports/templates/(?P<kind>batch|history)\.xlsx$",
        import_template,
        name="import-template",
    ),
    path(
        "exports/batches/<int:batch_id>/disclosure.xlsx",
        disclosure_export,
        name="export-disclosure",
    ),
    *router.urls,
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    # No login: the notices before close-out, and the objection form (cases.public).
    path("public/notices/", public.notice_list, name="public-notice-list"),
    re_path(
        r"^public/notices/(?P<case_id>[0-9]{1,18})/$",
        public.notice_detail,
        name="public-notice-detail",
    ),
]

handler404 = "ops.errors.not_found"
