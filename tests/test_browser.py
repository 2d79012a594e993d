"""The search page in a real browser: Playwright driving Debian's chromium against a live
gunicorn server on the sample archive (``barcamp-search serve`` once the command exists,
else ``run_server`` itself).

Never runs ``playwright install``: it uses /usr/bin/chromium (``apt-get install chromium``).
Without it the tests skip, except under CI=true, where they fail. Screenshots go to
tests/artifacts/; with UPDATE_DOCS_SCREENSHOT=1 the README's docs/screenshot.png is rewritten.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from urllib.parse import urlencode
from urllib.request import urlopen

import pytest
from playwright.sync_api import expect, sync_playwright

from barcamp_search.archive import Archive, ArchiveOptions
from barcamp_search.indexer.build import index_archives

from .conftest import ROOT, SAMPLE
from .test_serve import start_server

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = ROOT / "tests" / "artifacts"
DOCS_SCREENSHOT = ROOT / "docs" / "screenshot.png"
DOCS_PHONE_SCREENSHOT = ROOT / "docs" / "screenshot-phone.png"


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but /usr/bin/chromium is missing: apt-get install -y chromium")
        pytest.skip("/usr/bin/chromium is missing (apt-get install -y chromium as root)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser")
    index_archives(root / "index", [Archive(SAMPLE, ArchiveOptions("demo"))])
    # three results a page, so that "python" (5 posts) has a page 2
    live = start_server(
        root / "index", root, workers=2, use_cli=True, env={"BARCAMP_SEARCH_PER_PAGE": "3"}
    )
    yield live
    assert live.stop() == 0


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    yield context
    context.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.problems = problems
    yield page
    assert problems == [], problems  # no CSP violation, no script error, no failed load


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def results_total(page) -> int:
    return int(re.match(r"\d+", page.locator("h1.summary").inner_text()).group())


def test_search_facets_chips_pages_sections_keyboard(server, page):
    page.goto(server.url)
    assert page.title() == "Search · barcamp-search"
    # type a query
    page.get_by_label("Search the archives").fill("python")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=python(#[\w-]+)?$"))
    # Enter commits in place (pushState, then the results region is fetched): wait for it
    expect(page.locator("h1.summary")).to_have_text("5 posts for “python”")
    # two snippets say "Python" (light stemming no longer takes "pythonistes" for it; the
    # other posts name Python in titles and headings only)
    assert page.locator(".results .snippet mark").count() >= 2
    assert page.locator(".results .snippet mark").first.is_visible()
    shot(page, "search-python")

    # click a tag facet: the results and the counts change
    tags = page.locator('.facet-values[data-facet="tag"]').first
    asyncio = tags.locator(".facet-link", has_text="asyncio")
    assert asyncio.locator(".facet-count").inner_text() == "2"
    before_year = page.locator('.facet-values[data-facet="year"] .facet-link').all_inner_texts()
    asyncio.click()
    page.wait_for_url(re.compile(r"tag=asyncio"))
    assert results_total(page) == 2
    assert page.locator(".chip", has_text="asyncio").is_visible()
    selected = page.locator(".facet-link.selected")
    assert selected.count() == 1 and "asyncio" in selected.inner_text()
    after_year = page.locator('.facet-values[data-facet="year"] .facet-link').all_inner_texts()
    assert after_year != before_year
    shot(page, "search-tag-facet")

    # remove the chip
    page.locator(".chip", has_text="asyncio").click()
    page.wait_for_url(re.compile(r"/search\?q=python(#[\w-]+)?$"))
    assert results_total(page) == 5 and page.locator(".chip").count() == 0

    # the back button restores the filtered state (the state is in the URL)
    page.go_back()
    page.wait_for_url(re.compile(r"tag=asyncio"))
    assert results_total(page) == 2
    page.go_forward()
    page.wait_for_url(re.compile(r"/search\?q=python(#[\w-]+)?$"))

    # page 2
    first_page = page.locator(".result-link").all_inner_texts()
    page.locator(".pagination a", has_text="2").click()
    page.wait_for_url(re.compile(r"page=2"))
    assert page.locator(".pagination [aria-current=page]").inner_text() == "2"
    second_page = page.locator(".result-link").all_inner_texts()
    assert len(first_page) == 3 and len(second_page) == 2
    assert not set(first_page) & set(second_page)
    assert page.locator("ol.results").get_attribute("start") == "4"

    # follow a section link to its anchor
    link = page.locator(".section-link").first
    href = link.get_attribute("href")
    anchor = href.split("#", 1)[1]
    link.click()
    page.wait_for_url(re.compile(re.escape(anchor) + "$"))
    heading = page.locator(f"[id='{anchor}']")
    expect(heading).to_be_in_viewport()
    assert page.locator("main mark").count() >= 1  # the search words, highlighted
    shot(page, "post-anchor")


def test_keyboard_navigation(server, page):
    page.goto(server.url + "search?q=python")
    page.locator("body").click(position={"x": 5, "y": 300})
    page.keyboard.press("j")
    links = page.locator(".result-link")
    assert links.nth(0).evaluate("el => el === document.activeElement")
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert links.nth(2).evaluate("el => el === document.activeElement")
    page.keyboard.press("k")
    assert links.nth(1).evaluate("el => el === document.activeElement")
    page.keyboard.press("ArrowDown")
    assert links.nth(2).evaluate("el => el === document.activeElement")
    # the focus is visible
    outline = links.nth(2).evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline == "solid"
    shot(page, "keyboard-focus")
    title = links.nth(2).inner_text()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/post/demo/"))
    assert page.locator("h1").inner_text() == title
    # "/" goes to the search box; arrows move within a facet list
    page.go_back()
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"
    first_facet = page.locator('.facet-values[data-facet="tag"] .facet-link').first
    first_facet.focus()
    page.keyboard.press("Escape")
    first_facet.focus()
    page.keyboard.press("ArrowDown")
    second = page.locator('.facet-values[data-facet="tag"] .facet-link').nth(1)
    assert second.evaluate("el => el === document.activeElement")


def test_sort_menu_and_suggestions(server, page):
    page.goto(server.url + "search?q=python")
    page.evaluate("window.__noReload = 1")
    # arrow keys move in the menu without navigating (WCAG 3.2.2); its button applies it
    page.locator("#sort").focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.locator("#sort").input_value() == "oldest"
    expect(page).to_have_url(re.compile(r"/search\?q=python(#[\w-]+)?$"))
    assert page.evaluate("window.__noReload") == 1
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Apply"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"sort=oldest"))
    assert page.locator("#sort").input_value() == "oldest"
    page.locator("#q").fill("")
    page.locator("#q").press_sequentially("py", delay=50)
    page.locator("#suggestions [role=option]").first.wait_for()
    values = page.locator("#suggestions .suggestion-value").all_inner_texts()
    assert "pyramid" in values


def test_french_interface_and_dark_mode(server, browser):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="fr-FR", color_scheme="dark"
    )
    page = context.new_page()
    page.goto(server.url + "search?q=micro-python")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("h1.summary").inner_text() == "3 billets pour «\u202fmicro-python\u202f»"
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(21, 23, 27)"
    shot(page, "search-dark-fr")
    page.get_by_role("banner").get_by_role("link", name="English").click()
    assert page.locator("h1.summary").inner_text() == "3 posts for “micro-python”"
    context.close()


def test_small_screen_has_no_horizontal_scroll(server, browser):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    for path in (
        "search?q=python&tag=python",
        "post/demo/compte-rendu-micro-python-et-capteurs",
        "timeline",
        "tags",
        "speakers/K%C3%A9vin%20Morel",
    ):
        page.goto(server.url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, (path, width)
    page.goto(server.url + "search?q=python")
    shot(page, "search-360px")
    context.close()


def test_works_without_javascript(server, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server.url)
    page.fill("#q", "micro-python")
    page.click(".search-form button")
    page.wait_for_url(re.compile(r"q=micro-python"))
    assert page.locator(".result").count() == 3
    page.locator(".toolbar button").click()  # the sort menu's own button
    page.wait_for_url(re.compile(r"sort=relevance"))
    # more facet values: a <details> (no script needed) with a link to all of them
    page.goto(server.url + "search")
    tags = page.locator('section[aria-labelledby="facet-tag"]')
    assert tags.locator(".facet-link").count() == 10
    tags.locator(".facet-more summary").click()
    tags.get_by_role("link", name="Show every value (tags)").click()
    page.wait_for_url(re.compile(r"/search\?more=tag#facet-tag$"))
    assert tags.locator(".facet-link").count() > 10
    assert tags.locator(".facet-more .facet-link").last.is_visible()
    context.close()


@pytest.mark.parametrize(
    ("size", "target"),
    [((1280, 800), DOCS_SCREENSHOT), ((390, 844), DOCS_PHONE_SCREENSHOT)],
    ids=["desktop", "phone"],
)
def test_screenshot_for_the_readme(server, browser, size, target):
    context = browser.new_context(
        viewport={"width": size[0], "height": size[1]}, locale="en-GB", device_scale_factor=1
    )
    page = context.new_page()
    page.goto(server.url + "search?q=micro-python&tag=micropython")
    page.reload()  # a warm server: the time shown is a usual one
    if size[0] < 760:  # on a phone, the filters are a drawer at the top of the results
        expect(page.locator(".filters-toggle")).to_be_visible()
    path = shot(page, f"readme-{target.stem}")
    if os.environ.get("UPDATE_DOCS_SCREENSHOT") == "1" or not target.exists():
        target.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(target))
    assert path.stat().st_size > 10_000
    context.close()


# --- results as you type, completions --------------------------------------------------------


def api_total(server, query: str, **params: str) -> int:
    with urlopen(server.url + "api/search?" + urlencode({"q": query, **params})) as response:
        return json.load(response)["total"]


def type_over(page, text: str) -> None:
    """Replace the search box's text, one key at a time, as a person types."""
    page.locator("#q").click()
    page.keyboard.press("Control+A")
    page.keyboard.type(text, delay=60)


