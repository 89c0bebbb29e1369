"""Where the staff pages live. Everything under this prefix answers in HTML."""

STAFF_PREFIX = "/staff"
LOGIN_PATH = f"{STAFF_PREFIX}/login"


def is_staff_path(path: str) -> bool:
    return path == STAFF_PREFIX or path.startswith(STAFF_PREFIX + "/")
