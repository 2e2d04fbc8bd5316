"""A hostile checkout, built on demand: every case of a scanned tree that must not abort,
hang, corrupt an output or reach the terminal raw (the list is in the README's
"Hostile input"). Used by tests/test_hostile.py; `python tests/hostile.py DIR` builds one
to look at by hand.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

OK = b"void f(){cudaFree(0);}\n"
ESCAPE_NAME = "evil\x1b]0;PWNED\x07\x1b[2J.cu"
# "a[/x]b.cu" is the folder "a[" and the file "x]b.cu": the path holds Rich's "[/x]".
MARKUP_NAMES = ("a[/x]b.cu", "[link=https:evil.example]y.cu", "[bold]z.cu")
DEPTH = 500


def build(root: Path) -> dict[str, str]:
    """Make the tree under `root`; return {relative path: what it tests} for the files a
    scan must still name (found, skipped or diagnosed)."""
    root.mkdir(parents=True, exist_ok=True)
    cases: dict[str, str] = {}
    (root / "ok.cu").write_bytes(OK)
    cases["ok.cu"] = "a good file among bad ones"
    # 1. a name that is not UTF-8, and a link with one
    os.makedirs(os.fsencode(root / "names"), exist_ok=True)
    with open(os.fsencode(root / "names") + b"/bad\xff.cu", "wb") as handle:
        handle.write(OK)
    os.symlink(b"bad\xff.cu", os.fsencode(root / "names") + b"/link\xfe.cu")
    cases["names/bad\\xff.cu"] = "a name that is not UTF-8"
    # 2. invalid .gitignore lines, and 17. a pattern that backtracks for minutes
    (root / ".gitignore").write_text("foo\\\n!\n\\\n[z-a]\n" + "a*" * 25 + "b\n*.log\n")
    (root / ("a" * 40 + ".cu")).write_bytes(OK)
    # 3. a tree 500 folders deep
    deep = root.joinpath(*["d"] * DEPTH)
    deep.mkdir(parents=True)
    (deep / "deep.cu").write_bytes(OK)
    # 5. CR-only line endings, in C++ and Python
    (root / "cr.cu").write_bytes(b"void f(){\r // c\r cudaFree(0);\r}\r")
    (root / "cr.py").write_bytes(b"import torch\r\rtorch.cuda.synchronize()\r")
    # 6. UTF-16 with a BOM, as Visual Studio saves it
    (root / "utf16.cu").write_bytes("\ufeffvoid f(){cudaFree(0);}\n".encode("utf-16"))
    # 7. a notebook cell holding a lone surrogate escape
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
            "source": ["import torch\n", "x = '\\ud800'\n", "torch.cuda.synchronize()\n"]}
    (root / "nb.ipynb").write_text(json.dumps({"cells": [cell], "metadata": {},
                                               "nbformat": 4, "nbformat_minor": 5}))
    # 8. terminal escapes and 9. Rich markup in names
    (root / ESCAPE_NAME).write_bytes(OK)
    for name in MARKUP_NAMES:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(OK)
    # 10. Trojan Source: a bidi override inside a line
    (root / "trojan.cu").write_text("void f(){ /* \u202e } \u2066 */ cudaFree(0); }\n")
    # 14. FIFOs where files are expected, and a link to a device
    for name in ("fifo.cu", "fifo.py", "sub/pyproject.toml", "sub/.gitignore",
                 "sub/.gitmodules", "sub/fifo.cu"):
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(target)
    (root / "sub" / "ok2.cu").write_bytes(OK)
    os.symlink("/dev/zero", root / "zero.cu")
    os.symlink("/dev/zero", root / "sub2.gitignore")
    (root / "sub2").mkdir()
    os.symlink("/dev/zero", root / "sub2" / ".gitignore")
    (root / "sub2" / "ok3.cu").write_bytes(OK)
    # 16. inputs that made regular expressions quadratic
    (root / "Dockerfile").write_text("\n" * 200_000 + "FROM nvidia/cuda:12.1.0-devel\n")
    (root / "big").mkdir()
    (root / "big" / "CMakeLists.txt").write_text("project(" * 50_000)
    cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
              "source": [f"x{n} = {n}\n"]} for n in range(4000)]
    (root / "many_cells.ipynb").write_text(json.dumps({"cells": cells, "metadata": {},
                                                       "nbformat": 4, "nbformat_minor": 5}))
    return cases


if __name__ == "__main__":
    build(Path(sys.argv[1]))
