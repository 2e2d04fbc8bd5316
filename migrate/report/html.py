"""The pre-sales HTML report: one self-contained page (inline CSS, SVG and a little JS).

Nothing is loaded from the network, so the file opens from a USB stick or a mail
attachment. The scanned code it quotes is escaped by the template's autoescape,
and the page's Content-Security-Policy only lets its own style and script (by
hash) run, so even a missed escape could not execute anything.
"""

from __future__ import annotations

import base64
import hashlib

from markupsafe import Markup

from migrate.model import ScanResult
from migrate.report import view
from migrate.report.templates import environment, read_asset


def render(result: ScanResult, lang: str = "en") -> str:
    context = view.build(result, lang)
    css, js = read_asset("report.css"), read_asset("report.js")
    # Our own files, not scanned code: inlined as they are.
    context |= {"css": Markup(css), "js": Markup(js), "css_hash": _csp_hash(css),
                "js_hash": _csp_hash(js)}
    return environment().get_template("report.html.j2").render(context)


def _csp_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")
