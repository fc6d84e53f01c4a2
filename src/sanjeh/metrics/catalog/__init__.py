"""KPI declarations, one module per family; importing this package registers them."""

from . import (  # noqa: F401
    calls,
    contact_centre,
    customers,
    predictions,
    priority,
    quality,
    reviews,
    self_service,
    speech,
    surveys,
    tickets,
    workforce,
)
