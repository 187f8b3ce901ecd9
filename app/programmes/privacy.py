"""The programmes area's references to people (app/privacy/registry.py): who created a programme and
who organises it. They point at the account, which the accounts area anonymises; nothing here names
the person, so nothing is exported or changed."""


def register_privacy_hooks(registry) -> None:
    registry.register("programmes", columns=("programmes.created_by_id", "programme_organisers.user_id"))
