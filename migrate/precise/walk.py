"""Read a parsed translation unit into Use records.

Only cursors located in the main file are visited. A reference counts as CUDA's when
its declaration lives in the CUDA toolkit, in a stand-in file, or (for the thread
built-ins) in clang's CUDA headers; a project's own `cudaFree` or `Stream` is
declared in the project and so is never reported. A name that reaches a place
without being written there says how (`via`): a project macro, a type alias, `auto`,
or a template instantiated with double. FP64 arithmetic and math in device code are
reported under the table keys FP64_* below.
"""

from __future__ import annotations

import ctypes
import re
from dataclasses import dataclass, field

from clang import cindex
from clang.cindex import CursorKind, TypeKind

from migrate.frontends.source_text import LineIndex
from migrate.model import Use

LANGUAGE = "cuda_cpp"
MODE = "precise"
FP64_ARITHMETIC = "fp64-arithmetic (device)"
FP64_LITERAL = "fp64-literal (device)"
FP64_MATH = "fp64-math (device)"
FP64_KEYS = (FP64_ARITHMETIC, FP64_LITERAL, FP64_MATH)
BUILTIN_VARIABLES = frozenset({"threadIdx", "blockIdx", "blockDim", "gridDim", "warpSize"})
# C/C++ math functions whose double overloads have no FP64 hardware behind them.
MATH_FUNCTIONS = frozenset({
    "sqrt", "rsqrt", "cbrt", "exp", "exp2", "exp10", "expm1", "log", "log2", "log10",
    "log1p", "pow", "sin", "cos", "tan", "asin", "acos", "atan", "atan2", "sinh", "cosh",
    "tanh", "asinh", "acosh", "atanh", "erf", "erfc", "erfinv", "lgamma", "tgamma", "fmod",
    "remainder", "hypot", "norm3d", "sincos", "sinpi", "cospi", "floor", "ceil", "round",
    "trunc", "fma", "fabs", "fmin", "fmax", "abs", "max", "min", "logb", "ldexp", "frexp"})
_ARITHMETIC = {"+", "-", "*", "/", "+=", "-=", "*=", "/="}
_REFERENCES = frozenset({CursorKind.DECL_REF_EXPR, CursorKind.MEMBER_REF_EXPR,
                         CursorKind.TYPE_REF, CursorKind.TEMPLATE_REF,
                         CursorKind.OVERLOADED_DECL_REF})
_FUNCTIONS = frozenset({CursorKind.FUNCTION_DECL, CursorKind.CXX_METHOD,
                        CursorKind.FUNCTION_TEMPLATE, CursorKind.CONSTRUCTOR,
                        CursorKind.DESTRUCTOR, CursorKind.CONVERSION_FUNCTION})
_ALIASES = frozenset({CursorKind.TYPEDEF_DECL, CursorKind.TYPE_ALIAS_DECL})
_WRAPPERS = frozenset({CursorKind.UNEXPOSED_EXPR, CursorKind.PAREN_EXPR})
_DEVICE_ATTRS = frozenset({CursorKind.CUDAGLOBAL_ATTR, CursorKind.CUDADEVICE_ATTR})
_DOUBLES = frozenset({TypeKind.DOUBLE, TypeKind.LONGDOUBLE})
_NARROW = frozenset({TypeKind.FLOAT, TypeKind.HALF, TypeKind.FLOAT16, TypeKind.BFLOAT16})
# What a compile-time constant expression is made of.
_CONSTANT_PARTS = frozenset({
    CursorKind.BINARY_OPERATOR, CursorKind.UNARY_OPERATOR, CursorKind.PAREN_EXPR,
    CursorKind.UNEXPOSED_EXPR, CursorKind.CSTYLE_CAST_EXPR, CursorKind.FLOATING_LITERAL,
    CursorKind.INTEGER_LITERAL})
_BUILTINS = frozenset({
    TypeKind.BOOL, TypeKind.CHAR_U, TypeKind.UCHAR, TypeKind.CHAR16, TypeKind.CHAR32,
    TypeKind.USHORT, TypeKind.UINT, TypeKind.ULONG, TypeKind.ULONGLONG, TypeKind.UINT128,
    TypeKind.CHAR_S, TypeKind.SCHAR, TypeKind.WCHAR, TypeKind.SHORT, TypeKind.INT,
    TypeKind.LONG, TypeKind.LONGLONG, TypeKind.INT128, TypeKind.FLOAT, TypeKind.DOUBLE,
    TypeKind.LONGDOUBLE})
