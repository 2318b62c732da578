"""Field limits that more than one app, form or serializer checks: one constant each."""

# A deadline or time limit given in working days (case tasks, answer deadlines, legal and
# promised time limits). 250 working days is about one calendar year, the longest the hall
# allows; beyond it the working-day clock would also run past the holiday calendar it knows.
WORKING_DAYS_MIN = 1
WORKING_DAYS_MAX = 250
