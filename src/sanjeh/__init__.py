"""Sanjeh (سنجه, "gauge"): measure and improve customer-support quality.

The public API::

    import sanjeh

    store = sanjeh.Store.open("sanjeh.duckdb")        # or "postgresql://…"
    sanjeh.import_file(store, "tickets.csv")          # any supported format
    store.table("tickets")                            # an Ibis table expression
    sanjeh.kpis(store, ["first_reply_time"], by="team", period="week")  # a DataFrame

Everything else lives in sub-packages: ``sanjeh.model`` (the canonical tables),
``sanjeh.ingest`` (formats), ``sanjeh.metrics`` (facts, KPI registry, options),
``sanjeh.calendar`` (business hours), ``sanjeh.text`` (conversation analysis),
``sanjeh.staffing`` (Erlang C / A, required agents, arrival forecasts),
``sanjeh.surveys`` (surveys sent and answered: CSAT, CES, NPS, eNPS, pulse),
``sanjeh.speech`` (calls: speech figures from transcripts and recordings),
``sanjeh.errors`` (the exception tree).
"""

from ._version import __version__
from .errors import SanjehError
from .ingest import ImportSummary, import_file
from .metrics import kpis
from .settings import Settings, load_settings
from .store import Store, WriteResult
from .surveys import create_survey, send_invitations, survey_results

__all__ = [
    "ImportSummary",
    "SanjehError",
    "Settings",
    "Store",
    "WriteResult",
    "__version__",
    "create_survey",
    "import_file",
    "kpis",
    "load_settings",
    "send_invitations",
    "survey_results",
]
