"""HCL2 text into a small syntax tree with a line and column on every node.

python-hcl2 (https://github.com/amplify-education/python-hcl2) supplies the grammar and its Lark LALR
parser; its parse tree keeps the position of every node (``propagate_positions``), which its dict
output drops (``with_meta`` gives block lines only, and expressions come back as text to re-parse).
So this module walks the raw Lark tree into the nodes below, and the evaluator never sees Lark.

- Heredocs are one token in that grammar; their body is scanned here as a template
  (``${...}``, ``%{if}``/``%{for}`` directives, ``$${`` and ``%%{`` escapes) and each interpolation
  is parsed on its own, its positions shifted to where it sits in the file.
- Comments are kept per file (line, text) for ``# pipelint: ignore`` suppressions.
- Bad syntax is an :class:`~pipelint.errors.InputError` with the file, line, column and a sentence.

The parser (building its tables takes seconds) is cached under the user's cache folder, never next
to the inputs and never in a shared temporary folder (Lark's cache is a pickle).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pipelint.errors import InputError
from pipelint.records import field, record

MAX_DEPTH = 400  # parse-tree depth refused beyond this (about 130 levels of brackets)


# -- the tree ------------------------------------------------------------------------------------

@record(eq=False)
class Node:
    line: int
    col: int


@record(eq=False)
class Literal(Node):
    value: Any  # str, int, float, bool or None


@record(eq=False)
class Template(Node):
    """A quoted string or heredoc: literal text (str) and expressions, directives as nested nodes."""

    parts: list
    heredoc: bool = False


@record(eq=False)
class TemplateIf(Node):
    cond: Node
    then: list
    other: list


@record(eq=False)
class TemplateFor(Node):
    key: str | None
    value: str
    collection: Node
    body: list


@record(eq=False)
class TupleExpr(Node):
    items: list


@record(eq=False)
class ObjectExpr(Node):
    items: list  # (key node, value node); a bare identifier key is a Name with literal=True


@record(eq=False)
class Name(Node):
    name: str
    literal: bool = False  # an object key written as a bare word: the word itself, not a variable


@record(eq=False)
class GetAttr(Node):
    obj: Node
    name: str


@record(eq=False)
class Index(Node):
    obj: Node
    key: Node


@record(eq=False)
class Splat(Node):
    obj: Node
    steps: list  # ("attr", name) / ("index", node), applied to every element


@record(eq=False)
class Call(Node):
    name: str
    args: list
    expand: bool = False  # f(list...)


@record(eq=False)
class Conditional(Node):
    cond: Node
    then: Node
    other: Node


@record(eq=False)
class Binary(Node):
    op: str
    left: Node
    right: Node


@record(eq=False)
class Unary(Node):
    op: str
    operand: Node


@record(eq=False)
class Paren(Node):
    expr: Node


@record(eq=False)
class ForExpr(Node):
    key_var: str | None
    value_var: str
    collection: Node
    key: Node | None  # object form: key => value
    value: Node
    cond: Node | None
    group: bool = False  # value...


@record(eq=False)
class Attribute:
    name: str
    expr: Node
    line: int
    col: int


@record(eq=False)
class Block:
    type: str
    labels: list
    body: "Body"
    line: int
    col: int
    end_line: int
    file: "HclFile | None" = field(default=None, repr=False)


@record(eq=False)
class Body:
    attributes: dict = field(default_factory=dict)  # name -> Attribute
    blocks: list = field(default_factory=list)

    def blocks_of(self, kind: str) -> list:
        return [b for b in self.blocks if b.type == kind]


@record(eq=False)
class HclFile:
    path: Path
    display: str
    body: Body
    comments: list  # (line, text)


# -- the parser ------------------------------------------------------------------------------------

_PARSER: list = []


def _cache_path() -> str | bool:
    base = os.environ.get("XDG_CACHE_HOME") or (os.path.join(os.path.expanduser("~"), ".cache")
                                                  if os.path.expanduser("~") != "~" else "")
    if not base:
        return False
    try:
        import hcl2

        folder = Path(base) / "pipelint"
        folder.mkdir(parents=True, exist_ok=True)
        return str(folder / f"hcl2-{getattr(hcl2, '__version__', 'x')}.lark")
    except OSError:
        return False


def parser():
    if not _PARSER:
        from lark import Lark

        import hcl2.parser
        from hcl2.postlexer import PostLexer

        grammar = Path(hcl2.parser.__file__).parent / "hcl2.lark"
        _PARSER.append(Lark.open(str(grammar), parser="lalr", cache=_cache_path(), propagate_positions=True,
                                 postlex=PostLexer()))
    return _PARSER[0]


def _parse_tree(text: str, display: str, line_base: int = 0):
    from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

    try:
        return parser().parse(text + "\n")
    except UnexpectedCharacters as exc:
        char = text[exc.pos_in_stream] if exc.pos_in_stream is not None and exc.pos_in_stream < len(text) else ""
        raise InputError(display, f"invalid HCL: unexpected character {char!r}", exc.line + line_base,
                         exc.column) from None
    except UnexpectedEOF:
        raise InputError(display, "invalid HCL: the file ends inside a block, string or expression "
                         "(a closing brace, bracket or quote is missing)",
                         line_base + text.rstrip("\n").count("\n") + 1) from None
    except UnexpectedToken as exc:
        token = exc.token
        if token.type == "$END":
            raise InputError(display, "invalid HCL: the file ends inside a block, string or expression "
                             "(a closing brace, bracket or quote is missing)",
                             line_base + text.rstrip("\n").count("\n") + 1) from None
        what = "the end of the file" if token.type == "$END" else repr(str(token).strip() or str(token))
        raise InputError(display, f"invalid HCL: unexpected {what}", (token.line or 0) + line_base or None,
                         token.column) from None
    except UnexpectedInput as exc:  # pragma: no cover - the three above are all Lark raises
        raise InputError(display, "invalid HCL", getattr(exc, "line", None), getattr(exc, "column", None)) from None
    except (LarkError, RecursionError) as exc:
        raise InputError(display, f"invalid HCL ({type(exc).__name__})") from None


def parse_file(path: Path, display: str) -> HclFile:
    from pipelint.loaders.documents import read_text

    text = read_text(path, display)
    if text.startswith("\ufeff"):
        text = text[1:]
    return parse_text(text, display, path)


def parse_text(text: str, display: str, path: Path | None = None) -> HclFile:
    tree = _parse_tree(text, display)
    builder = _Builder(display)
    body = builder.body(tree.children[0], 0)
    hcl = HclFile(path or Path(display), display, body, builder.comments)
    _own(body, hcl)
    return hcl


def _own(body: Body, hcl: HclFile) -> None:
    for block in body.blocks:
        block.file = hcl
        _own(block.body, hcl)


def parse_expression(text: str, display: str, line: int, col: int) -> Node:
    """One expression (an interpolation of a heredoc) at ``line``/``col`` of its file."""
    if "\n" not in text and not text.strip():
        raise InputError(display, "invalid HCL: an empty interpolation ${}", line, col)
    tree = _parse_tree("x = (" + text + ")", display, line - 1)
    builder = _Builder(display, line - 1, col - 6)  # the expression starts at column 6 of the wrapper
    body = builder.body(tree.children[0], 0)
    attribute = body.attributes.get("x")
    if attribute is None:  # pragma: no cover - the wrapper always makes one attribute
        raise InputError(display, "invalid HCL in an interpolation", line, col)
    expr = attribute.expr
    return expr.expr if isinstance(expr, Paren) else expr


def parse_template(text: str, display: str) -> Template:
    """A template file (``templatefile``): its whole text is a template, as a heredoc body is."""
    return Template(1, 1, _assemble(_scan_template(text, display, 1), display))


# -- Lark tree -> nodes ------------------------------------------------------------------------------

_BINARY_TOKENS = {"DOUBLE_EQ": "==", "NEQ": "!=", "LT": "<", "GT": ">", "LEQ": "<=", "GEQ": ">=", "MINUS": "-",
                  "ASTERISK": "*", "SLASH": "/", "PERCENT": "%", "DOUBLE_AMP": "&&", "DOUBLE_PIPE": "||",
                  "PLUS": "+"}


class _Builder:
    def __init__(self, display: str, line_base: int = 0, col_base: int = 0):
        self.display = display
        self.line_base = line_base
        self.col_base = col_base  # applies to the first line only (an interpolation inside a heredoc line)
        self.comments: list = []

    # positions
    def pos(self, item) -> tuple[int, int]:
        from lark import Token

        if isinstance(item, Token):
            line, col = item.line or 1, item.column or 1
        else:
            meta = item.meta
            line, col = (getattr(meta, "line", 1), getattr(meta, "column", 1)) if not meta.empty else (1, 1)
        return line + self.line_base, col + (self.col_base if line == 1 else 0)

    def fail(self, message: str, item) -> InputError:
        return InputError(self.display, f"invalid HCL: {message}", *self.pos(item))

    def _deep(self, depth: int, item) -> None:
        if depth > MAX_DEPTH:
            raise InputError(self.display, f"HCL nested deeper than {MAX_DEPTH} syntax levels, more than pipelint "
                             "reads", *self.pos(item))

    # structure
    def body(self, tree, depth: int) -> Body:
        from lark import Tree

        body = Body()
        for child in tree.children:
            if not isinstance(child, Tree):
                continue
            if child.data == "new_line_or_comment":
                self.note_comments(child)
            elif child.data == "attribute":
                name = self.word(child.children[0])
                if name in body.attributes:
                    first = body.attributes[name].line
                    raise self.fail(f"argument {name!r} is set twice (first on line {first})", child)
                line, col = self.pos(child)
                body.attributes[name] = Attribute(name, self.expr(child.children[2], depth + 1), line, col)
            elif child.data == "block":
                body.blocks.append(self.block(child, depth + 1))
        return body

    def block(self, tree, depth: int) -> Block:
        from lark import Token, Tree

        self._deep(depth, tree)
        kind = self.word(tree.children[0])
        labels, inner = [], None
        for child in tree.children[1:]:
            if isinstance(child, Tree) and child.data == "body":
                inner = self.body(child, depth + 1)
            elif isinstance(child, Tree) and child.data == "string":
                labels.append(self.plain_string(child))
            elif isinstance(child, Tree) and child.data in ("identifier", "keyword", "literal_value"):
                labels.append(self.word(child))
            elif isinstance(child, Tree) and child.data == "new_line_or_comment":
                self.note_comments(child)
            elif isinstance(child, Token):
                continue
        line, col = self.pos(tree)
        end = getattr(tree.meta, "end_line", line - self.line_base) + self.line_base
        return Block(kind, labels, inner or Body(), line, col, end)

    def note_comments(self, tree) -> None:
        for token in tree.children:
            text = str(token).strip()
            if text.startswith(("#", "//", "/*")):
                self.comments.append((self.pos(token)[0], text))

    def word(self, tree) -> str:
        token = tree.children[0] if hasattr(tree, "children") else tree
        return str(token)

    def plain_string(self, tree) -> str:
        """A block label: a quoted string without interpolations."""
        template = self.string(tree, 0)
        if all(isinstance(p, str) for p in template.parts):
            return "".join(template.parts)
        raise self.fail("a block label cannot hold an interpolation", tree)

    # expressions
    def expr(self, tree, depth: int) -> Node:  # noqa: C901 - one dispatch over the grammar's rules
        from lark import Token, Tree

        self._deep(depth, tree)
        if isinstance(tree, Token):  # pragma: no cover - the grammar wraps every token in a rule
            raise self.fail(f"unexpected {str(tree)!r}", tree)
        kind = tree.data
        kids = [c for c in tree.children if not (isinstance(c, Tree) and c.data == "new_line_or_comment")]
        for c in tree.children:
            if isinstance(c, Tree) and c.data == "new_line_or_comment":
                self.note_comments(c)
        line, col = self.pos(tree)
        d = depth + 1
        if kind == "expr_term":
            if isinstance(kids[0], Token) and kids[0].type == "LPAR":
                return Paren(line, col, self.expr(kids[1], d))
            return self.expr(kids[0], d)
        if kind == "conditional":
            exprs = [k for k in kids if isinstance(k, Tree)]
            return Conditional(line, col, self.expr(exprs[0], d), self.expr(exprs[1], d), self.expr(exprs[2], d))
        if kind == "binary_op":
            left, term = kids[0], kids[1]
            term_kids = [k for k in term.children if not (isinstance(k, Tree) and k.data == "new_line_or_comment")]
            operator = term_kids[0].children[0]
            op = _BINARY_TOKENS.get(operator.type, str(operator).strip())
            return Binary(line, col, op, self.expr(left, d), self.expr(term_kids[1], d))
        if kind == "unary_op":
            return Unary(line, col, str(kids[0]), self.expr(kids[1], d))
        if kind == "int_lit":
            return Literal(line, col, int(str(kids[0])))
        if kind == "float_lit":
            return Literal(line, col, float(str(kids[0])))
        if kind == "literal_value":
            return Literal(line, col, {"true": True, "false": False, "null": None}[str(kids[0])])
        if kind == "identifier" or kind == "keyword":
            return Name(line, col, str(kids[0]))
        if kind == "string":
            return self.string(tree, d)
        if kind == "template_string":  # \"...\" inside a directive of a quoted string
            from hcl2.utils import process_escape_sequences

            return Template(line, col, [process_escape_sequences(str(kids[0])[2:-2])])
        if kind in ("heredoc_template", "heredoc_template_trim"):
            return self.heredoc(str(kids[0]), kind.endswith("trim"), line, col)
        if kind == "tuple":
            return TupleExpr(line, col, [self.expr(k, d) for k in kids if isinstance(k, Tree)])
        if kind == "object":
            items = []
            for elem in kids:
                if not isinstance(elem, Tree) or elem.data != "object_elem":
                    continue
                parts = [k for k in elem.children if isinstance(k, Tree)]
                key_tree = parts[0].children[0]
                key = self.object_key(key_tree, d)
                items.append((key, self.expr(parts[1], d)))
            return ObjectExpr(line, col, items)
        if kind == "function_call":
            names = [str(k.children[0]) for k in kids if isinstance(k, Tree) and k.data == "identifier"]
            args_tree = next((k for k in kids if isinstance(k, Tree) and k.data == "arguments"), None)
            args, expand = [], False
            if args_tree is not None:
                for k in args_tree.children:
                    if isinstance(k, Tree) and k.data != "new_line_or_comment":
                        args.append(self.expr(k, d))
                    elif isinstance(k, Token) and k.type == "ELLIPSIS":
                        expand = True
            return Call(line, col, "::".join(names), args, expand)
        if kind == "index_expr_term":
            return Index(line, col, self.expr(kids[0], d), self.index(kids[1], d))
        if kind == "get_attr_expr_term":
            return GetAttr(line, col, self.expr(kids[0], d), self.word(kids[1].children[1]))
        if kind in ("attr_splat_expr_term", "full_splat_expr_term"):
            steps = []
            for step in kids[1].children[1:]:
                if isinstance(step, Tree) and step.data == "get_attr":
                    steps.append(("attr", self.word(step.children[1])))
                elif isinstance(step, Tree):
                    steps.append(("index", self.index(step, d)))
            return Splat(line, col, self.expr(kids[0], d), steps)
        if kind in ("for_tuple_expr", "for_object_expr"):
            return self.for_expr(tree, kind == "for_object_expr", d)
        raise self.fail(f"unsupported expression ({kind})", tree)

    def object_key(self, tree, depth: int) -> Node:
        from lark import Tree

        if isinstance(tree, Tree) and tree.data == "keyword":
            line, col = self.pos(tree)
            return Name(line, col, self.word(tree), literal=True)
        key = self.expr(tree, depth)
        if isinstance(key, Name):
            key.literal = True
        return key

    def index(self, tree, depth: int) -> Node:
        from lark import Token, Tree

        line, col = self.pos(tree)
        if tree.data == "short_index":  # .0
            token = next(k for k in tree.children if isinstance(k, Token) and k.type == "INT_LITERAL")
            return Literal(line, col, int(str(token)))
        inner = next(k for k in tree.children if isinstance(k, Tree) and k.data != "new_line_or_comment")
        return self.expr(inner, depth)

    def for_expr(self, tree, is_object: bool, depth: int) -> ForExpr:
        from lark import Token, Tree

        line, col = self.pos(tree)
        intro = next(k for k in tree.children if isinstance(k, Tree) and k.data == "for_intro")
        names = [self.word(k) for k in intro.children if isinstance(k, Tree) and k.data == "identifier"]
        collection = next(k for k in intro.children if isinstance(k, Tree)
                          and k.data not in ("identifier", "new_line_or_comment"))
        exprs = [k for k in tree.children if isinstance(k, Tree)
                 and k.data not in ("for_intro", "for_cond", "new_line_or_comment")]
        cond_tree = next((k for k in tree.children if isinstance(k, Tree) and k.data == "for_cond"), None)
        cond = None
        if cond_tree is not None:
            cond = self.expr(next(k for k in cond_tree.children if isinstance(k, Tree)
                                  and k.data != "new_line_or_comment"), depth)
        group = any(isinstance(k, Token) and k.type == "ELLIPSIS" for k in tree.children)
        key_var, value_var = (names[0], names[1]) if len(names) == 2 else (None, names[0])
        if is_object:
            return ForExpr(line, col, key_var, value_var, self.expr(collection, depth), self.expr(exprs[0], depth),
                           self.expr(exprs[1], depth), cond, group)
        return ForExpr(line, col, key_var, value_var, self.expr(collection, depth), None, self.expr(exprs[0], depth),
                       cond)

    # templates
    def string(self, tree, depth: int) -> Template:
        from lark import Token, Tree

        from hcl2.utils import process_escape_sequences

        line, col = self.pos(tree)
        flat: list = []
        for part in tree.children:
            if isinstance(part, Token):
                continue  # the quotes
            inner = part.children[0]
            if isinstance(inner, Token):
                text = str(inner)
                if inner.type == "ESCAPED_INTERPOLATION":
                    flat.append(text[1:])
                elif inner.type == "ESCAPED_DIRECTIVE":
                    flat.append(text[1:])
                else:
                    flat.append(process_escape_sequences(text))
                continue
            kind = inner.data
            exprs = [k for k in inner.children if isinstance(k, Tree) and k.data != "new_line_or_comment"]
            strips = [isinstance(k, Token) and k.type == "STRIP_MARKER" for k in inner.children]
            left = len(strips) > 1 and strips[1]
            right = len(strips) > 1 and strips[-2]
            pline, pcol = self.pos(inner)
            if kind == "interpolation":
                flat.append(("expr", self.expr(exprs[0], depth + 1), False, False, pline, pcol))
            elif kind == "template_if_start":
                flat.append(("if", self.expr(exprs[-1], depth + 1), left, right, pline, pcol))
            elif kind == "template_else":
                flat.append(("else", None, left, right, pline, pcol))
            elif kind == "template_endif":
                flat.append(("endif", None, left, right, pline, pcol))
            elif kind == "template_for_start":
                names = [self.word(k) for k in exprs if k.data == "identifier"]
                coll = [k for k in exprs if k.data != "identifier"][0]
                flat.append(("for", (names, self.expr(coll, depth + 1)), left, right, pline, pcol))
            elif kind == "template_endfor":
                flat.append(("endfor", None, left, right, pline, pcol))
        return Template(line, col, _assemble(flat, self.display))

    def heredoc(self, token: str, trim: bool, line: int, col: int) -> Template:
        first_newline = token.index("\n")
        marker = token[2 + trim:first_newline].rstrip("\r")
        body = token[first_newline + 1:]
        body = body.rstrip("\n").rstrip("\r")
        lines = body.split("\n")
        lines = lines[:-1]  # the closing marker line
        if trim:
            widths = [len(x) - len(x.lstrip(" \t")) for x in lines if x.strip()]
            cut = min(widths) if widths else 0
            lines = [x[cut:] for x in lines]
        cut = 0
        if trim:
            widths = [len(x) - len(x.lstrip(" \t")) for x in body.split("\n")[:-1] if x.strip()]
            cut = min(widths) if widths else 0
        text = "\n".join(lines) + ("\n" if lines else "")
        del marker
        flat = _scan_template(text, self.display, line + 1, cut)
        return Template(line, col, _assemble(flat, self.display), True)


# -- template scanning (heredocs) ------------------------------------------------------------------

def _scan_template(text: str, display: str, first_line: int, cut: int = 0) -> list:
    """A heredoc body as the flat part list ``_assemble`` takes: text, and directive/interpolation tuples.
    ``cut``: the indentation ``<<-`` removed from every line (columns point into the file)."""
    flat: list = []
    i, start, n = 0, 0, len(text)
    literal: list = []

    def where(offset: int) -> tuple[int, int]:
        line = first_line + text.count("\n", 0, offset)
        return line, offset - (text.rfind("\n", 0, offset) + 1) + 1 + cut

    while i < n:
        if text.startswith("$${", i) or text.startswith("%%{", i):
            literal.append(text[start:i] + text[i + 1:i + 3])
            i += 3
            start = i
            continue
        if text.startswith("${", i) or text.startswith("%{", i):
            literal.append(text[start:i])
            if literal:
                flat.append("".join(literal))
                literal = []
            end = _closing(text, i + 2, display, where)
            inner = text[i + 2:end]
            left = inner.startswith("~")
            right = inner.endswith("~")
            inner = inner[1 if left else 0:len(inner) - (1 if right else 0)]
            line, col = where(i + 2 + (1 if left else 0))
            if text[i] == "$":
                flat.append(("expr", parse_expression(inner, display, line, col), left, right, line, col))
            else:
                flat.append(_directive(inner, display, line, col, left, right))
            i = end + 1
            start = i
            continue
        i += 1
    literal.append(text[start:])
    if "".join(literal):
        flat.append("".join(literal))
    return flat


def _closing(text: str, i: int, display: str, where) -> int:
    """Index of the ``}`` that closes the interpolation whose body starts at ``i``."""
    depth, n, start = 0, len(text), i
    while i < n:
        c = text[i]
        if c == '"':
            i += 1
            while i < n and text[i] != '"':
                if text[i] == "\\":
                    i += 1
                elif text.startswith("${", i):
                    i = _closing(text, i + 2, display, where)
                i += 1
        elif c in "{([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif c == "}":
            if depth == 0:
                return i
            depth -= 1
        i += 1
    raise InputError(display, "invalid HCL: an interpolation or directive in a heredoc is not closed with }",
                     *where(start - 2))


def _directive(inner: str, display: str, line: int, col: int, left: bool, right: bool) -> tuple:
    words = inner.strip().split(None, 1)
    head = words[0] if words else ""
    rest = words[1] if len(words) > 1 else ""
    if head == "if":
        return ("if", parse_expression(rest, display, line, col), left, right, line, col)
    if head in ("else", "endif", "endfor") and not rest:
        return (head, None, left, right, line, col)
    if head == "for" and " in " in f" {rest} ":
        names_text, coll_text = rest.split(" in ", 1)
        names = [n.strip() for n in names_text.split(",")]
        if 1 <= len(names) <= 2 and all(n.isidentifier() for n in names):
            return ("for", (names, parse_expression(coll_text, display, line, col)), left, right, line, col)
    raise InputError(display, f"invalid HCL: unknown template directive %{{{inner.strip()}}}", line, col)


def _assemble(flat: list, display: str) -> list:
    """Nest ``if``/``else``/``endif`` and ``for``/``endfor`` parts; apply ``~`` strip markers."""
    # strip markers: ~ on the left trims whitespace before, on the right trims whitespace after
    items = list(flat)
    for k, item in enumerate(items):
        if isinstance(item, tuple):
            if item[2] and k > 0 and isinstance(items[k - 1], str):
                items[k - 1] = items[k - 1].rstrip()
            if item[3] and k + 1 < len(items) and isinstance(items[k + 1], str):
                items[k + 1] = items[k + 1].lstrip()
    root: list = []
    stack: list = []  # (kind, node, list being filled)
    current = root
    for item in items:
        if isinstance(item, str):
            if item:
                current.append(item)
            continue
        kind, payload, _, _, line, col = item
        if kind == "expr":
            current.append(payload)
        elif kind == "if":
            node = TemplateIf(line, col, payload, [], [])
            current.append(node)
            stack.append(("if", node))
            current = node.then
        elif kind == "else":
            if not stack or stack[-1][0] != "if":
                raise InputError(display, "invalid HCL: %{else} without %{if}", line, col)
            stack[-1] = ("else", stack[-1][1])
            current = stack[-1][1].other
        elif kind == "endif":
            if not stack or stack[-1][0] not in ("if", "else"):
                raise InputError(display, "invalid HCL: %{endif} without %{if}", line, col)
            stack.pop()
            current = _innermost(root, stack)
        elif kind == "for":
            names, collection = payload
            key, value = (names[0], names[1]) if len(names) == 2 else (None, names[0])
            node = TemplateFor(line, col, key, value, collection, [])
            current.append(node)
            stack.append(("for", node))
            current = node.body
        elif kind == "endfor":
            if not stack or stack[-1][0] != "for":
                raise InputError(display, "invalid HCL: %{endfor} without %{for}", line, col)
            stack.pop()
            current = _innermost(root, stack)
    if stack:
        node = stack[-1][1]
        raise InputError(display, f"invalid HCL: %{{{stack[-1][0]}}} is not closed", node.line, node.col)
    return root


def _innermost(root: list, stack: list) -> list:
    if not stack:
        return root
    kind, node = stack[-1]
    return {"if": lambda: node.then, "else": lambda: node.other, "for": lambda: node.body}[kind]()
