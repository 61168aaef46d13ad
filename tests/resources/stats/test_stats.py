"""The aggregates: a timeline that sums to the filtered list, and initiator→target pairs."""

import json
from collections import Counter
from datetime import date

import pytest

from tests.helpers import (
    OnlyReads,
    ReadsTheArticle,
    actor_body,
    assert_problem,
    create,
    event_body,
    source_body,
)


def total(client, query):
    response = client.get(f"/v1/events?{query}")
    assert response.status_code == 200, response.get_json()
    return json.loads(response.headers["X-Pagination"])["total"]


class TestTimeline(ReadsTheArticle):
    @pytest.mark.parametrize(
        "query",
        [
            pytest.param("", id="everything"),
            pytest.param("event_type=ASSAULT,REQUEST", id="types"),
            pytest.param("date_from=2020-09-28&date_to=2020-09-30", id="dates"),
            pytest.param("country=ARM", id="country"),
            pytest.param("q=fighting", id="search"),
            pytest.param("certainty=alleged,disputed", id="certainty"),
        ],
    )
    @pytest.mark.parametrize("interval", ["day", "week", "month", "year"])
    @pytest.mark.parametrize(
        ("counted", "listed"),
        [
            # The article's 1994 war is background, and its photo captions are scenes.
            pytest.param("", "reported_as=event", id="events-only"),
            pytest.param("include=background,scene", "", id="all-included"),
            pytest.param(
                "reported_as=background,scene", "reported_as=background,scene", id="asked"
            ),
        ],
    )
    def test_sums_to_the_filtered_count(self, client, article, query, interval, counted, listed):
        response = client.get(f"/v1/stats/timeline?interval={interval}&{query}&{counted}")

        assert response.status_code == 200, response.get_json()
        timeline = response.get_json()
        assert timeline["total"] == sum(bucket["count"] for bucket in timeline["buckets"])
        assert timeline["total"] == total(client, f"{query}&{listed}")

    def test_counts_each_day_by_start_date_with_empty_days(self, client, article, db):
        starts = Counter(
            row["start_date"]
            for row in db.execute(
                "SELECT start_date FROM events"
                " WHERE start_date >= '2020-09-01' AND reported_as = 'event'"
            )
        )

        timeline = client.get("/v1/stats/timeline?date_from=2020-09-01").get_json()

        first, last = min(starts), max(starts)
        days = [date.fromordinal(n) for n in range(first.toordinal(), last.toordinal() + 1)]
        assert timeline["buckets"] == [
            {"period": day.isoformat(), "count": starts.get(day, 0)} for day in days
        ]

    def test_weeks_start_on_monday_and_months_on_the_first(self, client, article):
        weeks = client.get("/v1/stats/timeline?interval=week&date_from=2020-09-01").get_json()
        months = client.get("/v1/stats/timeline?interval=month").get_json()

        assert all(
            date.fromisoformat(bucket["period"]).weekday() == 0 for bucket in weeks["buckets"]
        )
        assert all(bucket["period"].endswith("-01") for bucket in months["buckets"])
        # Sunday 27 September 2020 belongs to the week starting Monday 21 September.
        assert weeks["buckets"][0]["period"] == "2020-09-21"

    def test_split_counts_add_up_per_bucket(self, client, article, db):
        timeline = client.get("/v1/stats/timeline?interval=month&split=event_type").get_json()

        expected = Counter(
            (row["period"].isoformat(), row["event_type"])
            for row in db.execute(
                "SELECT date_trunc('month', start_date)::date AS period, event_type FROM events"
                " WHERE reported_as = 'event'"
            )
        )
        for bucket in timeline["buckets"]:
            assert sum(bucket["by"].values()) == bucket["count"]
            for event_type, count in bucket["by"].items():
                assert expected[(bucket["period"], event_type)] == count
        assert timeline["split"] == "event_type"

    @pytest.mark.parametrize("name", ["actor_id", "initiator_id", "target_id"])
    @pytest.mark.parametrize(
        "query",
        [
            pytest.param("interval=day", id="alone"),
            pytest.param("interval=month", id="by-month"),
            pytest.param("date_from=2020-09-28&date_to=2020-09-29", id="dates"),
            pytest.param("date_to=2020-09-28&interval=week", id="date_to"),
            pytest.param("date_from=2020-09-30&event_type=ASSAULT", id="with-another-filter"),
            pytest.param("split=event_type", id="split"),
        ],
    )
    def test_an_actor_s_timeline_counts_its_events(self, client, article, db, name, query):
        """Counted from the participants' copies of the dates, or from the events: the same."""
        actors = [
            str(row["actor_id"])
            for row in db.execute("SELECT DISTINCT actor_id FROM event_participants ORDER BY 1")
        ]
        for ids in [*([actor] for actor in actors), actors[:3]]:
            filtered = f"{name}={','.join(ids)}&{query}"
            timeline = client.get(f"/v1/stats/timeline?{filtered}").get_json()
            interval = timeline["interval"]
            expected = Counter(
                row["period"].isoformat()
                for row in db.execute(
                    """
                    SELECT date_trunc(%(interval)s, e.start_date)::date AS period FROM events e
                    WHERE e.id IN (SELECT p.event_id FROM event_participants p
                                   WHERE p.actor_id = ANY(%(ids)s::uuid[])
                                   AND (%(role)s::text IS NULL OR p.role = %(role)s))
                      AND daterange(e.start_date, e.end_date, '[]')
                          && daterange(%(date_from)s::date, %(date_to)s::date, '[]')
                      AND (%(event_type)s::text IS NULL OR e.event_type = %(event_type)s)
                      AND e.reported_as = 'event'
                    """,
                    {
                        "interval": interval,
                        "ids": ids,
                        "role": name.removesuffix("_id") if name != "actor_id" else None,
                        "date_from": None,
                        "date_to": None,
                        "event_type": None,
                        **dict(pair.split("=") for pair in query.split("&")),
                    },
                )
            )
            counted = {b["period"]: b["count"] for b in timeline["buckets"] if b["count"]}
            assert counted == expected, filtered
            listed = "&".join(
                pair for pair in filtered.split("&") if not pair.startswith(("interval", "split"))
            )
            assert timeline["total"] == total(client, f"{listed}&reported_as=event")


