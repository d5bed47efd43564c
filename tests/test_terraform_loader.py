"""The Terraform loader: modules, providers per account and region, the three policy styles, tfvars,
count/for_each, unknowns, placeholders, suppressions in comments, and bad input.

Each test writes a small configuration into an empty folder and asserts what the model holds."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipelint import config as config_module
from pipelint import runner
from pipelint.config import Config
from pipelint.loaders import load_world
from pipelint.values import Unknown

from conftest import ROOT


def world_of(tmp: Path, files: dict, toml: str | None = None):
    import os

    os.chdir(tmp)
    for name, text in files.items():
        path = tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text if isinstance(text, str) else json.dumps(text))
    cfg = Config()
    if toml is not None:
        (tmp / "pipelint.toml").write_text(toml)
        cfg = config_module.load(tmp / "pipelint.toml")
    return load_world([tmp], cfg)


PROVIDERS = '''
provider "aws" {
  alias               = "tooling"
  region              = "us-east-1"
  allowed_account_ids = ["111111111111"]
}
provider "aws" {
  alias  = "prod"
  region = "eu-west-1"
  assume_role {
    role_arn = "arn:aws:iam::333333333333:role/terraform"
  }
}
'''

TARGET_MODULE = '''
variable "name" { type = string }
variable "trusted" { type = string }
data "aws_caller_identity" "me" {}
resource "aws_iam_role" "deploy" {
  name = "${var.name}-deploy"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = var.trusted } }]
  })
}
output "role_arn" { value = aws_iam_role.deploy.arn }
output "account" { value = data.aws_caller_identity.me.account_id }
'''


def test_modules_called_per_account_pass_arns_both_ways(in_tmp):
    world = world_of(in_tmp, {"main.tf": PROVIDERS + '''
module "dev" {
  source  = "./modules/target"
  name    = "dev"
  trusted = aws_iam_role.pipeline.arn
  providers = { aws = aws.tooling }
}
module "prod" {
  source  = "./modules/target"
  name    = "prod"
  trusted = aws_iam_role.pipeline.arn
  providers = { aws = aws.prod }
}
resource "aws_iam_role" "pipeline" {
  provider           = aws.tooling
  name               = "pipeline"
  assume_role_policy = "{}"
  inline_policy {
    name   = "assume"
    policy = jsonencode({Statement = [{Effect = "Allow", Action = "sts:AssumeRole",
                                       Resource = [module.dev.role_arn, module.prod.role_arn]}]})
  }
}
''', "modules/target/main.tf": TARGET_MODULE})
    roles = {r.key: r for r in world.roles.values()}
    assert set(roles) == {"arn:aws:iam::111111111111:role/pipeline", "arn:aws:iam::111111111111:role/dev-deploy",
                          "arn:aws:iam::333333333333:role/prod-deploy"}
    prod = roles["arn:aws:iam::333333333333:role/prod-deploy"]
    assert (prod.account, prod.source.file, prod.source.line, prod.source.path) == (
        "333333333333", "modules/target/main.tf", 5, ("module.prod.aws_iam_role.deploy",))
    assert prod.trust.document["Statement"][0]["Principal"]["AWS"] == "arn:aws:iam::111111111111:role/pipeline"
    pipeline = roles["arn:aws:iam::111111111111:role/pipeline"]
    assert pipeline.inline_policies[0].document["Statement"][0]["Resource"] == [
        "arn:aws:iam::111111111111:role/dev-deploy", "arn:aws:iam::333333333333:role/prod-deploy"]


def test_provider_accounts_and_regions(in_tmp):
    world = world_of(in_tmp, {"main.tf": PROVIDERS + '''
provider "aws" {
  alias  = "mapped"
}
resource "aws_sqs_queue" "default" { name = "default" }
resource "aws_sqs_queue" "tooling" {
  provider = aws.tooling
  name     = "tooling"
}
resource "aws_sqs_queue" "prod" {
  provider = aws.prod
  name     = "prod"
}
resource "aws_sqs_queue" "mapped" {
  provider = aws.mapped
  name     = "mapped"
}
module "child" {
  source = "./child"
}
''', "child/main.tf": 'resource "aws_sqs_queue" "inherited" { name = "inherited" }\n'},
        toml='[[stacks]]\ntemplate = "."\naccount = "444444444444"\nregion = "ap-south-1"\n'
             'providers = { "aws.mapped" = { account = "555555555555", region = "ca-central-1" } }\n')
    assert sorted(q.key for q in world.queues.values()) == [
        "arn:aws:sqs:ap-south-1:444444444444:default", "arn:aws:sqs:ap-south-1:444444444444:inherited",
        "arn:aws:sqs:ca-central-1:555555555555:mapped", "arn:aws:sqs:eu-west-1:333333333333:prod",
        "arn:aws:sqs:us-east-1:111111111111:tooling"]


def test_an_unknown_provider_account_says_how_to_settle_it(in_tmp):
    world = world_of(in_tmp, {"infra/main.tf": 'resource "aws_iam_role" "r" {\n  name = "r"\n}\n'})
    role = next(iter(world.roles.values()))
    assert isinstance(role.account, Unknown)
    assert role.account.reason == (
        'the account of provider aws in infra is not known: give it in the deployment map ([[stacks]] template = '
        '"infra", account = "..."), or set assume_role { role_arn } or allowed_account_ids in the provider block')
    assert role.key == "aws_iam_role.r" and role.arn.shape == "arn:iam:role"


def test_variables_from_tfvars_map_and_defaults_in_terraform_precedence(in_tmp):
    world = world_of(in_tmp, {
        "main.tf": '''
provider "aws" {
  region              = "us-east-1"
  allowed_account_ids = [var.account]
}
variable "account" { type = string }
variable "a" { default = "default" }
variable "b" { default = "default" }
variable "c" { default = "default" }
variable "d" { default = "default" }
variable "e" { default = "default" }
variable "f" { type = number }
resource "aws_sqs_queue" "q" { name = join("-", [var.a, var.b, var.c, var.d, var.e, tostring(var.f + 1)]) }
''',
        "terraform.tfvars": 'account = "111111111111"\na = "tfvars"\nb = "tfvars"\nc = "tfvars"\nd = "tfvars"\n',
        "terraform.tfvars.json": {"b": "json"},
        "b.auto.tfvars": 'c = "auto"\n',
        "a.auto.tfvars.json": {"c": "auto-json-first", "d": "auto-json"},
        "env/prod.tfvars": 'd = "var-file"\n',
    }, toml='[[stacks]]\ntemplate = "."\nvar-files = ["env/prod.tfvars"]\nparameters = { e = "map", f = "41" }\n')
    assert list(world.queues) == ["arn:aws:sqs:us-east-1:111111111111:tfvars-json-auto-var-file-map-42"]
    assert "terraform.tfvars" in world.files and "a.auto.tfvars.json" in world.files


def test_a_variable_without_value_is_unknown_and_says_where_to_give_it(in_tmp):
    world = world_of(in_tmp, {"main.tf": '''
provider "aws" {
  region              = "us-east-1"
  allowed_account_ids = ["111111111111"]
}
variable "queue" { type = string }
resource "aws_sqs_queue" "q" { name = var.queue }
'''})
    queue = next(iter(world.queues.values()))
    assert queue.key == "aws_sqs_queue.q"
    assert queue.arn.reason == ("variable queue of module folder . has no value: give it in the deployment map "
                                '([[stacks]] template = ".", parameters = {queue = ...}) or a .tfvars file')


def test_count_for_each_and_conditionals(in_tmp):
    world = world_of(in_tmp, {"main.tf": '''
provider "aws" {
  region              = "us-east-1"
  allowed_account_ids = ["111111111111"]
}
variable "envs" { default = { dev = "222222222222", prod = "333333333333" } }
variable "with_dlq" { default = false }
resource "aws_sqs_queue" "per_env" {
  for_each = var.envs
  name     = "${each.key}-${each.value}"
}
resource "aws_sqs_queue" "numbered" {
  count = 2
  name  = "q${count.index}"
}
resource "aws_sqs_queue" "dlq" {
  count = var.with_dlq ? 1 : 0
  name  = "dlq"
}
resource "aws_sqs_queue" "last" { name = aws_sqs_queue.numbered[1].name }
resource "aws_sqs_queue" "splat" { name = join("+", aws_sqs_queue.numbered[*].name) }
resource "aws_sqs_queue" "keyed" { name = "from-${aws_sqs_queue.per_env["prod"].name}" }
'''})
    names = sorted(k.rsplit(":", 1)[1] for k in world.queues)
    # aws_sqs_queue.last names the same queue as numbered[1]: one queue in the model
    assert names == ["dev-222222222222", "from-prod-333333333333", "prod-333333333333", "q0", "q0+q1", "q1"]
    paths = sorted(q.source.path[0] for q in world.queues.values())
    assert 'aws_sqs_queue.per_env["dev"]' in paths and "aws_sqs_queue.numbered[1]" in paths


def test_an_unknown_count_is_a_notice_not_a_guess(in_tmp):
    world = world_of(in_tmp, {"main.tf": '''
variable "n" { type = number }
resource "aws_sqs_queue" "q" {
  count = var.n
  name  = "q"
}
'''})
    assert not world.queues
    assert [n.message.split(" (")[0] for n in world.notices] == ["the count of aws_sqs_queue.q is not known"]


POLICY_STYLES = {
    "main.tf": PROVIDERS + '''
variable "partner" { type = string }
data "aws_iam_policy_document" "base" {
  statement {
    sid       = "Keep"
    actions   = ["kms:Decrypt"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111111111111:root"]
    }
  }
  statement {
    sid       = "Replaced"
    actions   = ["kms:Decrypt"]
    resources = ["*"]
  }
}
data "aws_iam_policy_document" "key" {
  provider                = aws.tooling
  source_policy_documents = [data.aws_iam_policy_document.base.json]
  statement {
    sid         = "Replaced"
    effect      = "Deny"
    not_actions = ["kms:Decrypt", "kms:Encrypt"]
    resources   = ["*"]
    not_principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::222222222222:root"]
    }
    condition {
      test     = "StringNotEquals"
      variable = "aws:PrincipalOrgID"
      values   = ["o-abcdefghij"]
    }
  }
}
resource "aws_kms_key" "document" {
  provider = aws.tooling
  policy   = data.aws_iam_policy_document.key.json
}
resource "aws_kms_key" "jsonencode" {
  provider = aws.tooling
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Sid = "Admin", Effect = "Allow", Principal = { AWS = "arn:aws:iam::111111111111:root" },
        Action = "kms:*", Resource = "*" },
    ]
  })
}
resource "aws_kms_key" "heredoc" {
  provider = aws.tooling
  policy   = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "kms:*", "Resource": "*"},
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::${var.partner}:root"}, "Action": "kms:Decrypt", "Resource": "*"}
  ]
}
EOF
}
resource "aws_kms_key" "file" {
  provider = aws.tooling
  policy   = file("${path.module}/policies/key.json")
}
resource "aws_kms_key" "default" {
  provider = aws.prod
}
''',
    "policies/key.json": '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow", '
                         '"Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}\n  ]\n}\n',
}


def _keys(world) -> dict:
    return {k.source.path[0].split(".")[-1]: k for k in world.keys.values()}


def test_policy_styles_document_jsonencode_heredoc_and_file(in_tmp):
    world = world_of(in_tmp, POLICY_STYLES)
    keys = _keys(world)
    document = keys["document"].policy.document
    assert [s.get("Sid") for s in document["Statement"]] == ["Keep", "Replaced"]
    replaced = document["Statement"][1]
    assert replaced["Effect"] == "Deny" and replaced["NotAction"] == ["kms:Decrypt", "kms:Encrypt"]
    assert replaced["NotPrincipal"] == {"AWS": "arn:aws:iam::222222222222:root"}
    assert replaced["Condition"] == {"StringNotEquals": {"aws:PrincipalOrgID": "o-abcdefghij"}}
    assert keys["document"].policy.at("Statement", 1).line == 35  # the statement block in main.tf
    assert keys["document"].policy.at("Statement", 0).line == 17  # from the source document
    assert keys["jsonencode"].policy.document["Statement"][0]["Sid"] == "Admin"
    assert keys["jsonencode"].policy.at("Statement", 0).line == 60
    heredoc = keys["heredoc"].policy
    assert heredoc.document["Statement"][0]["Action"] == "kms:*"
    partner = heredoc.document["Statement"][1]["Principal"]["AWS"]
    assert isinstance(partner, Unknown) and partner.reason.startswith("variable partner of module folder . has no value")
    assert heredoc.at("Statement", 1).line == 72 and heredoc.at("Statement", 1).file == "main.tf"
    from_file = keys["file"].policy
    assert from_file.document["Statement"][0]["Principal"] == "*"
    assert (from_file.at("Statement", 0).file, from_file.at("Statement", 0).line) == ("policies/key.json", 4)
    # KMS's default key policy when none is given: the owning account's IAM decides
    assert keys["default"].policy.document["Statement"][0]["Principal"] == {"AWS": "arn:aws:iam::333333333333:root"}
    # the JSON file a .tf file reads is part of the configuration, not an unbound policy file
    assert not [n for n in world.notices if n.file == "policies/key.json"]


def test_generated_ids_are_placeholders_that_meet_across_modules(in_tmp):
    files = {"main.tf": PROVIDERS + '''
module "store" {
  source    = "./store"
  providers = { aws = aws.tooling }
}
resource "aws_codebuild_project" "build" {
  provider       = aws.tooling
  name           = "build"
  service_role   = "arn:aws:iam::111111111111:role/build"
  encryption_key = module.store.key_arn
}
''', "store/main.tf": '''
resource "aws_kms_key" "k" {}
resource "aws_kms_alias" "a" {
  name          = "alias/artifacts"
  target_key_id = aws_kms_key.k.key_id
}
output "key_arn" { value = aws_kms_key.k.arn }
'''}
    world = world_of(in_tmp, files)
    key = next(iter(world.keys.values()))
    assert key.arn == "arn:aws:kms:us-east-1:111111111111:key/⟨tf:module.store.aws_kms_key.k⟩"
    assert key.aliases == ["alias/artifacts"]
    assert next(iter(world.projects.values())).encryption_key == key.arn
    world = world_of(in_tmp, files, toml='[[stacks]]\ntemplate = "."\n'
                     'physical-ids = { "module.store.aws_kms_key.k" = "1234abcd-12ab-34cd-56ef-1234567890ab" }\n')
    assert list(world.keys) == ["arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"]


def test_unknowns_name_themselves(in_tmp):
    world = world_of(in_tmp, {"main.tf": PROVIDERS + '''
data "aws_ssm_parameter" "account" { name = "/accounts/prod" }
resource "aws_sqs_queue" "q" {
  provider = aws.tooling
  name     = "q"
  policy   = jsonencode({Statement = [{Effect = "Allow", Principal = {AWS = data.aws_ssm_parameter.account.value},
                                       Action = "sqs:SendMessage", Resource = aws_lambda_function.f.qualified_arn}]})
}
resource "aws_lambda_function" "f" {
  provider      = aws.tooling
  function_name = "f"
  role          = aws_iam_role.missing.arn
}
module "remote" {
  source = "terraform-aws-modules/iam/aws"
}
resource "aws_sqs_queue" "r" {
  provider = aws.tooling
  name     = module.remote.name
}
'''})
    statement = next(q for q in world.queues.values() if q.key.endswith(":q")).policy.document["Statement"][0]
    assert statement["Principal"]["AWS"].reason.startswith("data.aws_ssm_parameter.account.value is read from AWS")
    assert statement["Resource"].reason == "aws_lambda_function.f.qualified_arn is known only after apply"
    function = next(iter(world.functions.values()))
    assert function.role_arn.reason == ("aws_iam_role.missing is not declared in module folder . (is a .tf file "
                                        "missing from the inputs?)")
    remote = next(q for q in world.queues.values() if q.key == "aws_sqs_queue.r")
    assert "module.remote comes from terraform-aws-modules/iam/aws, which pipelint does not fetch" in remote.arn.reason
    assert any("module.remote comes from" in n.message for n in world.notices)


def test_split_bucket_resources_attach_to_their_bucket(in_tmp):
    world = world_of(in_tmp, {"main.tf": PROVIDERS + '''
variable "name" { type = string }
resource "aws_s3_bucket" "a" {
  provider = aws.tooling
  bucket   = var.name
}
resource "aws_s3_bucket_versioning" "a" {
  provider = aws.tooling
  bucket   = aws_s3_bucket.a.id
  versioning_configuration { status = "Enabled" }
}
resource "aws_s3_bucket_server_side_encryption_configuration" "a" {
  provider = aws.tooling
  bucket   = aws_s3_bucket.a.bucket
  rule {
    apply_server_side_encryption_by_default { sse_algorithm = "aws:kms" }
  }
}
resource "aws_s3_bucket_policy" "a" {
  provider = aws.tooling
  bucket   = aws_s3_bucket.a.id
  policy   = jsonencode({Statement = []})
}
resource "aws_s3_bucket" "legacy" {
  provider = aws.tooling
  bucket   = "legacy"
  versioning { enabled = true }
}
'''})
    buckets = {b.source.path[0]: b for b in world.buckets.values()}
    named_later = buckets["aws_s3_bucket.a"]  # its name is unknown, yet its settings find it
    assert (named_later.versioning, named_later.encryption_key) == ("Enabled", "alias/aws/s3")
    assert named_later.policy.document == {"Statement": []}
    assert buckets["aws_s3_bucket.legacy"].versioning == "Enabled"


def test_event_targets_join_their_rule(in_tmp):
    world = world_of(in_tmp, {"main.tf": PROVIDERS + '''
resource "aws_cloudwatch_event_rule" "r" {
  provider = aws.tooling
  name     = "on-push"
}
resource "aws_cloudwatch_event_target" "t" {
  provider = aws.tooling
  rule     = aws_cloudwatch_event_rule.r.name
  arn      = "arn:aws:codepipeline:us-east-1:111111111111:release"
  dead_letter_config { arn = "arn:aws:sqs:us-east-1:111111111111:dlq" }
}
'''})
    (rule,) = world.event_rules
    assert rule.arn == "arn:aws:events:us-east-1:111111111111:rule/on-push"
    (target,) = rule.targets
    assert target.dlq_arn == "arn:aws:sqs:us-east-1:111111111111:dlq"
    assert target.id.reason == "aws_cloudwatch_event_target.t.target_id is known only after apply"  # Terraform makes one
    assert target.source.path == ("aws_cloudwatch_event_target.t",)


# -- suppressions -----------------------------------------------------------------------------------

SUPPRESSED = {
    "main.tf": PROVIDERS + '''
module "dev" {
  source    = "./target"
  providers = { aws = aws.tooling }
}
# pipelint: ignore PL303 the prod module is checked by its own pipeline
module "prod" {
  source    = "./target"
  providers = { aws = aws.prod }
}
''',
    "target/main.tf": '''
# pipelint: ignore PL401 reviewed: the wildcard is fenced by an SCP
resource "aws_iam_role" "deploy" {
  name               = "deploy"
  assume_role_policy = "{}"
}

resource "aws_sqs_queue" "q" {
  name = "q" # pipelint: ignore PL202,PL306
}

# pipelint: ignore PL1 whole file
''',
}


def test_comments_become_suppressions_for_every_instance_of_their_block(in_tmp):
    world = world_of(in_tmp, SUPPRESSED)
    got = sorted((s.rule, s.file, s.source.line, s.reason, s.prefixes, s.span) for s in world.suppressions)
    assert got == [
        ("PL1", "target/main.tf", 12, "whole file", (), None),
        ("PL202", "target/main.tf", 9, None, (("module.dev.aws_sqs_queue.q",), ("module.prod.aws_sqs_queue.q",)),
         (8, 10)),
        ("PL303", "main.tf", 19, "the prod module is checked by its own pipeline",
         (("module.prod.aws_iam_role.deploy",), ("module.prod.aws_sqs_queue.q",)), (20, 23)),
        ("PL306", "target/main.tf", 9, None, (("module.dev.aws_sqs_queue.q",), ("module.prod.aws_sqs_queue.q",)),
         (8, 10)),
        ("PL401", "target/main.tf", 2, "reviewed: the wildcard is fenced by an SCP",
         (("module.dev.aws_iam_role.deploy",), ("module.prod.aws_iam_role.deploy",)), (3, 6)),
    ]


def test_a_malformed_ignore_comment_is_bad_input(in_tmp):
    (in_tmp / "main.tf").write_text('# pipelint: ignore because\nresource "aws_sqs_queue" "q" {}\n')
    proc = subprocess.run([sys.executable, "-m", "pipelint", "check", "."], cwd=in_tmp, capture_output=True, text=True)
    assert proc.returncode == 2
    assert "main.tf:1:1: a pipelint: ignore comment needs a rule id such as PL302" in proc.stderr


def test_bad_hcl_exits_2_with_file_and_line(in_tmp):
    (in_tmp / "infra").mkdir()
    (in_tmp / "infra" / "main.tf").write_text('resource "aws_sqs_queue" "q" {\n  name = "q"\n  policy = }\n')
    proc = subprocess.run([sys.executable, "-m", "pipelint", "check", "infra"], cwd=in_tmp, capture_output=True,
                          text=True)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("pipelint: error: infra/main.tf:3:12: invalid HCL: unexpected '}'"), proc.stderr
    assert "Traceback" not in proc.stderr


def test_check_without_terraform_inputs_does_not_import_the_hcl_parser():
    code = ("import sys, pathlib; from pipelint import runner\n"
            "cfg = runner.find_config(None, [pathlib.Path('fixtures/example')])\n"
            "runner.check([pathlib.Path('fixtures/example')], cfg)\n"
            "print(sorted(m for m in ('hcl2', 'lark', 'pipelint.loaders.terraform') if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_terraform_example_lints_clean():
    cfg = runner.find_config(None, [ROOT / "fixtures" / "example-terraform"])
    outcome = runner.check([ROOT / "fixtures" / "example-terraform"], cfg)
    assert [f for f in outcome.findings if f.suppressed is None] == []
    world = outcome.world
    assert len(world.pipelines) == 1 and sorted(world.pipelines[0].artifact_stores) == ["eu-west-1", "us-east-1"]
    assert sorted(world.roles) == [
        "arn:aws:iam::111111111111:role/release-build", "arn:aws:iam::111111111111:role/release-pipeline",
        "arn:aws:iam::111111111111:role/release-trigger", "arn:aws:iam::222222222222:role/cloudformation-execution",
        "arn:aws:iam::222222222222:role/pipeline-deploy"]
    assert [n.message for n in world.notices] == []


# -- end to end: suppressions and the deployment map --------------------------------------------------

PL302_FAIL = ROOT / "fixtures" / "rules" / "PL302" / "fail" / "key-policy-lacks-target-account-tf"


def _copy_pl302(tmp: Path) -> Path:
    import shutil

    shutil.copytree(PL302_FAIL, tmp / "infra")
    (tmp / "infra" / "expected.json").unlink()
    return tmp / "infra"


def test_a_comment_above_the_key_suppresses_its_findings_in_every_instance(in_tmp):
    infra = _copy_pl302(in_tmp)
    store = infra / "modules" / "artifact-store" / "main.tf"
    store.write_text(store.read_text().replace('resource "aws_kms_key" "artifacts" {',
                                               '# pipelint: ignore PL302 the workload account decrypts through a grant\n'
                                               'resource "aws_kms_key" "artifacts" {'))
    outcome = runner.check([infra], Config(), select=["PL302", "PL9"])
    assert [(f.rule_id, f.suppressed) for f in outcome.findings] == [
        ("PL302", "the workload account decrypts through a grant")] * 2
    assert outcome.suppression_kind(outcome.findings[0]) == "inSource"


def test_a_config_entry_suppresses_one_module_instance(in_tmp):
    infra = _copy_pl302(in_tmp)
    (in_tmp / "pipelint.toml").write_text('[[suppress]]\nid = "PL302"\nresource = "module.artifacts_eu"\n'
                                          'reason = "eu-west-1 is being retired"\n')
    from pipelint import config as config_module

    outcome = runner.check([infra], config_module.load(in_tmp / "pipelint.toml"), select=["PL302"])
    got = sorted((f.resources[-1].split(":")[3], f.suppressed) for f in outcome.findings)
    assert got == [("eu-west-1", "eu-west-1 is being retired"), ("us-east-1", None)]


def test_the_deployment_map_cannot_miss_a_terraform_root_module(in_tmp):
    shutil_copy = __import__("shutil").copytree
    shutil_copy(ROOT / "fixtures" / "example-terraform", in_tmp / "infra")
    (in_tmp / "infra" / "pipelint.toml").unlink()
    cases = [
        ('parameters = { workload_acount_id = "222222222222" }',
         'parameter "workload_acount_id" is not declared by the root module infra'),
        ('physical-ids = { "module.artifacts.aws_kms_key.artifacts" = "x" }',
         'physical-ids "module.artifacts.aws_kms_key.artifacts" is no resource of the root module infra'),
        ('providers = { "aws.workloads" = { account = "222222222222" } }',
         'providers "aws.workloads" is no provider configuration of that root module'),
    ]
    for line, message in cases:
        (in_tmp / "pipelint.toml").write_text(f'[[stacks]]\ntemplate = "infra"\n{line}\n')
        proc = subprocess.run([sys.executable, "-m", "pipelint", "check", "infra"], cwd=in_tmp, capture_output=True,
                              text=True)
        assert proc.returncode == 2 and message in proc.stderr, (line, proc.stderr)
    (in_tmp / "pipelint.toml").write_text(
        '[[stacks]]\ntemplate = "infra"\nparameters = { pipeline_name = "release" }\n'
        'physical-ids = { "module.artifacts_us.aws_kms_key.artifacts" = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0" }\n'
        'providers = { "aws.workload" = { account = "222222222222" } }\n')
    proc = subprocess.run([sys.executable, "-m", "pipelint", "check", "infra"], cwd=in_tmp, capture_output=True,
                          text=True)
    assert proc.returncode == 0 and "No problems found" in proc.stdout, proc.stderr


def test_optional_object_attributes_take_their_defaults(in_tmp):
    world = world_of(in_tmp, {"main.tf": '''
provider "aws" {
  region              = "us-east-1"
  allowed_account_ids = ["111111111111"]
}
variable "queues" {
  type = map(object({
    name   = string
    suffix = optional(string, "-dlq")
    fifo   = optional(bool)
  }))
  default = { a = { name = "orders" } }
}
resource "aws_sqs_queue" "q" {
  for_each = var.queues
  name     = "${each.value.name}${each.value.suffix}${each.value.fifo == null ? "" : ".fifo"}"
}
'''})
    assert list(world.queues) == ["arn:aws:sqs:us-east-1:111111111111:orders-dlq"]


def test_the_workspace_comes_from_the_map(in_tmp):
    files = {"main.tf": '''
provider "aws" {
  region              = "us-east-1"
  allowed_account_ids = ["111111111111"]
}
resource "aws_sqs_queue" "q" { name = "release-${terraform.workspace}" }
'''}
    queue = next(iter(world_of(in_tmp, files).queues.values()))
    assert queue.arn.reason == ('terraform.workspace is chosen when Terraform runs: give it in the deployment map '
                                '([[stacks]] template = ".", workspace = "...")')
    world = world_of(in_tmp, files, toml='[[stacks]]\ntemplate = "."\nworkspace = "prod"\n')
    assert list(world.queues) == ["arn:aws:sqs:us-east-1:111111111111:release-prod"]