def test_results_as_you_type_then_enter_commits(server, page):
    fragments: list[str] = []
    page.on("request", lambda r: fragments.append(r.url) if "fragment=1" in r.url else None)
    page.goto(server.url + "search?q=django")
    summary = page.locator("h1.summary")
    live = page.locator("#live-status")
    assert live.get_attribute("aria-live") == "polite" and live.inner_text() == ""
    expect(summary).to_have_text("3 posts for “django”")
    before = page.locator(".result-link").all_inner_texts()
    tags_before = page.locator('.facet-values[data-facet="tag"] .facet-link').all_inner_texts()
    history = page.evaluate("history.length")
    page.evaluate("window.__noReload = 1")

    type_over(page, "pyth")
    typed = api_total(server, "pyth", instant="1")
    expect(summary).to_have_text(f"{typed} posts for “pyth”")
    expect(live).to_have_text(f"{typed} posts")  # announced to screen readers
    expect(page).to_have_url(re.compile(r"/search\?q=pyth$"))
    expect(page).to_have_title("pyth · barcamp-search")
    assert page.locator(".result-link").all_inner_texts() != before
    tags_after = page.locator('.facet-values[data-facet="tag"] .facet-link').all_inner_texts()
    assert tags_after != tags_before  # the facets follow
    expect(page.locator("#machine-links a").first).to_have_attribute("href", "/api/search?q=pyth")
    assert page.evaluate("window.__noReload") == 1  # no page load
    assert page.evaluate("document.activeElement.id") == "q"  # the focus stays in the box
    assert page.evaluate("history.length") == history  # typing replaces the entry
    assert any(url.endswith("/search?q=pyth&instant=1&fragment=1") for url in fragments)

    # Enter commits: a history entry of its own, the results of the search as submitted
    with page.expect_request(lambda r: r.url.endswith("/search?q=pyth&fragment=1")):
        page.keyboard.press("Enter")
    page.wait_for_function("n => history.length === n + 1", arg=history)
    expect(summary).to_have_text(f"{api_total(server, 'pyth')} posts for “pyth”")
    expect(page).to_have_url(re.compile(r"/search\?q=pyth$"))

    # Back returns to the previous committed search, Forward to this one, in place
    page.go_back()
    expect(page).to_have_url(re.compile(r"/search\?q=django$"))
    expect(summary).to_have_text("3 posts for “django”")
    expect(page.locator("#q")).to_have_value("django")
    expect(live).to_have_text("3 posts")
    assert page.locator(".result-link").all_inner_texts() == before
    page.go_forward()
    expect(page).to_have_url(re.compile(r"/search\?q=pyth$"))
    expect(summary).to_have_text(re.compile(r"posts for “pyth”$"))
    expect(page.locator("#q")).to_have_value("pyth")
    assert page.evaluate("window.__noReload") == 1
    shot(page, "results-as-you-type")


