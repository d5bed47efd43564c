"""`pipelint graph` on the example with one broken link (fixtures/graph/example-broken): the picture's
nodes, boxes and collapsed edges; Mermaid parsed and rendered by Mermaid itself (npm ``mermaid``, in
headless Chromium); DOT rendered by Graphviz; the HTML report opened in headless Chromium, where every
node and the failing edge are on the page and the selected edge shows its finding, deciding statement
(file:line) and fix.

Graphviz, Chromium and the Mermaid package are installed by .ci/run (which sets PIPELINT_REQUIRE_TOOLS, so
there a missing tool fails the test); elsewhere the tests that need one skip without it.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pipelint import chain, runner
from pipelint.graph import dot, layout, mermaid, model, report

from conftest import FIXTURES, MERMAID_JS, ROOT, chromium, need_file, need_tool

BROKEN = FIXTURES / "graph" / "example-broken"
TOOLING, WORKLOAD = "111111111111", "222222222222"
DEPLOY = "role:arn:aws:iam::222222222222:role/pipeline-deploy"
EU_KEY = "key:arn:aws:kms:eu-west-1:111111111111:key/9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"
PIPELINE = "arn:aws:codepipeline:us-east-1:111111111111:release"


def picture(case: Path = BROKEN, pipeline: str | None = None):
    old = os.getcwd()
    os.chdir(case)
    try:
        outcome = runner.check([Path(".")], runner.find_config(None, [Path(".")]), baseline=False)
    finally:
        os.chdir(old)
    return model.build(outcome.world, model.select(outcome.world, pipeline), outcome.findings,
                       every=pipeline is None), outcome


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipelint", "graph", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=120)


# -- the model ------------------------------------------------------------------------------------------

def test_every_part_of_the_setup_is_a_node_in_its_account_and_region():
    graph, _ = picture()
    where = {n.id: (n.kind, n.account, n.region) for n in graph.nodes.values()}
    assert where == {
        f"pipeline:{PIPELINE}": ("pipeline", TOOLING, "us-east-1"),
        f"action:{PIPELINE}:Source/Source": ("action", TOOLING, "us-east-1"),
        f"action:{PIPELINE}:Build/Build": ("action", TOOLING, "us-east-1"),
        f"action:{PIPELINE}:Deploy/DeployUS": ("action", TOOLING, "us-east-1"),
        f"action:{PIPELINE}:Deploy/DeployEU": ("action", TOOLING, "us-east-1"),
        "role:arn:aws:iam::111111111111:role/release-pipeline": ("role", TOOLING, ""),
        "role:arn:aws:iam::111111111111:role/release-build": ("role", TOOLING, ""),
        "role:arn:aws:iam::111111111111:role/release-trigger": ("role", TOOLING, ""),
        DEPLOY: ("role", WORKLOAD, ""),
        "role:arn:aws:iam::222222222222:role/cloudformation-execution": ("role", WORKLOAD, ""),
        "service:cloudformation.amazonaws.com:222222222222": ("service", WORKLOAD, ""),
        "bucket:release-artifacts-111111111111-us-east-1": ("bucket", TOOLING, "us-east-1"),
        "bucket:release-artifacts-111111111111-eu-west-1": ("bucket", TOOLING, "eu-west-1"),
        "bucket:release-source-111111111111": ("bucket", TOOLING, "us-east-1"),
        "key:arn:aws:kms:us-east-1:111111111111:key/0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0": ("key", TOOLING, "us-east-1"),
        EU_KEY: ("key", TOOLING, "eu-west-1"),
        "rule:arn:aws:events:us-east-1:111111111111:rule/release-source-changed": ("rule", TOOLING, "us-east-1"),
        "queue:arn:aws:sqs:us-east-1:111111111111:release-trigger-dlq": ("queue", TOOLING, "us-east-1"),
    }
    boxes = {b.id: (b.kind, b.parent) for b in graph.boxes.values()}
    assert boxes[f"account:{TOOLING}"] == ("account", None)
    assert boxes[f"account:{WORKLOAD}"] == ("account", None)
    assert boxes[f"region:{TOOLING}:us-east-1"] == ("region", f"account:{TOOLING}")
    assert boxes[f"region:{TOOLING}:eu-west-1"] == ("region", f"account:{TOOLING}")
    assert boxes[f"box:{PIPELINE}"] == ("pipeline", f"region:{TOOLING}:us-east-1")
    assert [b.label for b in graph.boxes.values() if b.kind == "stage"] == ["stage Source", "stage Build",
                                                                            "stage Deploy"]


def test_one_failing_edge_and_collapsed_links():
    graph, _ = picture()
    failing = graph.failing()
    assert [(e.frm, e.to, e.label) for e in failing] == [(DEPLOY, EU_KEY, "decrypt")]
    finding = failing[0].judged[0].findings[0]
    assert (finding.rule_id, finding.source.file, finding.source.line) == ("PL302", "target/deploy-roles.yaml", 33)
    # both deploy actions: the pipeline role assumes the deploy role twice -> one edge "assume ×2"
    assume = next(e for e in graph.edges if e.frm == "role:arn:aws:iam::111111111111:role/release-pipeline"
                  and e.to == DEPLOY)
    assert (assume.label, assume.verdict) == ("assume ×2", chain.HOLDS)
    assert [j.link.action.label for j in assume.judged] == ["Deploy/DeployUS", "Deploy/DeployEU"]
    # every request of the chain is on exactly one edge
    assert sum(e.count for e in graph.edges if e.verdict is not None) == 16


def test_many_actions_reading_one_bucket_with_one_role_are_one_edge():
    """Six deploy actions with the same role read the same bucket: one edge, "read ×6"."""
    from copy import copy

    old = os.getcwd()
    os.chdir(FIXTURES / "example")
    try:
        outcome = runner.check([Path(".")], runner.find_config(None, [Path(".")]), baseline=False)
        pipeline = outcome.world.pipelines[0]
        deploy = next(a for a in pipeline.actions if a.name == "DeployUS")
        for number in range(5):
            extra = copy(deploy)
            extra.name = f"DeployUS-{number}"
            pipeline.actions.append(extra)
        graph = model.build(outcome.world, [pipeline], outcome.findings)
    finally:
        os.chdir(old)
    reads = [e for e in graph.edges if e.kind == "read" and e.to == "bucket:release-artifacts-111111111111-us-east-1"]
    assert [(e.label, e.verdict) for e in reads] == [("read ×6", chain.HOLDS)]
    assert sorted(j.link.action.name for j in reads[0].judged) == ["DeployUS", *(f"DeployUS-{n}" for n in range(5))]


def test_pipeline_option_selects_one_pipeline_and_names_the_others():
    graph, _ = picture(pipeline="release")
    assert [p.label for p in graph.pipelines] == ["release"]
    proc = cli("fixtures/graph/example-broken", "--pipeline", "nope")
    assert proc.returncode == 2
    assert proc.stderr == "pipelint: error: no pipeline named 'nope' among the inputs (pipelines: release)\n"


# -- Mermaid ----------------------------------------------------------------------------------------------

def test_mermaid_structure():
    graph, _ = picture()
    text = mermaid.render(graph)
    lines = text.splitlines()
    assert lines[1] == "flowchart LR"
    assert sum(line.strip().startswith("subgraph ") for line in lines) == len(graph.boxes)
    assert sum(line.strip() == "end" for line in lines) == len(graph.boxes)
    arrows = [line for line in lines if re.search(r" (-->|==>|-\.->)\|", line)]
    assert len(arrows) == len(graph.edges)
    failing = [i for i, line in enumerate(arrows) if " ==>|" in line]
    assert [arrows[i].split("|")[1] for i in failing] == ['"decrypt"']
    assert f"  linkStyle {failing[0]} stroke:#c62828,stroke-width:3px,color:#c62828" in lines
    for node in graph.nodes.values():
        assert f'"{node.label}<br/>{node.detail}"' in text


def test_mermaid_markdown_is_fenced_with_the_failing_link_in_words():
    proc = cli("fixtures/graph/example-broken", "--format", "markdown")
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    assert text.startswith("### pipelint graph: release\n\n```mermaid\n%% pipelint graph: release\nflowchart LR\n")
    assert text.count("```") == 2
    assert ("- ✗ **PL302** decrypt `kms:Decrypt` — action Deploy/DeployEU "
            "(`fixtures/graph/example-broken/target/deploy-roles.yaml:33`): across accounts") in text


def test_output_suffix_picks_the_format(tmp_path):
    for suffix, start in ((".mmd", "%% pipelint graph"), (".dot", "digraph pipelint {"),
                          (".html", "<!DOCTYPE html>"), (".md", "### pipelint graph")):
        target = tmp_path / f"graph{suffix}"
        proc = cli("fixtures/graph/example-broken", "--output", str(target))
        assert proc.returncode == 0, proc.stderr
        assert target.read_text(encoding="utf-8").startswith(start)


MERMAID_PAGE = """<!doctype html><html><head><meta charset="utf-8"></head><body>
<pre id="source">{source}</pre><div id="result">pending</div>
<script src="{script}"></script>
<script>
mermaid.initialize({{startOnLoad: false, securityLevel: "strict"}});
var text = document.getElementById("source").textContent;
mermaid.parse(text).then(function (parsed) {{
  document.getElementById("result").setAttribute("data-type", parsed.diagramType);
  return mermaid.render("picture", text);
}}).then(function (out) {{
  var result = document.getElementById("result");
  result.setAttribute("data-state", "rendered");
  result.innerHTML = out.svg;
}}).catch(function (error) {{
  var result = document.getElementById("result");
  result.setAttribute("data-state", "error");
  result.textContent = String(error && error.message || error);
}});
</script></body></html>"""


def mermaid_in_chromium(text: str, tmp_path: Path) -> str:
    script = need_file(MERMAID_JS, install="npm ci --prefix tests/mermaid")
    page = tmp_path / "mermaid.html"
    page.write_text(MERMAID_PAGE.format(source=html.escape(text), script=script.as_uri()), encoding="utf-8")
    return chromium(page.as_uri(), tmp_path, "--allow-file-access-from-files", "--virtual-time-budget=20000",
                    "--dump-dom")


def test_mermaid_parses_and_renders_with_mermaid(tmp_path):
    graph, _ = picture()
    dom = mermaid_in_chromium(mermaid.render(graph), tmp_path)
    assert 'data-type="flowchart-v2"' in dom and 'data-state="rendered"' in dom, dom[-3000:]
    drawn = dom[dom.index('<div id="result"'):]  # Mermaid's SVG, not the source above it
    for node in graph.nodes.values():
        assert html.escape(node.label, quote=False) in drawn, node.label
    for box in graph.boxes.values():
        assert html.escape(box.label, quote=False) in drawn, box.label
    # every edge is drawn, and the failing one, only it, in red
    edges = re.findall(r'<path[^>]*class="[^"]*flowchart-link[^"]*"[^>]*>', drawn)
    assert len(edges) == len(graph.edges)
    assert len([e for e in edges if "stroke:#c62828" in e.replace(" ", "")]) == 1


def test_mermaid_harness_reports_a_syntax_error(tmp_path):
    """The check above can fail: Mermaid rejects a broken flowchart in the same page."""
    dom = mermaid_in_chromium("flowchart LR\n  a -->|unclosed b\n  subgraph\n", tmp_path)
    assert 'data-state="error"' in dom


# -- DOT ----------------------------------------------------------------------------------------------------

def test_dot_renders_with_graphviz(tmp_path):
    binary = need_tool("dot", install="apt-get install graphviz")
    graph, _ = picture()
    source = tmp_path / "graph.dot"
    source.write_text(dot.render(graph), encoding="utf-8")
    proc = subprocess.run([binary, "-Tsvg", str(source)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and not proc.stderr, proc.stderr
    svg = proc.stdout
    for number, node in enumerate(graph.nodes.values(), 1):
        assert re.search(rf'<g id="n{number}" class="node {node.kind}"', svg), node.id
    failing = re.findall(r'<g id="(e\d+)" class="edge fails"', svg)
    assert failing == [e.id for e in graph.failing()]
    assert len(re.findall(r'<g id="e\d+" class="edge ', svg)) == len(graph.edges)
    assert svg.count('<g id="clust') == len(graph.boxes)


# -- HTML -------------------------------------------------------------------------------------------------

def test_html_is_self_contained():
    graph, outcome = picture()
    page = report.render(graph, outcome.findings)
    assert "://" not in page.replace("http://www.w3.org", "")  # nothing fetched: no URL at all
    assert not re.search(r"""\s(src|href)=""", page)
    references = re.findall(r"url\(([^)]*)\)", page)
    assert references and all(ref.startswith("#arrow-") for ref in references)  # the page's own markers
    data = json.loads(re.search(r'<script type="application/json" id="pipelint-data">(.*?)</script>', page,
                                re.DOTALL).group(1).replace("<\\/", "</"))
    assert set(data["edges"]) == {e.id for e in graph.edges}


def test_layout_places_every_node_inside_its_boxes_without_overlaps():
    for case in (BROKEN, FIXTURES / "setups" / "cdk-pipelines", FIXTURES / "setups" / "cdk-classic"):
        graph, _ = picture(case)
        placed = layout.compute(graph)
        rects = list(placed.nodes.values())
        assert len(rects) == len(graph.nodes)
        for i, a in enumerate(rects):
            for b in rects[i + 1:]:
                assert not a.overlaps(b), (a, b)
        for node in graph.nodes.values():
            box = model_home(graph, node)
            while box is not None:
                assert placed.boxes[box].contains(placed.nodes[node.id]), (node.id, box)
                box = graph.boxes[box].parent
        for box in graph.boxes.values():
            if box.parent is not None:
                assert placed.boxes[box.parent].contains(placed.boxes[box.id]), box.id
        tops = [placed.boxes[b.id] for b in graph.boxes.values() if b.parent is None]
        for i, a in enumerate(tops):
            for b in tops[i + 1:]:
                assert not a.overlaps(b)
        assert all(r.x + r.w <= placed.width + 1 and r.y + r.h <= placed.height + 1 for r in rects)


def model_home(graph, node):
    from pipelint.graph.style import home

    return home(node)


def rendered(tmp_path: Path, fragment: str = "") -> tuple[str, object]:
    graph, outcome = picture()
    page = tmp_path / "report.html"
    page.write_text(report.render(graph, outcome.findings), encoding="utf-8")
    return chromium(page.as_uri() + fragment, tmp_path, "--dump-dom"), graph


def test_report_in_chromium_shows_every_node_and_the_failing_edge(tmp_path):
    dom, graph = rendered(tmp_path)
    shown = set(re.findall(r'<g class="node [a-z]+" id="n\d+" data-node="([^"]+)"', dom))
    assert shown == {html.escape(n) for n in graph.nodes}
    failing = graph.failing()[0]
    assert re.findall(r'<g class="edge fails[^"]*" id="(e\d+)"', dom) == [failing.id]
    # the failing edge is listed and, on opening, selected: its finding, deciding statement and fix
    assert re.search(rf'<button type="button" class="pick fails on" data-edge="{failing.id}">', dom)
    details = dom[dom.index('<div id="details">'):dom.index('</aside>')]
    assert "decrypt: pipeline-deploy → alias/release-pipeline-artifacts" in details
    assert "Finding (fail) at target/deploy-roles.yaml:33" in details
    assert "across accounts, action role arn:aws:iam::222222222222:role/pipeline-deploy (Deploy/DeployEU) to " \
           "kms:Decrypt" in details
    assert '<div>Fix</div><pre class="fix">inline policy deploy of role PipelineDeployRole' in details
    assert ('<b>Deny </b><span>inline policy deploy of role PipelineDeployRole (Sid "KmsOnlyThroughS3InHomeRegion") '
            '</span><code class="where">target/deploy-roles.yaml:33</code>') in details
    assert f'<g class="edge fails selected" id="{failing.id}"' in dom


def test_report_in_chromium_selects_the_edge_the_url_names(tmp_path):
    graph, _ = picture()
    assume = next(e for e in graph.edges if e.label == "assume ×2" and e.to == DEPLOY)
    dom, _ = rendered(tmp_path, f"#{assume.id}")
    details = dom[dom.index('<div id="details">'):dom.index('</aside>')]
    assert "assume ×2: release-pipeline → pipeline-deploy" in details
    assert details.count('<div class="request">') == 2 and "Finding" not in details
    assert '<code class="where">tooling/pipeline.yaml:45</code>' in details  # the pipeline role's Allow


def test_report_screenshot_is_drawn(tmp_path):
    graph, outcome = picture()
    page = tmp_path / "report.html"
    page.write_text(report.render(graph, outcome.findings), encoding="utf-8")
    shot = tmp_path / "shot.png"
    chromium(page.as_uri(), tmp_path, "--window-size=1400,900", f"--screenshot={shot}", "--hide-scrollbars")
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 30_000


def test_cold_check_imports_neither_graph_nor_trace():
    code = ("import sys, runpy; sys.argv = ['pipelint', 'check', %r];\n"
            "try:\n    runpy.run_module('pipelint', run_name='__main__')\n"
            "except SystemExit: pass\n"
            "loaded = sorted(m for m in sys.modules if m.startswith(('pipelint.graph', 'pipelint.trace', "
            "'pipelint.verdicts', 'rich')))\n"
            "print('LOADED', loaded)") % str(FIXTURES / "example")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert "LOADED []" in proc.stdout, proc.stdout + proc.stderr


def test_readme_screenshot_is_the_broken_example():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "![pipelint graph of fixtures/graph/example-broken](fixtures/example-graph.png)" in readme
    assert (ROOT / "fixtures" / "example-graph.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("fmt", ["mermaid", "dot", "html"])
def test_graph_without_pipelines_exits_2(tmp_path, fmt):
    (tmp_path / "bucket.yaml").write_text("Resources:\n  B:\n    Type: AWS::S3::Bucket\n")
    proc = cli(str(tmp_path), "--format", fmt, cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr == "pipelint: error: no pipeline among the inputs: nothing to draw\n"
