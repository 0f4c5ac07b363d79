"""The admin where county officers and the city office work the ledger: the case admin
(``case``), its inlines, filters and action pages, the other ledger models (``ledger``) and the
official holiday calendar (``calendar``). Importing the package registers them all."""

from cases.admin import calendar, case, ledger  # noqa: F401  (registers the model admins)
