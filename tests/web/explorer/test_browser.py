"""The explorer in a real browser: Debian's Chromium, headless, driven by Playwright.

One live gunicorn serves the article for the whole module. Each test runs at
1280 and at 390 pixels wide and saves a screenshot of each step under
test-output/explore/<width>/, for people to look at. Chromium is needed
(`apt-get install chromium`): without it the tests skip, except in CI (CI=true),
where they fail; .ci/run installs it.
"""

import json
import os
import re
import shutil
import urllib.request
from dataclasses import dataclass

import psycopg
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect, sync_playwright
from psycopg.rows import dict_row

from api.store.database import upgrade
from api.store.tokens import create_token
from seeds import loader
from tests.helpers import ROOT
from tests.live import gunicorn

pytestmark = [pytest.mark.slow, pytest.mark.live]

SCREENSHOTS = ROOT / "test-output" / "explore"
WIDTHS = {1280: 800, 390: 844}
SHOOT_DOWN = "Turkish F-16 allegedly shoots down an Armenian SU-25"
CLAIM = (
    "Armenia claimed a Turkish F-16 fighter jet shot down one of its SU-25 fighter planes"
    " in Armenian airspace, killing the pilot."
)
TARTAR_SHELLING = "Armenian forces allegedly shell the Azerbaijani town of Tartar"
# A photo's scene (reported_as "scene"): left out of the overview unless asked.
HOSPITAL_SCENE = "Wounded ethnic Armenian soldier carried to Erebouni Medical Center in Yerevan"


def chromium():
    """The system's Chromium (Playwright drives it; it downloads no browser of its own)."""
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    message = "The explorer's browser tests need Chromium (apt-get install chromium)."
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(message)
    pytest.skip(message)


@dataclass(frozen=True)
class Server:
    url: str
    token: str

    def get(self, path):
        with urllib.request.urlopen(self.url + path, timeout=30) as response:
            return json.load(response), response.headers

    def send(self, method, path, body, headers=None):
        """Send a JSON body with the token; return (status, headers, decoded body)."""
        request = urllib.request.Request(
            self.url + path,
            data=json.dumps(body).encode(),
            method=method,
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {self.token}",
                **(headers or {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.headers, json.load(response)
        except urllib.error.HTTPError as error:
            return error.code, error.headers, json.load(error)

    def event_id(self, title):
        """The id of the one event whose title starts with `title`."""
        found, _ = self.get("/v1/events?page_size=500&fields=title")
        [event] = [event for event in found if event["title"].startswith(title)]
        return event["id"]


@pytest.fixture(scope="module")
def server(make_empty_database):
    """gunicorn on a database of this module's, with the article loaded and a token."""
    url = make_empty_database()
    upgrade(url)
    with psycopg.connect(url, row_factory=dict_row) as conn:
        loader.load(conn, loader.ARTICLE_SEED)
        token = create_token(conn, "explorer", ("read", "write"))
        conn.commit()
    env = {"RATE_LIMIT_PER_TOKEN": "off", "RATE_LIMIT_PER_ADDRESS": "off", "ACCESS_LOG": "0"}
    with gunicorn(url, env=env, workers=1, threads=4) as (host, port):
        yield Server(f"http://{host}:{port}", token)


@pytest.fixture(scope="module")
def browser():
    executable = chromium()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, headless=True)
        yield launched
        launched.close()


class Page:
    """A browser tab at one width, which records the console's errors and takes screenshots."""

    def __init__(self, tab, width, test_name):
        self.tab = tab
        self.width = width
        self.errors = []
        self.folder = SCREENSHOTS / str(width)
        self.prefix = test_name.split("[")[0].removeprefix("test_")
        self.steps = 0
        tab.on(
            "console", lambda message: message.type == "error" and self.errors.append(message.text)
        )
        tab.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))

    def _console(self, message):
        if message.type == "error":
            self.errors.append(message.text)

    def shoot(self, step, *, full_page=True):
        self.steps += 1
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{self.prefix}-{self.steps}-{step}.png"
        self.tab.screenshot(path=path, full_page=full_page)
        return path

    def unexpected_errors(self, *statuses):
        """The console's errors, but for the API's answers of `statuses` that the test asked for."""
        expected = [f"the server responded with a status of {status}" for status in statuses]
        return [error for error in self.errors if not any(words in error for words in expected)]


