"""Each Record (api/store/record.py) agrees with its schemas: one test for every resource."""

import json

import pytest
from psycopg import sql

from api.resources.actors import store as actors
from api.resources.events import store as events
from api.resources.locations import store as locations
from api.resources.sources import store as sources
from api.resources.statements import store as statements
from schemas.actors import ActorSchema
from schemas.events import EventSchema
from schemas.locations import LocationSchema
from schemas.query import ListArgsSchema
from schemas.sources import SourceSchema
from schemas.statements import StatementSchema
from seeds import loader

RECORDS = [
    pytest.param(store.RECORD, schema, id=store.RECORD.table)
    for store, schema in (
        (events, EventSchema),
        (statements, StatementSchema),
        (actors, ActorSchema),
        (locations, LocationSchema),
        (sources, SourceSchema),
    )
]


@pytest.mark.parametrize(("record", "schema"), RECORDS)
class TestRecordsAgreeWithSchemas:
    def test_its_json_has_the_schemas_fields_in_order(self, record, schema):
        assert record.names == list(schema().fields)

    def test_it_filters_by_every_query_parameter_of_its_lists(self, record, schema):
        parameters = set(record.args_schema().fields) - set(ListArgsSchema().fields)
        # radius_km goes with near; format and profile pick the representation, not the
        # records.
        parameters -= {"radius_km", "format", "profile"}
        assert record.filter_names == parameters | {"updated_since"}

    def test_it_sorts_by_fields_it_sends(self, record, schema):
        sorts = set(record.args_schema.SORTS) - {"relevance"}
        assert sorts <= set(record.names)
        assert ("relevance" in record.args_schema.SORTS) == (record.rank is not None)

    def test_a_null_sorts_as_the_value_that_stands_for_it_in_cursors(self, record, schema):
        for key, sort in record.args_schema.SORTS.items():
            if sort.null is not None:
                assert record.sorts[key] == f"coalesce({record.alias}.{key}, '{sort.null}')"

    def test_its_csv_columns_are_named_once(self, record, schema):
        headers = [header for header, _ in record.csv_columns]
        assert len(headers) == len(set(headers))
        assert headers[0] == "id"


def test_each_column_is_sent_as_stored(client, db):
    """A field that is a column is sent with the value of that column, not of another."""
    loader.load(db, loader.ARTICLE_SEED)
    for store in (events, statements, actors, locations, sources):
        record = store.RECORD
        names = [name for name in record.stored_columns if name in record.names]
        rows = db.execute(
            sql.SQL("SELECT id, {} FROM {}").format(
                sql.SQL(", ").join(map(sql.Identifier, names)), sql.Identifier(record.table)
            )
        ).fetchall()
        assert rows, record.table
        for row in rows:
            sent = client.get(f"/v1/{record.table}/{row['id']}").get_json()
            stored = json.loads(json.dumps({name: row[name] for name in names}, default=str))
            assert {name: sent[name] for name in names} == stored, (record.table, row["id"])
