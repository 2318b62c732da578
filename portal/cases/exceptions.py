from portal.exceptions import Conflict, Forbidden, Invalid, NotFound


class CaseNotFound(NotFound):
    code = "case_not_found"


class CaseTaskNotFound(NotFound):
    code = "case_task_not_found"


class CaseForbidden(Forbidden):
    code = "case_forbidden"


class CaseInvalid(Invalid):
    code = "case_invalid"


class CaseConflict(Conflict):
    code = "case_conflict"
