"""The events area's references to people (app/privacy/registry.py): who created an event, who
facilitates a group, who changed what. They point at the account, which the accounts area
anonymises; nothing here names the person, so nothing is exported or changed."""


def register_privacy_hooks(registry) -> None:
    registry.register("events", columns=("events.created_by_id", "group_details.facilitator_id",
                                         "event_changes.actor_id", "trip_results.recorded_by_id"))
