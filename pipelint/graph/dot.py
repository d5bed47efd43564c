"""``pipelint graph --format dot``: Graphviz DOT, boxes as clusters (``dot -Tsvg graph.dot > graph.svg``).

Nodes and edges carry ``id``, ``class`` and ``tooltip`` attributes, which Graphviz copies into its SVG,
so the picture can be styled or scripted further.
"""

from __future__ import annotations

from pipelint import chain
from pipelint.graph.model import Graph
from pipelint.graph.style import children, colour, css_class, edge_title

SHAPES = {"pipeline": "box3d", "action": "box", "role": "box", "bucket": "cylinder", "key": "hexagon",
          "queue": "parallelogram", "rule": "cds", "connection": "component", "service": "ellipse",
          "unknown": "note"}
FILLS = {"account": "#f5f7fa", "region": "#ffffff", "pipeline": "#eef4fb", "stage": "#ffffff"}


def quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def render(graph: Graph) -> str:
    ids = {node_id: f"n{number}" for number, node_id in enumerate(graph.nodes, 1)}
    tree = children(graph)
    lines = ["digraph pipelint {",
             f"  graph [rankdir=LR, fontname=Helvetica, fontsize=12, labelloc=t, label={quote(graph.title)}, "
             "nodesep=0.3, ranksep=0.6];",
             '  node [fontname=Helvetica, fontsize=10, shape=box, style="rounded,filled", fillcolor="#ffffff", '
             'color="#546e7a"];',
             "  edge [fontname=Helvetica, fontsize=9];"]

    def walk(parent, depth: int) -> None:
        pad = "  " * depth
        for number, (what, item) in enumerate(tree.get(parent, []), 1):
            if what == "box":
                box = graph.boxes[item]
                index = list(graph.boxes).index(item) + 1
                lines.append(f"{pad}subgraph cluster_b{index} {{")
                lines.append(f'{pad}  label={quote(box.label)}; style="rounded,filled"; '
                             f'fillcolor="{FILLS[box.kind]}"; color="#78909c";')
                walk(item, depth + 1)
                lines.append(f"{pad}}}")
            else:
                node = graph.nodes[item]
                style = '"rounded,filled,dashed"' if node.kind == "unknown" else '"rounded,filled"'
                if SHAPES.get(node.kind, "box") not in ("box",):
                    style = '"filled,dashed"' if node.kind == "unknown" else '"filled"'
                lines.append(f"{pad}{ids[item]} [label={quote(node.label + chr(10) + node.detail)}, "
                             f"shape={SHAPES.get(node.kind, 'box')}, style={style}, id={quote(ids[item])}, "
                             f"class={quote(node.kind)}, tooltip={quote(node.title)}];")

    walk(None, 1)
    # stages left to right, as they run: invisible edges from each stage's first action to the next's
    for box in graph.boxes.values():
        if box.kind != "pipeline":
            continue
        heads = [next((i for w, i in tree.get(stage, []) if w == "node"), None)
                 for w, stage in tree.get(box.id, []) if w == "box"]
        heads = [h for h in heads if h is not None]
        for first, second in zip(heads, heads[1:]):
            lines.append(f"  {ids[first]} -> {ids[second]} [style=invis, weight=10];")
    for edge in graph.edges:
        width = 2.5 if edge.verdict == chain.FAILS else 0.8 if edge.verdict is None else 1.4
        style = "dashed" if edge.verdict == chain.UNVERIFIED else "dotted" if edge.verdict is None else "solid"
        lines.append(f"  {ids[edge.frm]} -> {ids[edge.to]} [label={quote(edge.label)}, color={quote(colour(edge))}, "
                     f"fontcolor={quote(colour(edge))}, penwidth={width}, style={style}, id={quote(edge.id)}, "
                     f"class={quote(css_class(edge))}, tooltip={quote(edge_title(edge))}];")
    lines.append("}")
    return "\n".join(lines) + "\n"
