"""Command-line tasks: `flask --app api db upgrade`, `tokens create|list|revoke`, `seed`,
`revisions prune`."""

from datetime import UTC

import click
import psycopg
from flask.cli import AppGroup, with_appcontext
from psycopg.errors import UniqueViolation

from api.store import database, revisions, tokens

db_cli = AppGroup("db", help="Manage the database schema.")
tokens_cli = AppGroup("tokens", help="Manage the bearer tokens and their scopes.")
revisions_cli = AppGroup("revisions", help="Manage the records' histories.")


@db_cli.command("upgrade")
def upgrade():
    """Apply the migrations not yet applied."""
    applied = database.upgrade(database.get_db().url)
    click.echo(f"Applied {', '.join(applied)}." if applied else "The schema is up to date.")


@tokens_cli.command("create")
@click.argument("name")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    type=click.Choice(tokens.SCOPES),
    help="What the token may do; repeat for several. Default: read and write.",
)
def create_token(name, scopes):
    """Create a token called NAME and print it (only its hash is stored)."""
    try:
        with database.get_db().transaction() as conn:
            token = tokens.create_token(conn, name, scopes or tokens.DEFAULT_SCOPES)
    except UniqueViolation:
        raise click.ClickException(
            f"A token called {name!r} is already active: revoke it or pick another name."
        ) from None
    click.echo(token)


@tokens_cli.command("list")
def list_tokens():
    """List the tokens, active and revoked."""
    with database.get_db().transaction() as conn:
        rows = tokens.list_tokens(conn)
    for row in rows:
        state = f"revoked {row['revoked_at']:%Y-%m-%d %H:%M}" if row["revoked_at"] else "active"
        scopes = ",".join(row["scopes"])
        click.echo(f"{row['name']}\t{scopes}\tcreated {row['created_at']:%Y-%m-%d %H:%M}\t{state}")


@tokens_cli.command("revoke")
@click.argument("name")
def revoke_token(name):
    """Revoke the active token called NAME."""
    with database.get_db().transaction() as conn:
        revoked = tokens.revoke_token(conn, name)
    if not revoked:
        raise click.ClickException(f"No active token is called {name!r}.")
    click.echo(f"Revoked {name}.")


@click.command("seed")
@with_appcontext
@click.argument("file", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Validate everything and write nothing.")
@click.option(
    "--force",
    "force",
    metavar="[KEY]",
    multiple=True,
    is_flag=False,
    # --force alone: every record (seeds.loader.ALL, not imported here to keep
    # the CLI's imports light).
    flag_value="*",
    help="Overwrite records people changed or deleted since they were loaded: all of them,"
    " or the one of KEY (repeat for several). What is replaced stays in their history.",
)
def seed(file, dry_run, force):
    """Load a seed file (by default the article) into the database.

    Loading the same file again changes nothing. A record changed or deleted
    since it was loaded (over HTTP, by anyone) is kept as it is, and reported,
    unless --force names it.
    """
    from seeds import loader

    with database.get_db().pool.connection() as conn:
        try:
            report = loader.load(conn, file or loader.ARTICLE_SEED, dry_run=dry_run, force=force)
        except loader.SeedError as error:
            raise click.ClickException(str(error)) from None
        except psycopg.OperationalError as error:
            # The load is one transaction: a lost connection leaves none of it.
            raise click.ClickException(
                f"Lost the database during the load; nothing was written. ({error})"
            ) from None
    for line in report.lines():
        click.echo(line)
    if dry_run:
        click.echo("Dry run: nothing was written.")


@revisions_cli.command("prune")
@click.option(
    "--before",
    required=True,
    type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]),
    help="Delete revisions written before this date (UTC), YYYY-MM-DD[THH:MM:SS].",
)
@click.option("--dry-run", is_flag=True, help="Count what would be deleted, delete nothing.")
def prune_revisions(before, dry_run):
    """Delete old revisions, keeping each record's latest (for a deleted record, its state)."""
    with database.get_db().pool.connection() as conn, conn.transaction(force_rollback=dry_run):
        pruned = revisions.prune(conn, before.replace(tzinfo=UTC))
    done = "would be deleted" if dry_run else "deleted"
    click.echo(f"{pruned} revisions written before {before:%Y-%m-%d %H:%M:%S} UTC {done}.")


def register(app):
    app.cli.add_command(seed)
    app.cli.add_command(db_cli)
    app.cli.add_command(tokens_cli)
    app.cli.add_command(revisions_cli)
