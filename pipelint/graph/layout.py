"""Positions for the HTML report's picture, computed here so the report needs no layout engine (no
Graphviz, no JavaScript library) and draws the same everywhere.

Accounts are columns, left to right (the pipeline's account first). Inside an account, its regions are
stacked boxes and its global things (IAM roles, service principals) columns to their right. Inside a region,
its resources (buckets, keys, triggers, queues) are a grid on top and each pipeline a box below them:
the pipeline, then its stages as columns left to right with their actions stacked in order. Edges are curves between node borders; parallel edges bend
apart.
"""

from __future__ import annotations

import math

from pipelint.graph.model import Graph
from pipelint.graph.style import children
from pipelint.records import field, record

NODE_W, NODE_H = 190, 46
GAP = 26  # between nodes
PAD = 16  # inside a box, around its content
TITLE = 24  # a box's title band
MAX_COLUMNS = 3  # resources per row in a region or account grid, at least


@record
class Rect:
    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    def border(self, toward_x: float, toward_y: float) -> tuple[float, float]:
        """Where the line from the centre toward a point leaves the rectangle."""
        dx, dy = toward_x - self.cx, toward_y - self.cy
        if dx == 0 and dy == 0:
            return self.cx, self.cy
        scale = min((self.w / 2) / abs(dx) if dx else math.inf, (self.h / 2) / abs(dy) if dy else math.inf)
        return self.cx + dx * scale, self.cy + dy * scale

    def overlaps(self, other: "Rect") -> bool:
        return not (self.x + self.w <= other.x or other.x + other.w <= self.x or
                    self.y + self.h <= other.y or other.y + other.h <= self.y)

    def contains(self, other: "Rect") -> bool:
        return (self.x <= other.x and self.y <= other.y and other.x + other.w <= self.x + self.w
                and other.y + other.h <= self.y + self.h)


@record
class Curve:
    """A cubic Bézier from (x1, y1) to (x2, y2), and where its label goes."""

    points: tuple  # x1, y1, c1x, c1y, c2x, c2y, x2, y2
    label_x: float
    label_y: float

    def path(self) -> str:
        x1, y1, c1x, c1y, c2x, c2y, x2, y2 = (round(v, 1) for v in self.points)
        return f"M{x1},{y1} C{c1x},{c1y} {c2x},{c2y} {x2},{y2}"


@record
class Layout:
    width: float
    height: float
    nodes: dict = field(default_factory=dict)  # node id -> Rect
    boxes: dict = field(default_factory=dict)  # box id -> Rect
    edges: dict = field(default_factory=dict)  # edge id -> Curve


