"""A synthetic, realistic and deterministic data set for the scale benchmarks.

`python -m bench.data --n 1000000` (or `make bench-data N=1000000`) fills the
database `eventdata_bench` (or `--database NAME`) on the embedded server (or
on DATABASE_URL's server) with, for N events:

- ~N/100 actors: states (ISO 3166-1 alpha-3), their governments, armed forces
  and ministries as children, people with titles, armed groups, media and
  international organisations; names with aliases and some accents;
- ~N/50 locations: country -> region -> town, with coordinates spread over the
  world, near the antimeridian (Fiji, Tonga, Chukotka, the Aleutians) and at
  high latitudes (Svalbard, Greenland, Nunavut, Antarctica);
- ~N/1000 sources with bodies of a few kilobytes;
- N events: PLOVER types and modes, ten years of dates, multi-day spans, a mix
  of certainties, 1-4 participants in roles; reported by one source, or by two
  to five for a third of them, each report with 1-2 quotes that are
  substrings of the source's body at the offsets the API would compute (the
  first occurrence), and on a fraction low/best/high casualties (some with a
  civilian share), from which the event's are derived by the API's rule;
- ~N/2 statements: speaker, addressees, events with stances, reports with quotes.

Everything is drawn from one seeded random generator, so the same N and seed
give the same data. Rows go in with COPY; events.search and statements.search
are then filled by one UPDATE each with eventdata_event_search(), as the API's
writes would fill them, and the tables are vacuumed and analysed. Nothing the
schema relies on (constraints, foreign keys, triggers, indexes) is dropped or
disabled.
"""

import argparse
import datetime as dt
import itertools
import os
import sys
import time
import uuid
from random import Random

import psycopg
import pycountry
from psycopg import sql

from api import embedded
from api.store.database import upgrade
from schemas.reports import derived_figures
from schemas.vocabularies import PLOVER_MODES

BENCH_DATABASE = "eventdata_bench"
DEFAULT_N = 1_000_000
DEFAULT_SEED = 20201002
# Events generated (and copied) per batch: bounds memory and paces the progress lines.
BATCH = 50_000

# The tables a load empties, children first.
DATA_TABLES = (
    "citations",
    "reports",
    "statement_events",
    "statement_addressees",
    "statements",
    "event_participants",
    "events",
    "locations",
    "actors",
    "sources",
    "deletions",
)

START_DAY = dt.date(2015, 1, 1).toordinal()
END_DAY = dt.date(2024, 12, 31).toordinal()

