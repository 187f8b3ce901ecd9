"""Read the confirmation link a live app wrote to its mail folder (no MAIL_SERVER: `.eml` files)."""
import re
from email import message_from_bytes
from email.policy import default
from pathlib import Path


def confirmation_path(app, address: str) -> str:
    """The path of the newest "confirm your address" link mailed to `address`."""
    for file in sorted(Path(app.config["MAIL_OUTBOX"]).glob("*.eml"), reverse=True):
        message = message_from_bytes(file.read_bytes(), policy=default)
        if message["To"].addresses[0].addr_spec.lower() == address.lower():
            found = re.search(r"https?://[^/\s]+(/auth/confirm-email/\S+)",
                              message.get_body(("plain",)).get_content())
            if found:
                return found.group(1)
    raise AssertionError(f"no confirmation link was mailed to {address}")
