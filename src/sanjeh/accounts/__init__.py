"""Users, roles, passwords, sessions and API tokens."""

from ._roles import LOCAL_ADMIN, ROLES, Actor, Role

__all__ = ["LOCAL_ADMIN", "ROLES", "Actor", "Role"]
