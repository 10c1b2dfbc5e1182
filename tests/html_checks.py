"""The HTML rules we can check in plain Python, on every page: one h1, unique ids, alt text,
labelled fields and a heading outline without gaps. The Nu HTML Checker covers the rest
(tests/test_html_validity.py)."""

import re
from html.parser import HTMLParser

UNLABELLED_TYPES = ("hidden", "submit", "button", "reset", "image")


class PageChecker(HTMLParser):
    def __init__(self):
        super().__init__()
        self.h1 = 0
        self.ids: list[str] = []
        self.images_without_alt = 0
        self.headings: list[int] = []
        self.labels_for: set[str] = set()
        self.fields: list[tuple[str, dict]] = []
        self.json_ld: list[str] = []
        self._in_json_ld = False
        self._open_labels = 0
        self.bad_attributes: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        # htmx reads data-hx-* as well; bare hx-* attributes are not HTML.
        self.bad_attributes += [f"<{tag} {name}>" for name in attrs if name.startswith("hx-")]
        if tag == "time" and re.search(r"\.\d{4,}", attrs.get("datetime") or ""):
            # HTML allows at most three digits of a second (isoformat() gives six).
            self.bad_attributes.append(f"<time datetime={attrs['datetime']}>")
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "h1":
            self.h1 += 1
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "img" and "alt" not in attrs:
            self.images_without_alt += 1
        if tag == "label":
            self._open_labels += 1
            if attrs.get("for"):
                self.labels_for.add(attrs["for"])
        if tag in ("input", "select", "textarea") and attrs.get("type") not in UNLABELLED_TYPES:
            # A field inside its <label> is labelled by it.
            self.fields.append((tag, attrs | ({"_wrapped": "1"} if self._open_labels else {})))
        if tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_json_ld = True

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_json_ld = False
        if tag == "label" and self._open_labels:
            self._open_labels -= 1

    def handle_data(self, data):
        if self._in_json_ld:
            self.json_ld.append(data)

    def problems(self) -> list[str]:
        found = []
        if self.h1 != 1:
            found.append(f"expected one h1, found {self.h1}")
        duplicates = sorted({i for i in self.ids if self.ids.count(i) > 1})
        if duplicates:
            found.append(f"duplicate ids: {duplicates}")
        if self.images_without_alt:
            found.append(f"{self.images_without_alt} img without alt")
        # Headings never skip a level going down (h2 → h4 would).
        for before, after in zip(self.headings, self.headings[1:], strict=False):
            if after > before + 1:
                found.append(f"heading h{before} → h{after} in {self.headings}")
                break
        if self.bad_attributes:
            found.append(f"invalid attributes: {self.bad_attributes}")
        for tag, attrs in self.fields:
            labelled = (
                attrs.get("id") in self.labels_for
                or attrs.get("aria-label")
                or attrs.get("aria-labelledby")
                or attrs.get("_wrapped")
            )
            if not labelled:
                found.append(f"unlabelled {tag} {attrs}")
        return found


def parse_page(html: str) -> PageChecker:
    page = PageChecker()
    page.feed(html)
    page.close()
    return page


def check_html(html: str) -> PageChecker:
    page = parse_page(html)
    assert page.problems() == []
    return page
