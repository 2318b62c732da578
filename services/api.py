
# --- catalogue and booking (issue 3) ---


# --- cross-department cases (issue 4) ---
