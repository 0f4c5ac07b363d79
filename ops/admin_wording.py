"""The stock admin phrases that read badly in Chinese ("选择 案件 来修改", "以 办理状态",
"添加另一个 进展调度"), said again in this project's locale files, which Django reads before its
own. ``gettext_noop`` only marks them for makemessages; nothing needs to call this module."""

from django.utils.translation import gettext_noop

STOCK_PHRASES = (
    gettext_noop("Select %s to change"),
    gettext_noop("Select %s to view"),
    gettext_noop(" By %(filter_title)s "),
    gettext_noop("Add another %(verbose_name)s"),
    gettext_noop("Add %s"),
    gettext_noop("Change %s"),
    gettext_noop("View %s"),
    gettext_noop("Filter"),
    gettext_noop("Show counts"),
    gettext_noop("Hide counts"),
    gettext_noop("Start typing to filter…"),
    gettext_noop("Models in the %(name)s application"),
    gettext_noop("Action:"),
    gettext_noop("Run the selected action"),
    # Read out by screen readers on the home page; the admin's own catalogue lacks them.
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
)