def _grid(count: int, min_width: float) -> tuple[int, float, float]:
    """(columns, width, height) of a grid of ``count`` nodes at least ``min_width`` wide."""
    if count == 0:
        return 0, 0, 0
    fits = max(1, int((min_width + GAP) // (NODE_W + GAP)))
    columns = min(count, max(fits, MAX_COLUMNS))
    rows = math.ceil(count / columns)
    return columns, columns * NODE_W + (columns - 1) * GAP, rows * NODE_H + (rows - 1) * GAP


def _columns(count: int, height: float) -> tuple[int, int]:
    """(columns, rows) of an account's global nodes: as many rows as fit beside its regions (at least 4)."""
    if count == 0:
        return 0, 0
    rows = max(4, int((height + GAP) // (NODE_H + GAP)))
    columns = math.ceil(count / rows)
    return columns, math.ceil(count / columns)


class _Placer:
    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.tree = children(graph)
        self.layout = Layout(0, 0)

    def nearness(self, node_id: str) -> int:
        """How close to the roles a region's resource goes: keys, then artifact buckets, then the rest."""
        node = self.graph.nodes[node_id]
        if node.kind == "key":
            return 0
        if node.kind == "bucket" and node.detail.startswith("artifact"):
            return 1
        return 2

    # sizes first (what a box needs), then positions (where it goes)
    def size(self, box_id: str) -> tuple[float, float]:
        kind = self.graph.boxes[box_id].kind
        items = self.tree.get(box_id, [])
        boxes = [i for w, i in items if w == "box"]
        nodes = [i for w, i in items if w == "node"]
        if kind == "stage":
            return NODE_W + 2 * PAD, TITLE + PAD + len(nodes) * NODE_H + max(len(nodes) - 1, 0) * GAP + PAD
        if kind == "pipeline":  # the pipeline node, then its stages in a row below it
            sizes = [self.size(b) for b in boxes]
            width = PAD + max(sum(w for w, _ in sizes) + GAP * max(len(sizes) - 1, 0), NODE_W * len(nodes)) + PAD
            height = TITLE + PAD + (NODE_H + GAP) * bool(nodes) + max([0] + [h for _, h in sizes]) + PAD
            return width, height
        if kind == "account":  # its regions stacked, its global things (IAM) in columns to their right
            sizes = [self.size(b) for b in boxes]
            regions_w = max([w for w, _ in sizes] + [0])
            regions_h = sum(h for _, h in sizes) + GAP * max(len(sizes) - 1, 0)
            columns, rows = _columns(len(nodes), regions_h)
            grid_w = columns * NODE_W + max(columns - 1, 0) * GAP
            grid_h = rows * NODE_H + max(rows - 1, 0) * GAP
            width = regions_w + (3 * GAP if sizes and nodes else 0) + grid_w + 2 * PAD
            return max(width, NODE_W + 2 * PAD), TITLE + PAD + max(regions_h, grid_h) + PAD
        # a region: a grid of its resources, then its pipelines stacked
        sizes = [self.size(b) for b in boxes]
        inner = max([w for w, _ in sizes] + [0])
        _, grid_w, grid_h = _grid(len(nodes), inner)
        width = max(inner, grid_w, NODE_W) + 2 * PAD
        height = TITLE + PAD + sum(h for _, h in sizes) + GAP * max(len(sizes) - 1, 0) + (
            (GAP if sizes else 0) + grid_h if nodes else 0) + PAD
        return width, height

    def place(self, box_id: str, x: float, y: float, width: float | None = None) -> float:
        """Place a box (stretched to ``width``) and what it holds; returns its height."""
        w, h = self.size(box_id)
        w = max(w, width or 0)
        self.layout.boxes[box_id] = Rect(x, y, w, h)
        kind = self.graph.boxes[box_id].kind
        items = self.tree.get(box_id, [])
        boxes = [i for k, i in items if k == "box"]
        nodes = [i for k, i in items if k == "node"]
        top = y + TITLE + PAD
        if kind == "stage":
            for index, node in enumerate(nodes):
                self.layout.nodes[node] = Rect(x + PAD, top + index * (NODE_H + GAP), NODE_W, NODE_H)
            return h
        if kind == "pipeline":
            for index, node in enumerate(nodes):
                self.layout.nodes[node] = Rect(x + PAD + index * (NODE_W + GAP), top, NODE_W, NODE_H)
            top += (NODE_H + GAP) if nodes else 0
            cursor = x + PAD
            for stage in boxes:
                self.place(stage, cursor, top)
                cursor += self.size(stage)[0] + GAP
            return h
        if kind == "account":
            regions_w = max([self.size(b)[0] for b in boxes] + [0])
            regions_h = sum(self.size(b)[1] for b in boxes) + GAP * max(len(boxes) - 1, 0)
            for box in boxes:
                top += self.place(box, x + PAD, top, regions_w) + GAP
            left = x + PAD + regions_w + (3 * GAP if boxes else 0)
            columns, rows = _columns(len(nodes), regions_h)
            for index, node in enumerate(nodes):
                column, row = divmod(index, rows)
                self.layout.nodes[node] = Rect(left + column * (NODE_W + GAP), y + TITLE + PAD + row * (NODE_H + GAP),
                                               NODE_W, NODE_H)
            return h
        # a region: its resources on top, where the roles' edges reach them without crossing the pipeline,
        # filled from the right (next to the roles), keys and artifact buckets first: most edges end there
        inner_w = w - 2 * PAD
        columns, _, grid_h = _grid(len(nodes), inner_w)
        right = x + w - PAD - NODE_W
        for index, node in enumerate(sorted(nodes, key=self.nearness)):
            row, column = divmod(index, columns)
            self.layout.nodes[node] = Rect(right - column * (NODE_W + GAP), top + row * (NODE_H + GAP),
                                           NODE_W, NODE_H)
        top += grid_h + GAP if nodes else 0
        for box in boxes:
            top += self.place(box, x + PAD, top, inner_w) + GAP
        return h


def compute(graph: Graph) -> Layout:
    placer = _Placer(graph)
    tops = [item for kind, item in placer.tree.get(None, []) if kind == "box"]
    x = GAP
    height = 0.0
    for box in tops:
        h = placer.place(box, x, GAP)
        x += placer.layout.boxes[box].w + GAP * 3  # room between accounts for the edges that cross
        height = max(height, h)
    placer.layout.width = x - 2 * GAP
    placer.layout.height = height + 2 * GAP
    _route(graph, placer.layout)
    return placer.layout


def _route(graph: Graph, layout: Layout) -> None:
    """Curves for the edges: from border to border, bowed apart when two nodes share several edges."""
    between: dict = {}
    for edge in graph.edges:
        between.setdefault(frozenset((edge.frm, edge.to)), []).append(edge)
    for edges in between.values():
        for index, edge in enumerate(edges):
            a, b = layout.nodes[edge.frm], layout.nodes[edge.to]
            bend = (index - (len(edges) - 1) / 2) * 34
            if edge.frm > edge.to:  # the same side for both directions of a pair
                bend = -bend
            layout.edges[edge.id] = _curve(a, b, bend + (18 if len(edges) == 1 else 0))


def _curve(a: Rect, b: Rect, bend: float) -> Curve:
    dx, dy = b.cx - a.cx, b.cy - a.cy
    length = math.hypot(dx, dy) or 1.0
    nx, ny = -dy / length, dx / length  # the normal: which way the curve bows
    mx, my = (a.cx + b.cx) / 2 + nx * bend, (a.cy + b.cy) / 2 + ny * bend
    x1, y1 = a.border(mx, my)
    x2, y2 = b.border(mx, my)
    c1 = (x1 + (mx - x1) * 0.9, y1 + (my - y1) * 0.9)
    c2 = (x2 + (mx - x2) * 0.9, y2 + (my - y2) * 0.9)
    # the label sits at the curve's middle (t = 1/2)
    lx = 0.125 * x1 + 0.375 * c1[0] + 0.375 * c2[0] + 0.125 * x2
    ly = 0.125 * y1 + 0.375 * c1[1] + 0.375 * c2[1] + 0.125 * y2
    return Curve((x1, y1, c1[0], c1[1], c2[0], c2[1], x2, y2), lx, ly)