# Countries: code, short name, adjective, how much happens there, and boxes
# (south, north, west, east) the places lie in. An east beyond 180 crosses the
# antimeridian: longitudes are wrapped into [-180, 180] when drawn.
COUNTRIES = (
    ("AZE", "Azerbaijan", "Azerbaijani", 10, [(38.4, 41.9, 44.8, 50.4)]),
    ("ARM", "Armenia", "Armenian", 8, [(38.9, 41.3, 43.5, 46.6)]),
    ("UKR", "Ukraine", "Ukrainian", 10, [(44.4, 52.3, 22.2, 40.2)]),
    ("RUS", "Russia", "Russian", 7, [(43, 68, 30, 60), (50, 72, 60, 140), (60, 72, 140, 190)]),
    ("SYR", "Syria", "Syrian", 8, [(32.3, 37.3, 35.7, 42.4)]),
    ("SDN", "Sudan", "Sudanese", 7, [(8.7, 22, 21.8, 38.6)]),
    ("ISR", "Israel", "Israeli", 6, [(29.5, 33.3, 34.3, 35.9)]),
    ("PSE", "Palestine", "Palestinian", 6, [(31.2, 32.5, 34.2, 35.6)]),
    ("YEM", "Yemen", "Yemeni", 5, [(12.6, 19, 42.6, 53.1)]),
    ("COD", "DR Congo", "Congolese", 6, [(-13.5, 5.4, 12.2, 31.3)]),
    ("MMR", "Myanmar", "Myanmar", 5, [(9.8, 28.5, 92.2, 101.2)]),
    ("ETH", "Ethiopia", "Ethiopian", 5, [(3.4, 14.9, 33, 48)]),
    ("SOM", "Somalia", "Somali", 5, [(-1.7, 12, 41, 51.4)]),
    ("MLI", "Mali", "Malian", 5, [(10.2, 25, -12.2, 4.2)]),
    ("BFA", "Burkina Faso", "Burkinabe", 4, [(9.4, 15.1, -5.5, 2.4)]),
    ("NGA", "Nigeria", "Nigerian", 5, [(4.3, 13.9, 2.7, 14.7)]),
    ("IRQ", "Iraq", "Iraqi", 4, [(29.1, 37.4, 38.8, 48.6)]),
    ("AFG", "Afghanistan", "Afghan", 4, [(29.4, 38.5, 60.5, 74.9)]),
    ("GEO", "Georgia", "Georgian", 3, [(41.1, 43.5, 40, 46.7)]),
    ("TUR", "Turkey", "Turkish", 3, [(36, 42, 26, 44.8)]),
    ("IRN", "Iran", "Iranian", 3, [(25.1, 39.7, 44, 63.3)]),
    ("LBN", "Lebanon", "Lebanese", 3, [(33.1, 34.7, 35.1, 36.6)]),
    ("LBY", "Libya", "Libyan", 3, [(19.5, 33, 9.4, 25)]),
    ("SSD", "South Sudan", "South Sudanese", 3, [(3.5, 12.2, 24, 35.9)]),
    ("CAF", "Central African Republic", "Central African", 2, [(2.2, 11, 14.4, 27.4)]),
    ("NER", "Niger", "Nigerien", 2, [(11.7, 23.5, 0.2, 16)]),
    ("CMR", "Cameroon", "Cameroonian", 2, [(1.7, 13, 8.5, 16.2)]),
    ("MOZ", "Mozambique", "Mozambican", 2, [(-26.9, -10.5, 30.2, 40.8)]),
    ("PAK", "Pakistan", "Pakistani", 3, [(23.7, 37.1, 60.9, 77.8)]),
    ("IND", "India", "Indian", 3, [(8, 35, 68, 97)]),
    ("MEX", "Mexico", "Mexican", 3, [(14.5, 32.7, -117, -86.7)]),
    ("COL", "Colombia", "Colombian", 3, [(-4.2, 12.5, -79, -66.9)]),
    ("HTI", "Haiti", "Haitian", 2, [(18, 20.1, -74.5, -71.6)]),
    ("VEN", "Venezuela", "Venezuelan", 2, [(0.6, 12.2, -73.4, -59.8)]),
    ("BRA", "Brazil", "Brazilian", 1.5, [(-33.7, 5.3, -73.9, -34.8)]),
    ("SAU", "Saudi Arabia", "Saudi", 1.5, [(16.4, 32.2, 34.5, 55.7)]),
    ("EGY", "Egypt", "Egyptian", 1.5, [(22, 31.6, 25, 35)]),
    ("KEN", "Kenya", "Kenyan", 1.5, [(-4.7, 5, 34, 41.9)]),
    ("TCD", "Chad", "Chadian", 1.5, [(7.4, 23.4, 13.5, 24)]),
    ("PHL", "Philippines", "Philippine", 1.5, [(5, 19, 117, 126.6)]),
    ("IDN", "Indonesia", "Indonesian", 1, [(-10, 5.9, 95, 141)]),
    ("CHN", "China", "Chinese", 1.5, [(21, 50, 75, 133)]),
    ("PRK", "North Korea", "North Korean", 1, [(38, 43, 124, 130.7)]),
    ("KOR", "South Korea", "South Korean", 0.8, [(34, 38.6, 126, 129.6)]),
    ("JPN", "Japan", "Japanese", 0.6, [(31, 45.5, 129.5, 145.8)]),
    ("THA", "Thailand", "Thai", 0.8, [(5.6, 20.5, 97.3, 105.6)]),
    ("BLR", "Belarus", "Belarusian", 1, [(51.3, 56.1, 23.2, 32.7)]),
    ("MDA", "Moldova", "Moldovan", 0.8, [(45.5, 48.5, 26.6, 30.1)]),
    ("POL", "Poland", "Polish", 0.8, [(49, 54.8, 14.1, 24.1)]),
    ("SRB", "Serbia", "Serbian", 0.8, [(42.2, 46.2, 18.8, 23)]),
    ("BIH", "Bosnia and Herzegovina", "Bosnian", 0.5, [(42.6, 45.2, 15.7, 19.6)]),
    ("GRC", "Greece", "Greek", 0.5, [(35, 41.7, 19.4, 28.2)]),
    ("DEU", "Germany", "German", 0.6, [(47.3, 55, 5.9, 15)]),
    ("FRA", "France", "French", 0.6, [(42.3, 51, -4.7, 8.2)]),
    ("GBR", "United Kingdom", "British", 0.6, [(50, 58.6, -8, 1.7)]),
    ("ESP", "Spain", "Spanish", 0.4, [(36, 43.8, -9.3, 3.3)]),
    ("ITA", "Italy", "Italian", 0.4, [(36.6, 47.1, 6.6, 18.5)]),
    (
        "USA",
        "United States",
        "American",
        1.5,
        [(25, 49, -124, -67), (55, 71, -166, -141), (51, 53.5, 172, 190)],
    ),
    ("CAN", "Canada", "Canadian", 0.4, [(42, 60, -139, -53), (60, 82.5, -120, -62)]),
    ("GRL", "Greenland", "Greenlandic", 0.1, [(60, 83.5, -72, -12)]),
    ("ISL", "Iceland", "Icelandic", 0.1, [(63.4, 66.5, -24.5, -13.5)]),
    ("NOR", "Norway", "Norwegian", 0.3, [(58, 71, 5, 31), (76.5, 80.5, 10.5, 33)]),
    ("FIN", "Finland", "Finnish", 0.3, [(59.8, 70, 20.6, 31.5)]),
    ("SWE", "Sweden", "Swedish", 0.2, [(55.4, 69, 11, 24)]),
    ("AUS", "Australia", "Australian", 0.3, [(-39, -11, 114, 153.6)]),
    (
        "NZL",
        "New Zealand",
        "New Zealand",
        0.2,
        [(-46.6, -34.4, 166.4, 178.6), (-44.4, -43.6, 183.2, 184)],
    ),
    ("FJI", "Fiji", "Fijian", 0.2, [(-19.2, -16, 177, 181.8)]),
    ("TON", "Tonga", "Tongan", 0.1, [(-21.5, -15.5, 184.5, 186)]),
    ("WSM", "Samoa", "Samoan", 0.1, [(-14.1, -13.4, 187.2, 188.2)]),
    ("KIR", "Kiribati", "Kiribati", 0.1, [(1, 3.5, 172.5, 173.5), (1.5, 4.5, 202, 203)]),
    ("ATA", "Antarctica", "Antarctic", 0.05, [(-85, -63, -180, 180)]),
    ("ARG", "Argentina", "Argentine", 0.4, [(-55, -21.8, -73.5, -53.6)]),
    ("CHL", "Chile", "Chilean", 0.4, [(-56, -17.5, -75.6, -66.4)]),
    ("PER", "Peru", "Peruvian", 0.6, [(-18.3, -0.1, -81.3, -68.7)]),
    ("ECU", "Ecuador", "Ecuadorian", 0.6, [(-5, 1.4, -81, -75.2)]),
    ("NIC", "Nicaragua", "Nicaraguan", 0.6, [(10.7, 15, -87.7, -83.1)]),
    ("HND", "Honduras", "Honduran", 0.6, [(13, 16, -89.4, -83.2)]),
    ("DZA", "Algeria", "Algerian", 0.6, [(19, 37, -8.7, 12)]),
    ("MAR", "Morocco", "Moroccan", 0.4, [(27.7, 35.9, -13.2, -1)]),
    ("ZAF", "South Africa", "South African", 0.5, [(-34.8, -22.1, 16.5, 32.9)]),
)
INTERNATIONAL = (
    ("United Nations", ["UN", "Organisation des Nations unies"]),
    ("UN Security Council", ["UNSC"]),
    ("OSCE Minsk Group", ["Minsk Group"]),
    ("European Union", ["EU"]),
    ("African Union", ["AU"]),
    ("NATO", ["North Atlantic Treaty Organization", "OTAN"]),
    (
        "International Committee of the Red Cross",
        ["ICRC", "Comité international de la Croix-Rouge"],
    ),
    ("Human Rights Watch", ["HRW"]),
    ("Amnesty International", []),
    ("Médecins Sans Frontières", ["MSF", "Doctors Without Borders"]),
    ("World Health Organization", ["WHO"]),
    ("Collective Security Treaty Organization", ["CSTO", "ОДКБ"]),
)
MINISTRIES = (
    ("Ministry of Defense", ["Defence Ministry", "MoD"]),
    ("Ministry of Foreign Affairs", ["Foreign Ministry", "MFA"]),
    ("Ministry of Internal Affairs", ["Interior Ministry"]),
    ("State Security Service", ["Security Service"]),
)
TITLES = (
    "President",
    "Prime Minister",
    "Minister of Defense",
    "Minister of Foreign Affairs",
    "Spokesperson",
    "Commander",
    "Ambassador",
    "Governor",
    "Mayor",
    "Member of Parliament",
    "Opposition leader",
    "Ombudsman",
)
PUBLISHERS = (
    "Reuters",
    "Associated Press",
    "Agence France-Presse",
    "BBC News",
    "Al Jazeera",
    "The Guardian",
    "Deutsche Welle",
    "Radio Free Europe",
    "Eurasianet",
    "OC Media",
    "The New York Times",
    "Le Monde",
    "El País",
    "Kyiv Independent",
    "Meduza",
)

