"""The QA route table: every page with its JSON twin, every action as a JSON endpoint
and (where the pages offer it) an HTML form, as docs/qa-web.md lists them; the JSON
endpoints keep their OpenAPI operation ids. The demo store has no users: the local
admin sees every page."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import httpx

from .conftest import Api

#: page → its JSON twin's operation id (docs/qa-web.md, "Pages and their JSON twins")
PAGES = {
    "/qa": "home_api_api_qa_get",
    "/qa/reviews": "reviews_api_api_qa_reviews_get",
    "/qa/insights": "insights_api_api_qa_insights_get",  # #22 (Q1)
    "/qa/disputes": "disputes_api_api_qa_disputes_get",
    "/qa/assignments": "assignments_api_api_qa_assignments_get",
    "/qa/calibration": "calibration_api_api_qa_calibration_get",
    "/qa/coaching": "coaching_api_api_qa_coaching_get",
    "/qa/wow": "wow_api_api_qa_wow_get",
    # #22 (Q3): coaching agenda, recognition, self-reviews
    "/qa/agenda": "agenda_api_api_qa_agenda_get",
    "/qa/recognition": "recognition_api_api_qa_recognition_get",
    "/qa/self-reviews": "self_reviews_api_api_qa_self_reviews_get",
    "/qa/scorecards": "scorecards_api_api_qa_scorecards_get",
    # the scorecard builder (#22)
    "/qa/scorecards/builder": "scorecard_builder_api_api_qa_scorecards_builder_get",
}
#: JSON endpoints with a path parameter or without a page (method, path, operation id)
MORE_JSON = {
    ("get", "/api/qa/scores", "scores_api_api_qa_scores_get"),
    ("get", "/api/qa/review/{ticket_id}", "review_form_api_api_qa_review__ticket_id__get"),
    ("get", "/api/qa/reviews/{review_id}", "review_api_api_qa_reviews__review_id__get"),
    # #22 (Q3)
    (
        "get",
        "/api/qa/self-review/{ticket_id}",
        "self_review_form_api_api_qa_self_review__ticket_id__get",
    ),
    (
        "get",
        "/api/qa/self-reviews/{self_review_id}",
        "self_review_api_api_qa_self_reviews__self_review_id__get",
    ),
    ("get", "/api/qa/scorecards/export", "scorecard_export_api_api_qa_scorecards_export_get"),
    (
        "get",
        "/api/qa/calibration/{calibration_id}",
        "calibration_report_api_api_qa_calibration__calibration_id__get",
    ),
}
#: docs/qa-web.md, "Actions": the form post (None: JSON only) and the JSON endpoint
ACTIONS = [
    ("/qa/review/{ticket_id}", "post", "/api/qa/reviews", "review_api_post_api_qa_reviews_post"),
    (
        None,
        "patch",
        "/api/qa/reviews/{review_id}",
        "review_api_patch_api_qa_reviews__review_id__patch",
    ),
    (
        "/qa/reviews/{review_id}/dispute",
        "post",
        "/api/qa/reviews/{review_id}/dispute",
        "dispute_api_api_qa_reviews__review_id__dispute_post",
    ),
    (
        "/qa/disputes/{dispute_id}/resolve",
        "post",
        "/api/qa/disputes/{dispute_id}/resolve",
        "resolve_api_api_qa_disputes__dispute_id__resolve_post",
    ),
    (
        "/qa/disputes/{dispute_id}/escalate",
        "post",
        "/api/qa/disputes/{dispute_id}/escalate",
        "escalate_api_api_qa_disputes__dispute_id__escalate_post",
    ),
    ("/qa/cycles", "post", "/api/qa/cycles", "cycle_api_api_qa_cycles_post"),
    (
        "/qa/calibration",
        "post",
        "/api/qa/calibration",
        "calibration_api_post_api_qa_calibration_post",
    ),
    ("/qa/coaching", "post", "/api/qa/coaching", "coaching_api_post_api_qa_coaching_post"),
    (
        "/qa/coaching/{session_id}/actions/{index}",
        "post",
        "/api/qa/coaching/{session_id}/actions/{index}",
        "action_api_api_qa_coaching__session_id__actions__index__post",
    ),
    ("/qa/wow", "post", "/api/qa/wow", "wow_api_post_api_qa_wow_post"),
    # #22 (Q3)
    ("/qa/agenda", "post", "/api/qa/agenda", "agenda_api_post_api_qa_agenda_post"),
    (
        "/qa/self-review/{ticket_id}",
        "post",
        "/api/qa/self-reviews",
        "self_review_api_post_api_qa_self_reviews_post",
    ),
    ("/qa/scorecards", "post", "/api/qa/scorecards", "scorecard_api_post_api_qa_scorecards_post"),
]


def _post(app: Any, path: str, token: str) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.post(path, data={"csrf_token": token})

    return asyncio.run(go())


def test_every_qa_json_endpoint_keeps_its_operation_id(api: Api) -> None:
    spec = api.json("/openapi.json")["paths"]
    found = {
        (method, path, op["operationId"])
        for path, ops in spec.items()
        if path.startswith("/api/qa")
        for method, op in ops.items()
    }
    expected = {("get", "/api" + page, op) for page, op in PAGES.items()} | MORE_JSON
    expected |= {(method, path, op) for _, method, path, op in ACTIONS}
    assert found == expected
    assert all(spec[path][m]["tags"] == ["qa"] for m, path, _ in expected)
    scores = {p["name"] for p in spec["/api/qa/scores"]["get"]["parameters"]}
    assert scores == {"agent", "by", "start", "end"}
    body = spec["/api/qa/reviews"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"] == {"$ref": "#/components/schemas/ReviewIn"}
    assert "201" in spec["/api/qa/reviews"]["post"]["responses"]


def test_every_page_and_its_twin_are_served(api: Api) -> None:
    for page in PAGES:
        html = api.html(page, lang="en")
        twin = api.json("/api" + page, lang="en")
        key = re.search(r'data-qa-page="([a-z_]+)"', html)
        assert key and key.group(1) == twin["qa_page"], page
    assert api.get("/qa/review", ticket="").status_code == 400  # the home page's box


def test_every_form_is_a_route(app: Any, api: Api) -> None:
    """An empty form to each: a 400 for the fields or a 404 for the made-up record, never
    the "no page" 404 of a path without a route (nor a 405)."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', api.html("/qa/assignments"))
    assert found
    token = found.group(1)
    ids = {"ticket_id": "t", "review_id": "r", "dispute_id": "d", "session_id": "s", "index": "0"}
    for form, *_ in ACTIONS:
        if form is None:
            continue
        r = _post(app, form.format(**ids), token)
        assert r.status_code in (400, 404) and "no page at" not in r.text, (form, r.text[:300])
    missing = _post(app, "/qa/nowhere", token)
    assert missing.status_code == 404 and "no page at" in missing.text
    assert _post(app, "/qa/reviews/r/dispute", "wrong").status_code == 403  # CSRF first
