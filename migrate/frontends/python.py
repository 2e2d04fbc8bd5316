"""Python / PyTorch sources on tree-sitter-python, with import aliases resolved.

A name counts only through what the file imported: `tc.synchronize()` after
`import torch.cuda as tc` is `torch.cuda.synchronize`; a local `cuda` variable
is nothing. Strings count only where they mean something to CUDA: a device
string in a device position, a distributed backend, an environment variable.
Docstrings and comments never count. The CUDA source handed to
`load_inline(cuda_sources=...)` is scanned as CUDA, at its place in this file.

Device strings. `"cuda"` / `"cuda:N"` given where torch takes a device (a `device=`
keyword, `.to("cuda")`, `torch.device(...)`, `DeviceMesh(...)`, an assignment or
default to a name holding "device", `device, dtype = "cuda", ...`, argparse's
`default=`/`choices=` of a `--device` option, a `{"device": ...}` entry) is mapped to
`supa` by torch_supa: `device:cuda`. A comparison is different: torch_supa never
rewrites a string the code compares, and a device's type on SUPA is `supa`, so
`x.device.type == "cuda"` turns False after the port: `device-check:cuda`. It counts
only when the other side is a device: an attribute `.device` / `.device_type` / ...,
`.type` of a device (`x.device.type`, `dev.type`, `torch.device(d).type`),
`str(...)` of a device, a call named like one (`get_accelerator().device_name()`),
`devices[i]`, `cfg["device"]`, `kwargs.get("device")`, or a variable named like one.
"Named like a device" means one of its words (split at `_` and camel case) is
device, devices, dev, devs, devtype, devicetype, devicename or devname:
`device_type`, `target_device`, `deviceName`, `VLLM_TARGET_DEVICE`; not
`BUILD_TARGET`, `backend`, `cuda_version` or a bare `d`. Operators: `==`, `!=`,
`"cuda" in <device>` and `<device> in ("cuda", ...)` (and their `not` forms); `is`
and ordering never. A string compared with anything else is no finding.

Other ways into CUDA from Python. NVIDIA's cuda-python bindings (`cuda.cuda`,
`cuda.cudart`, `cuda.bindings.driver` / `.runtime` / `.nvrtc`), a shared library
loaded with ctypes (`ctypes.CDLL("libcudart.so")`, `cdll.LoadLibrary(...)`) and
`torch.cuda.cudart()` all reach CUDA C functions by their C names. The loaded
library is a finding of its own (`ctypes:libcudart`); the name called or read
through the module or handle (`driver.cuLibraryLoadData`,
`_libcudart.cudaDeviceSetLimit`, `torch.cuda.cudart().cudaProfilerStop()`) is
reported under its C name, looked up as the C API it is (language `cuda_cpp`, so the
C tables and the CUDA name universe answer for it), when it has CUDA's shape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

import tree_sitter
import tree_sitter_python

from migrate.frontends import FrontendOutput, RepoContext, build, cpp_parse, cuda_cpp
from migrate.frontends.source_text import LineIndex, at_word_start, word_occurrences
from migrate.model import Use

LANGUAGE = "python"
_DEVICE_STRING = re.compile(r"cuda(:\d+)?")
_IMPORT_WORD = re.compile(rb"import\b")  # at a word start (`at_word_start`)
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
# Calls whose positional arguments are a device, beyond _DEVICE_CALLS, by their whole
# dotted name's ending.
_DEVICE_CALL_SUFFIXES = ("DeviceMesh", "init_device_mesh", "DeviceMesh.from_group")
# Words that make a name a device's (see the module docstring).
_DEVICE_WORDS = frozenset({"device", "devices", "dev", "devs", "devtype", "devicetype",
                           "devicename", "devname"})
_WORD_SPLIT = re.compile(r"_+|(?<=[a-z0-9])(?=[A-Z])")
_EQUALITY = frozenset({"==", "!="})
_MEMBERSHIP = frozenset({"in", "not in"})
_CONTAINERS = frozenset({"tuple", "list", "set"})
DEVICE_CHECK = "device-check:cuda"
# The language whose tables answer for a C name reached from Python.
C_LANGUAGE = "cuda_cpp"
# Module path words of NVIDIA's cuda-python bindings (`cuda.bindings.driver`, the older
# `cuda.cuda` / `cuda.cudart`, the Cython `cydriver` ...); the first other word is a C name.
_CUDA_PYTHON_MODULES = frozenset({"cuda", "cudart", "nvrtc", "bindings", "ccuda", "ccudart",
                                  "cynvrtc", "nvjitlink", "nvvm", "driver", "runtime",
                                  "cydriver", "cyruntime"})
# What the names a scan makes itself come from, none of them a row's words as written:
# `Tensor.cuda` (a method), `device:cuda` and `device-check:cuda` (a device string),
# `backend:nccl`, a C name through cuda-python (`cuda.bindings...`) or `torch.cuda.cudart()`;
# `ctypes:libcudart` from a loader call (`_LOADER`) and what its handle reaches; the CUDA of
# `load_inline(cuda_sources=...)`. A file without them has no use but a row's names.
_MADE_FROM_WORDS = frozenset({"cuda", "nccl"}) | _TENSOR_METHODS
_MADE_FROM_TEXTS = (b"DLL", b"LoadLibrary", b"cuda_sources")
# ctypes (and win32) calls that load a shared library by name or path.
_LOADER = re.compile(rb"\b(CDLL|PyDLL|WinDLL|OleDLL|LoadLibrary)\s*\(")
_LIBRARY_PATH_CALLS = frozenset({"find_library", "join", "str", "Path"})
# NVIDIA libraries by file name (`libcudart.so.12`, `cudart64_12.dll`, `nvcuda.dll`,
# cuDNN's parts `libcudnn_ops.so.9`) or by the short name `ctypes.util.find_library`
# takes (`cudart`).
_NVIDIA_LIBRARY = re.compile(
    r"(?:lib)?(cudart|cuda|nvcuda|nvidia-ml|nvml|cublasLt|cublas|cudnn(?:_[a-z]+)*|nccl|nvrtc|"
    r"cufft|curand|cusparse|cusolver|nvToolsExt|nvJitLink|cupti)(?:64(?:_\d+)+)?"
    r"(?:\.so(?:\.[\d.]+)?|\.dll|\.dylib)?")
# `torch.cuda.cudart()`: a handle to CUDA's runtime, whose members are C names.
_CUDART_CHAIN = "torch.cuda.cudart"
_LIBRARY_KEYS = {"cuda": "libcuda", "nvcuda": "libcuda", "nvml": "libnvidia-ml"}


@cache
def _parser() -> tree_sitter.Parser:
    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_python.language()))


def extract(text: str, rel: str, context: RepoContext) -> FrontendOutput:
    data = text.encode("utf-8")
    if not may_hold_uses(data, context):  # nothing to find: the tree is not worth making
        return FrontendOutput(uses=build.python_build_uses(text, rel), error_share=0.0)
    tree = _parser().parse(data)
    scan = _PythonScan(rel, data, tree.root_node, LineIndex(data), context)
    scan.read_imports()
    scan.find_names()
    scan.find_libraries()
    scan.find_handle_members()
    scan.find_strings()
    scan.find_inline_cuda()
    scan.uses.extend(build.python_build_uses(text, rel))
    return FrontendOutput(uses=scan.uses, error_share=_error_share(tree.root_node, len(data)),
                          diagnostics=scan.diagnostics)


def may_hold_uses(data: bytes, context: RepoContext) -> bool:
    """Whether a file may hold a use: a word of what `_PythonScan` makes names of itself
    (`_MADE_FROM_WORDS`, `_MADE_FROM_TEXTS`), or the words of a row that could answer an
    import or attribute chain (`RepoContext.python_words_met`). CUTLASS's Python under
    its own `cutlass` package holds neither in half of its files. A file without is not
    parsed; its error share is 0."""
    met = context.python_words_met
    if met is None or any(text in data for text in _MADE_FROM_TEXTS) or \
            word_occurrences(data, _MADE_FROM_WORDS):
        return True
    return met(cuda_cpp.words_of(data))


def _error_share(root: tree_sitter.Node, size: int) -> float:
    return cpp_parse.error_share(root, size)


def _cuda_python(name: str) -> bool:
    """A name under NVIDIA's cuda-python bindings (`cuda.bindings.driver.cuInit`): its
    chain reaches C names whatever the tables say of the chain itself."""
    return name.split(".", 1)[0] == "cuda"


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


def library_key(path: str) -> str | None:
    """`libcudart` for `/usr/local/cuda/lib64/libcudart.so.12`, `cudart64_12.dll` or
    `cudart`; None when the file is not one of NVIDIA's CUDA libraries."""
    match = _NVIDIA_LIBRARY.fullmatch(path.replace("\\", "/").rsplit("/", 1)[-1])
    if match is None:
        return None
    name = match.group(1).split("_")[0]
    return _LIBRARY_KEYS.get(name, f"lib{name}")