# Syllables for place and person names; some letters get accents.
ONSETS = (
    "b",
    "d",
    "g",
    "k",
    "l",
    "m",
    "n",
    "r",
    "s",
    "t",
    "v",
    "z",
    "sh",
    "kh",
    "ch",
    "j",
    "y",
    "h",
    "p",
    "f",
    "",
    "",
    "gh",
    "ts",
    "br",
    "st",
    "dr",
)
VOWELS = ("a", "e", "i", "o", "u", "a", "e", "a", "ia", "ou", "ei", "ai")
CODAS = ("", "", "", "n", "r", "l", "s", "k", "m", "t", "z", "nd", "rt")
ACCENTED = {
    "a": "á",
    "e": "é",
    "i": "í",
    "o": "ö",
    "u": "ü",
    "s": "ş",
    "c": "ç",
    "n": "ñ",
    "z": "ž",
    "g": "ğ",
}
REGION_FORMS = ("{} Region", "{} Province", "{} District", "{}", "Upper {}", "{} Oblast")

EVENT_TYPE_WEIGHTS = {
    "ASSAULT": 30,
    "ACCUSE": 14,
    "CONSULT": 9,
    "COERCE": 8,
    "PROTEST": 7,
    "THREATEN": 5,
    "REQUEST": 4,
    "REJECT": 4,
    "MOBILIZE": 4,
    "SUPPORT": 3,
    "AID": 3,
    "SANCTION": 2,
    "COOPERATE": 2,
    "AGREE": 2,
    "RETREAT": 2,
    "CONCEDE": 1,
}
CERTAINTY_WEIGHTS = {"reported": 50, "alleged": 25, "disputed": 10, "confirmed": 15}
STATEMENT_TYPE_WEIGHTS = {
    "claim": 20,
    "accusation": 20,
    "denial": 12,
    "condemnation": 15,
    "appeal": 10,
    "rejection": 6,
    "announcement": 12,
    "other": 5,
}
STANCE_WEIGHTS = {"asserts": 40, "denies": 20, "condemns": 20, "refers_to": 20}
MEDIA = (
    "press conference",
    "joint statement",
    "broadcast",
    "social media post",
    "interview",
    "press release",
    "parliament speech",
    None,
    None,
)

