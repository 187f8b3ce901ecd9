"""The messaging area's references to people (app/privacy/registry.py): messages an organiser wrote,
who a message went to, organisers' digest settings and items. They point at the account, which the
accounts area anonymises, so nothing is exported or changed."""


def register_privacy_hooks(registry) -> None:
    registry.register("messaging", columns=("event_messages.author_id", "message_recipients.user_id",
                                            "organiser_preferences.user_id", "organiser_digests.user_id",
                                            "digest_items.user_id"))
