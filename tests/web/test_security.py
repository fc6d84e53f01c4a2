"""Untrusted input stays data: escaped in pages, bound in queries, inert in spreadsheets."""

from __future__ import annotations

from typing import Any

from sanjeh.web._render import table_frame

from .conftest import Api

SCRIPT = '<script>alert("x")</script>'


def test_search_text_is_escaped_in_the_page(api: Api) -> None:
    html = api.html("/customers", q=SCRIPT)
    assert SCRIPT not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html


def test_error_messages_are_escaped(api: Api) -> None:
    r = api.get("/", agent='"><img src=x onerror=alert(1)>')
    assert r.status_code == 400
    assert "<img" not in r.text and "&lt;img src=x onerror=alert(1)&gt;" in r.text


def test_search_text_never_becomes_sql(api: Api) -> None:
    everyone = api.json("/api/customers")["tables"]["customers"]["rows"]
    injected = api.json("/api/customers", q="' OR 1=1 --")["tables"]["customers"]["rows"]
    assert everyone and injected == []


def test_chart_data_cannot_close_its_script_element(api: Api) -> None:
    html = api.html("/agents")
    body = html.split('<script type="application/json" data-chart-for="solved">', 1)[1]
    data = body.split("</script>", 1)[0]
    assert "<" not in data  # Jinja's tojson writes < as \\u003c


def test_every_response_carries_a_strict_content_policy(api: Api) -> None:
    for path in ("/", "/api/overview", "/static/app.js", "/api/agents/nobody"):
        headers = api.get(path).headers
        assert "default-src 'self'" in headers["content-security-policy"]
        assert "script-src 'self';" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"


def test_spreadsheet_cells_never_start_a_formula() -> None:
    table: dict[str, Any] = {
        "columns": [
            {"key": "comment", "label": "c", "unit": "verbatim", "href": None},
            {"key": "n", "label": "n", "unit": "count", "href": None},
        ],
        "rows": [{"comment": '=HYPERLINK("http://x")', "n": -1}, {"comment": "ok\x07", "n": 2}],
    }
    frame = table_frame(table)
    assert list(frame.comment) == ['\'=HYPERLINK("http://x")', "ok"]
    assert list(frame.n) == [-1, 2]  # numbers stay numbers


def test_the_server_binds_to_this_machine_by_default() -> None:
    import inspect

    from sanjeh.web import serve

    assert inspect.signature(serve).parameters["host"].default == "127.0.0.1"