def _device_named(name: str) -> bool:
    """Whether one of the words of `name` says device (see the module docstring)."""
    return any(word.lower() in _DEVICE_WORDS for word in _WORD_SPLIT.split(name) if word)


def _unwrap(node: tree_sitter.Node | None) -> tree_sitter.Node | None:
    while node is not None and node.type == "parenthesized_expression" and node.named_children:
        node = node.named_children[0]
    return node


def _positional(call: tree_sitter.Node) -> list[tree_sitter.Node]:
    arguments = call.child_by_field_name("arguments")
    if arguments is None or arguments.type != "argument_list":
        return []
    return [a for a in arguments.named_children if a.type not in ("keyword_argument",
                                                                  "comment")]


def _keyword(call: tree_sitter.Node, name: str) -> tree_sitter.Node | None:
    arguments = call.child_by_field_name("arguments")
    for argument in arguments.named_children if arguments is not None else ():
        if argument.type == "keyword_argument" and \
                _text(argument.child_by_field_name("name")) == name:
            return argument.child_by_field_name("value")
    return None


def _is_device(node: tree_sitter.Node | None) -> bool:
    """Whether an expression stands for a device, its type or its name: what a string
    compared with it must be for the comparison to be a device check."""
    node = _unwrap(node)
    if node is None:
        return False
    if node.type == "identifier":
        return _device_named(_text(node))
    if node.type == "attribute":
        name = _text(node.child_by_field_name("attribute"))
        if name == "type":  # x.device.type, dev.type, torch.device(d).type
            return _is_device(node.child_by_field_name("object"))
        return _device_named(name)
    if node.type == "subscript":  # devices[0], cfg["device"]
        index = node.child_by_field_name("subscript")
        key = _string_value(index) if index is not None else None
        return _is_device(node.child_by_field_name("value")) or \
            (key is not None and _device_named(key))
    if node.type == "call":
        name = _last_name(node.child_by_field_name("function"))
        arguments = _positional(node)
        if name in ("str", "repr"):  # str(x.device)
            return bool(arguments) and _is_device(arguments[0])
        if name in ("get", "getattr", "pop"):  # kwargs.get("device"), getattr(x, "device")
            keys = [_string_value(a) for a in arguments[:2]]
            return any(k is not None and _device_named(k) for k in keys)
        return _device_named(name)  # device_name(), get_device_type(), torch.device(d)
    return False


