from portal.exceptions import Conflict, Forbidden, Invalid, NotFound  # noqa: F401
