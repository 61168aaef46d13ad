"""The TypeScript client (clients/typescript): its types are the spec's, and its example runs.

The example compiles under `tsc --strict` (no casts, no any, no non-null
assertions) and runs against a live gunicorn, with the article loaded and a
token to write with. Node.js and npm are needed: without them the tests skip,
except in CI (CI=true), where they fail; .ci/run installs them.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import psycopg
import pytest
from psycopg.rows import dict_row

from api.store.tokens import create_token
from seeds import loader
from tests.live import gunicorn

ROOT = Path(__file__).resolve().parents[2]
CLIENT = ROOT / "clients" / "typescript"
SOURCES = [CLIENT / "src", CLIENT / "examples"]
# A cast (`as T`, but `as const` is no cast), `any`, a non-null assertion (`x!`,
# not `!=`), a suppressed error.
ESCAPE_HATCHES = r"\bas\s+(?!const\b)[A-Za-z{(\[]|\bany\b|[\w)\]]!(?!=)|@ts-"


def npm():
    """The npm command, with the client's locked packages installed (npm ci) if missing."""
    command = shutil.which("npm")
    if command is None:
        message = "The TypeScript client needs Node.js and npm (apt-get install nodejs npm)."
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message)
        pytest.skip(message)
    if not (CLIENT / "node_modules").is_dir():
        run([command, "ci", "--no-audit", "--no-fund"])
    return command


def run(command, **kwargs):
    result = subprocess.run(
        command, cwd=CLIENT, capture_output=True, text=True, timeout=600, check=False, **kwargs
    )
    assert result.returncode == 0, f"{' '.join(map(str, command))}:\n{result.stdout}{result.stderr}"
    return result.stdout


# Each Node.js tool run takes about twenty seconds: slow, like the explorer's build.
@pytest.mark.slow
def test_the_generated_types_are_the_specs():
    """src/schema.d.ts is what openapi-typescript makes of openapi.yaml: `make openapi`."""
    result = subprocess.run(
        [npm(), "run", "--silent", "check-generated"],
        cwd=CLIENT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, (
        "clients/typescript/src/schema.d.ts is stale: run `make openapi`.\n"
        + result.stdout
        + result.stderr
    )


@pytest.mark.slow
def test_the_client_and_its_examples_compile_strictly():
    npm()
    # The examples import the package by its name, as an app does: its dist/ first.
    run(["npm", "run", "--silent", "build"])
    run(["npx", "--no-install", "tsc", "--noEmit"])
    config = (CLIENT / "tsconfig.json").read_text()
    assert '"strict": true' in config


def test_the_readme_shows_the_first_steps_that_compile():
    """The README's five lines are examples/first-steps.ts, which the test above compiles."""
    first_steps = (CLIENT / "examples" / "first-steps.ts").read_text()
    assert len(first_steps.splitlines()) <= 6
    assert f"```ts\n{first_steps}```" in (ROOT / "README.md").read_text()


@pytest.mark.parametrize(
    "path",
    [p for folder in SOURCES for p in folder.glob("*.ts") if not p.name.endswith(".d.ts")],
    ids=lambda path: str(path.relative_to(CLIENT)),
)
def test_no_escape_hatches(path):
    """No casts, no any, no non-null assertions: the types carry the whole way."""
    code = re.sub(r"/\*.*?\*/|//[^\n]*", "", path.read_text(), flags=re.DOTALL)
    assert re.findall(ESCAPE_HATCHES, code) == []


@pytest.fixture
def article_server(database_url):
    """gunicorn on a database with the article loaded; yields (its URL, a token)."""
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        loader.load(conn, loader.ARTICLE_SEED)
        token = create_token(conn, "typescript example", ("read", "write"))
        conn.commit()
    env = {"RATE_LIMIT_PER_TOKEN": "off", "RATE_LIMIT_PER_ADDRESS": "off", "ACCESS_LOG": "0"}
    with gunicorn(database_url, env=env, workers=1, threads=2) as (host, port):
        yield f"http://{host}:{port}", token


@pytest.mark.slow
@pytest.mark.live
def test_the_example_runs_against_a_live_server(article_server):
    npm()
    url, token = article_server
    run(["npm", "run", "--silent", "build"])
    run(["npx", "--no-install", "tsc"])
    output = run(
        ["node", "build/examples/tour.js"],
        env={**os.environ, "EVENTDATA_URL": url, "EVENTDATA_TOKEN": token},
    )
    lines = output.splitlines()

    listed = re.search(r"^listed 3 of (\d+) events$", output, re.MULTILINE)
    assert listed, output
    total = int(listed.group(1))
    pages = next(line for line in lines if line.startswith("pages: ")).removeprefix("pages: ")
    assert pages == ",".join(str(page) for page in range(1, -(-total // 3) + 1))
    assert f"by cursor: {total} events" in lines
    assert any(line.startswith("got event ") for line in lines)
    assert any(line.startswith("created event ") for line in lines)
    assert "patched: certainty confirmed, date_precision day" in lines
    assert "412 /problems/precondition-failed: retried with the current ETag: disputed" in lines
    assert (
        "422 /problems/validation-failed: end_date before_start: Must not be before start_date."
        in lines
    )
    assert re.search(r"^geojson: \d+ features, \d+ with a point$", output, re.MULTILINE)
    assert any(line.startswith("deleted event ") for line in lines)
