"""Issue 14 in a real browser (Playwright driving Debian's chromium, as tests/test_browser.py
does, skipped when it is missing), at 1280 and 390 px, with JavaScript on and off:

- keyboard only: search -> facet -> chip removal -> page 2 -> post -> back to the same search;
- the sort menu never navigates on arrow keys;
- on a phone the filters are reached from the top (a skip link, the "Filters (n)" drawer);
- axe-core (vendored in tests/vendor/, npm package ``axe-core``) finds no WCAG 2.2 A/AA
  violation on any page at either width, JavaScript on or off, drawer open or closed;
- no layout shift (PerformanceObserver ``layout-shift``) on any page.

"JavaScript off" is a context with JavaScript disabled for the keyboard tests; for axe and
layout shifts, which need a script of their own, it is the page with app.js answered empty.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
from playwright.sync_api import expect

from .test_browser import browser, server  # noqa: F401  (fixtures: chromium, a live server)

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
MAX_TABS = 200  # Tab presses before giving up on reaching an element
# a loaded machine may take a while to answer a navigation: wait for states up to 20 s
expect.set_options(timeout=20_000)

PAGES = [
    "",
    "search?q=python",
    "search?q=python&tag=asyncio&page=2",
    "search?archive=demo&more=tag",
    "search?q=zzzqqq",
    "search?q=(((",
    "post/demo/compte-rendu-micro-python-et-capteurs?q=capteurs",
    "tags",
    "authors",
    "speakers?filter=k",
    "speakers/" + quote("Kévin Morel"),
    "timeline",
    "nope",
]

LAYOUT_SHIFT = """() => new Promise(resolve => {
  let total = 0;
  const observer = new PerformanceObserver(list => {
    for (const entry of list.getEntries()) { if (!entry.hadRecentInput) total += entry.value; }
  });
  observer.observe({type: "layout-shift", buffered: true});
  // buffered entries are delivered before two frames have passed
  requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => {
    for (const entry of observer.takeRecords()) { if (!entry.hadRecentInput) total += entry.value; }
    observer.disconnect();
    resolve(total);
  }, 0)));
})"""


def new_page(browser, width: str, javascript: bool, block_script: bool = False):  # noqa: F811
    size = WIDTHS[width]
    context = browser.new_context(
        viewport={"width": size[0], "height": size[1]},
        locale="en-GB",
        java_script_enabled=javascript,
    )
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type == "error" and "status of 4" not in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    if block_script:  # the page as it is without JavaScript, but axe can still run
        page.route(
            re.compile(r"/static/app\.[0-9a-f]+\.js$"),
            lambda route: route.fulfill(status=200, content_type="text/javascript", body=""),
        )
    page.problems = problems
    return context, page


def focused(page) -> str:
    return page.evaluate(
        "() => { const e = document.activeElement; return e ? e.outerHTML.slice(0, 200) : ''; }"
    )


def tab_to(page, locator, backwards: bool = False) -> None:
    """Press Tab (Shift+Tab) until ``locator`` has the focus, as a keyboard user would."""
    for _ in range(MAX_TABS):
        if locator.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    raise AssertionError(f"never reached by Tab: {locator}; focus on {focused(page)}")


def summary_total(page) -> int:
    return int(re.match(r"\d+", page.locator("h1.summary").inner_text()).group())


# --- keyboard only ------------------------------------------------------------------------


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_keyboard_only_search_facet_chip_page_post_and_back(server, browser, width, javascript):  # noqa: F811
    context, page = new_page(browser, width, javascript)
    page.goto(server.url)
    # the home page focuses the search box
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("python")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=python$"))
    expect(page.locator("h1.summary")).to_have_text("5 posts for “python”")

    # a tag facet, by keyboard (on a phone, through the "Filters" drawer's button)
    if width == "phone":
        toggle = page.locator(".filters-toggle")
        tab_to(page, toggle)
        assert toggle.inner_text().strip() == "Filters"
        page.keyboard.press("Enter")
        expect(page.locator("#filters")).to_have_attribute("open", "")
    facet = page.locator("#f-tag-asyncio")
    tab_to(page, facet)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=python&tag=asyncio#f-tag-asyncio$"))
    expect(page.locator("h1.summary")).to_have_text("2 posts for “python”")
    # the focus is back on that facet value, now selected
    expect(page.locator("#f-tag-asyncio")).to_be_focused()
    assert "selected" in page.locator("#f-tag-asyncio").get_attribute("class")
    expect(page.locator("#filters")).to_have_attribute("open", "")  # still open on a phone

    # the chip removes it
    chip = page.locator(".chip", has_text="asyncio")
    tab_to(page, chip)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=python#f-tag-asyncio$"))
    expect(page.locator("h1.summary")).to_have_text("5 posts for “python”")
    expect(page.locator("#f-tag-asyncio")).to_be_focused()
    assert page.locator(".chip").count() == 0

    # page 2 (three results a page)
    tab_to(page, page.locator('.pagination a[aria-label="Page 2"]'))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=python&page=2$"))
    titles = page.locator(".result-link").all_inner_texts()
    assert len(titles) == 2

    # a post, then back to exactly this search
    first = page.locator(".result-link").first
    tab_to(page, first)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/post/demo/[^?]+\?q=python&page=2$"))
    expect(page.locator("article.post h1")).to_have_text(titles[0])
    back = page.get_by_role("link", name="← Back to the search")
    tab_to(page, back)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=python&page=2$"))
    assert page.locator(".result-link").all_inner_texts() == titles
    assert page.problems == []
    context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_the_sort_menu_never_navigates_on_arrow_keys(server, browser, width, javascript):  # noqa: F811
    context, page = new_page(browser, width, javascript)
    page.goto(server.url + "search?q=python")
    menu = page.locator("#sort")
    tab_to(page, menu)
    for key in ("ArrowDown", "ArrowDown", "ArrowUp", "ArrowDown"):
        page.keyboard.press(key)
    assert menu.input_value() == "oldest"
    expect(page).to_have_url(re.compile(r"/search\?q=python$"))
    assert summary_total(page) == 5
    page.keyboard.press("Tab")  # its button applies it
    expect(page.get_by_role("button", name="Apply").first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"sort=oldest"))
    expect(page.locator("#sort")).to_have_value("oldest")
    context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_a_phone_reaches_the_filters_from_the_top(server, browser, javascript):  # noqa: F811
    context, page = new_page(browser, "phone", javascript)
    page.goto(server.url + "search?q=python&tag=asyncio")
    # the drawer's button is on the first screen, above the results, and says how many
    toggle = page.locator(".filters-toggle")
    expect(toggle).to_be_visible()
    expect(toggle).to_be_in_viewport()
    assert "Filters (1)" in toggle.inner_text()
    box = toggle.bounding_box()
    assert box["y"] < page.locator("ol.results").bounding_box()["y"]
    assert page.locator("#f-tag-python").is_hidden()  # closed at first
    # the second Tab stop is the skip link to the filters: it opens the drawer there
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link", has_text="Skip to the filters")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#filters")).to_have_attribute("open", "")
    expect(page.locator("#facets")).to_be_in_viewport()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('facet-link')")
    # a tap on the button closes and opens it
    toggle.click()
    assert page.locator("#f-tag-python").is_hidden()
    toggle.click()
    expect(page.locator("#f-tag-python")).to_be_visible()
    if javascript:  # results as you type keep the drawer as it was
        page.locator("#q").fill("pyramid")
        expect(page.locator("h1.summary")).to_have_text(re.compile(r"for “pyramid”$"))
        expect(page.locator("#filters")).to_have_attribute("open", "")
    context.close()


def test_on_a_wide_screen_the_filters_are_a_column_beside_the_results(server, browser):  # noqa: F811
    context, page = new_page(browser, "desktop", True)
    page.goto(server.url + "search?q=python")
    assert page.locator(".filters-toggle").is_hidden()
    facets = page.locator("#facets").bounding_box()
    results = page.locator("ol.results").bounding_box()
    assert facets["x"] > results["x"] + results["width"]
    assert facets["y"] < results["y"]  # beside the heading, not below the results
    expect(page.locator("#f-tag-asyncio")).to_be_visible()
    context.close()


def test_more_facet_values_are_fetched_when_opened(server, browser):  # noqa: F811
    context, page = new_page(browser, "desktop", True)
    page.goto(server.url + "search?archive=demo")
    tags = page.locator('section[aria-labelledby="facet-tag"]')
    assert tags.locator(".facet-link").count() == 10
    with page.expect_response(re.compile(r"/api/facets\?archive=demo&facet=tag&limit=1000")):
        tags.locator(".facet-more summary").click()
    expect(tags.locator(".facet-more .facet-link").first).to_be_visible()
    every = page.evaluate(
        "fetch('/api/facets?archive=demo&facet=tag&limit=1000').then(r => r.json())"
    )
    shown = tags.locator(".facet-value").all_inner_texts()
    assert shown == [v["value"] for v in every["values"]]
    # a box filters a long list of loaded values (case and accents aside)
    box = page.get_by_label("Find among the tags")
    expect(box).to_be_visible()
    loaded = [v["value"] for v in every["values"][10:]]
    wanted = loaded[-1][:3].upper()
    box.fill(wanted)
    visible = tags.locator(".facet-more li:visible .facet-value").all_inner_texts()
    assert visible == [v for v in loaded if wanted.lower() in v.lower()] and visible
    box.fill("")
    expect(tags.locator(".facet-more li:visible")).to_have_count(len(loaded))
    link = tags.locator(".facet-more .facet-link").first
    value = every["values"][10]["value"]
    link_id = "f-tag-" + quote(value, safe="!~*'()")
    assert link.get_attribute("id") == link_id
    link.click()
    expect(page.locator("h1.summary")).not_to_have_text(re.compile(r"^11 posts"))
    query = parse_qsl(urlsplit(page.url).query)
    assert query == [("archive", "demo"), ("tag", value)]
    expect(page.locator(f'[id="{link_id}"]')).to_be_focused()
    assert page.problems == []
    context.close()


# --- axe-core and layout shifts -------------------------------------------------------------


def run_axe(page) -> list[tuple[str, int, list]]:
    """axe-core's WCAG 2.2 A/AA violations on the page as it is now (rule, nodes, first)."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
        ".then(r => ({passes: r.passes.length,"
        " violations: r.violations.map(v => [v.id, v.nodes.length, v.nodes[0].target])}))",
        WCAG,
    )
    assert result["passes"] >= 10  # the rules did run
    return result["violations"]


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_axe_finds_no_violation_and_nothing_shifts(server, browser, width, javascript):  # noqa: F811
    context, page = new_page(browser, width, True, block_script=not javascript)
    found = {}
    shifts = {}
    for path in PAGES:
        page.goto(server.url + path)
        page.wait_for_load_state("load")
        shifts[path] = page.evaluate(LAYOUT_SHIFT)
        if shifts[path]:
            # Once in a full run on a busy machine, the home page showed a 0.0016 shift
            # (a paint in the middle of parsing); a shift the page makes fails on a second
            # load too, so only one seen twice in a row counts.
            page.goto(server.url + path)
            page.wait_for_load_state("load")
            shifts[path] = min(shifts[path], page.evaluate(LAYOUT_SHIFT))
        violations = run_axe(page)
        if violations:
            found[path] = violations
        if width == "phone" and page.locator(".filters-toggle").count():
            page.locator(".filters-toggle").click()  # the drawer open too
            expect(page.locator("#filters")).to_have_attribute("open", "")
            violations = run_axe(page)
            if violations:
                found[path + " (filters open)"] = violations
    assert found == {}
    assert shifts == dict.fromkeys(PAGES, 0)
    assert page.problems == []
    context.close()
