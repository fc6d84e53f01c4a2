"""Every link of the page menu opens: a page's own parameters never go to a page that
refuses them (the staffing page's what-if options on the dashboard's, the dashboard's
filters and periods on the staffing page's)."""

from __future__ import annotations

import html
import re

import pytest

from .conftest import Api

NAV = re.compile(r'href="([^"]+)" data-nav="(\w+)"')


def nav_links(text: str) -> dict[str, str]:
    return {name: html.unescape(href) for href, name in NAV.findall(text)}


@pytest.mark.parametrize(
    "page",
    [
        "/volume?channel=email&period=week&hours=calendar&lang=fa&cal=jalali",
        "/agents?channel=chat&channel=email&period=month&lang=ar",
        "/staffing?weeks=4&interval=30&service_level=0.9&lang=fa",
        "/wallboard?channel=email&lang=en",
    ],
)
def test_every_menu_link_opens(api: Api, page: str) -> None:
    links = nav_links(api.html(page))
    assert {"overview", "staffing", "wallboard", "qa", "cases"} <= set(links)
    refused = {}
    for name, href in links.items():
        status = api.get(href).status_code
        if status != 200:
            refused[name] = (href, status)
    assert not refused
    lang = re.search(r"lang=(\w+)", page)
    assert lang and all(f"lang={lang.group(1)}" in h for h in links.values()), links
