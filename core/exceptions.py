"""The one exception a service raises when a rule refuses an action."""


class ServiceError(Exception):
    """A rule refused the action.

    `message` is safe to show to the reader; `status_code` is what a view answers with.
    Each app subclasses it (CommentError, VoteError, ...), so a view can tell them apart
    but turns every one into the same refusal (core.responses.service_refused).
    """

    status_code = 400

    def __init__(self, message: str, *, status_code: int | None = None):
        super().__init__(message)
        self.message = message
        if status_code is not None:
            self.status_code = status_code
