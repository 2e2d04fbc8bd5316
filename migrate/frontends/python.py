"""Python / PyTorch sources on tree-sitter-python, with import aliases resolved.

A name counts only through what the file imported: `tc.synchronize()` after
`import torch.cuda as tc` is `torch.cuda.synchronize`; a local `cuda` variable
is nothing. Strings count only where they mean something to CUDA: a device
string in a device position, a distributed backend, an environment variable.
Docstrings and comments never count. The CUDA source handed to
`load_inline(cuda_sources=...)` is scanned as CUDA, at its place in this file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

import tree_sitter
import tree_sitter_python

from migrate.frontends import FrontendOutput, RepoContext, build, cpp_parse, cuda_cpp
from migrate.frontends.source_text import LineIndex
from migrate.model import Use

LANGUAGE = "python"
_IDENTIFIER = re.compile(rb"[A-Za-z_]\w*")
_DEVICE_STRING = re.compile(r"cuda(:\d+)?")
# A string literal that may count: a device or backend name, or an upper-case word (an
# environment variable when the tables know it).
_STRING_CANDIDATE = re.compile(rb"""["'](cuda(?::\d+)?|nccl|[A-Z][A-Z0-9_]+)["']""")
# Calls whose positional arguments are devices, and keywords that take a device.
_DEVICE_CALLS = frozenset({"device", "to", "set_device", "Device", "device_of", "cuda",
                           "autocast", "default_device", "set_default_device"})
_DEVICE_KEYWORDS = frozenset({"device", "device_type", "map_location", "device_map",
                              "dev", "target_device", "output_device"})
_BACKEND_CALLS = frozenset({"init_process_group", "new_group", "Backend"})
_TENSOR_METHODS = frozenset({"cuda", "is_cuda"})


@cache
def _parser() -> tree_sitter.Parser:
    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_python.language()))


def extract(text: str, rel: str, context: RepoContext) -> FrontendOutput:
    data = text.encode("utf-8")
    tree = _parser().parse(data)
    scan = _PythonScan(rel, data, tree.root_node, LineIndex(data), context)
    scan.read_imports()
    scan.find_names()
    scan.find_strings()
    scan.find_inline_cuda()
    if rel.rsplit("/", 1)[-1] == "setup.py":
        scan.uses.extend(build.flag_uses(text, rel))
    return FrontendOutput(uses=scan.uses, error_share=_error_share(tree.root_node, len(data)),
                          diagnostics=scan.diagnostics)


def _error_share(root: tree_sitter.Node, size: int) -> float:
    return cpp_parse.error_share(root, size)


def _text(node: tree_sitter.Node) -> str:
    return node.text.decode("utf-8", errors="replace") if node.text is not None else ""


def _last_name(function: tree_sitter.Node | None) -> str:
    if function is None:
        return ""
    if function.type == "attribute":
        attribute = function.child_by_field_name("attribute")
        return _text(attribute) if attribute is not None else ""
    return _text(function) if function.type == "identifier" else ""


def _string_value(node: tree_sitter.Node) -> str | None:
    """The text of a plain (non-f, non-concatenated) string literal."""
    if node.type != "string":
        return None
    parts = [c for c in node.children if c.type == "string_content"]
    if any(c.type == "interpolation" for c in node.children):
        return None
    return "".join(_text(c) for c in parts)


def _in_position(node: tree_sitter.Node, word: str, keywords: frozenset[str],
                 calls: frozenset[str]) -> bool:
    """Whether a string literal stands where a `word` (device, backend) is expected: a
    keyword argument named so, an argument of a call that takes one, a comparison, or an
    assignment or default to a name containing the word."""
    parent = node.parent
    while parent is not None and parent.type in ("conditional_expression",
                                                 "parenthesized_expression"):
        node, parent = parent, parent.parent
    if parent is None:
        return False
    if parent.type == "keyword_argument":
        name = _text(parent.child_by_field_name("name"))
        return name in keywords or word in name
    if parent.type == "argument_list":
        call = parent.parent
        return call is not None and _last_name(call.child_by_field_name("function")) in calls
    if parent.type == "comparison_operator":
        return True
    if parent.type in ("assignment", "default_parameter", "typed_default_parameter"):
        target = parent.child_by_field_name("left") or parent.child_by_field_name("name")
        return target is not None and word in _text(target).lower()
    return False