def test_a_late_answer_never_overwrites_a_newer_one(server, page):
    page.goto(server.url + "search?q=django")
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    held = []

    def hold_the_first(route):  # the answer for "py" is held back until "pyth" is shown
        if "q=py&" in route.request.url and not held:
            held.append(route)
        else:
            route.continue_()

    page.route(re.compile(r"/search\?.*fragment=1"), hold_the_first)
    page.locator("#q").click()
    page.keyboard.press("Control+A")
    with page.expect_request(lambda r: "q=py&instant=1&fragment=1" in r.url):
        page.keyboard.type("py")
    page.keyboard.type("th", delay=60)
    summary = page.locator("h1.summary")
    expect(summary).to_have_text(re.compile(r"posts for “pyth”$"))
    assert held and held[0].request.url in failed  # the page gave up the older request
    held[0].continue_()
    expect(summary).to_have_text(re.compile(r"posts for “pyth”$"))
    expect(page).to_have_url(re.compile(r"/search\?q=pyth$"))


def test_typing_without_javascript_submits_the_form(server, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server.url + "search?q=django")
    summary = page.locator("h1.summary")
    expect(summary).to_have_text("3 posts for “django”")
    type_over(page, "pyth")
    assert summary.inner_text() == "3 posts for “django”"  # nothing runs while typing
    expect(page.locator("#suggestions")).to_be_hidden()
    assert page.locator("#q").get_attribute("role") is None
    with page.expect_navigation():
        page.keyboard.press("Enter")  # the form submits, as it always did
    expect(page).to_have_url(re.compile(r"/search\?q=pyth$"))
    expect(summary).to_have_text(f"{api_total(server, 'pyth')} posts for “pyth”")
    page.go_back()
    expect(summary).to_have_text("3 posts for “django”")
    context.close()


