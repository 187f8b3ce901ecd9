"""The policy sits below accounts: it names the roles by their values, which must be accounts' own."""
from app import permissions
from app.accounts.models import Role


def test_the_policy_names_roles_that_accounts_has():
    assert {permissions.ADMIN, permissions.ORGANISER, permissions.CURATOR} <= {role.value for role in Role}
    assert permissions.ADMIN == Role.ADMIN and permissions.ORGANISER == Role.ORGANISER
    assert permissions.CURATOR == Role.CURATOR
