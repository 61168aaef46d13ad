"""The explorer's built files (api/web/explorer/static) are what its sources build today.

The page is written in TypeScript on the typed client (clients/typescript/explorer)
and bundled with the locked esbuild; its output is checked in, so that serving
it needs no Node.js. Here it is compiled under `tsc --strict` and built again
into a temporary folder, which must equal the checked-in files: when it does
not, `make explorer` rebuilds them. Node.js and npm are needed, as for the
client's own tests.
"""

import re

import pytest

from tests.clients.test_typescript_client import CLIENT, ESCAPE_HATCHES, ROOT, npm, run

EXPLORER = CLIENT / "explorer"
STATIC = ROOT / "api" / "web" / "explorer" / "static"

pytestmark = pytest.mark.slow


def test_the_explorer_compiles_strictly():
    npm()
    run(["npx", "--no-install", "tsc", "--project", "explorer/tsconfig.json"])
    assert '"strict": true' in (CLIENT / "tsconfig.json").read_text()


def test_the_built_files_are_fresh(tmp_path):
    npm()
    run(["node", "explorer/build.mjs", str(tmp_path)])
    built = sorted(path.name for path in tmp_path.iterdir())
    assert built == sorted(path.name for path in STATIC.iterdir())
    stale = [
        name for name in built if (tmp_path / name).read_bytes() != (STATIC / name).read_bytes()
    ]
    assert stale == [], (
        f"api/web/explorer/static is stale ({', '.join(stale)}): run `make explorer`."
    )


@pytest.mark.parametrize(
    "path",
    sorted((EXPLORER / "src").glob("*.ts*")),
    ids=lambda path: path.name,
)
def test_no_escape_hatches(path):
    """No casts, no any, no non-null assertions: the API's types carry through the page."""
    code = re.sub(r"/\*.*?\*/|//[^\n]*", "", path.read_text(), flags=re.DOTALL)
    assert re.findall(ESCAPE_HATCHES, code) == []