# What an event of each type is called: {a} the initiator, {t} the target, {p} the place.
TITLES_BY_TYPE = {
    "ASSAULT": (
        "{a} shells {p}",
        "{a} forces attack {t} positions near {p}",
        "Drone strike by {a} hits {p}",
        "Explosion kills civilians in {p}",
        "{a} accused of firing on {t} near {p}",
    ),
    "ACCUSE": (
        "{a} accuses {t} of shelling {p}",
        "{a} blames {t} for attack near {p}",
        "{a} says {t} violated the ceasefire",
    ),
    "CONSULT": ("{a} and {t} hold talks in {p}", "{a} meets {t} envoy"),
    "COERCE": ("{a} detains {t} activists in {p}", "{a} imposes curfew in {p}"),
    "PROTEST": ("Protesters rally against {t} in {p}", "Strike paralyses {p}"),
    "THREATEN": ("{a} threatens {t} with retaliation", "{a} warns {t} over {p}"),
    "REQUEST": ("{a} asks {t} for assistance", "{a} calls on {t} to withdraw from {p}"),
    "REJECT": ("{a} rejects {t} proposal", "{a} refuses to meet {t}"),
    "MOBILIZE": ("{a} moves troops towards {p}", "{a} announces mobilisation"),
    "SUPPORT": ("{a} backs {t}", "{a} voices support for {t}"),
    "AID": ("{a} sends humanitarian aid to {p}", "{a} delivers supplies to {t}"),
    "SANCTION": ("{a} sanctions {t} officials", "{a} expels {t} diplomats"),
    "COOPERATE": ("{a} and {t} agree on joint patrols", "{a} cooperates with {t} in {p}"),
    "AGREE": ("{a} and {t} sign ceasefire agreement", "{a} agrees to exchange prisoners"),
    "RETREAT": ("{a} withdraws from {p}", "{a} releases {t} prisoners"),
    "CONCEDE": ("{a} concedes control of {p}", "{a} apologises to {t}"),
}
# Sentences of source bodies and summaries.
SENTENCES = (
    "{a} said its forces had come under heavy artillery fire near {p} overnight.",
    "The {adj} defense ministry accused {t} of shelling residential areas of {p}.",
    "At least {n} people were killed and dozens wounded, according to local officials.",
    "{t} denied the accusations and said its troops were responding to provocations.",
    "Witnesses in {p} described explosions and burning houses on the outskirts of the town.",
    "The ceasefire brokered last month appeared to be collapsing as fighting spread to {p}.",
    "Officials in {p} said {n} civilians had been evacuated to shelters.",
    "“We strongly condemn the use of force against civilians,” a spokesperson for {a} said.",
    "{a} called on both sides to return to negotiations without preconditions.",
    "Satellite images reviewed by analysts showed damage to bridges and roads around {p}.",
    "The {adj} government announced a curfew and martial law in several districts.",
    "Humanitarian agencies warned that access to {p} remained blocked.",
    "Protesters gathered outside government buildings, demanding the release of detainees.",
    "Drone footage released by {a} purported to show strikes on military vehicles near {p}.",
    "Diplomats said talks between {a} and {t} would resume next week in Geneva.",
    "Independent verification of the casualty figures was not possible.",
    "{a} said it had shot down {n} drones launched from territory controlled by {t}.",
    "Residents of {p} reported power cuts and shortages of water and medicine.",
    "The attack was the deadliest since the start of the year, officials said.",
    "Observers reported troop movements along the line of contact near {p}.",
)
STATEMENT_TEXTS = {
    "claim": (
        "Our forces have taken full control of {p}",
        "The enemy suffered heavy losses near {p}",
    ),
    "accusation": (
        "{t} deliberately targeted civilians in {p}",
        "{t} violated the ceasefire again",
    ),
    "denial": ("Our troops did not fire on {p}", "These reports about {p} are fabricated"),
    "condemnation": ("We strongly condemn the use of force", "We condemn the shelling of {p}"),
    "appeal": ("We call on all sides to respect the ceasefire", "We urge {t} to stop the attacks"),
    "rejection": ("We reject the demands of {t}", "We will not negotiate under threat"),
    "announcement": ("A humanitarian corridor will open in {p}", "Talks will resume next week"),
    "other": ("The situation in {p} remains tense", "We are following events closely"),
}


def wrap_longitude(longitude):
    return (longitude + 180.0) % 360.0 - 180.0