class TestTimelineOfOtherRecords:
    def test_an_actor_in_two_roles_counts_one_event(self, client):
        source = create(client, "/v1/sources", source_body())
        aze = create(client, "/v1/actors", actor_body())
        arm = create(client, "/v1/actors", actor_body(name="Armenia", country="ARM"))
        create(client, "/v1/events", event_body(source["id"], [aze["id"], aze["id"]]))
        create(client, "/v1/events", event_body(source["id"], [arm["id"], aze["id"]]))

        for query, count in [
            (f"actor_id={aze['id']}", 2),
            (f"actor_id={aze['id']},{arm['id']}", 2),
            (f"initiator_id={aze['id']}", 1),
            (f"target_id={aze['id']}&date_from=2020-09-30&date_to=2020-09-30", 2),
        ]:
            timeline = client.get(f"/v1/stats/timeline?{query}").get_json()
            assert timeline["buckets"] == [{"period": "2020-09-30", "count": count}], query
            assert total(client, query) == count

    def test_no_events_no_buckets(self, client):
        assert client.get("/v1/stats/timeline").get_json() == {
            "interval": "day",
            "split": None,
            "total": 0,
            "buckets": [],
        }

    def test_refuses_too_many_periods(self, client):
        source = create(client, "/v1/sources", source_body())
        for day in ("1000-01-01", "2020-01-01"):
            create(client, "/v1/events", event_body(source["id"], start_date=day))

        assert_problem(client.get("/v1/stats/timeline?interval=day"), 422, "interval")
        assert client.get("/v1/stats/timeline?interval=year").status_code == 200

    @pytest.mark.parametrize(
        ("query", "field"),
        [
            pytest.param("interval=hour", "interval", id="interval"),
            pytest.param("split=actor", "split", id="split"),
            pytest.param("event_type=ATTACK", "event_type", id="filter"),
            pytest.param("page=2", "page", id="no-paging"),
            pytest.param("bogus=1", "bogus", id="unknown"),
        ],
    )
    def test_refuses_bad_parameters(self, client, query, field):
        assert_problem(client.get(f"/v1/stats/timeline?{query}"), 422, field)