@dataclass(slots=True)
class _PythonScan:
    rel: str
    data: bytes
    root: tree_sitter.Node
    lines: LineIndex
    context: RepoContext
    uses: list[Use] = field(default_factory=list)
    diagnostics: list = field(default_factory=list)
    aliases: dict[str, str] = field(default_factory=dict)
    seen: set[tuple[int, int, str]] = field(default_factory=set)

    def add(self, node: tree_sitter.Node, symbol: str, resolved: str, kind: str,
            alternatives: tuple[str, ...] = ()) -> None:
        key = (node.start_byte, node.end_byte, resolved)
        if key in self.seen:
            return
        self.seen.add(key)
        line, column = self.lines.position(node.start_byte)
        end_line, end_column = self.lines.position(node.end_byte)
        self.uses.append(Use(
            file=self.rel, line=line, column=column, end_line=end_line, end_column=end_column,
            symbol=symbol[:160], resolved=resolved, kind=kind, language=LANGUAGE,
            source_line=self.lines.line_text(node.start_byte), alternatives=alternatives,
        ))

    def nodes_of(self, *types: str):
        """Outermost nodes of the given types, in source order."""
        stack = [self.root]
        while stack:
            node = stack.pop()
            if node.type in types:
                yield node
                continue
            stack.extend(reversed(node.named_children))

    # -- imports --------------------------------------------------------------------

    def read_imports(self) -> None:
        if b"import" not in self.data:
            return
        for node in self.nodes_of("import_statement", "import_from_statement",
                                  "function_definition", "class_definition"):
            if node.type in ("function_definition", "class_definition"):
                self.read_nested_imports(node)
            elif node.type == "import_statement":
                self.read_import(node)
            else:
                self.read_from_import(node)

    def read_nested_imports(self, node: tree_sitter.Node) -> None:
        body = node.child_by_field_name("body")
        if body is None or b"import" not in (body.text or b""):
            return
        stack = list(body.named_children)
        while stack:
            child = stack.pop()
            if child.type == "import_statement":
                self.read_import(child)
            elif child.type == "import_from_statement":
                self.read_from_import(child)
            else:
                stack.extend(child.named_children)

    def read_import(self, node: tree_sitter.Node) -> None:
        for child in node.named_children:
            if child.type == "aliased_import":
                module = _text(child.child_by_field_name("name"))
                alias = _text(child.child_by_field_name("alias"))
                self.aliases[alias] = module
            elif child.type == "dotted_name":
                module = _text(child)
                head = module.split(".")[0]
                self.aliases.setdefault(head, head)
            else:
                continue
            self.add(child, f"import {module}", module, "import", self.parents_of(module))

    def read_from_import(self, node: tree_sitter.Node) -> None:
        module_node = node.child_by_field_name("module_name")
        if module_node is None or module_node.type != "dotted_name":
            return  # relative imports name the project's own code
        module = _text(module_node)
        for child in node.children_by_field_name("name"):
            if child.type == "aliased_import":
                name = _text(child.child_by_field_name("name"))
                local = _text(child.child_by_field_name("alias"))
            else:
                name = local = _text(child)
            full = f"{module}.{name}"
            self.aliases[local] = full
            self.add(child, f"from {module} import {name}", full, "import",
                     (module, *self.parents_of(module)))

    @staticmethod
    def parents_of(dotted: str) -> tuple[str, ...]:
        parts = dotted.split(".")
        return tuple(".".join(parts[:i]) for i in range(len(parts) - 1, 0, -1))

    # -- names ----------------------------------------------------------------------

    def find_names(self) -> None:
        """Attribute chains rooted at an imported name, and `.cuda()`-style methods."""
        roots = {local for local, target in self.aliases.items()
                 if self.context.wanted(target.split(".")[0]) or self.context.wanted(local)}
        tokens = {t.decode() for t in set(_IDENTIFIER.findall(self.data))}
        wanted = (roots | _TENSOR_METHODS) & tokens
        if not wanted:
            return
        pattern = re.compile(rb"\b(?:" + b"|".join(re.escape(t.encode()) for t in wanted) + rb")\b")
        for match in pattern.finditer(self.data):
            node = self.root.descendant_for_byte_range(match.start(), match.end())
            if node is None or node.type != "identifier":
                continue
            token = match.group().decode()
            if token in roots and self.is_chain_root(node):
                self.add_chain(node, token)
            elif token in _TENSOR_METHODS:
                self.add_method(node, token)

    @staticmethod
    def is_chain_root(node: tree_sitter.Node) -> bool:
        parent = node.parent
        if parent is None:
            return True
        if parent.type == "attribute":
            return parent.child_by_field_name("object") == node
        if parent.type in ("dotted_name", "aliased_import", "import_statement",
                           "import_from_statement", "keyword_argument"):
            return parent.type == "keyword_argument" and parent.child_by_field_name("value") == node
        if parent.type in ("function_definition", "class_definition", "parameters",
                           "default_parameter", "typed_parameter"):
            return False
        return not (parent.type == "assignment" and parent.child_by_field_name("left") == node)

    def add_chain(self, node: tree_sitter.Node, token: str) -> None:
        chain = node
        names = [token]
        while chain.parent is not None and chain.parent.type == "attribute" \
                and chain.parent.child_by_field_name("object") == chain:
            chain = chain.parent
            names.append(_text(chain.child_by_field_name("attribute")))
        resolved = ".".join([self.aliases[token], *names[1:]])
        parent = chain.parent
        is_call = parent is not None and parent.type == "call" and \
            parent.child_by_field_name("function") == chain
        is_decorator = parent is not None and parent.type == "decorator"
        kind = "call" if is_call or is_decorator else "attribute"
        # No fallback to parent names here: `tl.load` is not a use of `triton.language`
        # worth counting again; the import already was.
        self.add(chain, ".".join(names), resolved, kind)

    def add_method(self, node: tree_sitter.Node, token: str) -> None:
        parent = node.parent
        if parent is None or parent.type != "attribute" or \
                parent.child_by_field_name("attribute") != node:
            return
        obj = parent.child_by_field_name("object")
        root = obj
        while root is not None and root.type == "attribute":
            root = root.child_by_field_name("object")
        if root is not None and root.type == "identifier" and _text(root) in self.aliases:
            return  # `torch.cuda` is a module attribute, not a tensor method
        call = parent.parent
        is_call = call is not None and call.type == "call" and \
            call.child_by_field_name("function") == parent
        if token == "cuda" and not is_call:
            return
        self.add(parent, f".{token}()" if is_call else f".{token}", f"Tensor.{token}",
                 "call" if is_call else "attribute")

    # -- strings --------------------------------------------------------------------

    def find_strings(self) -> None:
        for node in self.string_nodes():
            value = _string_value(node)
            if value is None:
                continue
            if _DEVICE_STRING.fullmatch(value) and self.in_device_position(node):
                self.add(node, _text(node), "device:cuda", "device-string")
            elif value == "nccl" and self.in_backend_position(node):
                self.add(node, _text(node), "backend:nccl", "device-string")
            elif self.context.environment_variable(value) and not self.is_docstring(node):
                self.add(node, _text(node), value, "environment")

    def string_nodes(self):
        """Strings that may be a device, a backend or an environment variable the tables
        know, judged by their text before any tree lookup."""
        for match in _STRING_CANDIDATE.finditer(self.data):
            word = match.group(1)
            if word[:1].isupper() and not self.context.environment_variable(word.decode()):
                continue
            node = self.root.descendant_for_byte_range(match.start() + 1, match.end() - 1)
            while node is not None and node.type != "string":
                node = node.parent if node.type in ("string_content",) else None
            if node is not None:
                yield node

    @staticmethod
    def is_docstring(node: tree_sitter.Node) -> bool:
        return node.parent is not None and node.parent.type == "expression_statement"

    def in_device_position(self, node: tree_sitter.Node) -> bool:
        return _in_position(node, "device", _DEVICE_KEYWORDS, _DEVICE_CALLS)

    def in_backend_position(self, node: tree_sitter.Node) -> bool:
        return _in_position(node, "backend", frozenset(), _BACKEND_CALLS)

    # -- CUDA embedded in Python strings -------------------------------------------

    def find_inline_cuda(self) -> None:
        if b"cuda_sources" not in self.data:
            return
        for match in re.finditer(rb"\bcuda_sources\s*=", self.data):
            node = self.root.descendant_for_byte_range(match.start(), match.start() + 12)
            keyword = node.parent if node is not None else None
            if keyword is None or keyword.type != "keyword_argument":
                continue
            value = keyword.child_by_field_name("value")
            for literal in self.string_literals_of(value):
                self.scan_embedded_cuda(literal)

    def string_literals_of(self, value: tree_sitter.Node | None) -> list[tree_sitter.Node]:
        """The literal strings an argument stands for: itself, a list of them, or a name
        assigned a literal at module level."""
        if value is None:
            return []
        if value.type == "string":
            return [value]
        if value.type in ("list", "tuple"):
            return [c for item in value.named_children for c in self.string_literals_of(item)]
        if value.type == "identifier":
            name = _text(value)
            for child in self.root.named_children:
                assignment = child.named_children[0] if child.type == "expression_statement" \
                    and child.named_children else None
                if assignment is not None and assignment.type == "assignment" and \
                        _text(assignment.child_by_field_name("left")) == name:
                    return self.string_literals_of(assignment.child_by_field_name("right"))
        return []

    def scan_embedded_cuda(self, literal: tree_sitter.Node) -> None:
        for content in literal.children:
            if content.type != "string_content":
                continue
            line, column = self.lines.position(content.start_byte)
            output = cuda_cpp.extract_bytes(
                self.data[content.start_byte:content.end_byte], self.rel, self.context,
                line_offset=line - 1, first_column_offset=column - 1,
            )
            self.uses.extend(output.uses)
