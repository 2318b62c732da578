from portal.exceptions import Conflict, Forbidden, Invalid, NotFound  # noqa: F401

# --- catalogue and booking (issue 3) ---


# --- cross-department cases (issue 4) ---