def _compared_with_device(node: tree_sitter.Node, comparison: tree_sitter.Node) -> bool:
    """Whether `node`, an operand of `comparison` (a string, or a tuple, list or set of
    strings), is compared with a device by ==, != or a membership test."""
    operands: list[tree_sitter.Node] = []
    operators: list[str] = []
    for index, child in enumerate(comparison.children):
        if comparison.field_name_for_child(index) == "operators":
            operators.append(child.type)
        elif child.is_named:
            operands.append(child)
    if node not in operands:
        return False
    at = operands.index(node)
    before = operators[at - 1] if 0 < at <= len(operators) else ""
    after = operators[at] if at < len(operators) else ""
    if node.type in _CONTAINERS:  # device.type in ("cuda", "cuda:0")
        return before in _MEMBERSHIP and _is_device(operands[at - 1])
    if before in _EQUALITY and _is_device(operands[at - 1]):
        return True
    return after in _EQUALITY | _MEMBERSHIP and _is_device(operands[at + 1])


def _is_device_option(call: tree_sitter.Node | None) -> bool:
    """An argparse `add_argument("--device", ...)` (or a `dest=` naming a device)."""
    if call is None or call.type != "call" or \
            _last_name(call.child_by_field_name("function")) != "add_argument":
        return False
    names = [_string_value(a) for a in _positional(call)]
    dest = _keyword(call, "dest")
    names.append(_string_value(dest) if dest is not None else None)
    return any(n is not None and _device_named(n.lstrip("-").replace("-", "_"))
               for n in names)


