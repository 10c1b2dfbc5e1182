"""A locmem backend that counts its connections, for the batching tests."""

from django.core.mail.backends.locmem import EmailBackend


class CountingBackend(EmailBackend):
    opened = 0
    per_connection: list[int] = []

    def open(self):
        CountingBackend.opened += 1
        CountingBackend.per_connection.append(0)
        return True

    def send_messages(self, messages):
        CountingBackend.per_connection[-1] += len(messages)
        return super().send_messages(messages)

    @classmethod
    def reset(cls):
        cls.opened = 0
        cls.per_connection = []


class RefusingBackend(EmailBackend):
    """Refuses mail to addresses starting with "refuse"."""

    def send_messages(self, messages):
        for message in messages:
            if message.to[0].startswith("refuse"):
                raise OSError("550 mailbox unavailable")
        return super().send_messages(messages)


class CrashingBackend(EmailBackend):
    """Sends, then the process dies (before the run can record the send)."""

    def send_messages(self, messages):
        super().send_messages(messages)
        raise SystemExit("killed")
