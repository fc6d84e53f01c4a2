"""KPI declarations, one module per family; importing this package registers them."""

from . import calls, customers, quality, reviews, surveys, tickets, workforce  # noqa: F401
