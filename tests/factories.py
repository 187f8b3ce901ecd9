"""Plain helpers that build valid objects through the services (no mocks of our own code)."""
import itertools

from app.accounts import services as accounts
from app.accounts.models import Organisation, OrganisationKind, Role
from app.extensions import db

_counter = itertools.count(1)


def make_organisation(name: str | None = None, region_code: str = "RU-SAM",
                      kind: OrganisationKind = OrganisationKind.PATIENT_NGO) -> Organisation:
    organisation = Organisation(name=name or f"Организация {next(_counter)}", kind=kind,
                                region_code=region_code, approved=True)
    db.session.add(organisation)
    db.session.commit()
    return organisation


def make_user(email: str | None = None, *, roles=(Role.TRAINEE,), full_name: str | None = None,
              region_code: str = "RU-SAM", organisation: Organisation | None = None,
              password: str = "password123", locale: str = "ru"):
    n = next(_counter)
    user = accounts.build_user(
        email=email or f"user{n}@example.org",
        password=password,
        full_name=full_name or f"Участник {n}",
        organisation_id=organisation.id if organisation else None,
        region_code=region_code,
        locale=locale,
        roles=roles,
    )
    db.session.commit()
    return user
