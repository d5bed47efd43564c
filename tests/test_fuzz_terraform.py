"""Hostile Terraform for the Terraform loader (and everything after it): whatever the ``.tf``,
``.tfvars`` and plan JSON files hold, ``pipelint check`` either lints them or stops with an
InputError/UsageError (exit 2, file:line and a sentence) — no other exception escapes.

Three generators, as for the other loaders (tests/test_fuzz_loaders.py):

- *structured* configurations: a root module with provider aliases (regions, assume_role,
  allowed_account_ids), variables with and without values, locals, every resource type pipelint reads
  with random HCL expressions in every argument (references to what exists and to what does not,
  templates, heredoc JSON, jsonencode, policy documents, functions, ``for``, conditionals, splats),
  ``count``/``for_each``, ``dynamic`` blocks, a local child module called per account, tfvars and a
  deployment map;
- *byte mutations* of the Terraform example's files and of the plan fixtures;
- *tree mutations* of the plan fixtures (random JSON nodes replaced, dropped or duplicated).

Example counts are small by default (CI) and scale with ``PIPELINT_FUZZ_EXAMPLES``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from test_fuzz_loaders import _mutate_tree, byte_mutations
from test_fuzz_support import ACCOUNTS, REGIONS, fuzz_settings, lint_files

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"

TYPES = ["aws_codepipeline", "aws_s3_bucket", "aws_s3_bucket_policy", "aws_s3_bucket_versioning",
         "aws_s3_bucket_server_side_encryption_configuration", "aws_kms_key", "aws_kms_alias", "aws_kms_key_policy",
         "aws_iam_role", "aws_iam_role_policy", "aws_iam_policy", "aws_iam_role_policy_attachment",
         "aws_iam_policy_attachment", "aws_codebuild_project", "aws_lambda_function", "aws_cloudwatch_event_rule",
         "aws_cloudwatch_event_target", "aws_sqs_queue", "aws_sqs_queue_policy", "aws_codestarconnections_connection",
         "aws_codeconnections_connection", "aws_sns_topic", "aws_other_thing"]
NAMES = ["a", "b"]
ATTRS = ["arn", "id", "name", "bucket", "key_id", "url", "json", "function_name", "nothing", "0"]
FUNCTIONS = ["jsonencode", "jsondecode", "format", "join", "concat", "merge", "lookup", "try", "can", "coalesce",
             "replace", "lower", "tolist", "toset", "length", "element", "file", "templatefile", "keys", "values",
             "flatten", "split", "tostring", "tonumber", "one", "range", "zipmap", "timestamp", "nope", "regex",
             "substr", "formatlist", "distinct", "contains", "index", "slice", "sort", "min", "setunion"]
STRINGS = ["release", "", "arn:aws:iam::111111111111:role/x", "alias/aws/s3", "aws:kms", "Enabled", "Suspended",
           "*", "us-east-1", "eu-west-1", "S3", "KMS", "Source", "Deploy", "CloudFormation", "Lambda", "Invoke",
           "policy.json", "$${x}", "%%{x}", "\\n", "\\u00e9", "a\\\"b"]


# how hostile the example being drawn is (drawn first by `configurations`): a plausible configuration
# only rarely holds what Terraform itself refuses
_HOSTILE = [False]


def _pick(plausible: list, broken: list) -> st.SearchStrategy:
    return st.sampled_from(plausible + broken if _HOSTILE[0] else plausible)


INDEXES = ["", "[0]", '["k"]', "[*]"]
KEYS = ["0", '"dev"', "var.name", "-1"]
ALLOWED = ['["111111111111"]', "[var.account]", "[]", "var.missing"]


def _quote(text: str) -> str:
    return '"' + text.replace('"', '\\"') + '"' if "\\" not in text else '"' + text + '"'


@st.composite
def references(draw) -> str:
    kind = draw(st.integers(0, 8))
    if kind == 0:
        return f"var.{draw(st.sampled_from(['account', 'name', 'regions', 'flag', 'missing', 'accounts']))}"
    if kind == 1:
        return f"local.{draw(st.sampled_from(['x', 'y', 'missing']))}"
    if kind == 2:
        index = draw(st.sampled_from(INDEXES))
        return f"{draw(st.sampled_from(TYPES))}.{draw(st.sampled_from(NAMES + ['missing']))}{index}." \
               f"{draw(st.sampled_from(ATTRS))}"
    if kind == 3:
        return f"module.{draw(st.sampled_from(['child', 'remote', 'missing']))}{draw(st.sampled_from(['', '[0]']))}.out"
    if kind == 4:
        return f"data.{draw(st.sampled_from(['aws_caller_identity', 'aws_region', 'aws_partition', 'aws_iam_policy_document', 'aws_thing']))}.{draw(st.sampled_from(['me', 'doc', 'missing']))}.{draw(st.sampled_from(['account_id', 'name', 'partition', 'json', 'x']))}"
    if kind == 5:
        return draw(st.sampled_from(["count.index", "each.key", "each.value", "path.module", "terraform.workspace",
                                     "self.x"]))
    if kind == 6:
        return draw(st.sampled_from(["aws.tooling", "x", "true", "null"]))
    return f"var.accounts[{draw(st.sampled_from(KEYS))}]"


def expressions(depth: int = 3) -> st.SearchStrategy:
    leaves = st.one_of(
        st.sampled_from(STRINGS).map(_quote), st.integers(-3, 3).map(str), st.sampled_from(["true", "false", "null"]),
        references(), st.sampled_from(ACCOUNTS).map(lambda a: f'"arn:aws:iam::{a}:root"'))
    if depth == 0:
        return leaves

    inner = expressions(depth - 1)

    @st.composite
    def compound(draw) -> str:
        kind = draw(st.integers(0, 10))
        if kind == 0:
            return f"[{', '.join(draw(st.lists(inner, max_size=3)))}]"
        if kind == 1:
            items = draw(st.lists(st.tuples(st.sampled_from(["Effect", "Action", "a", '"x-y"', "(var.name)"]), inner),
                                  max_size=3))
            return "{" + ", ".join(f"{k} = {v}" for k, v in items) + "}"
        if kind == 2:
            args = ", ".join(draw(st.lists(inner, max_size=3)))
            return f"{draw(st.sampled_from(FUNCTIONS))}({args}{draw(st.sampled_from(['', '...'])) if args else ''})"
        if kind == 3:
            return f'"pre-${{{draw(inner)}}}-post"'
        if kind == 4:
            return f"{draw(inner)} ? {draw(inner)} : {draw(inner)}"
        if kind == 5:
            return f"[for k, v in {draw(inner)} : {draw(inner)} if {draw(inner)}]"
        if kind == 6:
            return f"{{for v in {draw(inner)} : v => {draw(inner)}...}}"
        if kind == 7:
            return f"{draw(inner)} {draw(st.sampled_from(['==', '!=', '&&', '||', '+', '-', '*', '/', '%', '<']))} {draw(inner)}"
        if kind == 8:
            return f"({draw(inner)})[{draw(inner)}]"
        if kind == 9:
            return f'"%{{ for x in {draw(inner)} }}${{x}},%{{ endfor }}%{{ if {draw(inner)} }}y%{{ endif }}"'
        return f"!({draw(inner)})"
    return st.one_of(leaves, compound())


@st.composite
def policies(draw) -> str:
    kind = draw(st.integers(0, 4))
    principal = draw(expressions(1))
    if kind == 0:
        return (f'jsonencode({{Version = "2012-10-17", Statement = [{{Effect = "Allow", Principal = {{AWS = {principal}}},'
                f' Action = {draw(expressions(1))}, Resource = "*"}}]}})')
    if kind == 1:
        return ("<<EOF\n{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": "
                f"{{\"AWS\": \"${{{principal}}}\"}}, \"Action\": \"{draw(st.sampled_from(['kms:*', 's3:*', '$${']))}\","
                " \"Resource\": \"*\"}]}\nEOF")
    if kind == 2:
        return f"data.aws_iam_policy_document.{draw(st.sampled_from(['doc', 'missing']))}.json"
    if kind == 3:
        return f'file("{draw(st.sampled_from(["policy.json", "missing.json", "main.tf", "../x"]))}")'
    return draw(expressions(2))


BLOCKS = {
    "aws_codepipeline": ["artifact_store", "stage"],
    "aws_s3_bucket": ["versioning", "server_side_encryption_configuration"],
    "aws_s3_bucket_versioning": ["versioning_configuration"],
    "aws_s3_bucket_server_side_encryption_configuration": ["rule"],
    "aws_iam_role": ["inline_policy"],
    "aws_cloudwatch_event_target": ["dead_letter_config"],
}
ARGS = ["name", "bucket", "role", "role_arn", "policy", "assume_role_policy", "managed_policy_arns",
        "permissions_boundary", "target_key_id", "key_id", "policy_arn", "roles", "service_role", "encryption_key",
        "function_name", "rule", "arn", "target_id", "queue_url", "region", "pipeline_type", "provider_type",
        "event_bus_name"]


@st.composite
def nested(draw, name: str, depth: int = 0) -> str:
    lines = []
    for arg in draw(st.lists(st.sampled_from(["name", "region", "location", "type", "id", "category", "owner",
                                              "provider", "role_arn", "input_artifacts", "output_artifacts",
                                              "configuration", "status", "enabled", "arn", "policy", "sse_algorithm",
                                              "kms_master_key_id"]), max_size=4, unique=True)):
        lines.append(f"  {arg} = {draw(policies() if arg == 'policy' else expressions(2))}")
    if depth < 2:
        for inner in draw(st.lists(st.sampled_from(["action", "encryption_key", "rule",
                                                    "apply_server_side_encryption_by_default"]), max_size=2)):
            lines.append(draw(nested(inner, depth + 1)))
    body = "\n".join(lines)
    if draw(st.integers(0, 5)) == 0:
        each = draw(st.one_of(_pick(["var.regions", "var.accounts", "[1, 2]", "{}", "var.missing"], []),
                              expressions(1))) if _HOSTILE[0] else draw(_pick(["var.regions", "var.accounts",
                                                                               "[1, 2]", "{}", "var.missing"], []))
        return f'dynamic "{name}" {{\n  for_each = {each}\n  content {{\n{body}\n  }}\n}}'
    return f"{name} {{\n{body}\n}}"


@st.composite
def resource(draw, rtype: str, name: str) -> str:
    lines = []
    meta = draw(st.integers(0, 6))
    if meta == 0:
        lines.append(f"  count = {draw(_pick(['2', '0', 'var.flag ? 1 : 0', 'var.missing'], ['-1', '1.5']))}")
    elif meta == 1:
        lines.append(f"  for_each = {draw(_pick(['var.accounts', 'toset(var.regions)', 'var.missing', '{}'], ['[1]']))}")
    if draw(st.booleans()):
        lines.append(f"  provider = {draw(st.sampled_from(['aws.tooling', 'aws.prod', 'aws.missing', 'aws']))}")
    for arg in draw(st.lists(st.sampled_from(ARGS), max_size=5, unique=True)):
        value = draw(policies()) if "policy" in arg and arg != "policy_arn" else draw(expressions())
        lines.append(f"  {arg} = {value}")
    for block in draw(st.lists(st.sampled_from(BLOCKS.get(rtype, ["x"])), max_size=3)):
        lines.append(draw(nested(block)))
    comment = draw(_pick(["", "", "", "# pipelint: ignore PL302 reason\n", "# pipelint: ignore PL3,PL401\n",
                          "// pipelint: ignore PL1\n"], ["# pipelint: ignore X1 y\n"]))
    return f'{comment}resource "{rtype}" "{name}" {{\n' + "\n".join(lines) + "\n}\n"


@st.composite
def configurations(draw) -> tuple[dict, str | None]:
    _HOSTILE[0] = draw(st.integers(0, 3)) == 0
    files: dict = {}
    providers = []
    for alias, region in (("tooling", "us-east-1"), ("prod", "eu-west-1")):
        lines = [f'  alias = "{alias}"']
        if draw(st.booleans()):
            lines.append(f"  region = {draw(st.one_of(st.just(_quote(region)), expressions(1)))}")
        if draw(st.booleans()):
            lines.append(f"  assume_role {{\n    role_arn = {draw(expressions(1))}\n  }}")
        if draw(st.booleans()):
            lines.append(f"  allowed_account_ids = {draw(st.sampled_from(ALLOWED))}")
        providers.append('provider "aws" {\n' + "\n".join(lines) + "\n}\n")
    variables = ('variable "account" {\n  default = "111111111111"\n}\nvariable "name" {}\n'
                 'variable "regions" {\n  default = ["us-east-1", "eu-west-1"]\n}\nvariable "flag" {\n  default = true\n}\n'
                 'variable "accounts" {\n  type = map(string)\n  default = { dev = "222222222222" }\n}\n')
    local = f"locals {{\n  x = {draw(expressions())}\n  y = {draw(expressions())}\n}}\n"
    body = [*providers, variables, local]
    body.append('data "aws_caller_identity" "me" {}\n')
    body.append('data "aws_iam_policy_document" "doc" {\n  statement {\n    actions = ' + draw(expressions(1))
                + '\n    principals {\n      type = "AWS"\n      identifiers = [' + draw(expressions(1)) + ']\n    }\n'
                + '    condition {\n      test = "StringEquals"\n      variable = "aws:PrincipalOrgID"\n      values = ['
                + draw(expressions(1)) + "]\n    }\n  }\n  source_policy_documents = " + draw(expressions(1)) + "\n}\n")
    for rtype, name in draw(st.lists(st.tuples(st.sampled_from(TYPES), st.sampled_from(NAMES)), min_size=1,
                                     max_size=7, unique=True)):
        body.append(draw(resource(rtype, name)))
    if draw(st.booleans()):
        meta = draw(st.sampled_from(["", "  count = 2\n", '  for_each = { dev = "x" }\n', "  count = var.missing\n"]))
        body.append(f'module "child" {{\n  source = "./child"\n{meta}  input = {draw(expressions())}\n'
                    f"  providers = {{ aws = aws.{draw(st.sampled_from(['tooling', 'prod', 'missing']))} }}\n}}\n")
        files["child/main.tf"] = (f'variable "input" {{}}\n{draw(resource(draw(st.sampled_from(TYPES)), "c"))}'
                                  f"output \"out\" {{\n  value = {draw(expressions())}\n}}\n")
    if draw(st.integers(0, 4)) == 0:
        body.append('module "remote" {\n  source = "terraform-aws-modules/iam/aws"\n}\n')
    text = "\n".join(body)
    # resources of the same address twice would be refused by Terraform: keep the first
    files["main.tf"] = text
    files["policy.json"] = draw(_pick(['{"Version": "2012-10-17", "Statement": []}'], ["{", '"x"', "[]"]))
    if draw(st.booleans()):
        files["terraform.tfvars"] = draw(_pick(['name = "release"\n', 'accounts = { prod = "333333333333" }\n'],
                                               ['name = var.x\n', "name = \n", "x {}\n"]))
    config = None
    if draw(st.booleans()):
        config = ('[[stacks]]\ntemplate = "."\n'
                  f'account = "{draw(st.sampled_from(ACCOUNTS))}"\nregion = "{draw(st.sampled_from(REGIONS))}"\n'
                  'parameters = { name = "release", regions = ["us-east-1"], flag = false }\n'
                  'providers = { "aws.prod" = { account = "333333333333" } }\n')
    return files, config


@fuzz_settings(80)
@given(st.data())
def test_structured_terraform_never_crashes(data):
    files, config = data.draw(configurations())
    lint_files(files, config=config)


# -- mutations of the Terraform fixtures ------------------------------------------------------------

EXAMPLE = FIXTURES / "example-terraform"
EXAMPLE_FILES = sorted(p for p in EXAMPLE.rglob("*") if p.is_file() and p.name != "pipelint.toml")
PLANS = sorted(FIXTURES.rglob("plan.json"))


def _setup(folder: Path) -> dict:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*")
            if p.is_file() and p.name not in ("pipelint.toml", "expected.json", "regenerate.py")}


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=[str(p.relative_to(EXAMPLE)) for p in EXAMPLE_FILES])
@fuzz_settings(5)
@given(data=st.data())
def test_byte_mutations_of_the_terraform_example_never_crash(path, data):
    files = _setup(EXAMPLE)
    files[str(path.relative_to(EXAMPLE))] = data.draw(byte_mutations(path.read_bytes()))
    lint_files(files)


@pytest.mark.parametrize("path", PLANS, ids=[str(p.relative_to(FIXTURES)) for p in PLANS])
@fuzz_settings(5)
@given(data=st.data())
def test_mutations_of_plans_never_crash(path, data):
    if data.draw(st.booleans()):
        content = data.draw(byte_mutations(path.read_bytes()))
    else:
        content = json.dumps(_mutate_tree(json.loads(path.read_text()), data.draw))
    lint_files({"plan.json": content})
