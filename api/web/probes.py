"""Probes for operators: /healthz (the process answers) and /readyz (so does the database)."""

from api.store.database import get_db
from api.web.http import problem


def register(app):
    @app.get("/healthz")
    def healthz():
        """The process is alive."""
        return {"status": "ok"}

    @app.get("/readyz")
    def readyz():
        """The database answers."""
        try:
            with get_db().transaction() as conn:
                conn.execute("SELECT 1")
        except Exception as error:  # any failure to reach the database means "not ready"
            return problem(
                503,
                f"The database does not answer: {error.__class__.__name__}.",
                headers={"Retry-After": "5"},
            )
        return {"status": "ready", "database": "ok"}
