"""A reader over plain HTTP/1.1 with their own cookies, for tests against a real server
(gunicorn, HAProxy, Varnish) on a loopback port, where Django's test client cannot go."""

import http.client
import re

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
BOUNDARY = "----newsportal-test-boundary"


class Browser:
    """Keeps the cookies every answer sets and sends them back, as a browser does; the
    site sits behind a proxy that names the reader's address (X-Real-IP)."""

    def __init__(self, address: str = "127.0.0.1", agent: str = "Mozilla/5.0 (X11) Tests"):
        self.cookies: dict[str, str] = {}
        self.headers = {"X-Real-IP": address, "User-Agent": agent}

    def get(self, port: int, path: str):
        return self.request(port, "GET", path)

    def post(self, port: int, path: str, form: dict):
        """A form POST with the CSRF token of the cookie, as our forms send it."""
        form = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **form}
        return self.request(port, "POST", path, form)

    def request(self, port: int, method: str, path: str, form: dict | None = None):
        """(status, headers, text) of one request; `form` is sent url-encoded."""
        headers, body = {}, None
        if form is not None:
            body = "&".join(f"{k}={v}" for k, v in form.items()).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{port}{path}"
        return self._send(port, method, path, body, headers)

    def upload(self, port: int, path: str, fields: dict, files: dict[str, tuple[str, bytes]]):
        """A multipart POST, as a browser sends a form with a file input (PNG files)."""
        fields = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **fields}
        field = '--{}\r\nContent-Disposition: form-data; name="{}"\r\n\r\n{}\r\n'
        parts = [field.format(BOUNDARY, name, value).encode() for name, value in fields.items()]
        for name, (filename, data) in files.items():
            head = (
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: image/png\r\n\r\n'
            )
            parts.append(head.encode() + data + b"\r\n")
        body = b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()
        headers = {
            "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
            "Referer": f"http://127.0.0.1:{port}{path}",
        }
        return self._send(port, "POST", path, body, headers)

    def log_in(self, port: int, username: str, password: str) -> None:
        status, _headers, page = self.get(port, "/accounts/login/")
        assert status == 200
        token = CSRF_FIELD.search(page).group(1)
        form = {"csrfmiddlewaretoken": token, "login": username, "password": password}
        status, _headers, _page = self.request(port, "POST", "/accounts/login/", form)
        assert status == 302, f"log-in of {username} answered {status}"

    def _send(self, port: int, method: str, path: str, body: bytes | None, headers: dict):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=90)
        sent = {**self.headers, **headers}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _sep, rest = header.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
            return response.status, response.headers, response.read().decode()
        finally:
            connection.close()
