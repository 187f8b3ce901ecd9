"""Cross-cutting jobs."""
from app.extensions import INTERACTIVE, app_task


@app_task(queue=INTERACTIVE)
def ping(value: str) -> str:
    """Round-trip check for the job backend (used by the health tests)."""
    return f"pong:{value}"