@pytest.fixture(params=list(WIDTHS), ids=lambda width: f"{width}px")
def page(request, browser, server):
    width = request.param
    context = browser.new_context(
        viewport={"width": width, "height": WIDTHS[width]}, base_url=server.url
    )
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield Page(tab, width, request.node.name)
    context.close()


def overview_ready(tab):
    tab.wait_for_selector(".event-card")
    tab.wait_for_selector(".marker")
    # Waits are Playwright's own: the page's policy lets no string be run as code.
    expect(tab.locator(".land")).to_have_attribute("d", re.compile(r"^M.{1000,}"))
    tab.wait_for_selector(".timeline-frame svg[data-buckets]:not([data-buckets='0'])")


def markers(tab):
    return int(tab.get_attribute(".map-frame svg", "data-events"))


def test_the_page_loads_without_console_errors(page, server):
    tab = page.tab
    asked = []
    tab.on("request", lambda request: asked.append(request.url))
    tab.goto("/explore")
    overview_ready(tab)
    # Everything comes from the API itself: the page works with no internet.
    assert [url for url in asked if not url.startswith(server.url + "/")] == []
    assert any("/explore/assets/countries-50m.json" in url for url in asked)
    assert tab.title().startswith("Events, all dates")
    assert markers(tab) > 0
    # The map's events, with a place or without: those the API's map layer holds.
    layer, _ = server.get("/v1/events?format=geojson&page_size=500")
    assert tab.locator(".event-card").count() == len(layer["features"])
    assert markers(tab) == sum(1 for feature in layer["features"] if feature["geometry"])
    page.shoot("overview")
    assert page.errors == []


def test_searching_terter_offers_tartar_and_lists_its_events(page, server):
    tab = page.tab
    tab.goto("/explore")
    search = tab.get_by_role("combobox", name="Search places, actors and events")
    search.press_sequentially("Terter", delay=40)
    tartar = tab.get_by_role("option").filter(has_text="Tartar").first
    tartar.wait_for()
    assert "matched Terter" in tartar.inner_text()
    page.shoot("suggestions", full_page=False)
    # From the keyboard: the first suggestion is the place, and Enter opens it.
    search.press("ArrowDown")
    assert search.get_attribute("aria-activedescendant") == "suggestion-0"
    search.press("Enter")
    tab.wait_for_url(re.compile(r"/explore/locations/[0-9a-f-]{36}$"))
    assert tab.get_by_role("heading", level=1).inner_text() == "Tartar"
    tab.wait_for_selector(".event-card")
    listed = tab.locator(".event-card h3").all_inner_texts()
    place = tab.url.rsplit("/", 1)[1]
    layer, _ = server.get(f"/v1/locations/{place}/events?format=geojson")
    assert sorted(listed) == sorted(feature["properties"]["title"] for feature in layer["features"])
    assert TARTAR_SHELLING in listed
    assert "Terter" in tab.locator(".facts").inner_text()
    page.shoot("tartar")
    assert page.errors == []


