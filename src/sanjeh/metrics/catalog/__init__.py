"""KPI declarations, one module per family; importing this package registers them."""

from . import (  # noqa: F401
    calls,
    contact_centre,
    customers,
    quality,
    reviews,
    speech,
    surveys,
    tickets,
    workforce,
)
