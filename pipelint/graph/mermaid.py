"""``pipelint graph --format mermaid``: a Mermaid flowchart (accounts, regions, pipelines and stages as
subgraphs), and ``--format markdown``: the same in a fenced ```mermaid block, as GitHub and GitLab render
it in a pull-request comment, with a legend and the failing links in words.

Mermaid ids are made up (``n1``, ``b1``, ...): the model's ids hold characters Mermaid does not accept.
Labels are quoted strings with ``"``, ``<`` and ``>`` written as Mermaid's entity codes.
"""

from __future__ import annotations

from pipelint import chain
from pipelint.graph.model import Graph
from pipelint.graph.style import COLOURS, MARKS, MEANING, STRUCTURE, children

SHAPES = {  # node kind -> (opening, closing) of its Mermaid shape
    "pipeline": ("[[", "]]"), "action": ("[", "]"), "role": ("([", "])"), "bucket": ("[(", ")]"),
    "key": ("{{", "}}"), "queue": ("[/", "/]"), "rule": (">", "]"), "connection": ("[\\", "\\]"),
    "service": ("((", "))"), "unknown": ("[", "]"),
}
ARROWS = {chain.HOLDS: "-->", chain.FAILS: "==>", chain.UNVERIFIED: "-.->", None: "-.->"}


def text(value: str) -> str:
    return value.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def render(graph: Graph) -> str:
    ids = {}
    for number, node_id in enumerate(graph.nodes, 1):
        ids[node_id] = f"n{number}"
    for number, box_id in enumerate(graph.boxes, 1):
        ids[box_id] = f"b{number}"
    tree = children(graph)
    lines = [f"%% {graph.title}", "flowchart LR"]

    def walk(parent, depth: int) -> None:
        pad = "  " * depth
        for what, item in tree.get(parent, []):
            if what == "box":
                box = graph.boxes[item]
                lines.append(f'{pad}subgraph {ids[item]}["{text(box.label)}"]')
                walk(item, depth + 1)
                lines.append(f"{pad}end")
            else:
                node = graph.nodes[item]
                start, end = SHAPES.get(node.kind, ("[", "]"))
                lines.append(f'{pad}{ids[item]}{start}"{text(node.label)}<br/>{text(node.detail)}"{end}')

    walk(None, 1)
    styles: dict = {}
    for index, edge in enumerate(graph.edges):
        arrow = ARROWS[edge.verdict]
        lines.append(f'  {ids[edge.frm]} {arrow}|"{text(edge.label)}"| {ids[edge.to]}')
        styles.setdefault(edge.verdict, []).append(str(index))
    for verdict, indexes in styles.items():
        colour = COLOURS.get(verdict, STRUCTURE)
        width = "3px" if verdict == chain.FAILS else "1px" if verdict is None else "2px"
        lines.append(f"  linkStyle {','.join(indexes)} stroke:{colour},stroke-width:{width},color:{colour}")
    lines.append("  classDef unknown stroke-dasharray:4 3,fill:#fff8e1,stroke:#b26a00")
    lines.append("  classDef failing stroke:#c62828,stroke-width:2px")
    unknown = [ids[n.id] for n in graph.nodes.values() if n.kind == "unknown"]
    if unknown:
        lines.append(f"  class {','.join(unknown)} unknown")
    for number, box_id in enumerate(graph.boxes, 1):
        box = graph.boxes[box_id]
        fill = {"account": "#f5f7fa", "region": "#ffffff", "pipeline": "#eef4fb", "stage": "#ffffff"}[box.kind]
        lines.append(f"  style b{number} fill:{fill},stroke:#78909c")
    return "\n".join(lines) + "\n"


def render_markdown(graph: Graph) -> str:
    """A Markdown fragment: the diagram in a ```mermaid fence, the legend, the links that fail or are unverified."""
    parts = [f"### {graph.title}", "", "```mermaid", render(graph).rstrip("\n"), "```", ""]
    parts.append(" · ".join(f"{MARKS.get(v, '—')} {MEANING[v]}" for v in (chain.HOLDS, chain.FAILS, chain.UNVERIFIED)))
    parts.append("")
    for verdict, heading in ((chain.FAILS, "Failing links"), (chain.UNVERIFIED, "Unverified links")):
        items = [(edge, judged) for edge in graph.edges if edge.verdict == verdict for judged in edge.judged]
        if not items:
            continue
        parts += [f"**{heading}**", ""]
        for edge, judged in items:
            link = judged.link
            what = f" `{link.check.action}`" if link.check is not None else ""
            action = f" — action {link.action.label}" if link.action is not None else ""
            finding = next((f for f in judged.findings if f.verdict in ("fail", "unverified")), None)
            where = f" (`{finding.source.label()}`)" if finding is not None else ""
            said = finding.message if finding is not None else (judged.settle or "")
            parts.append(f"- {MARKS[verdict]} **{link.rule}** {edge.kind}{what}{action}{where}: {said}")
        parts.append("")
    return "\n".join(parts)