def test_the_shoot_down_shows_claim_and_denial_side_by_side_and_the_quoted_words(page, server):
    tab = page.tab
    tab.goto(f"/explore/events/{server.event_id(SHOOT_DOWN)}")
    tab.wait_for_selector(".source mark")
    claimed = tab.locator(".stance-asserts")
    denied = tab.locator(".stance-denies")
    assert "Armenia" in claimed.locator(".statement-head").first.inner_text()
    assert "Claim" in claimed.inner_text()
    assert any("Turkey" in head for head in denied.locator(".statement-head").all_inner_texts())
    assert "Turkey denied Armenia's claim" in denied.inner_text()
    # Side by side: the denial's column starts right of the claim's, at the same height.
    left, right = claimed.bounding_box(), denied.bounding_box()
    assert left["x"] + left["width"] <= right["x"]
    assert abs(left["y"] - right["y"]) < 2

    # The claimed sentence is highlighted in the source, where the citation says it is.
    mark = tab.locator("mark.quoted", has_text=CLAIM[:40])
    assert mark.count() == 1
    assert mark.evaluate("m => m.firstChild.textContent") == CLAIM
    assert mark.evaluate("m => getComputedStyle(m).backgroundColor") != "rgba(0, 0, 0, 0)"
    body, _ = server.get(f"/v1/sources/{tab.locator('.source').get_attribute('id')[7:]}")
    event, _ = server.get(f"/v1/events/{server.event_id(SHOOT_DOWN)}")
    citation = next(c for c in event["citations"] if c["quote"] == CLAIM)
    assert body["body"][citation["start"] : citation["end"]] == CLAIM
    page.shoot("event")

    # A quote under the claim leads to its words in the source.
    claimed.get_by_role("link", name=re.compile("Armenia claimed a Turkish F-16")).click()
    assert tab.evaluate("location.hash").startswith("#quote-")
    assert mark.evaluate("m => m.matches(':target')")
    page.shoot("quote-in-source", full_page=False)
    assert page.errors == []


def test_from_an_event_an_actor_and_its_events(page, server):
    tab = page.tab
    tab.goto(f"/explore/events/{server.event_id(SHOOT_DOWN)}")
    participants = tab.get_by_role("region", name="Participants")
    participants.get_by_role("link", name="Armenia", exact=True).click()
    tab.wait_for_url(re.compile(r"/explore/actors/[0-9a-f-]{36}$"))
    assert tab.get_by_role("heading", level=1).inner_text() == "Armenia"
    tab.wait_for_selector(".event-card")
    actor = tab.url.rsplit("/", 1)[1]
    layer, _ = server.get(f"/v1/actors/{actor}/events?format=geojson")
    listed = tab.locator(".event-card h3").all_inner_texts()
    assert sorted(listed) == sorted(feature["properties"]["title"] for feature in layer["features"])
    assert any(title.startswith(SHOOT_DOWN) for title in listed)
    said = tab.get_by_role("region", name="What it said")
    assert "A Turkish F-16 fighter jet shot down one of Armenia's SU-25" in said.inner_text()
    page.shoot("actor")
    assert page.errors == []


