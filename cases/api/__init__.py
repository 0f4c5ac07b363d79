"""The REST API over the ledger, for mobile clients: scoped reads, and writes through services.

``serializers`` (the answers), ``requests`` (what writes accept), ``filters`` (the list's query
parameters) and ``views``.
"""

from cases.api.filters import CaseFilter
from cases.api.views import CaseViewSet, attachment_file, field_check_photo

__all__ = ["CaseFilter", "CaseViewSet", "attachment_file", "field_check_photo"]