class TestTimelineFatalities(OnlyReads):
    @staticmethod
    def build(client, db):
        source = create(client, "/v1/sources", source_body())
        arm = create(client, "/v1/actors", actor_body(name="Armenia", country="ARM"))
        for start, deaths, event_type in (
            ("2020-09-27", {"low": 1, "best": 2, "high": 2}, "ASSAULT"),
            ("2020-09-27", {"low": 20, "high": 40}, "ASSAULT"),
            ("2020-09-28", None, "ASSAULT"),
            ("2020-09-30", {"low": 0, "high": 5}, "COERCE"),
        ):
            body = event_body(
                source["id"],
                [arm["id"]],
                start_date=start,
                fatalities=deaths,
                event_type=event_type,
                mode=None,
            )
            create(client, "/v1/events", body)
        return arm

    @pytest.fixture
    def dated(self, data):
        return data

    def test_sums_each_period_and_the_whole(self, client, dated):
        timeline = client.get("/v1/stats/timeline?fatalities=true").get_json()

        unknown = {"low": None, "best": None, "high": None, "events": 0}
        assert timeline["buckets"] == [
            {
                "period": "2020-09-27",
                "count": 2,
                "fatalities": {"low": 21, "best": 2, "high": 42, "events": 2},
            },
            {"period": "2020-09-28", "count": 1, "fatalities": unknown},
            {"period": "2020-09-29", "count": 0, "fatalities": unknown},
            {
                "period": "2020-09-30",
                "count": 1,
                "fatalities": {"low": 0, "best": None, "high": 5, "events": 1},
            },
        ]
        assert timeline["fatalities"] == {"low": 21, "best": 2, "high": 47, "events": 3}

    def test_sums_with_a_split_and_an_actor_filter(self, client, dated):
        split = client.get(
            "/v1/stats/timeline?fatalities=true&interval=month&split=event_type"
        ).get_json()
        actor = client.get(
            f"/v1/stats/timeline?fatalities=true&interval=year&actor_id={dated['id']}"
        ).get_json()

        whole = {"low": 21, "best": 2, "high": 47, "events": 3}
        assert split["buckets"] == [
            {
                "period": "2020-09-01",
                "count": 4,
                "by": {"ASSAULT": 3, "COERCE": 1},
                "fatalities": whole,
            }
        ]
        assert actor["buckets"] == [{"period": "2020-01-01", "count": 4, "fatalities": whole}]

    def test_without_the_flag_there_are_no_sums(self, client, dated):
        timeline = client.get("/v1/stats/timeline").get_json()

        assert "fatalities" not in timeline
        assert all(set(bucket) == {"period", "count"} for bucket in timeline["buckets"])

    @pytest.mark.parametrize("value", ["yes", "1", ""])
    def test_refuses_a_flag_that_is_not_true_or_false(self, client, value):
        response = client.get(f"/v1/stats/timeline?fatalities={value}")

        assert_problem(response, 422, "fatalities")


