"""Probes for operators: /healthz (the process answers) and /readyz (so does the database).

Neither looks a token up (api/web/auth.py): a proxy or orchestrator may send an
Authorization header with every probe, and the lookup is a trip to the
database, which /healthz must never make and /readyz must not wait on twice.
"""

import logging

from api.store.database import get_db
from api.web.problems import RETRY_AFTER_SECONDS, problem

log = logging.getLogger(__name__)

PATHS = frozenset({"/healthz", "/readyz"})
# Seconds /readyz waits for a pooled connection. An orchestrator gives up on a
# probe after one second by default (Kubernetes' timeoutSeconds) and learns
# nothing from it; a pool that lends no connection within half that is not
# ready to serve requests either.
READY_TIMEOUT = 0.5


def register(app):
    @app.get("/healthz")
    def healthz():
        """The process is alive."""
        return {"status": "ok"}

    @app.get("/readyz")
    def readyz():
        """The database answers."""
        try:
            with get_db().transaction(timeout=READY_TIMEOUT) as conn:
                conn.execute("SELECT 1")
        except Exception as error:  # any failure to reach the database means "not ready"
            # The cause goes to the operators' log; the answer, open to anyone, names none.
            log.warning("not ready: %s: %s", error.__class__.__name__, error)
            return problem(
                503, "The database is unreachable.", headers={"Retry-After": RETRY_AFTER_SECONDS}
            )
        return {"status": "ready", "database": "ok"}