def test_completions_offer_words_and_open_posts(server, page):
    page.goto(server.url)
    box = page.locator("#q")
    listbox = page.get_by_role("listbox")
    options = listbox.get_by_role("option")
    type_over(page, "fla")
    expect(listbox).to_have_attribute("data-query", "fla")
    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("role", "combobox")
    expect(box).to_have_attribute("aria-expanded", "true")
    assert box.get_attribute("aria-controls") == listbox.get_attribute("id") == "suggestions"
    values = listbox.locator(".suggestion-value").all_inner_texts()
    title = "PyLadies workshop: your first Flask application"
    assert "flask" in values and title in values
    shot(page, "completions")
    assert options.filter(has_text="flask").first.locator(".suggestion-kind").inner_text() in (
        "word",
        "tag",
    )

    # ↓ moves (aria-activedescendant), Escape closes and keeps the text
    page.keyboard.press("ArrowDown")
    first = options.nth(0)
    expect(first).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", first.get_attribute("id"))
    page.keyboard.press("Escape")
    expect(listbox).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).to_have_value("fla")
    assert box.get_attribute("aria-activedescendant") is None

    # ↓ opens it again; Enter on a word searches for it
    for _ in range(values.index("flask") + 1):
        page.keyboard.press("ArrowDown")
    expect(options.nth(values.index("flask"))).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")
    expect(box).to_have_value("flask")
    expect(page).to_have_url(re.compile(r"/search\?q=flask$"))
    expect(page.locator("h1.summary")).to_have_text("1 post for “flask”")
    expect(listbox).to_be_hidden()
    assert page.evaluate("document.activeElement.id") == "q"

    # a post title opens the post (here with the mouse)
    type_over(page, "fla")
    expect(listbox).to_have_attribute("data-query", "fla")
    options.filter(has_text=title).click()
    page.wait_for_url(re.compile(r"/post/demo/pyladies-workshop-first-flask-app$"))
    expect(page.locator("h1")).to_have_text(title)
