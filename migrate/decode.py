"""Turn a file's bytes into text: UTF-8, then GB18030 (common in this market), then lossy.

Frontends parse UTF-8 bytes, so the decoded text is handed on re-encoded as UTF-8;
line numbers stay those of the original file.
"""

from __future__ import annotations

from dataclasses import dataclass

BINARY_PROBE_BYTES = 8192


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str  # "utf-8", "utf-16", "gb18030" or "utf-8-lossy"


def looks_binary(data: bytes) -> bool:
    """A NUL byte near the start marks a binary file, as git and grep decide."""
    return b"\x00" in data[:BINARY_PROBE_BYTES]


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def has_text_bom(data: bytes) -> bool:
    """UTF-16 text (as Visual Studio saves it) has NUL bytes but a byte-order mark."""
    return data.startswith(_UTF16_BOMS)


def decode(data: bytes) -> Decoded:
    """Text with every line ending as \n: a lone CR (classic Mac) ends a line too, so
    line numbers are those an editor shows."""
    decoded = _decode(data)
    text = decoded.text
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return Decoded(text, decoded.encoding)


def _decode(data: bytes) -> Decoded:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif has_text_bom(data):
        try:
            return Decoded(data.decode("utf-16"), "utf-16")
        except UnicodeDecodeError:
            return Decoded(data.decode("utf-16", errors="replace"), "utf-8-lossy")
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return Decoded(data.decode("gb18030"), "gb18030")
    except UnicodeDecodeError:
        return Decoded(data.decode("utf-8", errors="replace"), "utf-8-lossy")