class TestInteractions:
    def test_pairs_with_counts_busiest_first(self, client):
        source = create(client, "/v1/sources", source_body())
        aze, arm, tur = (
            create(client, "/v1/actors", actor_body(name=name, country=code))
            for name, code in (("Azerbaijan", "AZE"), ("Armenia", "ARM"), ("Turkey", "TUR"))
        )
        fatalities = ({"low": 1, "best": 1, "high": 2}, {"low": 10, "high": 20}, None, None)
        for (initiator, target), deaths in zip(
            ((arm, aze), (arm, aze), (aze, arm), (tur, arm)), fatalities, strict=True
        ):
            create(
                client,
                "/v1/events",
                event_body(source["id"], [initiator["id"], target["id"]], fatalities=deaths),
            )

        pairs = client.get("/v1/stats/interactions").get_json()["pairs"]

        def summary(actor):
            return {key: actor[key] for key in ("id", "name", "kind", "country")}

        unknown = {"low": None, "best": None, "high": None, "events": 0}
        assert pairs[0] == {
            "initiator": summary(arm),
            "target": summary(aze),
            "events": 2,
            "fatalities": {"low": 11, "best": 1, "high": 22, "events": 2},
        }
        assert sorted(
            (p["initiator"]["name"], p["target"]["name"], p["events"]) for p in pairs
        ) == [
            ("Armenia", "Azerbaijan", 2),
            ("Azerbaijan", "Armenia", 1),
            ("Turkey", "Armenia", 1),
        ]
        filtered = client.get(f"/v1/stats/interactions?actor_id={tur['id']}").get_json()
        assert filtered == {
            "pairs": [
                {
                    "initiator": summary(tur),
                    "target": summary(arm),
                    "events": 1,
                    "fatalities": unknown,
                }
            ]
        }
        assert len(client.get("/v1/stats/interactions?limit=1").get_json()["pairs"]) == 1

    def test_the_article(self, client, article, db):
        expected = db.execute(
            """
            SELECT count(*) AS n FROM (
                SELECT DISTINCT i.actor_id, t.actor_id FROM event_participants i
                JOIN event_participants t ON t.event_id = i.event_id AND t.role = 'target'
                WHERE i.role = 'initiator') AS pairs
            """
        ).fetchone()["n"]

        pairs = client.get("/v1/stats/interactions?limit=1000").get_json()["pairs"]

        assert len(pairs) == expected
        assert [p["events"] for p in pairs] == sorted((p["events"] for p in pairs), reverse=True)

    @pytest.mark.parametrize("limit", ["0", "1001", "many"])
    def test_refuses_bad_limits(self, client, limit):
        assert_problem(client.get(f"/v1/stats/interactions?limit={limit}"), 422, "limit")


class TestBackgroundAndScenes(OnlyReads):
    """Timelines and pairs leave out background and scenes unless include asks for them."""

    @staticmethod
    def build(client, db):
        source = create(client, "/v1/sources", source_body())
        aze = create(client, "/v1/actors", actor_body())
        arm = create(client, "/v1/actors", actor_body(name="Armenia", country="ARM"))
        actors = [aze["id"], arm["id"]]
        for reported_as, start in (
            ("event", "2020-09-30"),
            ("background", "2020-09-27"),
            ("scene", "2020-09-29"),
        ):
            body = event_body(source["id"], actors, start_date=start, reported_as=reported_as)
            create(client, "/v1/events", body)
        return aze

    @pytest.fixture
    def told(self, data):
        return data

    def counted(self, client, query):
        response = client.get(f"/v1/stats/timeline?{query}")
        assert response.status_code == 200, response.get_json()
        return {b["period"]: b["count"] for b in response.get_json()["buckets"] if b["count"]}

    @pytest.mark.parametrize(
        ("include", "expected"),
        [
            pytest.param("", {"2020-09-30": 1}, id="events-only"),
            pytest.param("include=scene", {"2020-09-29": 1, "2020-09-30": 1}, id="scenes"),
            pytest.param(
                "include=background,scene",
                {"2020-09-27": 1, "2020-09-29": 1, "2020-09-30": 1},
                id="both",
            ),
            pytest.param("reported_as=background", {"2020-09-27": 1}, id="asked"),
        ],
    )
    @pytest.mark.parametrize(
        "actor", [pytest.param(False, id="all"), pytest.param(True, id="an-actor")]
    )
    def test_the_timeline(self, client, told, include, expected, actor):
        """With an actor alone, counted from its participations: the same."""
        query = f"{include}&initiator_id={told['id']}" if actor else include
        assert self.counted(client, query) == expected

    @pytest.mark.parametrize(
        ("include", "events"),
        [
            pytest.param("", 1, id="events-only"),
            pytest.param("include=background", 2, id="background"),
            pytest.param("include=background,scene", 3, id="both"),
        ],
    )
    def test_the_pairs(self, client, told, include, events):
        pairs = client.get(f"/v1/stats/interactions?{include}").get_json()["pairs"]
        assert [pair["events"] for pair in pairs] == [events]

    def test_refuses_an_unknown_inclusion(self, client):
        assert_problem(client.get("/v1/stats/timeline?include=photos"), 422, "include")
