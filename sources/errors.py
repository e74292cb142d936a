"""The base of the domain's refusals, which every edge (admin, API, tasks) turns into its own answer."""


class DomainError(Exception):
    """A rule refused an action. ``status_code`` is the HTTP answer; ``message`` says why, for people."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
