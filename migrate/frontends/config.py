"""YAML and JSON configuration, read line by line and never loaded or run.

CI workflows (GitHub Actions, GitLab CI), docker-compose files, Kubernetes manifests,
training configs (Megatron's `model_config.yaml`, DeepSpeed's `ds_config.json`) and
devcontainers. The files are read by a small line-oriented reader that keeps every
value's place (no YAML library: none is a dependency, and nothing in a file is ever
constructed or run). It yields uses under the same keys as the build frontend, and its
language is `build`, so the build tables answer for it:

- a collective backend chosen by a key ending in `backend` (`distributed-backend: nccl`,
  `"dist_backend": "nccl"`): `config:distributed-backend:nccl`;
- container images (`image:`, `container:`, `*-image:`, `uses: docker://...`):
  `docker:<image>`, which dependencies.tsv knows for NVIDIA's images;
- GPU runners: `runs-on:` (and GitLab `tags:`) labels naming a GPU, NVIDIA, a CUDA
  version or an NVIDIA card: `ci:runs-on:gpu`; CI actions `ci:uses:<owner/name>`;
- NVIDIA container GPU access: compose `deploy.resources.reservations.devices` with
  `driver: nvidia` or `capabilities: [gpu]`, service `gpus:` (`docker-compose:gpus`),
  `runtime: nvidia`, `--gpus` in container `options:` (`docker:--gpus`), Kubernetes
  `nvidia.com/gpu` resources (`k8s:nvidia.com/gpu`);
- environment variables: the keys (or `NAME=value` items, or k8s `name:` values) of an
  `env` / `environment` / `variables` / `ENV_VARS` block, and keys the tables name
  exactly anywhere;
- shell scripts in `run:`, `script:`, `before_script:`, `command:`, `entrypoint:`, ...
  values are read as the build frontend reads shell scripts (nvcc and its flags,
  `--distributed-backend nccl`, exports, pip installs; `echo`ed text is a message).

Text elsewhere only mentions a tool: `description: needs nvcc` is no finding.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from migrate.frontends import FrontendOutput, RepoContext
from migrate.frontends.build import LANGUAGE, _BuildScan, _keep_spans
from migrate.frontends.source_text import LineIndex

__all__ = ("LANGUAGE", "extract", "json_nodes", "yaml_nodes")

# A YAML mapping key: quoted, or a plain scalar up to the first `: ` (a plain scalar may
# start with `-`, `?` or `:` when a non-blank follows: `--distributed-backend: nccl`).
_QUOTED_KEY = re.compile(r"""("(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*')[ \t]*:(?=[ \t]|$)""")
_PLAIN_KEY_START = re.compile(r"""[^\s\-?:,\[\]{}#&*!|>'"%@`]|[-?:](?=\S)""")
_KEY_COLON = re.compile(r":(?=[ \t]|$)")
_YAML_COMMENT = re.compile(r"(?:^|[ \t])#")
_BLOCK_INDICATOR = re.compile(r"[|>][-+0-9]*$")
_JSON_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"?|[{}\[\]:,]|[^\s{}\[\]:,"]+')
# Values that name a container image (no variables: `${{ matrix.image }}` is unknown).
_IMAGE = re.compile(r"[A-Za-z0-9][\w.\-/:@]*")
_ACTION = re.compile(r"([A-Za-z0-9][\w.-]*/[\w.-]+)(?:/[^@\s]*)?@\S+")
_LABEL_PART = re.compile(r"[A-Za-z0-9]+")
# One part of a runner label (split at - _ . / and blanks) that names an NVIDIA GPU.
_GPU_LABEL = re.compile(
    r"\d*gpus?|cuda\d*|nvidia|cu\d{2,3}|dgx\w*|rtx\w*"
    r"|a(?:10g?|30|40|100|800|6000)|h(?:20|100|200|800)|l(?:4|20|40s?)|t4|v100|p100|k80"
    r"|b(?:100|200)|gb(?:200|300)", re.I)
_ENV_BLOCKS = frozenset({"env", "environment", "variables", "env-vars", "envs", "envvars",
                         "environment-variables", "containerenv", "remoteenv"})
_SCRIPT_KEYS = frozenset({"run", "script", "before-script", "after-script", "script-setup",
                          "command", "commands", "entrypoint", "cmd", "shell-command"})
_OPTION_KEYS = frozenset({"options", "runargs", "run-args", "docker-args", "docker-options",
                          "container-options", "docker-run-args"})
# Deeper nesting than any configuration has keeps only its innermost names.
_MAX_DEPTH = 64
_ITEM_KEYS = _ENV_BLOCKS | _OPTION_KEYS | {"runs-on", "tags", "capabilities"}
_IMAGE_KEYS = frozenset({"image", "container", "base-image", "from-image", "docker-image",
                         "container-image"})