def test_selecting_a_range_on_the_timeline_changes_the_map(page, server):
    tab = page.tab
    tab.goto("/explore")
    overview_ready(tab)
    before = markers(tab)
    listed_before = tab.locator(".event-card").count()
    page.shoot("before")

    # Drag across the last two days of the timeline.
    frame = tab.locator(".timeline-frame").bounding_box()
    periods = tab.locator(".timeline-frame .bucket").evaluate_all(
        "gs => gs.map(g => g.dataset.period)"
    )
    buckets = len(periods)
    first, last = periods[-2:]
    chosen = re.compile(rf"/explore\?from={first}&to={last}$")
    band = frame["width"] / buckets
    y = frame["y"] + 60
    tab.mouse.move(frame["x"] + band * (buckets - 2) + band / 2, y)
    tab.mouse.down()
    tab.mouse.move(frame["x"] + band * (buckets - 1.5), y, steps=5)
    tab.mouse.move(frame["x"] + frame["width"] - 2, y, steps=5)
    tab.mouse.up()

    tab.wait_for_url(chosen)
    layer, _ = server.get(
        f"/v1/events?format=geojson&date_from={first}&date_to={last}&page_size=500"
    )
    after = sum(1 for feature in layer["features"] if feature["geometry"])
    assert 0 < after < before
    expect(tab.locator(".map-frame svg")).to_have_attribute("data-events", str(after))
    expect(tab.locator(".event-card")).to_have_count(len(layer["features"]))
    assert len(layer["features"]) < listed_before
    assert tab.get_by_label("From", exact=True).input_value() == first
    page.shoot("after")

    # The URL keeps the view: opened afresh, it shows the same.
    tab.goto(tab.url)
    overview_ready(tab)
    assert markers(tab) == after
    # All dates again.
    tab.get_by_role("button", name="All dates").click()
    tab.wait_for_url(re.compile(r"/explore$"))
    expect(tab.locator(".map-frame svg")).to_have_attribute("data-events", str(before))
    # And the bars themselves: End, Shift+Left, Enter choose the same two days.
    tab.locator(".timeline-frame").focus()
    tab.keyboard.press("End")
    tab.keyboard.press("Shift+ArrowLeft")
    assert "range of 2 days" in tab.locator("#timeline-cursor").inner_text()
    page.shoot("keys", full_page=False)
    tab.keyboard.press("Enter")
    tab.wait_for_url(chosen)
    expect(tab.locator(".map-frame svg")).to_have_attribute("data-events", str(after))
    assert page.errors == []


def test_background_and_scenes_are_left_out_until_asked_for(page, server):
    tab = page.tab
    tab.goto("/explore")
    overview_ready(tab)
    scene_card = tab.locator(".event-card h3", has_text=HOSPITAL_SCENE)
    scene_marker = tab.locator(f".marker[aria-label*='{HOSPITAL_SCENE}']")
    toggle = tab.get_by_role("checkbox", name="Show background and scenes")
    # By default: ordinary events only, on the map, in the list and in the timeline.
    events, _ = server.get("/v1/events?format=geojson&page_size=500")
    everything, _ = server.get("/v1/events?format=geojson&page_size=500&include=background,scene")
    titles = [feature["properties"]["title"] for feature in everything["features"]]
    assert HOSPITAL_SCENE in titles
    assert len(everything["features"]) > len(events["features"])
    expect(toggle).not_to_be_checked()
    assert scene_card.count() == 0
    assert scene_marker.count() == 0
    assert tab.locator(".event-card").count() == len(events["features"])
    assert markers(tab) == sum(1 for feature in events["features"] if feature["geometry"])
    # The timeline's first event is of 2020: the 1994 war is background.
    assert "the first event is of" not in tab.locator(".timeline .hint").first.inner_text()
    page.shoot("default")
    page.shoot("default-top", full_page=False)

    # From the keyboard: Space ticks the box.
    toggle.focus()
    tab.keyboard.press("Space")
    tab.wait_for_url(re.compile(r"/explore\?include=background(,|%2C)scene$"))
    expect(toggle).to_be_checked()
    expect(scene_card).to_have_count(1)
    expect(tab.locator(".event-card")).to_have_count(len(everything["features"]))
    expect(tab.locator(".map-frame svg")).to_have_attribute(
        "data-events", str(sum(1 for feature in everything["features"] if feature["geometry"]))
    )
    assert scene_marker.count() == 1
    scene_meta = tab.locator(".event-card", has_text=HOSPITAL_SCENE).locator(".event-meta")
    assert "a photo's scene" in scene_meta.inner_text()
    expect(tab.locator(".timeline .hint").first).to_contain_text("the first event is of 1994")
    page.shoot("with-background-and-scenes")
    scene_card.scroll_into_view_if_needed()
    page.shoot("scene-in-list", full_page=False)

    # The URL keeps it: opened afresh, the scene is there and the box ticked.
    tab.goto(tab.url)
    overview_ready(tab)
    expect(toggle).to_be_checked()
    expect(scene_card).to_have_count(1)
    # Unticked, the overview is as it was.
    toggle.uncheck()
    tab.wait_for_url(re.compile(r"/explore$"))
    expect(scene_card).to_have_count(0)
    expect(tab.locator(".event-card")).to_have_count(len(events["features"]))
    assert page.errors == []


