"""The dashboard needs nothing from the internet: no served page, script or style names
another host."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlparse

from .conftest import Api

URL = re.compile(r"https?://([A-Za-z0-9.-]+)")
#: XML namespace names (xmlns="http://www.w3.org/2000/svg") identify a vocabulary; a
#: browser never fetches them
NAMESPACE = re.compile(r'xmlns(:\w+)?="[^"]*"|\.createElementNS\("[^"]*"')
#: hosts named inside plotly.min.js (the vendored bundle, served unchanged): licence
#: comments, help links in error messages, and map-tile / map-font defaults of the
#: map traces — the dashboard draws no maps, and the browser test checks that no
#: request leaves the server. A new host here means a new plotly to review.
PLOTLY_INERT = {
    "www.w3.org",
    "feross.org",
    "get.webgl.org",
    "getify.mit-license.org",
    "syntheti.cc",
    "www.esri.com",
    "basemaps.cartocdn.com",
    "cdn.jsdelivr.net",
    "cdn.plot.ly",
    "cloud.plotly.com",
    "fonts.openmaptiles.org",
    "geoserveis.icgc.cat",
    "github.com",
    "maplibre.org",
    "plotly.com",
    "server.arcgisonline.com",
    "tile.openstreetmap.org",
    "tilemaps.icgc.cat",
    "tiles.basemaps.cartocdn.com",
    "wiki.openstreetmap.org",
    "www.openstreetmap.org",
}


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value and not value.startswith(("#", "data:")):
                self.found.add(value)


def _external(text: str) -> set[str]:
    return {h for h in URL.findall(NAMESPACE.sub("", text)) if h not in ("test", "localhost")}


def test_no_served_page_script_or_style_names_another_host(api: Api) -> None:
    customer = api.json("/api/customers")["tables"]["customers"]["rows"][0]["customer_id"]
    pages = [
        "/",
        "/responsiveness",
        "/resolution",
        "/volume",
        "/satisfaction",
        "/agents",
        "/agents/demo:a-004",
        "/customers",
        f"/customers/{customer}",
        "/agents/nobody",
    ]
    seen: set[str] = set()
    queue = [f"{p}?lang={lang}" for p in pages for lang in ("fa", "en")]
    while queue:
        path = queue.pop()
        r = api.get(path)
        assert r.status_code in (200, 404), path
        kind = r.headers["content-type"]
        if path.startswith("/vendor/plotly"):
            assert _external(r.text) <= PLOTLY_INERT, path
            continue
        assert not _external(r.text), (path, _external(r.text))
        if kind.startswith("text/html"):
            links = Links()
            links.feed(r.text)
            for link in links.found:
                target = urlparse(urljoin("http://test" + path, link))
                assert target.hostname == "test", (path, link)  # every link is local
                if target.path.startswith(("/static", "/vendor")) and target.path not in seen:
                    seen.add(target.path)
                    queue.append(target.path)
    assert {"/static/app.js", "/static/app.css", "/vendor/plotly.min.js"} <= seen
