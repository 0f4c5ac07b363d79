"""The default 督办 rung went to the city office itself; Jiangxi's ladder addresses every rung to
the unit and its leaders, in the city office's name (shared/domain.md). A rule a supervisor has
changed (another name or audience) is left as it is."""

from django.db import migrations


def forwards(apps, schema_editor):
    ReminderRule = apps.get_model("notifications", "ReminderRule")
    ReminderRule.objects.filter(
        name="逾期5个工作日督办", level=3, audience="supervisors"
    ).update(audience="officers_leaders")


def backwards(apps, schema_editor):
    ReminderRule = apps.get_model("notifications", "ReminderRule")
    ReminderRule.objects.filter(
        name="逾期5个工作日督办", level=3, audience="officers_leaders"
    ).update(audience="supervisors")


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
