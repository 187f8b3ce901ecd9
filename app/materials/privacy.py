"""The materials area's references to people (app/privacy/registry.py): who added a material. It
points at the account, which the accounts area anonymises; nothing here names the person, so
nothing is exported or changed."""


def register_privacy_hooks(registry) -> None:
    registry.register("materials", columns=("materials.created_by_id",))
