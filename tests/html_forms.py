"""Read an HTML form the way a browser would submit it, for tests that post what a page shows."""

from __future__ import annotations

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self, form_id_or_action: str) -> None:
        super().__init__(convert_charrefs=True)
        self.wanted = form_id_or_action
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._select: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attr = dict(attrs)
        if tag == "form":
            self.inside = self.wanted in (attr.get("id"), attr.get("action"))
        if not self.inside:
            return
        name = attr.get("name")
        if tag == "input" and name and attr.get("type") not in ("submit", "button", "file"):
            if attr.get("type") in ("checkbox", "radio") and "checked" not in attr:
                return
            self.fields.append((name, attr.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attr:
            self.fields.append((self._select, attr.get("value", "")))

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            # Browsers drop the one newline that follows <textarea>.
            text = "".join(self._text)
            self.fields.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self.inside = False


def form_fields(html: str, form: str) -> dict[str, list[str]]:
    """Return the fields a form (found by id or action) would submit, each name with its values."""
    reader = _FormReader(form)
    reader.feed(html)
    fields: dict[str, list[str]] = {}
    for name, value in reader.fields:
        fields.setdefault(name, []).append(value)
    return fields
