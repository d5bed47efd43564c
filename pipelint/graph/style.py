"""What every format of ``pipelint graph`` draws alike: the colour of a verdict, the legend, the words
for an edge, the order boxes nest in."""

from __future__ import annotations

from pipelint import chain
from pipelint.graph.model import Edge, Graph

# verdict -> (colour, what it means); structural edges are grey
COLOURS = {chain.HOLDS: "#2e7d32", chain.FAILS: "#c62828", chain.UNVERIFIED: "#b26a00"}
STRUCTURE = "#90a4ae"
MEANING = {chain.HOLDS: "holds: the policies allow the request",
           chain.FAILS: "fails: the request is denied (AccessDenied at run time)",
           chain.UNVERIFIED: "unverified: the inputs cannot settle it",
           None: "structure: what runs as which role, where artifacts go"}
MARKS = {chain.HOLDS: "✓", chain.FAILS: "✗", chain.UNVERIFIED: "?"}


def colour(edge: Edge) -> str:
    return COLOURS.get(edge.verdict, STRUCTURE)


def css_class(edge: Edge) -> str:
    return edge.verdict or "structure"


def children(graph: Graph) -> dict:
    """box id (None: the top) -> [("box", id) | ("node", id)], in the order they were met."""
    tree: dict = {}
    for box in graph.boxes.values():
        tree.setdefault(box.parent, []).append(("box", box.id))
    for node in graph.nodes.values():
        tree.setdefault(home(node), []).append(("node", node.id))
    return tree


def home(node) -> str:
    """The innermost box of a node."""
    if node.parent is not None:
        return node.parent
    if node.region:
        return f"region:{node.account}:{node.region}"
    return f"account:{node.account}"


def edge_title(edge: Edge) -> str:
    """One line per collapsed link: what it asks, for which action, and its verdict."""
    lines = []
    for judged in edge.judged:
        link = judged.link
        what = link.check.action if link.check is not None else link.kind
        action = f" ({link.action.label})" if link.action is not None else ""
        lines.append(f"{MARKS[judged.verdict]} {what}{action} [{link.rule}]")
    return "\n".join(lines) or edge.kind