@dataclass(slots=True)
class Node:
    """One scalar of a configuration file, with where it is.

    `path` holds the normalised names of the enclosing keys (`-` for a list item) and
    `where` the offset of each; `key` is the raw key ("" for a list item's scalar);
    `spans` the (start, end) offsets of the value's text (a block scalar's lines, a
    flow list's items)."""

    path: tuple[str, ...]
    where: tuple[int, ...]
    key: str
    key_start: int
    value: str = ""
    value_start: int = -1
    spans: list[tuple[int, int]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return normalise(self.key)

    @property
    def parent(self) -> str:
        return self.path[-1] if self.path else ""

    @property
    def list_key(self) -> str:
        """For a list item's scalar, the key that holds the list."""
        return self.path[-2] if self.parent == "-" and len(self.path) > 1 else ""

    @property
    def value_end(self) -> int:
        return self.value_start + len(self.value)


def normalise(key: str) -> str:
    """`--Distributed_Backend` -> `distributed-backend`: keys as the rules compare them."""
    key = key.strip()
    if len(key) > 1 and key[0] == key[-1] and key[0] in "\"'":
        key = key[1:-1]
    return key.lstrip("-").replace("_", "-").lower()


def extract(text: str, rel: str, context: RepoContext) -> FrontendOutput:
    scan = _BuildScan(rel, text, LineIndex(text.encode("utf-8")))
    is_json = rel.endswith((".json", ".jsonc"))
    _Rules(scan, context, _is_gitlab(rel)).apply(
        json_nodes(text) if is_json else yaml_nodes(text), text)
    return FrontendOutput(uses=scan.uses, diagnostics=scan.diagnostics)


def _is_gitlab(rel: str) -> bool:
    path = PurePosixPath(rel)
    return "gitlab-ci" in path.name or any(p in (".gitlab", ".gitlab-ci") for p in path.parts)


# -- the rules ----------------------------------------------------------------------------


@dataclass(slots=True)
class _Rules:
    scan: _BuildScan
    context: RepoContext
    gitlab: bool
    # Nodes whose text is shell commands or container options; their spans are read at
    # the end, when block scalars and continuation lines have been added to them.
    scripts: list[Node] = field(default_factory=list)
    options: list[Node] = field(default_factory=list)
    reservations: set[tuple[int, ...]] = field(default_factory=set)

    def apply(self, nodes: Iterator[Node], text: str) -> None:
        for node in nodes:
            self.node(node)
        scripts = [span for node in self.scripts for span in node.spans]
        if scripts:
            self.scan.commands(self.context, _keep_spans(text, scripts))
        options = [span for node in self.options for span in node.spans]
        if options:
            self.scan.command_options(_keep_spans(text, options), docker=True)

    def add(self, start: int, end: int, symbol: str, key: str, kind: str) -> None:
        self.scan.add(start, end, symbol, key, kind)

    def node(self, node: Node) -> None:
        name = node.name
        if not name and not _item_matters(node.list_key):
            return  # most list items of data (numbers, file names) matter to no rule
        value = node.value.strip()
        lowered = value.lower()
        if (name.endswith("backend") or name.endswith("backend-name")) and lowered == "nccl":
            self.add(node.key_start, node.value_end, f"{node.key}: {value}",
                     "config:distributed-backend:nccl", "build")
        self.images(node, name, value)
        self.runners(node, name)
        self.devices(node, name, lowered)
        self.environment(node, name, value)
        if _is_script(name) or _is_script(node.list_key):
            self.scripts.append(node)
        if name in _OPTION_KEYS or node.list_key in _OPTION_KEYS:
            self.options.append(node)

    def images(self, node: Node, name: str, value: str) -> None:
        if not value:
            return
        if name == "uses":
            if value.startswith("docker://"):
                image = value.removeprefix("docker://")
                start = node.value_start + len("docker://")
                self.add(start, start + len(image), image, f"docker:{image}", "dependency")
                return
            action = _ACTION.fullmatch(value)
            if action:
                self.add(node.value_start, node.value_end, value,
                         f"ci:uses:{action.group(1).lower()}", "dependency")
            return
        if (name in _IMAGE_KEYS or name.endswith("-image")) and _IMAGE.fullmatch(value):
            self.add(node.value_start, node.value_end, value, f"docker:{value}", "dependency")

    def runners(self, node: Node, name: str) -> None:
        runner_keys = ("runs-on", "tags") if self.gitlab else ("runs-on",)
        if name not in runner_keys and node.list_key not in runner_keys:
            return
        for start, end in node.spans:
            for part in _LABEL_PART.finditer(self.scan.text, start, end):
                if _GPU_LABEL.fullmatch(part.group()):
                    self.add(part.start(), part.end(), part.group(), "ci:runs-on:gpu",
                             "dependency")
                    return

    def devices(self, node: Node, name: str, lowered: str) -> None:
        if name.startswith("nvidia.com/gpu"):
            self.add(node.key_start, node.key_start + len(node.key), node.key,
                     "k8s:nvidia.com/gpu", "dependency")
        if name in ("runtime", "runtimeclassname") and lowered == "nvidia":
            self.add(node.key_start, node.value_end, f"{node.key}: {node.value}",
                     "docker:--runtime=nvidia", "dependency")
        if name == "gpus" and "services" in node.path:
            self.add(node.key_start, node.key_start + len(node.key), node.key,
                     "docker-compose:gpus", "dependency")
        if "reservations" not in node.path or "devices" not in node.path:
            return
        words = {w.lower() for w in _LABEL_PART.findall(node.value)}
        if (name == "driver" and lowered == "nvidia") or \
                ((name == "capabilities" or node.list_key == "capabilities") and "gpu" in words):
            device = node.path.index("devices")
            item = node.where[:device + 2]  # the devices: list item this node is in
            if item not in self.reservations:
                self.reservations.add(item)
                start = node.key_start if node.key else node.value_start
                self.add(start, node.value_end, (f"{node.key}: " if node.key else "") + node.value,
                         "docker-compose:gpus", "dependency")

    def environment(self, node: Node, name: str, value: str) -> None:
        context = self.context
        if node.key and node.parent in _ENV_BLOCKS:
            variable, start = _unquoted(node.key), node.key_start + (node.key[:1] in "\"'")
        elif not node.key and node.list_key in _ENV_BLOCKS:  # compose: `- NAME=value`
            variable, start = value.split("=", 1)[0].strip(), node.value_start
        elif name == "name" and len(node.path) > 2 and node.path[-2] in _ENV_BLOCKS:
            variable, start = value, node.value_start  # kubernetes: `- name: NAME`
        elif node.key and _unquoted(node.key) in context.environment_names:
            variable, start = _unquoted(node.key), node.key_start + (node.key[:1] in "\"'")
        else:
            return
        if context.environment_variable(variable):
            self.add(start, start + len(variable), variable, variable, "environment")


def _item_matters(list_key: str) -> bool:
    """Whether a list item without a key of its own, in the list under `list_key`,
    can matter to a rule: an environment entry, a runner label, a GPU capability, a
    line of script or a container option."""
    return list_key in _ITEM_KEYS or _is_script(list_key)


def _is_script(name: str) -> bool:
    """Keys whose value is shell: `run`, `script`, devcontainer's `postCreateCommand`."""
    return name in _SCRIPT_KEYS or name.endswith(("command", "commands"))


def _unquoted(key: str) -> str:
    key = key.strip()
    return key[1:-1] if len(key) > 1 and key[0] == key[-1] and key[0] in "\"'" else key


# -- YAML, line by line --------------------------------------------------------------------


def yaml_nodes(text: str) -> Iterator[Node]:
    """The scalars of a YAML text, block style, with their places: enough YAML for
    configuration files (mappings, lists, block and flow scalars, comments, several
    documents); anchors, tags and multi-line flow collections are read as plain text."""
    stack: list[tuple[int, str, int]] = []  # (column, name or "-", offset)
    block: tuple[int, Node] | None = None  # a block scalar being read, and its owner column
    last: tuple[int, Node] | None = None  # the last scalar, for its continuation lines
    offset = 0
    for raw in text.split("\n"):
        line_start, offset = offset, offset + len(raw) + 1
        line = raw.rstrip("\r")
        body = line.lstrip(" ")
        column = len(line) - len(body)
        if block is not None:
            owner, node = block
            if not body.strip() or column > owner:
                if body.strip():
                    node.spans.append((line_start + column, line_start + len(line)))
                continue
            block = None
        if not body.strip() or body.startswith("#"):
            continue
        if body.startswith(("---", "...", "%")) and column == 0:
            stack.clear()
            last = None
            continue
        if last is not None and column > last[0] and not body.startswith("- ") \
                and _yaml_key(line, column, len(line)) is None:
            last[1].spans.append((line_start + column, line_start + _content_end(line, column)))
            continue
        position = column
        while line.startswith("- ", position) or line[position:].rstrip() == "-":
            while stack and (stack[-1][0] > position or
                             (stack[-1][0] == position and stack[-1][1] == "-")):
                stack.pop()
            stack.append((position, "-", line_start + position))
            position += 1
            while line[position:position + 1] == " ":
                position += 1
        end = _content_end(line, position)
        if position >= end:
            continue
        in_script = len(stack) > 1 and stack[-1][1] == "-" and _is_script(stack[-2][1])
        key = None if in_script else _yaml_key(line, position, end)
        if key is None:  # a list item's scalar
            node = _yaml_value(stack, "", line_start + position, line, position, end, line_start)
            owner = stack[-1][0] if stack else -1
        else:
            while stack and stack[-1][0] >= position:
                stack.pop()
            value_at = key[1]
            while line[value_at:value_at + 1] in (" ", "\t"):
                value_at += 1
            node = _yaml_value(stack, key[0], line_start + position, line,
                               min(value_at, end), end, line_start)
            stack.append((position, node.name, line_start + position))
            owner = position
        if _BLOCK_INDICATOR.fullmatch(node.value):
            node.value, node.spans = "", []
            block = (owner, node)
            last = None
        else:
            last = (owner, node) if node.value else None
        yield node


def _yaml_key(line: str, start: int, end: int) -> tuple[str, int] | None:
    """The key of a `key: value` line's content at line[start:end], as written, and
    where its colon ends; None when the content is not a mapping entry."""
    quoted = _QUOTED_KEY.match(line, start, end)
    if quoted:
        return quoted.group(1), quoted.end()
    if not _PLAIN_KEY_START.match(line, start, end):
        return None
    colon = _KEY_COLON.search(line, start, end)
    if colon is None:
        return None
    return line[start:colon.start()].rstrip(" \t"), colon.end()


def _content_end(line: str, start: int) -> int:
    """Where a YAML line's content ends: before a comment (`#` after a blank, outside
    quotes) and trailing blanks."""
    if "#" not in line:
        return len(line.rstrip())
    quote = ""
    for index in range(start, len(line)):
        char = line[index]
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'" and (index == start or line[index - 1] in " \t[{,:"):
            quote = char
        elif char == "#" and _YAML_COMMENT.match(line, index - 1 if index > start else index):
            return len(line[:index].rstrip()) if line[:index].strip() else start
    return len(line.rstrip())


def _yaml_value(stack: list[tuple[int, str, int]], key: str, key_start: int, line: str,
                start: int, end: int, line_start: int) -> Node:
    text = line[start:end]
    inner = stack[-_MAX_DEPTH:]
    node = Node(tuple(s[1] for s in inner), tuple(s[2] for s in inner), key, key_start)
    if len(text) > 1 and text[0] == text[-1] and text[0] in "\"'":
        node.value, node.value_start = text[1:-1], line_start + start + 1
    else:
        node.value, node.value_start = text, line_start + start
    if node.value:
        node.spans.append((node.value_start, node.value_start + len(node.value)))
    return node


# -- JSON ----------------------------------------------------------------------------------


def json_nodes(text: str) -> Iterator[Node]:
    """The scalars of a JSON text with their places. A tokenizer, not a validator:
    broken JSON gives what it can."""
    # Each open container: (is_object, its path, its offsets, pending key, key offset).
    frames: list[list] = []
    path: tuple[str, ...] = ()
    where: tuple[int, ...] = ()
    for token in _JSON_TOKEN.finditer(text):
        word, start = token.group(), token.start()
        frame = frames[-1] if frames else None
        if word in "{[":
            if frame is None:
                child_path, child_where = path, where
            elif frame[0]:
                child_path = (*frame[1], normalise(frame[3] or ""))
                child_where = (*frame[2], frame[4])
                frame[3] = None
            else:
                child_path, child_where = (*frame[1], "-"), (*frame[2], start)
            if len(child_path) > _MAX_DEPTH:  # `[[[[...`: keep the cost linear
                child_path, child_where = child_path[-_MAX_DEPTH:], child_where[-_MAX_DEPTH:]
            frames.append([word == "{", child_path, child_where, None, -1])
        elif word in "}]":
            if frames:
                frames.pop()
        elif word in ":," or frame is None:
            continue
        elif frame[0] and frame[3] is None:  # a key
            frame[3], frame[4] = _json_string(word), start + 1
        else:
            value = _json_string(word) if word.startswith('"') else word
            value_start = start + 1 if word.startswith('"') else start
            node = Node(frame[1] if frame[0] else (*frame[1], "-"),
                        frame[2] if frame[0] else (*frame[2], start),
                        frame[3] or "" if frame[0] else "", frame[4] if frame[0] else start,
                        value, value_start)
            node.spans.append((value_start, value_start + len(word.strip('"'))))
            if frame[0]:
                frame[3] = None
            yield node


def _json_string(token: str) -> str:
    if not token.startswith('"'):
        return token
    try:
        return str(json.loads(token if token.endswith('"') and len(token) > 1 else token + '"'))
    except ValueError:
        return token.strip('"')
