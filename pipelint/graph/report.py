"""``pipelint graph --format html``: one self-contained page — the picture as inline SVG (laid out by
:mod:`.layout`, no layout engine needed), the links that fail and are unverified, and a panel that shows,
for the selected edge, each request it stands for: the finding, the statements that decide it (file and
line) and the fix.

Nothing is fetched: no script, style, font or image comes from elsewhere (the page works offline and
from a CI artifact). The script is this file's own, a few dozen lines; the data it shows is embedded as
JSON. The first failing edge is selected when the page opens (or the edge the URL's ``#e12`` names).
"""

from __future__ import annotations

import json
from html import escape

from pipelint import chain
from pipelint.graph import layout as layout_module
from pipelint.graph.model import Edge, Graph
from pipelint.graph.style import COLOURS, MARKS, MEANING, STRUCTURE, colour, css_class
from pipelint.verdicts import Judged

LABEL_CHARS = 29


def short(text: str, limit: int = LABEL_CHARS) -> str:
    """Long names keep their start and end (a bucket's region is at its end)."""
    if len(text) <= limit:
        return text
    keep = limit - 1
    return text[: (keep + 1) // 2] + "…" + text[len(text) - keep // 2:]


def _source(finding) -> dict:
    return {"file": finding.source.file, "line": finding.source.line}


def _link_data(judged: Judged) -> dict:
    link = judged.link
    return {
        "rule": link.rule, "verdict": judged.verdict, "kind": link.kind,
        "action": link.action.label if link.action is not None else None,
        "trigger": (link.event_rule.label if link.event_rule is not None else None),
        "who": link.who, "caller": str(link.caller) if link.caller is not None else None,
        "request": link.check.action if link.check is not None else None,
        "resource": str(link.check.resource) if link.check is not None else None,
        "reasons": judged.reasons, "settle": judged.settle,
        "statements": [{"effect": s.effect, "label": s.label(), "where": s.where.label() if s.where else None,
                        "text": json.dumps(s.statement, sort_keys=True, ensure_ascii=False, default=str)
                        if isinstance(s.statement, dict) else None} for s in judged.statements],
        "findings": [{"verdict": f.verdict, "severity": f.severity, "message": f.message, "fix": f.fix,
                      "suppressed": f.suppressed, **_source(f)} for f in judged.findings],
        "covered": (f"reported with {judged.covered_by.check.action if judged.covered_by.check else judged.covered_by.kind}"
                    if judged.covered_by is not None else None),
    }


def _data(graph: Graph) -> dict:
    numbers = {node_id: f"n{i}" for i, node_id in enumerate(graph.nodes, 1)}
    nodes = {numbers[n.id]: {"label": n.label, "detail": n.detail, "title": n.title, "kind": n.kind,
                             "account": n.account, "region": n.region or "global"} for n in graph.nodes.values()}
    edges = {e.id: {"kind": e.kind, "label": e.label, "verdict": e.verdict, "from": numbers[e.frm],
                    "to": numbers[e.to], "links": [_link_data(j) for j in e.judged]} for e in graph.edges}
    return {"nodes": nodes, "edges": edges}


def _edge_words(graph: Graph, edge: Edge) -> str:
    frm, to = graph.nodes[edge.frm], graph.nodes[edge.to]
    actions = sorted({j.link.action.label for j in edge.judged if j.link.action is not None})
    where = f" ({', '.join(actions)})" if actions else ""
    return f"{edge.label}: {frm.label} → {to.label}{where} {'/'.join(edge.rules)}"


def _svg(graph: Graph, placed: layout_module.Layout) -> str:
    numbers = {node_id: f"n{i}" for i, node_id in enumerate(graph.nodes, 1)}
    out = [f'<svg id="picture" width="{placed.width:.0f}" height="{placed.height:.0f}" '
           f'viewBox="0 0 {placed.width:.0f} {placed.height:.0f}" role="img" aria-label="{escape(graph.title)}">',
           "<defs>"]
    for name, fill in [*COLOURS.items(), ("structure", STRUCTURE)]:
        out.append(f'<marker id="arrow-{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" '
                   f'markerHeight="9" markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
                   f'<path d="M0,0 L10,5 L0,10 z" fill="{fill}"/></marker>')
    out.append("</defs>")
    depth = {}
    for box in graph.boxes.values():  # outer boxes first, so inner ones are drawn on top
        level, parent = 0, box.parent
        while parent is not None:
            level, parent = level + 1, graph.boxes[parent].parent
        depth[box.id] = level
    for box_id in sorted(graph.boxes, key=lambda b: depth[b]):
        box, rect = graph.boxes[box_id], placed.boxes[box_id]
        out.append(f'<g class="box {box.kind}"><rect x="{rect.x:.1f}" y="{rect.y:.1f}" width="{rect.w:.1f}" '
                   f'height="{rect.h:.1f}" rx="8"/><text x="{rect.x + 10:.1f}" y="{rect.y + 17:.1f}">'
                   f"{escape(box.label)}</text></g>")
    ordered = sorted(graph.edges, key=lambda e: (e.verdict is not None, e.verdict == chain.FAILS))
    for edge in ordered:  # structure under requests, failing requests on top
        curve = placed.edges[edge.id]
        marker = f"url(#arrow-{edge.verdict or 'structure'})"
        out.append(f'<g class="edge {css_class(edge)}" id="{edge.id}" data-edge="{edge.id}" tabindex="0">'
                   f"<title>{escape(_edge_words(graph, edge))}</title>"
                   f'<path class="hit" d="{curve.path()}"/>'
                   f'<path class="line" d="{curve.path()}" stroke="{colour(edge)}" marker-end="{marker}"/></g>')
    for node in graph.nodes.values():
        rect = placed.nodes[node.id]
        out.append(f'<g class="node {node.kind}" id="{numbers[node.id]}" data-node="{escape(node.id)}" tabindex="0">'
                   f"<title>{escape(node.title)}</title>"
                   f'<rect x="{rect.x:.1f}" y="{rect.y:.1f}" width="{rect.w:.1f}" height="{rect.h:.1f}" rx="6"/>'
                   f'<text class="name" x="{rect.cx:.1f}" y="{rect.y + 19:.1f}">{escape(short(node.label))}</text>'
                   f'<text class="what" x="{rect.cx:.1f}" y="{rect.y + 35:.1f}">{escape(short(node.detail, 34))}</text>'
                   "</g>")
    for edge in ordered:
        if edge.verdict is None:
            continue  # structure speaks through its tooltip: its labels would crowd the requests'
        curve = placed.edges[edge.id]
        width = 7 * len(edge.label) + 10
        out.append(f'<g class="label {css_class(edge)}" data-edge="{edge.id}">'
                   f'<rect x="{curve.label_x - width / 2:.1f}" y="{curve.label_y - 9:.1f}" width="{width:.1f}" '
                   f'height="16" rx="4"/><text x="{curve.label_x:.1f}" y="{curve.label_y + 3:.1f}" '
                   f'fill="{colour(edge)}">{escape(edge.label)}</text></g>')
    out.append("</svg>")
    return "\n".join(out)


def _lists(graph: Graph) -> str:
    parts = []
    for verdict, heading, open_ in ((chain.FAILS, "Failing links", True), (chain.UNVERIFIED, "Unverified links", False)):
        edges = [e for e in graph.edges if e.verdict == verdict]
        items = "".join(f'<li><button type="button" class="pick {verdict}" data-edge="{e.id}">{MARKS[verdict]} '
                        f"{escape(_edge_words(graph, e))}</button></li>" for e in edges)
        body = f'<ul id="{verdict}-list">{items}</ul>' if edges else "<p class=\"none\">none</p>"
        parts.append(f'<details class="list" {"open" if open_ else ""}><summary>{heading} ({len(edges)})</summary>'
                     f"{body}</details>")
    return "\n".join(parts)


def _others(graph: Graph, findings) -> str:
    """The findings that are not about a link of the chain (a store without a key, a missing DLQ, ...): all
    of them, or with --pipeline those that name the pipeline."""
    shown = {id(f) for e in graph.edges for j in e.judged for f in j.findings}
    keys = {p.key for p in graph.pipelines}
    rest = [f for f in findings if id(f) not in shown and f.suppressed is None
            and (graph.every or keys.intersection(f.resources))]
    if not rest:
        return ""
    items = "".join(f'<li class="{escape(f.verdict)}"><b>{escape(f.rule_id)}</b> {escape(f.verdict)} '
                    f"<code>{escape(f.source.label())}</code>: {escape(f.message)}</li>" for f in rest)
    return f'<details class="list"><summary>Other findings ({len(rest)})</summary><ul>{items}</ul></details>'


STYLE = """
body{margin:0;font:13px/1.4 system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#263238;
display:flex;height:100vh;overflow:hidden}
main{flex:1;overflow:auto;background:#fafbfc;position:relative}
main.fit svg{width:100%;height:auto}
#zoom{position:sticky;top:8px;left:8px;z-index:1;font-size:12px;padding:2px 8px;margin:8px}
aside{width:430px;border-left:1px solid #cfd8dc;overflow:auto;padding:12px 16px;box-sizing:border-box;background:#fff}
h1{font-size:16px;margin:0 0 4px} h2{font-size:14px;margin:14px 0 6px}
.counts span{margin-right:10px} .legend{font-size:12px;color:#546e7a;margin:6px 0}
.legend i{display:inline-block;width:22px;height:0;border-top:3px solid;vertical-align:middle;margin:0 4px 0 8px}
.box rect{fill:#fff;stroke:#90a4ae} .box.account>rect{fill:#f5f7fa;stroke:#607d8b;stroke-width:1.5}
.box.pipeline>rect{fill:#eef4fb} .box.stage>rect{fill:#fff;stroke-dasharray:3 2}
.box text{font-size:12px;font-weight:600;fill:#455a64}
.node rect{fill:#fff;stroke:#546e7a;stroke-width:1.2} .node{cursor:pointer}
.node.role rect{fill:#f3e5f5} .node.bucket rect{fill:#e3f2fd} .node.key rect{fill:#fff8e1}
.node.pipeline rect{fill:#e8eaf6} .node.action rect{fill:#ffffff} .node.rule rect,.node.queue rect{fill:#e0f2f1}
.node.service rect{fill:#eceff1} .node.connection rect{fill:#fce4ec}
.node.unknown rect{fill:#fff8e1;stroke:#b26a00;stroke-dasharray:4 3}
.node text{text-anchor:middle;pointer-events:none} .node .name{font-size:11.5px;font-weight:600}
.node .what{font-size:10px;fill:#607d8b}
.edge .line{fill:none;stroke-width:1.8} .edge.structure .line{stroke-width:1;stroke-dasharray:2 3}
.edge.unverified .line{stroke-dasharray:6 4} .edge.fails .line{stroke-width:3}
.edge .hit{fill:none;stroke:transparent;stroke-width:14} .edge{cursor:pointer}
.label rect{fill:#fff;opacity:.92} .label text{font-size:11px;text-anchor:middle} .label{cursor:pointer}
.label.structure text{font-size:10px}
.selected .line{stroke-width:5!important} .node.selected rect{stroke:#1565c0;stroke-width:3}
.edge:focus,.node:focus{outline:none} .edge:focus-visible .line{stroke-width:4}
.node:focus-visible rect{stroke:#1565c0;stroke-width:2}
.label.selected rect{stroke:#1565c0}
ul{padding-left:0;list-style:none;margin:4px 0} li{margin:3px 0}
button.pick{all:unset;cursor:pointer;display:block;padding:3px 6px;border-radius:4px;width:100%;box-sizing:border-box}
button.pick:hover,button.pick.on{background:#e3f2fd} button.pick.fails{color:#b71c1c}
button.pick.unverified{color:#8a5300}
.verdict-fails{color:#c62828;font-weight:700} .verdict-holds{color:#2e7d32;font-weight:700}
.verdict-unverified{color:#b26a00;font-weight:700}
.request{border:1px solid #e0e0e0;border-radius:6px;padding:8px;margin:8px 0}
pre{white-space:pre-wrap;word-break:break-word;background:#f5f5f5;padding:6px;border-radius:4px;font-size:11.5px;margin:4px 0}
code{font-size:12px} .where{color:#1565c0} .none{color:#78909c}
"""

SCRIPT = r"""
(function () {
  var data = JSON.parse(document.getElementById('pipelint-data').textContent);
  var panel = document.getElementById('details');
  var zoom = document.getElementById('zoom');
  function fit(on) {
    zoom.parentNode.classList.toggle('fit', on);
    zoom.textContent = on ? 'actual size' : 'fit to width';
  }
  zoom.addEventListener('click', function () { fit(!zoom.parentNode.classList.contains('fit')); });
  // a picture that would shrink below 60% to fit opens at its actual size (scroll to see it all)
  var svg = document.getElementById('picture');
  if (zoom.parentNode.clientWidth / svg.width.baseVal.value < 0.6) fit(false);
  function add(parent, tag, text, cls) {
    var el = document.createElement(tag);
    if (text !== undefined && text !== null) el.textContent = text;
    if (cls) el.className = cls;
    parent.appendChild(el);
    return el;
  }
  function clear() {
    Array.prototype.forEach.call(document.querySelectorAll('.selected, .on'), function (el) {
      el.classList.remove('selected'); el.classList.remove('on');
    });
    panel.textContent = '';
  }
  function mark(selector) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), function (el) {
      el.classList.add(el.tagName === 'BUTTON' ? 'on' : 'selected');
    });
  }
  function selectEdge(id) {
    var edge = data.edges[id];
    if (!edge) return;
    clear();
    mark('[data-edge="' + id + '"]');
    var drawn = document.getElementById(id);
    if (drawn && !zoom.parentNode.classList.contains('fit') && drawn.scrollIntoView) {
      drawn.scrollIntoView({block: 'center', inline: 'center'});
    }
    var from = data.nodes[edge.from], to = data.nodes[edge.to];
    add(panel, 'h2', edge.label + ': ' + from.label + ' \u2192 ' + to.label);
    add(panel, 'div', edge.verdict ? edge.verdict : 'structure', 'verdict-' + (edge.verdict || 'none'));
    add(panel, 'div', from.title + ' \u2192 ' + to.title, 'none');
    edge.links.forEach(function (link) {
      var box = add(panel, 'div', null, 'request');
      var head = add(box, 'div');
      add(head, 'span', link.verdict, 'verdict-' + link.verdict);
      add(head, 'span', ' ' + link.rule + ' \u00b7 ' + (link.request || link.kind) +
          (link.action ? ' \u00b7 action ' + link.action : '') + (link.trigger ? ' \u00b7 rule ' + link.trigger : ''));
      add(box, 'div', (link.who ? link.who + ' ' : '') + (link.caller || '') +
          (link.resource ? ' \u2192 ' + link.resource : ''), 'none');
      link.findings.forEach(function (f) {
        add(box, 'div', 'Finding (' + f.verdict + (f.suppressed ? ', suppressed: ' + f.suppressed : '') + ') at ' +
            f.file + (f.line ? ':' + f.line : ''), 'where');
        add(box, 'pre', f.message, 'message');
        if (f.fix) { add(box, 'div', 'Fix'); add(box, 'pre', f.fix, 'fix'); }
      });
      if (link.covered) add(box, 'div', link.covered + ' (one finding for both)', 'none');
      if (link.statements.length) {
        add(box, 'div', 'Deciding statements');
        var list = add(box, 'ul', null, 'statements');
        link.statements.forEach(function (s) {
          var item = add(list, 'li');
          add(item, 'b', (s.effect || '?') + ' ');
          add(item, 'span', s.label + ' ');
          add(item, 'code', s.where || '(not in the inputs)', 'where');
          if (s.text) add(item, 'pre', s.text);
        });
      } else if (link.reasons.length) {
        add(box, 'div', 'Why');
        link.reasons.forEach(function (r) { add(box, 'pre', r); });
      }
      if (link.settle && !link.findings.length) { add(box, 'div', 'Would settle it'); add(box, 'pre', link.settle); }
    });
    if (!edge.links.length) add(panel, 'p', 'A part of the setup, not a request: nothing to check.', 'none');
  }
  function selectNode(id) {
    var node = data.nodes[id];
    if (!node) return;
    clear();
    mark('#' + id);
    add(panel, 'h2', node.label);
    add(panel, 'div', node.detail + ' \u00b7 account ' + node.account + ' \u00b7 ' + node.region, 'none');
    add(panel, 'pre', node.title);
    var list = add(panel, 'ul');
    Object.keys(data.edges).forEach(function (key) {
      var edge = data.edges[key];
      if (edge.from !== id && edge.to !== id) return;
      var other = data.nodes[edge.from === id ? edge.to : edge.from];
      var button = add(add(list, 'li'), 'button', (edge.from === id ? '\u2192 ' : '\u2190 ') + edge.label + ' ' +
                       other.label + (edge.verdict ? ' (' + edge.verdict + ')' : ''), 'pick ' + (edge.verdict || ''));
      button.type = 'button';
      button.setAttribute('data-edge', key);
    });
  }
  document.addEventListener('click', function (event) {
    var target = event.target.closest('[data-edge], .node');
    if (!target) return;
    if (target.hasAttribute('data-edge')) selectEdge(target.getAttribute('data-edge'));
    else selectNode(target.id);
  });
  document.addEventListener('keydown', function (event) {
    if (event.key === 'Enter' && document.activeElement && document.activeElement.closest) {
      var target = document.activeElement.closest('[data-edge], .node');
      if (target && target.hasAttribute('data-edge')) selectEdge(target.getAttribute('data-edge'));
      else if (target) selectNode(target.id);
    }
  });
  var wanted = window.location.hash.slice(1);
  if (data.edges[wanted]) selectEdge(wanted);
  else if (data.nodes[wanted]) selectNode(wanted);
  else {
    var first = Object.keys(data.edges).filter(function (k) { return data.edges[k].verdict === 'fails'; })[0];
    if (first) selectEdge(first);
  }
})();
"""


def render(graph: Graph, findings=()) -> str:
    placed = layout_module.compute(graph)
    counts = {v: sum(len(e.judged) for e in graph.edges if e.verdict == v)
              for v in (chain.HOLDS, chain.FAILS, chain.UNVERIFIED)}
    total = sum(counts.values())
    payload = json.dumps(_data(graph), ensure_ascii=False, sort_keys=True).replace("</", "<\\/")
    legend = "".join(f'<i style="border-color:{COLOURS.get(v, STRUCTURE)}"></i>{escape(MEANING[v])}'
                     for v in (chain.HOLDS, chain.FAILS, chain.UNVERIFIED, None))
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        f"<title>{escape(graph.title)}</title>", f"<style>{STYLE}</style>", "</head>", "<body>",
        f'<main class="fit"><button type="button" id="zoom">actual size</button>{_svg(graph, placed)}</main>',
        '<aside id="side">',
        f"<h1>{escape(graph.title)}</h1>",
        f'<div class="counts" id="counts">{total} requests: '
        f'<span class="verdict-holds">{counts[chain.HOLDS]} hold</span>'
        f'<span class="verdict-fails">{counts[chain.FAILS]} fail</span>'
        f'<span class="verdict-unverified">{counts[chain.UNVERIFIED]} unverified</span></div>',
        f'<div class="legend">{legend}</div>',
        _lists(graph), _others(graph, findings),
        '<h2>Selected</h2><div id="details"><p class="none">Select an edge or a node.</p></div>',
        "</aside>",
        f'<script type="application/json" id="pipelint-data">{payload}</script>',
        f"<script>{SCRIPT}</script>", "</body>", "</html>", ""])