def test_the_keyboard_alone_reaches_an_event_from_the_map(page):
    tab = page.tab
    tab.goto("/explore")
    overview_ready(tab)
    # The skip link comes first, then the search; the map takes arrows and + and -.
    tab.keyboard.press("Tab")
    assert tab.evaluate("document.activeElement.textContent") == "Skip to the content"
    tab.locator(".map-frame").focus()
    before = tab.get_attribute(".map-frame svg g", "transform")
    tab.keyboard.press("+")
    tab.keyboard.press("ArrowLeft")
    assert tab.get_attribute(".map-frame svg g", "transform") != before
    # Tab goes on to the markers, each named by its type, title and date.
    tab.keyboard.press("Tab")
    focused = tab.evaluate("document.activeElement.getAttribute('aria-label')")
    assert re.match(r"^[A-Z][a-z]+: .+, \d{4}-\d{2}-\d{2}$", focused), focused
    page.shoot("marker-focused", full_page=False)
    tab.keyboard.press("Enter")
    tab.wait_for_url(re.compile(r"/explore/events/[0-9a-f-]{36}$"))
    title = focused.split(": ", 1)[1].rsplit(", ", 1)[0]
    assert tab.get_by_role("heading", level=1).inner_text() == title
    assert page.errors == []


def give_token(tab, token):
    tab.locator(".token-panel summary").click()
    tab.get_by_label("API token", exact=True).fill(token)
    tab.get_by_role("button", name="Use this token").click()
    tab.locator(".token-panel summary", has_text="Editing with a token").wait_for()


def api_messages(server, event_id, patch):
    """What the API says, field by field, of `patch` (a bad one: nothing is changed)."""
    status, _, problem = server.send("PATCH", f"/v1/events/{event_id}", patch)
    assert status == 422
    return {
        path: [error["message"] for error in errors] for path, errors in problem["errors"].items()
    }


def test_an_edit_with_a_bad_value_shows_the_apis_message_beside_the_field(page, server):
    tab = page.tab
    event_id = server.event_id("Armenian forces allegedly shell")
    tab.goto(f"/explore/events/{event_id}")
    give_token(tab, server.token)
    tab.get_by_role("button", name="Edit this event").click()
    # The form starts from the event as it is.
    assert tab.get_by_label("Certainty").input_value() == "alleged"
    assert tab.get_by_label("Mode").input_value() == "heavy-weapons"
    assert tab.get_by_label("Dates known to the").input_value() == "week"
    sent = []
    tab.on("request", lambda request: request.method == "PATCH" and sent.append(request))
    end = tab.get_by_label("End date")
    end.fill("2020-09-01")
    tab.get_by_role("button", name="Save").click()

    error = tab.locator("#edit-end_date-error")
    error.wait_for()
    # A PATCH of what changed, with the ETag the event was read with.
    [patch] = sent
    assert patch.post_data_json == {"end_date": "2020-09-01"}
    assert patch.headers["if-match"].startswith('"')
    said = api_messages(server, event_id, {"end_date": "2020-09-01"})
    assert said == {"end_date": ["Must not be before start_date."]}
    assert error.inner_text().strip() == said["end_date"][0]
    assert end.get_attribute("aria-invalid") == "true"
    assert end.get_attribute("aria-describedby") == "edit-end_date-error"
    # Beside its field: in the field's own box, just below the input.
    assert error.evaluate("e => e.previousElementSibling.id") == "edit-end_date"
    summary = tab.locator(".problem")
    assert "Not saved." in summary.inner_text()
    assert summary.get_by_role("link").all_inner_texts() == said["end_date"]
    end.scroll_into_view_if_needed()
    page.shoot("end-date", full_page=False)

    # Another field, another message; the first one is gone with its mistake.
    end.fill("2020-09-30")
    tab.get_by_label("Killed, at least").fill("5")
    tab.get_by_label("Killed, at most").fill("2")
    tab.get_by_role("button", name="Save").click()
    said = api_messages(server, event_id, {"fatalities": {"low": 5, "high": 2}})
    assert said == {"fatalities.high": ["Must not be less than low."]}
    high = tab.locator("#edit-fatalities-high-error")
    high.wait_for()
    assert sent[1].post_data_json == {"fatalities": {"low": 5, "high": 2}}
    assert high.inner_text().strip() == said["fatalities.high"][0]
    assert tab.get_by_label("Killed, at most").get_attribute("aria-invalid") == "true"
    assert error.count() == 0
    assert end.get_attribute("aria-invalid") is None
    high.scroll_into_view_if_needed()
    page.shoot("fatalities", full_page=False)

    event, _ = server.get(f"/v1/events/{event_id}")
    assert (event["end_date"], event["fatalities"]) == ("2020-09-30", None)
    assert page.unexpected_errors(422) == []


