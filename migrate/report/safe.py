"""Scanned text made safe to show a person: no control sequences, no hidden reordering.

A file name or source line from an unvetted repository can carry terminal escapes (set
the title, clear the screen, write the clipboard with OSC 52) or Unicode bidi controls
that make a line read differently from what the compiler sees (Trojan Source,
CVE-2021-42574). Human-facing outputs show such characters visibly, as `<U+202E>`;
the JSON keeps the text as it is (a machine reads it) and a diagnostic flags the line.
"""

from __future__ import annotations

import re

from migrate.vocabulary import BIDI_CONTROLS as BIDI

# C0 and C1 controls except TAB and LF, DEL, and the bidi / invisible format characters.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f" + BIDI + "\u2028\u2029\ufeff]")
_BIDI = re.compile("[" + BIDI + "]")


def safe_text(text: str) -> str:
    """`text` with every control or bidi character shown as <U+XXXX>."""
    return _UNSAFE.sub(lambda m: f"<U+{ord(m.group()):04X}>", text)


def has_bidi(text: str) -> bool:
    return _BIDI.search(text) is not None
