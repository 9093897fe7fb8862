"""Reading a form's fields back out of its HTML, as a browser would submit them."""

from html.parser import HTMLParser


class FormFields(HTMLParser):
    """The fields a browser would send back: inputs, textareas and selected options."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, str] = {}
        self.checkboxes: list[str] = []
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name") and a.get("type") not in ("submit", "checkbox"):
            self.fields[a["name"]] = a.get("value") or ""
        elif tag == "input" and a.get("type") == "checkbox":
            self.checkboxes.append(a["name"])
            if "checked" in a:
                self.fields[a["name"]] = a.get("value") or "on"
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.fields[self._textarea] = ""
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.fields[self._select] = a.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data


def status_save(html: str, progress: str) -> dict[str, str]:
    """What a tovholder sends who confirms every figure as unchanged and saves a draft."""
    form = FormFields()
    form.feed(html)
    confirm = {name: "on" for name in form.checkboxes if name.endswith("confirm_unchanged")}
    return {**form.fields, **confirm, "action": "gem", "progress": progress}