def test_a_stale_edit_is_explained_and_a_reload_offered(page, server):
    tab = page.tab
    event_id = server.event_id("Azerbaijan declares martial law")
    tab.goto(f"/explore/events/{event_id}")
    give_token(tab, server.token)
    tab.get_by_role("button", name="Edit this event").click()
    tab.get_by_label("Summary").fill(f"My summary at {page.width}px.")

    # Someone else changes the event meanwhile.
    theirs = f"Their summary at {page.width}px."
    status, _, _ = server.send("PATCH", f"/v1/events/{event_id}", {"summary": theirs})
    assert status == 200
    tab.get_by_role("button", name="Save").click()

    stale = tab.locator(".stale")
    stale.wait_for()
    assert "Someone else changed this event after you opened it" in stale.inner_text()
    assert f'Your changes were: summary = "My summary at {page.width}px."' in stale.inner_text()
    stale.scroll_into_view_if_needed()
    page.shoot("stale", full_page=False)
    tab.get_by_role("button", name="Load the current version").click()
    tab.locator(".event-summary", has_text=theirs).wait_for()
    page.shoot("reloaded")
    event, _ = server.get(f"/v1/events/{event_id}")
    assert event["summary"] == theirs
    assert page.unexpected_errors(412) == []


@pytest.mark.parametrize(
    "view",
    ["overview", "event", "place", "actor", "edit"],
)
def test_axe_finds_no_serious_violations(page, server, view):
    tab = page.tab
    if view == "overview":
        tab.goto("/explore")
        overview_ready(tab)
    elif view == "place":
        tartar, _ = server.get("/v1/locations?q=Tartar&fields=name")
        tab.goto(f"/explore/locations/{tartar[0]['id']}")
        tab.wait_for_selector(".event-card")
        tab.wait_for_selector(".marker")
    elif view == "actor":
        armenia, _ = server.get("/v1/actors?q=Armenia&kind=state&fields=name")
        tab.goto(f"/explore/actors/{armenia[0]['id']}")
        tab.wait_for_selector(".event-card")
        tab.wait_for_selector(".said")
    else:
        tab.goto(f"/explore/events/{server.event_id(SHOOT_DOWN)}")
        tab.wait_for_selector(".source mark")
        if view == "edit":
            give_token(tab, server.token)
            tab.get_by_role("button", name="Edit this event").click()
            tab.get_by_label("Title").fill("")
            tab.get_by_role("button", name="Save").click()
            tab.locator(".field-error").first.wait_for()
    results = Axe().run(tab)
    serious = [
        f"{violation['id']} ({violation['impact']}): {violation['help']}: "
        + "; ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    page.shoot(f"axe-{view}")
    assert serious == []
