"""The reports area's references to people (app/privacy/registry.py): who entered a manual fact,
wrote a note or froze a snapshot. They point at the account, which the accounts area anonymises;
reports count people, they never name them, so nothing is exported or changed."""


def register_privacy_hooks(registry) -> None:
    registry.register("reports", columns=("indicator_manual_facts.entered_by_id", "report_notes.updated_by_id",
                                          "report_snapshots.frozen_by_id"))
