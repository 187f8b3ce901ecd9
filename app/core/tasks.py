"""Cross-cutting jobs."""
from app.extensions import app_task


@app_task()
def ping(value: str) -> str:
    """Round-trip check for the job backend (used by the health tests)."""
    return f"pong:{value}"