def _call_of(argument: tree_sitter.Node) -> tree_sitter.Node | None:
    """The call an argument (or keyword argument) belongs to."""
    arguments = argument.parent
    return arguments.parent if arguments is not None and arguments.type == "argument_list" \
        else None


def _past_wrappers(node: tree_sitter.Node) -> tuple[tree_sitter.Node, tree_sitter.Node | None]:
    """`node` or the `a if c else b` / parentheses around it, and what holds that."""
    parent = node.parent
    while parent is not None and parent.type in ("conditional_expression",
                                                 "parenthesized_expression"):
        node, parent = parent, parent.parent
    return node, parent


def _in_position(node: tree_sitter.Node, word: str, keywords: frozenset[str],
                 calls: frozenset[str]) -> bool:
    """Whether a string literal stands where a `word` (device, backend) is expected: a
    keyword argument named so, an argument of a call that takes one, a comparison, or an
    assignment or default to a name containing the word."""
    node, parent = _past_wrappers(node)
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
    # Names (or `self.x` attributes) bound to a loaded CUDA library or to
    # `torch.cuda.cudart()`: what is called through them is a C function.
    handles: set[str] = field(default_factory=set)
    answers: dict[str, bool] = field(default_factory=dict)  # `answered`, by chain
    continued: dict[str, bool] = field(default_factory=dict)  # `continues`, by chain

    def add(self, node: tree_sitter.Node, symbol: str, resolved: str, kind: str,
            alternatives: tuple[str, ...] = (), language: str = LANGUAGE) -> None:
        key = (node.start_byte, node.end_byte, resolved)
        if key in self.seen:
            return
        self.seen.add(key)
        line, column = self.lines.position(node.start_byte)
        end_line, end_column = self.lines.position(node.end_byte)
        self.uses.append(Use(
            file=self.rel, line=line, column=column, end_line=end_line, end_column=end_column,
            symbol=symbol[:160], resolved=resolved, kind=kind, language=language,
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
        """The imports anywhere in a function's or class's body, last first (as a walk
        from the right meets them: a later binding of the same alias wins). They are
        found by their `import` keyword: walking a class's body visited every node."""
        body = node.child_by_field_name("body")
        if body is None:
            return
        statements: dict[int, tree_sitter.Node] = {}
        for match in _IMPORT_WORD.finditer(self.data, body.start_byte, body.end_byte):
            if not at_word_start(self.data, match.start()):
                continue
            keyword = self.root.descendant_for_byte_range(match.start(), match.end())
            statement = keyword.parent if keyword is not None and \
                keyword.type == "import" else None
            if statement is not None and statement.type in ("import_statement",
                                                            "import_from_statement"):
                statements[statement.start_byte] = statement
        for start in sorted(statements, reverse=True):
            statement = statements[start]
            if statement.type == "import_statement":
                self.read_import(statement)
            else:
                self.read_from_import(statement)

    def read_import(self, node: tree_sitter.Node) -> None:
        for child in node.named_children:
            if child.type == "aliased_import":
                module = _text(child.child_by_field_name("name"))
                alias = _text(child.child_by_field_name("alias"))
                if not module or not alias:  # a name parse recovery made up (missing)
                    continue
                self.aliases[alias] = module
            elif child.type == "dotted_name":
                module = _text(child)
                if not module:  # `import;`: the recovery's missing name, nothing written
                    continue
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
        if not module:  # a name parse recovery made up (missing): nothing was written
            return
        for child in node.children_by_field_name("name"):
            if child.type == "aliased_import":
                name = _text(child.child_by_field_name("name"))
                local = _text(child.child_by_field_name("alias"))
            else:
                name = local = _text(child)
            if not name or not local:
                continue
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
                 if (self.context.wanted(target.split(".")[0]) or self.context.wanted(local))
                 and (local in _TENSOR_METHODS or self.may_lead(target))}
        # A handful of words: each is searched for itself, at memchr speed.
        for start, token in word_occurrences(self.data, roots | _TENSOR_METHODS):
            node = self.root.descendant_for_byte_range(start, start + len(token))
            if node is None or node.type != "identifier":
                continue
            if token in roots:
                parent = node.parent
                if self.is_chain_root(node, parent):
                    self.add_chain(node, parent, token)
                    continue
            if token in _TENSOR_METHODS:
                self.add_method(node, token)

    @staticmethod
    def is_chain_root(node: tree_sitter.Node, parent: tree_sitter.Node | None) -> bool:
        """Whether `node` (whose parent is `parent`) starts an attribute chain of its own."""
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

    def add_chain(self, node: tree_sitter.Node, parent: tree_sitter.Node | None, token: str
                  ) -> None:
        """The attribute chain rooted at `node` (whose parent is `parent`)."""
        chain = node
        names = [token]
        resolved = self.aliases[token]
        whole_walk = _cuda_python(resolved)
        # Each `.parent` walks down from the root again: every one is asked for once.
        while parent is not None and parent.type == "attribute" \
                and parent.child_by_field_name("object") == chain:
            if not whole_walk and not self.continues(resolved):
                return  # nothing the tables know lies below: no longer chain is a use
            chain = parent
            names.append(_text(chain.child_by_field_name("attribute")))
            resolved += "." + names[-1]
            parent = chain.parent
        is_call = parent is not None and parent.type == "call" and \
            parent.child_by_field_name("function") == chain
        is_decorator = parent is not None and parent.type == "decorator"
        kind = "call" if is_call or is_decorator else "attribute"
        c_names = self.cuda_python_names(resolved)
        if c_names:  # driver.cuLibraryLoadData: the C function, by its C name
            self.add(chain, ".".join(names), c_names[-1], kind, tuple(reversed(c_names[:-1])),
                     language=C_LANGUAGE)
            return
        # No fallback to parent names here: `tl.load` is not a use of `triton.language`
        # worth counting again; the import already was.
        if self.answered(resolved):
            self.add(chain, ".".join(names), resolved, kind)
        if resolved == _CUDART_CHAIN and is_call:  # torch.cuda.cudart().cudaX()
            self.bind_handle(parent)

    def answered(self, resolved: str) -> bool:
        """Whether the tables answer for chain `resolved` (all do without the tables' own
        lookup); a file writes the same chains again and again."""
        known = self.answers.get(resolved)
        if known is None:
            lookup = self.context.python_answered
            known = self.answers[resolved] = lookup is None or lookup(resolved)
        return known

    def may_lead(self, target: str) -> bool:
        """Whether a chain rooted at a name bound to `target` may be a use (`add_chain`):
        the tables answer for the name itself or may for a longer chain, or it is
        cuda-python's or `torch.cuda.cudart`. (`from cutlass.cute import nvgpu` in
        CUTLASS's own Python leads nowhere: its chains are not even looked at.)"""
        return _cuda_python(target) or target == _CUDART_CHAIN or \
            self.answered(target) or self.continues(target)

    def continues(self, resolved: str) -> bool:
        """Whether a longer chain than `resolved` may be a use: the tables may answer for
        one (`RepoContext.python_continues`), or it may reach `torch.cuda.cudart()`."""
        known = self.continued.get(resolved)
        if known is None:
            lookup = self.context.python_continues
            known = self.continued[resolved] = lookup is None or lookup(resolved) or \
                _CUDART_CHAIN.startswith(resolved + ".")
        return known

    def cuda_python_names(self, resolved: str) -> list[str]:
        """The CUDA-shaped C names a cuda-python attribute chain reaches, outermost last:
        `cuda.bindings.runtime.cudaError_t.cudaSuccess` gives cudaError_t, cudaSuccess."""
        if not _cuda_python(resolved):
            return []
        rest = resolved.split(".")[1:]
        while rest and rest[0] in _CUDA_PYTHON_MODULES:
            rest = rest[1:]
        if not rest or not self.context.wanted(rest[0]):
            return []  # cuda.core's Python objects, or the project's own `cuda` package
        return [p for p in rest if self.context.wanted(p)]

    # -- C libraries reached through ctypes or torch.cuda.cudart() -----------------

    def find_libraries(self) -> None:
        """`ctypes.CDLL("libcudart.so")` and the like, when the library is NVIDIA's."""
        if b"DLL" not in self.data and b"LoadLibrary" not in self.data:
            return  # a literal search: the pattern's leading \b makes it ten times slower
        for match in _LOADER.finditer(self.data):
            node = self.root.descendant_for_byte_range(match.start(1), match.end(1))
            if node is None or node.type != "identifier":
                continue
            function = node.parent if node.parent is not None and \
                node.parent.type == "attribute" and \
                node.parent.child_by_field_name("attribute") == node else node
            call = function.parent
            if call is None or call.type != "call" or \
                    call.child_by_field_name("function") != function:
                continue
            library = self.library_of(call)
            if library is not None:
                self.add(call, _text(call), f"ctypes:{library}", "import")
                self.bind_handle(call)

    def library_of(self, call: tree_sitter.Node) -> str | None:
        """`libcudart` for a call that loads `libcudart.so.12`, `cudart64_12.dll` or
        `find_library("cudart")`; None for any other library or a name not written."""
        arguments = _positional(call)
        value = arguments[0] if arguments else _keyword(call, "name")
        for _ in range(3):  # find_library("cudart"), os.path.join(d, "libcudart.so")
            value = _unwrap(value)
            if value is None or value.type != "call" or \
                    _last_name(value.child_by_field_name("function")) not in _LIBRARY_PATH_CALLS:
                break
            inner = _positional(value)
            value = inner[-1] if inner else None
        for literal in self.string_literals_of(value):
            key = library_key(_string_value(literal) or "")
            if key:
                return key
        return None

    def bind_handle(self, call: tree_sitter.Node | None) -> None:
        """What a library-giving call is used for: a member read at once
        (`CDLL(...).cudaFree`), or a name it is assigned to (`_lib = CDLL(...)`)."""
        parent = call.parent if call is not None else None
        if parent is None:
            return
        if parent.type == "attribute" and parent.child_by_field_name("object") == call:
            self.add_member(parent)
        elif parent.type == "assignment" and parent.child_by_field_name("right") == call:
            target = parent.child_by_field_name("left")
            if target is not None and target.type in ("identifier", "attribute"):
                self.handles.add(_text(target))

    def find_handle_members(self) -> None:
        for handle in sorted(self.handles):
            pattern = re.compile(rb"(?<![\w.])" + re.escape(handle.encode()) +
                                 rb"\s*\.\s*([A-Za-z_]\w*)")
            for match in pattern.finditer(self.data):
                node = self.root.descendant_for_byte_range(match.start(1), match.end(1))
                member = node.parent if node is not None else None
                if member is not None and member.type == "attribute" and \
                        member.child_by_field_name("attribute") == node and \
                        _text(member.child_by_field_name("object")) == handle:
                    self.add_member(member)

    def add_member(self, member: tree_sitter.Node) -> None:
        """`_libcudart.cudaDeviceSetLimit`: the C function, when it has CUDA's shape."""
        name_node = member.child_by_field_name("attribute")
        name = _text(name_node)
        if name_node is None or not self.context.wanted(name):
            return
        call = member.parent
        is_call = call is not None and call.type == "call" and \
            call.child_by_field_name("function") == member
        self.add(name_node, _text(member), name, "call" if is_call else "attribute",
                 language=C_LANGUAGE)

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
            if _DEVICE_STRING.fullmatch(value):
                key = self.device_key(node)
                if key:
                    self.add(node, _text(node), key, "device-string")
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

    def device_key(self, node: tree_sitter.Node) -> str | None:
        """`device:cuda` for a device string where torch takes a device,
        `device-check:cuda` for one compared with a device, else None."""
        inner, parent = _past_wrappers(node)
        if parent is None:
            return None
        if parent.type == "comparison_operator":
            return DEVICE_CHECK if _compared_with_device(inner, parent) else None
        if parent.type in _CONTAINERS | {"expression_list"}:
            return self.device_key_in_container(inner, parent)
        if parent.type == "pair":  # {"device": "cuda"}
            key = _string_value(parent.child_by_field_name("key"))
            return "device:cuda" if parent.child_by_field_name("value") == inner and \
                key is not None and _device_named(key) else None
        if parent.type == "keyword_argument" and \
                _text(parent.child_by_field_name("name")) in ("default", "const"):
            return "device:cuda" if _is_device_option(_call_of(parent)) else None
        if parent.type == "argument_list" and parent.parent is not None and \
                _text(parent.parent.child_by_field_name("function")).endswith(
                    _DEVICE_CALL_SUFFIXES):  # DeviceMesh.from_group(pg, "cuda")
            return "device:cuda"
        if _in_position(node, "device", _DEVICE_KEYWORDS, _DEVICE_CALLS):
            return "device:cuda"
        return None

    def device_key_in_container(self, item: tree_sitter.Node, container: tree_sitter.Node
                                ) -> str | None:
        """A device string inside a tuple, list or set: compared with a device
        (`dev.type in ("cuda", "xpu")`), unpacked into a device variable
        (`device, dtype = "cuda", torch.bfloat16`), or a device option's `choices=`."""
        holder = container.parent
        while holder is not None and holder.type == "parenthesized_expression":
            container, holder = holder, holder.parent
        if holder is None:
            return None
        if holder.type == "comparison_operator":
            return DEVICE_CHECK if _compared_with_device(container, holder) else None
        if holder.type == "assignment" and holder.child_by_field_name("right") == container:
            targets = holder.child_by_field_name("left")
            items = container.named_children
            if targets is None or targets.type not in ("pattern_list", "tuple_pattern") \
                    or item not in items:
                return None
            names = targets.named_children
            at = items.index(item)
            if at < len(names) and len(names) == len(items):
                target = names[at]
                name = _text(target.child_by_field_name("attribute")) \
                    if target.type == "attribute" else _text(target)
                return "device:cuda" if _device_named(name) else None
            return None
        if holder.type == "keyword_argument" and \
                _text(holder.child_by_field_name("name")) == "choices":
            return "device:cuda" if _is_device_option(_call_of(holder)) else None
        return None

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