class Generator:
    """Draws the data set from one seeded random generator."""

    def __init__(self, n, seed=DEFAULT_SEED):
        self.n = n
        self.rng = Random(seed)
        self.n_actors = max(n // 100, 40)
        self.n_locations = max(n // 50, 60)
        self.n_sources = max(n // 1000, 5)
        self.n_statements = n // 2
        # Small data sets use the busiest countries only.
        self.countries = COUNTRIES[: min(len(COUNTRIES), max(3, self.n_locations // 25))]
        self.dates = {}

    # -- small helpers -------------------------------------------------------

    def uuid(self):
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def day(self, ordinal):
        text = self.dates.get(ordinal)
        if text is None:
            text = self.dates[ordinal] = dt.date.fromordinal(ordinal).isoformat()
        return text

    def timestamp(self, ordinal):
        hours, rest = divmod(self.rng.randrange(86400), 3600)
        minutes, seconds = divmod(rest, 60)
        return f"{self.day(ordinal)} {hours:02d}:{minutes:02d}:{seconds:02d}+00"

    def stamps(self, created, updated=None):
        """created_at and updated_at: the same moment unless updated on a later day."""
        first = self.timestamp(created)
        return first, first if updated is None or updated <= created else self.timestamp(updated)

    def word(self, syllables):
        rng = self.rng
        return "".join(
            rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS) for _ in range(syllables)
        ).capitalize()

    def name(self, syllables=None):
        """A made-up name and its aliases: the unaccented spelling, sometimes a variant."""
        rng = self.rng
        plain = self.word(syllables or rng.choice((2, 2, 3)))
        aliases = []
        name = plain
        if rng.random() < 0.3:
            letters = list(plain)
            for index in rng.sample(range(len(letters)), min(2, len(letters))):
                letters[index] = ACCENTED.get(letters[index], letters[index])
            name = "".join(letters)
            if name != plain:
                aliases.append(plain)
        if rng.random() < 0.25:
            variant = plain.replace("kh", "h").replace("ou", "u").replace("j", "dzh")
            aliases.append(variant if variant != plain else plain + "a")
        return name, aliases

    @staticmethod
    def cumulative(weights):
        return list(itertools.accumulate(weights))

    def pick(self, population, cumulative, k=1):
        return self.rng.choices(population, cum_weights=cumulative, k=k)

    # -- reference data ------------------------------------------------------

    def build_actors(self):
        """Actor rows, and the pools events and statements draw participants from."""
        rng = self.rng
        rows, weights, speakers, speaker_weights = [], [], [], []
        self.actor_names = {}
        self.actors_by_country = {}

        def add(name, kind, country, parent_id, title, aliases, weight, speaks=0.0):
            actor_id = self.uuid()
            created = START_DAY - 400 + rng.randrange(300)
            updated = created + (rng.randrange(3000) if rng.random() < 0.3 else 0)
            rows.append(
                (
                    actor_id,
                    name,
                    kind,
                    country,
                    parent_id,
                    title,
                    aliases,
                    None,
                    *self.stamps(created, updated),
                )
            )
            self.actor_names[actor_id] = name
            weights.append(weight)
            if speaks:
                speakers.append(actor_id)
                speaker_weights.append(speaks)
            return actor_id

        for name, aliases in INTERNATIONAL:
            add(name, "international_organization", None, None, None, aliases, 4, 3)
        country_weight = {}
        for code, short, adjective, weight, _boxes in self.countries:
            record = pycountry.countries.get(alpha_3=code)
            official = (
                [
                    x
                    for x in (record.name, getattr(record, "official_name", None))
                    if x and x != short
                ]
                if record
                else []
            )
            state = add(short, "state", code, None, None, official, 40 * weight, weight)
            government = add(
                f"Government of {short}",
                "government",
                code,
                state,
                None,
                [f"{adjective} government"],
                20 * weight,
                3 * weight,
            )
            military = add(
                f"Armed Forces of {short}",
                "military",
                code,
                state,
                None,
                [f"{adjective} forces", f"{adjective} army"],
                30 * weight,
                weight,
            )
            ministries = [
                add(
                    f"{ministry} of {short}",
                    "government",
                    code,
                    government,
                    None,
                    [f"{adjective} {alias}" for alias in ministry_aliases],
                    8 * weight,
                    4 * weight,
                )
                for ministry, ministry_aliases in MINISTRIES
            ]
            self.actors_by_country[code] = [state, government, military, *ministries]
            country_weight[code] = weight
        codes = [country[0] for country in self.countries]
        cumulative = self.cumulative(country_weight[code] for code in codes)
        rank = 0
        while len(rows) < self.n_actors:
            rank += 1
            code = self.pick(codes, cumulative)[0]
            adjective = next(c[2] for c in self.countries if c[0] == code)
            weight = country_weight[code] / rank**0.6
            roll = rng.random()
            if roll < 0.75:
                first, first_aliases = self.name(2)
                last, last_aliases = self.name()
                aliases = [f"{a} {b}" for a, b in zip(first_aliases, last_aliases, strict=False)]
                if rng.random() < 0.3:
                    aliases.append(last)
                parent = rng.choice(self.actors_by_country[code]) if rng.random() < 0.6 else None
                add(
                    f"{first} {last}",
                    "person",
                    code,
                    parent,
                    rng.choice(TITLES),
                    aliases,
                    3 * weight,
                    2 * weight,
                )
            elif roll < 0.87:
                base, aliases = self.name()
                form = rng.choice(
                    (
                        "{} Liberation Front",
                        "{} Brigade",
                        "People's Army of {}",
                        "{} Self-Defence Forces",
                        "{} Battalion",
                    )
                )
                add(
                    form.format(base),
                    "armed_group",
                    code,
                    None,
                    None,
                    [form.format(alias) for alias in aliases],
                    6 * weight,
                    weight,
                )
            elif roll < 0.94:
                base, aliases = self.name()
                add(
                    f"{base} {rng.choice(('News', 'Times', 'TV', 'Radio'))}",
                    "media",
                    code,
                    None,
                    None,
                    [],
                    weight,
                    weight,
                )
            else:
                base, _ = self.name()
                add(
                    f"{base} residents",
                    "population_group",
                    code,
                    None,
                    None,
                    [f"{adjective} civilians"] if rng.random() < 0.3 else [],
                    2 * weight,
                )
        self.actor_ids = [row[0] for row in rows]
        self.actor_cumulative = self.cumulative(weights)
        self.speaker_ids = speakers
        self.speaker_cumulative = self.cumulative(speaker_weights)
        return rows

    def build_locations(self):
        """Location rows: each country, its regions, their towns."""
        rng = self.rng
        rows, pool, weights = [], [], []
        total_weight = sum(country[3] for country in self.countries)
        budget = self.n_locations - len(self.countries)
        self.country_locations = {}

        def add(name, kind, code, parent_id, aliases, lat, lon, precision, weight):
            location_id = self.uuid()
            created = START_DAY - 400 + rng.randrange(300)
            rows.append(
                (
                    location_id,
                    name,
                    kind,
                    code,
                    parent_id,
                    aliases,
                    None if lat is None else round(lat, 5),
                    None if lon is None else round(lon, 5),
                    precision,
                    None,
                    *self.stamps(created),
                )
            )
            pool.append((location_id, name))
            weights.append(weight)
            return location_id

        for code, short, _adjective, weight, boxes in self.countries:
            south, north, west, east = boxes[0]
            centre_lon = wrap_longitude((west + east) / 2)
            country_id = add(
                short,
                "country",
                code,
                None,
                [],
                (south + north) / 2,
                centre_lon,
                "country",
                weight * 3,
            )
            self.country_locations[code] = country_id
            places = max(3, round(budget * weight / total_weight))
            n_regions = min(30, max(2, places // 20))
            areas = [(n - s) * (e - w) for s, n, w, e in boxes]
            cumulative = self.cumulative(areas)
            for _ in range(n_regions):
                s, n, w, e = self.pick(boxes, cumulative)[0]
                lat, lon = rng.uniform(s, n), rng.uniform(w, e)
                base, aliases = self.name()
                form = rng.choice(REGION_FORMS)
                region_id = add(
                    form.format(base),
                    "region",
                    code,
                    country_id,
                    [form.format(alias) for alias in aliases],
                    lat,
                    wrap_longitude(lon),
                    "region",
                    weight * 2 / n_regions,
                )
                spread = min(1.0, (n - s) / 6, (e - w) / 6)
                for rank in range(1, (places - n_regions) // n_regions + 1):
                    name, aliases = self.name()
                    if rng.random() < 0.02:
                        town_lat = town_lon = None
                        precision = None
                    else:
                        town_lat = min(n, max(s, rng.gauss(lat, spread)))
                        town_lon = wrap_longitude(min(e, max(w, rng.gauss(lon, spread))))
                        precision = "settlement"
                    add(
                        name,
                        "city" if rng.random() < 0.15 else "town",
                        code,
                        region_id,
                        aliases,
                        town_lat,
                        town_lon,
                        precision,
                        weight / rank**0.9,
                    )
        self.location_pool = pool
        self.location_cumulative = self.cumulative(weights)
        return rows

    def sentence(self, template=None, a=None, t=None, p=None, adjective=None):
        rng = self.rng
        template = template or rng.choice(SENTENCES)
        return template.format(
            a=a or self.actor_names[self.pick(self.actor_ids, self.actor_cumulative)[0]],
            t=t or self.actor_names[self.pick(self.actor_ids, self.actor_cumulative)[0]],
            p=p or self.pick(self.location_pool, self.location_cumulative)[0][1],
            adj=adjective or rng.choice(self.countries)[2],
            n=rng.choice((2, 3, 4, 5, 7, 9, 12, 15, 21, 30, 46)),
        )

    def build_sources(self):
        """Source rows, and for each the quotes citations may take from it."""
        rng = self.rng
        rows, weights = [], []
        self.source_quotes = []
        for index in range(self.n_sources):
            source_id = self.uuid()
            published = START_DAY + rng.randrange(END_DAY - START_DAY)
            a, t = (
                self.actor_names[x] for x in self.pick(self.actor_ids, self.actor_cumulative, 2)
            )
            p = self.pick(self.location_pool, self.location_cumulative)[0][1]
            sentences = [self.sentence(None, a, t, p) for _ in range(rng.randint(25, 90))]
            paragraphs, at = [], 0
            while at < len(sentences):
                size = rng.randint(2, 6)
                paragraphs.append(" ".join(sentences[at : at + size]))
                at += size
            body = "\n\n".join(paragraphs)
            quotes = []
            for text in sentences:
                words = text.split(" ")
                candidates = [text]
                if len(words) > 6:
                    start = rng.randrange(0, len(words) - 4)
                    candidates.append(" ".join(words[start : start + rng.randint(4, 9)]))
                for quote in candidates:
                    offset = body.find(quote)
                    quotes.append((quote, offset, offset + len(quote)))
            self.source_quotes.append((source_id, quotes))
            weights.append(1 / (index + 1) ** 0.7)
            title = self.sentence(rng.choice(TITLES_BY_TYPE["ACCUSE"]), a, t, p)
            created = published + rng.randrange(3)
            rows.append(
                (
                    source_id,
                    title,
                    f"https://news.example.org/{published}/{index}-{source_id[:8]}",
                    rng.choice(PUBLISHERS),
                    self.day(published),
                    "en",
                    body,
                    None,
                    *self.stamps(created),
                )
            )
        self.source_cumulative = self.cumulative(weights)
        return rows

    def reported(self, count):
        """`count` sources, each once, and for each its quotes: [(source_id, [(quote,
        start, end), ...])]. Two quotes of one source are two different spans."""
        rng = self.rng
        sources = {}
        while len(sources) < count:
            source_id, quotes = self.pick(self.source_quotes, self.source_cumulative)[0]
            sources.setdefault(source_id, quotes)
        reports = []
        for source_id, quotes in sources.items():
            wanted = 2 if rng.random() < 0.3 else 1
            reports.append((source_id, list(dict.fromkeys(rng.choices(quotes, k=wanted)))))
        return reports

    def estimate(self, low, high, civilian_share):
        """One source's low/best/high about a toll of `low` to `high`: sources differ."""
        rng = self.rng
        low = max(0, low - rng.randint(0, max(1, low // 4)))
        high = None if rng.random() < 0.15 else max(low, high + rng.randint(-high // 5, 3))
        best = None
        if rng.random() < 0.6:
            best = rng.randint(low, high if high is not None else low * 2 + 1)
        civilians = None
        if civilian_share and rng.random() < civilian_share:
            civilian_low = rng.randint(0, low)
            civilians = {"low": civilian_low, "best": None, "high": None}
        return {"low": low, "best": best, "high": high, "civilians": civilians}

    def report_rows(self, owner, reports, says=None):
        """Rows of `reports` (from reported()) and of their quotes, for an event (owner is
        (event_id, None)) or a statement ((None, statement_id)); `says`, for an event,
        has each report's values of REPORT_SAYS."""
        report_rows, citation_rows = [], []
        for index, (source_id, quotes) in enumerate(reports):
            said = says[index] if says else (None,) * (len(REPORT_SAYS) + 12)
            report_rows.append((*owner, index, source_id, *said))
            for quote in quotes:
                citation_rows.append((*owner, len(citation_rows), source_id, *quote))
        return report_rows, citation_rows

    # -- events and statements -----------------------------------------------

    def events(self):
        """Batches of (events, participants, reports, citations) rows, in date order."""
        rng = self.rng
        types = list(EVENT_TYPE_WEIGHTS)
        type_cumulative = self.cumulative(EVENT_TYPE_WEIGHTS.values())
        certainties = list(CERTAINTY_WEIGHTS)
        certainty_cumulative = self.cumulative(CERTAINTY_WEIGHTS.values())
        # Dates: drawn, then sorted, so rows go in roughly as a newsroom would add them.
        days = sorted(START_DAY + rng.randrange(END_DAY - START_DAY + 1) for _ in range(self.n))
        self.event_ids = []
        self.event_days = days
        for first in range(0, self.n, BATCH):
            events, participants, said_by, citations = [], [], [], []
            for start in days[first : first + BATCH]:
                event_id = self.uuid()
                self.event_ids.append(event_id)
                event_type = self.pick(types, type_cumulative)[0]
                modes = PLOVER_MODES[event_type]
                mode = rng.choice(modes) if modes and rng.random() < 0.85 else None
                roll = rng.random()
                precision = "day"
                if roll < 0.8:
                    end = start
                elif roll < 0.95:
                    end = start + rng.randint(1, 6)
                    precision = "week" if rng.random() < 0.3 else "day"
                else:
                    end = start + rng.randint(7, 60)
                    if rng.random() < 0.5:
                        first_day = dt.date.fromordinal(start).replace(day=1)
                        start = first_day.toordinal()
                        following = (first_day + dt.timedelta(days=32)).replace(day=1)
                        end = following.toordinal() - 1
                        precision = "month"
                location_id, place = (
                    self.pick(self.location_pool, self.location_cumulative)[0]
                    if rng.random() < 0.92
                    else (None, None)
                )
                count = self.pick((1, 2, 3, 4), (25, 75, 92, 100))[0]
                actors = list(
                    dict.fromkeys(self.pick(self.actor_ids, self.actor_cumulative, count))
                )
                for position, actor_id in enumerate(actors):
                    role = (
                        ("initiator", "target")[position]
                        if position < 2
                        else rng.choice(("participant", "affected"))
                    )
                    participants.append((event_id, position, actor_id, role))
                a = self.actor_names[actors[0]]
                t = self.actor_names[actors[1]] if len(actors) > 1 else "rival"
                p = place or "the region"
                title = rng.choice(TITLES_BY_TYPE[event_type]).format(a=a, t=t, p=p)
                summary = (
                    self.sentence(None, a, t, p) + " " + self.sentence(None, a, t, p)
                    if rng.random() < 0.7
                    else None
                )
                violent = (
                    0.55
                    if event_type == "ASSAULT"
                    else 0.06
                    if event_type in ("COERCE", "PROTEST")
                    else 0.01
                )
                # A third of the events have two to five sources; each says its own.
                sources = 1 if rng.random() < 2 / 3 else rng.randint(2, 5)
                reports = self.reported(sources)
                killed = wounded = None
                if rng.random() < violent:
                    low = min(5000, int(rng.paretovariate(1.1)) - 1)
                    killed = (low, low + int(low * rng.random()) + rng.randint(0, 3))
                if rng.random() < violent * 0.7:
                    low = min(20000, int(rng.paretovariate(1.0)) - 1)
                    wounded = (low, low + int(low * rng.random()) + rng.randint(0, 10))
                certainty = self.pick(certainties, certainty_cumulative)[0]
                says = []
                for _ in reports:
                    dated = rng.random() < 0.3
                    fatalities = (
                        self.estimate(*killed, 0.3) if killed and rng.random() < 0.9 else None
                    )
                    injuries = (
                        self.estimate(*wounded, 0.2) if wounded and rng.random() < 0.9 else None
                    )
                    says.append(
                        {
                            "start_date": self.day(start) if dated else None,
                            "end_date": self.day(end) if dated else None,
                            "date_precision": precision if dated else None,
                            "location_id": location_id if rng.random() < 0.2 else None,
                            "certainty": certainty if rng.random() < 0.2 else None,
                            "fatalities": fatalities,
                            "injuries": injuries,
                        }
                    )
                figures = derived_figures(says)
                created = start + rng.randint(0, 20)
                updated = created + (rng.randrange(400) if rng.random() < 0.25 else 0)
                events.append(
                    (
                        event_id,
                        title,
                        summary,
                        event_type,
                        mode,
                        self.day(start),
                        self.day(end),
                        precision,
                        location_id,
                        certainty,
                        *estimate_columns(figures["fatalities"]),
                        *estimate_columns(figures["injuries"]),
                        False,
                        len(reports),
                        "Casualty figures vary between sources." if rng.random() < 0.03 else None,
                        *self.stamps(created, updated),
                    )
                )
                rows = self.report_rows(
                    (event_id, None),
                    reports,
                    [
                        (
                            *(said[name] for name in REPORT_SAYS[:5]),
                            *estimate_columns(said["fatalities"]),
                            *estimate_columns(said["injuries"]),
                        )
                        for said in says
                    ],
                )
                said_by.extend(rows[0])
                citations.extend(rows[1])
            yield events, participants, said_by, citations

    def statements(self):
        """Batches of (statements, addressees, statement_events, reports, citations) rows."""
        rng = self.rng
        types = list(STATEMENT_TYPE_WEIGHTS)
        type_cumulative = self.cumulative(STATEMENT_TYPE_WEIGHTS.values())
        stances = list(STANCE_WEIGHTS)
        stance_cumulative = self.cumulative(STANCE_WEIGHTS.values())
        n_events = len(self.event_ids)
        anchors = sorted(rng.randrange(n_events) for _ in range(self.n_statements))
        for first in range(0, self.n_statements, BATCH):
            statements, addressees, about, said_by, citations = [], [], [], [], []
            for anchor in anchors[first : first + BATCH]:
                statement_id = self.uuid()
                speaker = self.pick(self.speaker_ids, self.speaker_cumulative)[0]
                statement_type = self.pick(types, type_cumulative)[0]
                text = self.sentence(rng.choice(STATEMENT_TEXTS[statement_type]), t=None)
                count = self.pick((0, 1, 2, 3), (40, 80, 95, 100))[0]
                others = dict.fromkeys(self.pick(self.actor_ids, self.actor_cumulative, count))
                others.pop(speaker, None)
                for position, actor_id in enumerate(others):
                    addressees.append((statement_id, position, actor_id))
                count = self.pick((0, 1, 2, 3), (30, 80, 95, 100))[0]
                linked = dict.fromkeys(
                    min(n_events - 1, max(0, anchor + rng.randint(-50, 50))) for _ in range(count)
                )
                for position, index in enumerate(linked):
                    about.append(
                        (
                            statement_id,
                            position,
                            self.event_ids[index],
                            self.pick(stances, stance_cumulative)[0],
                        )
                    )
                stated = self.event_days[anchor] + rng.randint(0, 7)
                has_date = rng.random() < 0.95
                created = stated + rng.randint(0, 10)
                statements.append(
                    (
                        statement_id,
                        speaker,
                        text,
                        rng.random() < 0.6,
                        statement_type,
                        self.day(stated) if has_date else None,
                        "day" if has_date else None,
                        rng.choice(MEDIA),
                        None,
                        *self.stamps(created),
                    )
                )
                rows = self.report_rows(
                    (None, statement_id), self.reported(1 if rng.random() < 0.8 else 2)
                )
                said_by.extend(rows[0])
                citations.extend(rows[1])
            yield statements, addressees, about, said_by, citations


# -- loading -------------------------------------------------------------------

# What a report says of an event, as reports' columns (api/store/reports.py).
REPORT_SAYS = ("start_date", "end_date", "date_precision", "location_id", "certainty")
FIGURE_COLUMNS = ", ".join(
    f"{name}_{part}"
    for name in ("fatalities", "injuries")
    for part in ("low", "best", "high", "civilians_low", "civilians_best", "civilians_high")
)


def estimate_columns(estimate):
    """The six columns of an estimate (low, best, high, and the civilians')."""
    estimate = estimate or {}
    civilians = estimate.get("civilians") or {}
    return (
        *(estimate.get(bound) for bound in ("low", "best", "high")),
        *(civilians.get(bound) for bound in ("low", "best", "high")),
    )


COLUMNS = {
    "sources": "id, title, url, publisher, published_on, language, body, notes, created_at,"
    " updated_at",
    "actors": "id, name, kind, country, parent_id, title, aliases, description, created_at,"
    " updated_at",
    "locations": "id, name, kind, country, parent_id, aliases, latitude, longitude,"
    " geo_precision, description, created_at, updated_at",
    "events": "id, title, summary, event_type, mode, start_date, end_date, date_precision,"
    f" location_id, certainty, {FIGURE_COLUMNS}, figures_set_by_hand, source_count,"
    " notes, created_at, updated_at",
    "reports": "event_id, statement_id, position, source_id, "
    + ", ".join(REPORT_SAYS[:5])
    + f", {FIGURE_COLUMNS}",
    "event_participants": "event_id, position, actor_id, role",
    "statements": "id, speaker_id, text, is_direct_quote, statement_type, stated_on,"
    " date_precision, medium, notes, created_at, updated_at",
    "statement_addressees": "statement_id, position, actor_id",
    "statement_events": "statement_id, position, event_id, stance",
    "citations": "event_id, statement_id, position, source_id, quote, start_offset, end_offset",
}
UPDATE_EVENT_SEARCH = """
    UPDATE events e SET search = eventdata_event_search(e.title, e.summary,
        (SELECT string_agg(c.quote, ' ' ORDER BY c.position) FROM citations c
         WHERE c.event_id = e.id))
"""
UPDATE_STATEMENT_SEARCH = """
    UPDATE statements s SET search = eventdata_event_search(s.text, s.medium,
        (SELECT string_agg(c.quote, ' ' ORDER BY c.position) FROM citations c
         WHERE c.statement_id = s.id))
"""


def copy_rows(conn, table, rows):
    """COPY `rows` into `table` (FREEZE: the table was emptied in this transaction)."""
    count = 0
    with (
        conn.cursor() as cur,
        cur.copy(f"COPY {table} ({COLUMNS[table]}) FROM STDIN (FREEZE)") as copy,
    ):
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def bench_url(environ=None, database=BENCH_DATABASE):
    """The URL of a benchmark database (created and migrated when missing)."""
    environ = os.environ if environ is None else environ
    server = environ.get("DATABASE_URL") or embedded.start()
    embedded.ensure_database(server, database)
    url = embedded.with_database(server, database)
    upgrade(url)
    return url


def event_count(url):
    """How many events the database at `url` holds."""
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT count(*) FROM events").fetchone()[0]


def generate(url, n, *, seed=DEFAULT_SEED, log=print, vacuum=True):
    """Empty the database at `url` and load the data set for `n` events; return the counts."""
    began = time.perf_counter()

    def say(message):
        log(f"[{time.perf_counter() - began:7.1f}s] {message}")

    generator = Generator(n, seed)
    counts = dict.fromkeys(COLUMNS, 0)
    with psycopg.connect(url) as conn:
        conn.execute("SET synchronous_commit = off")
        conn.execute("SET jit = off")
        conn.execute("SET work_mem = '256MB'")
        conn.execute(
            sql.SQL("TRUNCATE {} RESTART IDENTITY").format(
                sql.SQL(", ").join(sql.Identifier(table) for table in DATA_TABLES)
            )
        )
        # Sources quote actors and places, so those are drawn first.
        reference = {"actors": generator.build_actors(), "locations": generator.build_locations()}
        reference["sources"] = generator.build_sources()
        for table in ("sources", "actors", "locations"):
            counts[table] = copy_rows(conn, table, reference.pop(table))
            say(f"{table}: {counts[table]:,}")

        for events, participants, said_by, citations in generator.events():
            counts["events"] += copy_rows(conn, "events", events)
            counts["event_participants"] += copy_rows(conn, "event_participants", participants)
            counts["reports"] += copy_rows(conn, "reports", said_by)
            counts["citations"] += copy_rows(conn, "citations", citations)
            say(
                f"events: {counts['events']:,}/{n:,}"
                f" (participants {counts['event_participants']:,},"
                f" reports {counts['reports']:,}, citations {counts['citations']:,})"
            )
        for statements, addressees, about, said_by, citations in generator.statements():
            counts["statements"] += copy_rows(conn, "statements", statements)
            counts["statement_addressees"] += copy_rows(conn, "statement_addressees", addressees)
            counts["statement_events"] += copy_rows(conn, "statement_events", about)
            counts["reports"] += copy_rows(conn, "reports", said_by)
            counts["citations"] += copy_rows(conn, "citations", citations)
            say(f"statements: {counts['statements']:,}/{generator.n_statements:,}")

        conn.execute(UPDATE_EVENT_SEARCH)
        say("events.search filled")
        conn.execute(UPDATE_STATEMENT_SEARCH)
        say("statements.search filled")
        conn.commit()
        say("committed")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)" if vacuum else "ANALYZE")
    say("vacuumed and analysed" if vacuum else "analysed")
    return counts


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--n", type=int, default=int(os.environ.get("N") or DEFAULT_N), help="events to generate"
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--database",
        default=BENCH_DATABASE,
        help=f"the database to fill (default {BENCH_DATABASE})",
    )
    parser.add_argument(
        "--if-missing",
        action="store_true",
        help="do nothing when the database already holds events",
    )
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("--n must be at least 1")
    url = bench_url(database=args.database)
    if args.if_missing and (existing := event_count(url)):
        print(f"{args.database} already holds {existing:,} events: left as it is.")
        return 0
    print(f"Loading {args.n:,} events into {args.database} (seed {args.seed})", flush=True)
    began = time.perf_counter()
    counts = generate(url, args.n, seed=args.seed, log=lambda line: print(line, flush=True))
    print(f"Done in {time.perf_counter() - began:.1f}s:")
    for table, count in counts.items():
        print(f"  {table:22} {count:>12,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