_HIDDEN_NAMESPACE = re.compile(r"_|__|\w*_NS$|\w*_\d+_\d+|\w*_SM_\d+")  # CUB_300001_SM_520


@dataclass(frozen=True, slots=True)
class Origins:
    """Where CUDA's declarations live for this parse."""

    cuda_roots: tuple[str, ...]  # toolkit and stand-in folders, each ending in "/"
    resource_dir: str  # clang's: only its thread built-ins count
    repo_root: str
    known_names: frozenset[str] = frozenset()  # table keys, for headers outside the repo


@dataclass(slots=True)
class _Context:
    function: str = ""
    device: bool = False
    doubles: frozenset[str] = frozenset()  # template parameters instantiated with double
    instance: str = ""  # "scale<double>" when `doubles` is set


@dataclass(slots=True)
class Walker:
    tu: cindex.TranslationUnit
    main: str
    data: bytes
    origins: Origins
    lines: LineIndex = field(init=False)
    uses: dict[tuple[int, int, str], Use] = field(default_factory=dict)
    # Places where a name the tables know refers to the project's own declaration (its
    # own `cudaFree` wrapper, `atomicAdd` on the CPU): (line, column, name).
    own: set[tuple[int, int, str]] = field(default_factory=set)
    # Project macro expansions: (start, end, name, the words of its definition).
    macros: list[tuple[int, int, str, frozenset[str]]] = field(default_factory=list)
    instances: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    fp64_rows: set[tuple[int, str]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.lines = LineIndex(self.data)

    def run(self, rel: str) -> list[Use]:
        top = [c for c in self.tu.cursor.get_children() if self.in_main(c)]
        for cursor in top:
            self.collect(cursor)
        for cursor in top:
            self.visit(cursor, _Context())
        return sorted((_with_file(u, rel) for u in self.uses.values()),
                      key=lambda u: (u.line, u.column, u.resolved, u.via))

    # -- locations -------------------------------------------------------------
    def in_main(self, cursor: cindex.Cursor) -> bool:
        location = cursor.location
        return location.file is not None and location.file.name == self.main

    def offset(self, cursor: cindex.Cursor) -> int | None:
        location = cursor.location
        if location.file is None or location.file.name != self.main:
            return None
        return location.offset

    def spelled_at(self, offset: int, name: str) -> bool:
        return self.data[offset:offset + len(name)] == name.encode()

    # -- first pass: macros and template instances ----------------------------
    def collect(self, cursor: cindex.Cursor) -> None:
        """Project macro expansions, and the type arguments templates get."""
        if cursor.kind == CursorKind.MACRO_INSTANTIATION:
            start, end = cursor.extent.start.offset, cursor.extent.end.offset
            definition = cursor.referenced
            if definition is not None and self.cuda_name(definition) is None:
                body = frozenset(t.spelling for t in definition.get_tokens())
                self.macros.append((start, end, cursor.spelling, body))
            return
        for node in cursor.walk_preorder():
            if node.kind in (CursorKind.CALL_EXPR, CursorKind.UNEXPOSED_EXPR):
                self.note_instance(node)

    def note_instance(self, call: cindex.Cursor) -> None:
        """Which template parameters a call (or `<<<>>>` launch) binds to double: the
        explicit arguments (`k<scalar_t>`), else those deduced from the arguments."""
        children = list(call.get_children())
        if not children:
            return
        callee = _strip(children[0])
        overloaded = _overload_set(callee)
        if overloaded is not None:
            templates = [t for t in overloaded_declarations(overloaded)
                         if t.kind == CursorKind.FUNCTION_TEMPLATE]
        elif callee.kind == CursorKind.DECL_REF_EXPR and callee.referenced is not None:
            template = callee.referenced.specialized_template
            templates = [template] if template is not None else []
        else:
            return
        for template in templates:
            if not self.declared_in_repo(template):
                continue
            params = [c.spelling for c in template.get_children()
                      if c.kind == CursorKind.TEMPLATE_TYPE_PARAMETER]
            bound: dict[str, cindex.Type] = {}
            target = callee.referenced
            if overloaded is None and target is not None and \
                    target.get_num_template_arguments() > 0:
                known = [target.get_template_argument_type(i)
                         for i in range(target.get_num_template_arguments())]
            else:
                known = [c.type for c in callee.get_children()
                         if c.kind == CursorKind.TYPE_REF]
            bound.update(zip(params, known, strict=False))
            parameters = [c for c in template.get_children()
                          if c.kind == CursorKind.PARM_DECL]
            # A launch's first children are its <<<...>>> configuration: align from the end.
            arguments = children[1:][-len(parameters):] if parameters else []
            for parameter, argument in zip(parameters, arguments, strict=False):
                name = _type_name(parameter.type)
                if name in params and name not in bound:
                    bound[name] = _pointee_like(argument.type, parameter.type)
            for name, type_ in bound.items():
                if type_.get_canonical().kind in _DOUBLES:
                    self.instances.setdefault(_key(template), {}).setdefault(
                        name, set()).add(f"{template.spelling}<double>")

    # -- second pass -----------------------------------------------------------
    def visit(self, cursor: cindex.Cursor, context: _Context) -> None:
        kind = cursor.kind
        if kind == CursorKind.MACRO_INSTANTIATION:
            self.macro_use(cursor)
            return
        if kind in (CursorKind.MACRO_DEFINITION, CursorKind.INCLUSION_DIRECTIVE):
            return
        if kind in _FUNCTIONS or kind == CursorKind.LAMBDA_EXPR:
            context = self.enter_function(cursor, context)
        if kind in _REFERENCES:
            self.reference(cursor, context)
        elif kind == CursorKind.CALL_EXPR:
            self.call(cursor, context)
        elif kind == CursorKind.VAR_DECL:
            self.auto_variable(cursor, context)
        if context.device and kind in (CursorKind.BINARY_OPERATOR,
                                       CursorKind.COMPOUND_ASSIGNMENT_OPERATOR):
            self.arithmetic(cursor, context)
        for child in cursor.get_children():
            if child.location.file is None or child.location.file.name == self.main:
                self.visit(child, context)

    def enter_function(self, cursor: cindex.Cursor, outer: _Context) -> _Context:
        children = list(cursor.get_children())
        device = any(c.kind in _DEVICE_ATTRS for c in children)
        if cursor.kind == CursorKind.LAMBDA_EXPR:
            return _Context(outer.function, outer.device or device, outer.doubles,
                            outer.instance)
        doubles: frozenset[str] = outer.doubles
        instance = outer.instance
        found = self.instances.get(_key(cursor), {}) if \
            cursor.kind == CursorKind.FUNCTION_TEMPLATE else {}
        if found:
            doubles = frozenset(found)
            instance = sorted(set().union(*found.values()))[0]
        return _Context(cursor.spelling, device, doubles, instance)

    def macro_use(self, cursor: cindex.Cursor) -> None:
        definition = cursor.referenced
        name = self.cuda_name(definition) if definition is not None else None
        if name is None:
            return
        start = cursor.extent.start.offset
        self.add(start, start + len(cursor.spelling), cursor.spelling, name, "macro",
                 _Context(), "")

    def reference(self, cursor: cindex.Cursor, context: _Context) -> None:
        offset = self.offset(cursor)
        if offset is None:
            return
        overloaded = _overload_set(cursor)
        if overloaded is not None:
            targets = overloaded_declarations(overloaded)
            names = {self.cuda_name(t) for t in targets}
            if len(names) != 1 or None in names:
                return  # a set mixing the project's own overloads is not CUDA's
            name = names.pop()
            assert name is not None
            self.add_reference(offset, cursor.spelling, name, "call", context, cursor)
            return
        target = cursor.referenced
        if target is None:
            return
        if target.kind == CursorKind.FIELD_DECL:
            return  # a member of a CUDA struct (dim3::x) is not a name of the tables
        name = self.cuda_name(target)
        kind = _use_kind(cursor, target)
        if name is None and self.declared_in_repo(target) and \
                self.spelled_at(offset, target.spelling) and \
                (target.spelling in self.origins.known_names
                 or _qualified(target) in self.origins.known_names) and \
                not self.implicit(target) and _own_code(target):
            line, column = self.lines.position(offset)
            self.own.add((line, column, target.spelling))
        if name is not None:
            self.add_reference(offset, cursor.spelling, name, kind, context, cursor)
        elif cursor.kind == CursorKind.TYPE_REF and target.kind in _ALIASES:
            underlying = self.through_aliases(target)
            if underlying is not None and self.spelled_at(offset, target.spelling):
                self.add(offset, offset + len(target.spelling), target.spelling,
                         underlying, "type", context, f"alias:{target.spelling}")

    def implicit(self, declaration: cindex.Cursor) -> bool:
        """A function clang declares where it is first used (the `__syncthreads`
        builtin, a C call without a prototype): nothing is declared at that place."""
        if declaration.kind != CursorKind.FUNCTION_DECL:
            return False
        at = cindex.Cursor.from_location(self.tu, declaration.location)
        return at is None or not at.kind.is_declaration()

    def add_reference(self, offset: int, spelling: str, name: str, kind: str,
                      context: _Context, cursor: cindex.Cursor | None = None) -> None:
        """A CUDA name at `offset`: written there (a macro argument too), or reached
        through a project macro."""
        last = name.rsplit("::", 1)[-1]
        word = spelling or last
        if cursor is not None and not self.spelled_at(offset, word) and \
                not self.spelled_at(offset, last):
            path, written = spelling_location(cursor.location)
            if path.startswith(self.origins.cuda_roots):
                return  # from a CUDA macro's body (cuMemAlloc_v2): the macro is the use
            if path == self.main and self.spelled_at(written, word):
                offset = written
        for text in (word, last):  # a type's spelling is "class ns::Name": Name is written
            if self.spelled_at(offset, text):
                self.add(offset, offset + len(text), text, name, kind, context, "")
                return
        macro = self.macro_at(offset)
        if macro is None:
            return  # from a CUDA macro's own body: the macro is the use
        start, end, macro_name, body = macro
        if word in body or last in body:
            return  # written in the project macro's body: found there, where it changes
        written = self.data[start:end].decode("utf-8", "replace")
        if re.search(rf"\b{re.escape(last)}\b", written):
            return  # written in the macro's arguments: found where it is written
        self.add(start, end, " ".join(written.split())[:160], name, kind, context,
                 f"macro:{macro_name}")

    def macro_at(self, offset: int) -> tuple[int, int, str, frozenset[str]] | None:
        for start, end, name, body in self.macros:
            if start == offset or start <= offset < end:
                return start, end, name, body
        return None

    def through_aliases(self, alias: cindex.Cursor) -> str | None:
        """The CUDA type a chain of project typedefs/usings ends in."""
        for _ in range(8):
            declaration = _declaration(alias.underlying_typedef_type)
            if declaration is None:
                return None
            name = self.cuda_name(declaration)
            if name is not None:
                return name
            if declaration.kind not in _ALIASES:
                return None
            alias = declaration
        return None

    def call(self, cursor: cindex.Cursor, context: _Context) -> None:
        target = cursor.referenced
        callee = _first_child(cursor)
        if context.device:
            self.math(cursor, target, callee, context)
        if target is None or callee is None:
            return
        name = self.cuda_name(target)
        if name is None:
            return
        head = _strip(callee)
        if head.kind in (CursorKind.DECL_REF_EXPR, CursorKind.MEMBER_REF_EXPR) and \
                head.referenced is not None and self.cuda_name(head.referenced) == name:
            return  # the reference itself is reported
        offset = self.offset(head) if head.kind in _REFERENCES else self.offset(cursor)
        if offset is not None:
            self.add_reference(offset, cursor.spelling, name, "call", context, head)

    def auto_variable(self, cursor: cindex.Cursor, context: _Context) -> None:
        """`auto s = <CUDA-typed expression>;`: the variable is of a CUDA type."""
        if cursor.type.kind != TypeKind.AUTO:
            return
        offset = self.offset(cursor)
        if offset is None or not self.spelled_at(offset, cursor.spelling):
            return
        expressions = [c for c in cursor.get_children() if c.kind.is_expression()]
        if not expressions:
            return
        declaration = _declaration(expressions[-1].type)
        if declaration is None:
            return
        name = self.cuda_name(declaration)
        if name is None and declaration.kind in _ALIASES:
            name = self.through_aliases(declaration)
        if name is not None:
            self.add(offset, offset + len(cursor.spelling), cursor.spelling, name, "type",
                     context, "auto")

    # -- FP64 in device code ---------------------------------------------------
    def arithmetic(self, cursor: cindex.Cursor, context: _Context) -> None:
        operator = _operator(cursor)
        if operator not in _ARITHMETIC:
            return
        operands = [c for c in cursor.get_children() if c.kind.is_expression()]
        if len(operands) != 2:
            return
        bases = [_strip(o) for o in operands]
        if _constant(cursor):
            return  # `2.0f / M_PI` is folded by the compiler: no double instruction runs
        via = ""
        literal = [b for b in bases if b.kind == CursorKind.FLOATING_LITERAL
                   and b.type.get_canonical().kind == TypeKind.DOUBLE]
        others = [b for b in bases if b not in literal]
        if context.doubles and any(self.depends_on(o, context.doubles) for o in operands):
            key, via = FP64_ARITHMETIC, f"template:{context.instance}"
        elif literal and others and (others[0].type.kind == TypeKind.DEPENDENT or
                                     others[0].type.get_canonical().kind in _NARROW):
            key = FP64_LITERAL
        elif any(_truly_double(o) for o in operands):
            key = FP64_ARITHMETIC
        else:
            return
        self.add_fp64(cursor, key, operator, context, via)

    def math(self, cursor: cindex.Cursor, target: cindex.Cursor | None,
             callee: cindex.Cursor | None, context: _Context) -> None:
        head = _strip(callee) if callee is not None else None
        overloaded = _overload_set(head) if head is not None else None
        spelled = overloaded.spelling if overloaded is not None else \
            (head.spelling if head is not None else "")
        name = (cursor.spelling or spelled).rsplit("::", 1)[-1]
        if name not in MATH_FUNCTIONS:
            return
        if target is not None:
            if self.declared_in_repo(target):
                return  # the project's own sqrt
            if cursor.type.get_canonical().kind not in _DOUBLES:
                return
            arguments = list(cursor.get_children())[1:]
            if arguments and all(_strip(a).type.get_canonical().kind in _NARROW
                                 for a in arguments):
                return  # fabs(float) meets the host's double fabs; device code has fabsf
            self.add_fp64(callee or cursor, FP64_MATH, name, context, "")
            return
        arguments = list(cursor.get_children())[1:]
        if context.doubles and any(self.depends_on(a, context.doubles) for a in arguments):
            self.add_fp64(callee or cursor, FP64_MATH, name, context,
                          f"template:{context.instance}")
        elif any(_truly_double(a) for a in arguments):  # unresolved (ambiguous) call
            self.add_fp64(callee or cursor, FP64_MATH, name, context, "")

    @staticmethod
    def depends_on(cursor: cindex.Cursor, names: frozenset[str]) -> bool:
        """Whether an expression in a template has one of the type parameters `names`."""
        return any(_type_name(node.type) in names for node in cursor.walk_preorder()
                   if node.kind.is_expression())

    def add_fp64(self, cursor: cindex.Cursor, key: str, symbol: str, context: _Context,
                 via: str) -> None:
        offset = self.offset(cursor)
        if offset is None:
            return
        row = self.lines.row_of(offset)
        if (row, key) in self.fp64_rows:
            return  # one finding per line and kind: the line is the unit of work
        self.fp64_rows.add((row, key))
        end = cursor.extent.end.offset if cursor.extent.end.file is not None and \
            cursor.extent.end.file.name == self.main else offset + 1
        text = self.data[offset:max(end, offset + 1)].decode("utf-8", "replace")
        self.add(offset, max(end, offset + 1), " ".join(text.split())[:160] or symbol, key,
                 "call" if key == FP64_MATH else "identifier", context, via)

    # -- declarations ------------------------------------------------------------
    def cuda_name(self, declaration: cindex.Cursor) -> str | None:
        """The table key of a CUDA declaration; None for anything else."""
        location = declaration.location
        if location.file is None:
            return None
        path = location.file.name
        if path.startswith(self.origins.cuda_roots):
            return _qualified(declaration)
        if path.startswith(self.origins.resource_dir):
            return declaration.spelling if declaration.spelling in BUILTIN_VARIABLES \
                else None
        if self.origins.known_names and not path.startswith(self.origins.repo_root):
            if declaration.kind in _ALIASES and \
                    declaration.underlying_typedef_type.get_canonical().kind in _BUILTINS:
                return None  # int64_t, size_t of the C library, not a CUDA library's
            name = _qualified(declaration)
            return name if name in self.origins.known_names else None
        return None

    def declared_in_repo(self, declaration: cindex.Cursor) -> bool:
        location = declaration.location
        return location.file is not None and (
            location.file.name == self.main
            or location.file.name.startswith(self.origins.repo_root))

    def add(self, start: int, end: int, symbol: str, resolved: str, kind: str,
            context: _Context, via: str) -> None:
        line, column = self.lines.position(start)
        end_line, end_column = self.lines.position(end)
        key = (line, column, resolved)
        if key in self.uses:
            return
        self.uses[key] = Use(
            file="", line=line, column=column, end_line=end_line, end_column=end_column,
            symbol=symbol, resolved=resolved, kind=kind, language=LANGUAGE,
            source_line=self.lines.line_text(start), function=context.function,
            via=via, mode=MODE)


def _with_file(use: Use, rel: str) -> Use:
    return use._replace(file=rel)


def _key(cursor: cindex.Cursor) -> str:
    return cursor.get_usr() or f"{cursor.spelling}@{cursor.location.offset}"


def _overload_set(cursor: cindex.Cursor) -> cindex.Cursor | None:
    """The overload-set cursor a name stands for (itself or what it references)."""
    if cursor.kind == CursorKind.OVERLOADED_DECL_REF:
        return cursor
    target = cursor.referenced if cursor.kind == CursorKind.DECL_REF_EXPR else None
    return target if target is not None and \
        target.kind == CursorKind.OVERLOADED_DECL_REF else None


def _first_child(cursor: cindex.Cursor) -> cindex.Cursor | None:
    return next(iter(cursor.get_children()), None)


def _strip(cursor: cindex.Cursor) -> cindex.Cursor:
    """Below implicit casts and parentheses."""
    while cursor.kind in _WRAPPERS:
        child = _first_child(cursor)
        if child is None:
            break
        cursor = child
    return cursor


def _declaration(type_: cindex.Type) -> cindex.Cursor | None:
    """The declaration a (sugared) type names, through pointers and references."""
    for _ in range(6):
        kind = type_.kind
        if kind in (TypeKind.POINTER, TypeKind.LVALUEREFERENCE, TypeKind.RVALUEREFERENCE):
            type_ = type_.get_pointee()
            continue
        if kind == TypeKind.ELABORATED:
            type_ = type_.get_named_type()
            continue
        declaration = type_.get_declaration()
        if declaration is None or declaration.kind == CursorKind.NO_DECL_FOUND:
            return None
        return declaration
    return None


def _constant(expression: cindex.Cursor) -> bool:
    """Literals and operators only (a macro such as M_PI expands to a literal): the
    compiler computes it, the device never does."""
    return all(node.kind in _CONSTANT_PARTS for node in expression.walk_preorder())


def _own_code(declaration: cindex.Cursor) -> bool:
    """Whether the project's declaration of a name the tables know is its own code (a
    look-alike): a function with a body (a CPU `atomicAdd`), or anything inside a
    namespace, class or function (`util::cudaFree`, a local `dim3`). A declaration at
    file scope without a body (a prototype, a typedef, an enum, a function pointer) is
    the project's copy of CUDA's API, made to load it at run time: still CUDA to port."""
    if declaration.kind in (CursorKind.FUNCTION_DECL, CursorKind.CXX_METHOD,
                            CursorKind.FUNCTION_TEMPLATE) and declaration.is_definition():
        return True
    parent = declaration.semantic_parent
    while parent is not None and parent.kind == CursorKind.ENUM_DECL:
        parent = parent.semantic_parent  # CUDA_SUCCESS of a copied `typedef enum`
    return parent is not None and parent.kind not in (CursorKind.TRANSLATION_UNIT,
                                                      CursorKind.LINKAGE_SPEC)


def _truly_double(expression: cindex.Cursor) -> bool:
    """A double operand that is not merely a float promoted by a double literal
    (`a * 0.5 + b` with float a, b is one literal finding, not also arithmetic)."""
    base = _strip(expression)
    if base.kind == CursorKind.FLOATING_LITERAL:
        return False
    if base.kind == CursorKind.BINARY_OPERATOR and _operator(base) in _ARITHMETIC:
        return any(_truly_double(o) for o in base.get_children() if o.kind.is_expression())
    return base.type.get_canonical().kind in _DOUBLES


def _pointee_like(argument: cindex.Type, parameter: cindex.Type) -> cindex.Type:
    """The argument's type with as many pointer levels removed as `T*` has."""
    while parameter.kind == TypeKind.POINTER and argument.get_canonical().kind == \
            TypeKind.POINTER:
        parameter, argument = parameter.get_pointee(), argument.get_canonical().get_pointee()
    return argument


def _type_name(type_: cindex.Type) -> str:
    spelling = type_.spelling.replace("const ", "").replace("volatile ", "")
    return spelling.rstrip("&* ").strip()


def _operator(cursor: cindex.Cursor) -> str:
    try:
        operator = cursor.binary_operator
        spelled = {"Add": "+", "Sub": "-", "Mul": "*", "Div": "/", "AddAssign": "+=",
                   "SubAssign": "-=", "MulAssign": "*=", "DivAssign": "/="}
        return spelled.get(operator.name, operator.name)
    except (AttributeError, ValueError):
        return ""


def _use_kind(cursor: cindex.Cursor, target: cindex.Cursor) -> str:
    if cursor.kind in (CursorKind.TYPE_REF, CursorKind.TEMPLATE_REF):
        return "type"
    if target.kind in _FUNCTIONS:
        return "call"
    return "identifier"


def _qualified(declaration: cindex.Cursor) -> str:
    """`ns::Class::name`, without anonymous and version namespaces; a template
    specialisation is named by its template."""
    parts = [declaration.spelling]
    parent = declaration.semantic_parent
    while parent is not None and parent.kind != CursorKind.TRANSLATION_UNIT:
        if parent.kind in (CursorKind.NAMESPACE, CursorKind.CLASS_DECL,
                           CursorKind.STRUCT_DECL, CursorKind.CLASS_TEMPLATE,
                           CursorKind.UNION_DECL, CursorKind.ENUM_DECL):
            name = parent.spelling
            scoped_enum = parent.kind == CursorKind.ENUM_DECL and not parent.is_scoped_enum()
            if name and not scoped_enum and not (
                    parent.kind == CursorKind.NAMESPACE and _HIDDEN_NAMESPACE.match(name)):
                parts.append(name)
        parent = parent.semantic_parent
    return "::".join(reversed(parts))


def overloaded_declarations(cursor: cindex.Cursor) -> list[cindex.Cursor]:
    """The candidates of an unresolved overload set (the bindings do not expose them)."""
    lib = cindex.conf.lib
    count_of, nth = lib.clang_getNumOverloadedDecls, lib.clang_getOverloadedDecl
    if nth.restype is not cindex.Cursor:
        count_of.argtypes, count_of.restype = [cindex.Cursor], ctypes.c_uint
        nth.argtypes, nth.restype = [cindex.Cursor, ctypes.c_uint], cindex.Cursor
    found = []
    for index in range(count_of(cursor)):
        declaration = nth(cursor, index)
        if declaration is not None and not declaration.kind.is_invalid():
            declaration._tu = cursor._tu
            found.append(declaration)
    return found


def spelling_location(location: cindex.SourceLocation) -> tuple[str, int]:
    """(file, byte offset) where a token was written, inside a macro argument too."""
    file = cindex.c_object_p()
    line, column, offset = ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint()
    cindex.conf.lib.clang_getSpellingLocation(location, ctypes.byref(file),
                                              ctypes.byref(line), ctypes.byref(column),
                                              ctypes.byref(offset))
    return (str(cindex.File(file).name) if file else ""), offset.value
