"""The HCL expression evaluator and the built-in functions, on expressions parsed from text.

Every case states the value Terraform gives (Terraform language documentation, Expressions and
Functions); unknown inputs must stay unknown and say why."""

from __future__ import annotations

import pytest

from pipelint.errors import InputError
from pipelint.loaders.terraform import syntax
from pipelint.loaders.terraform.expressions import Scope, evaluate
from pipelint.loaders.terraform.values import Invalid, JsonText, PartialJson, UnknownText
from pipelint.values import Unknown

NAMES = {
    "var": {"name": "release", "accounts": {"dev": "222222222222", "prod": "333333333333"}, "regions": ["us-east-1",
            "eu-west-1"], "flag": True, "empty": "", "nothing": None, "count": 2},
    "unknown_account": Unknown("variable account of module folder . has no value"),
}


def value(text: str, names: dict | None = None, read=None):
    node = syntax.parse_expression(text, "t.tf", 1, 1)
    names = {**NAMES, **(names or {})}
    scope = Scope(lambda n: Invalid(f"unknown name {n}"), read or (lambda p: Invalid(f"no file {p}")), "t.tf")
    return evaluate(node, scope.child(names))


@pytest.mark.parametrize("text, expected", [
    ('"${var.name}-artifacts"', "release-artifacts"),
    ('"${var.count}"', 2),  # one interpolation keeps its type
    ('"n=${var.count}"', "n=2"),
    ('"$${literal}"', "${literal}"),
    ("var.accounts.dev", "222222222222"),
    ('var.accounts["prod"]', "333333333333"),
    ("var.regions[1]", "eu-west-1"),
    ("var.regions.0", "us-east-1"),
    ("var.flag ? \"a\" : \"b\"", "a"),
    ("!var.flag || var.count > 1", True),
    ("var.count * 3 - 1", 5),
    ("-var.count", -2),
    ("var.count == 2.0", True),
    ('"2" == 2', False),
    ("[for k, v in var.accounts : \"arn:aws:iam::${v}:root\"]",
     ["arn:aws:iam::222222222222:root", "arn:aws:iam::333333333333:root"]),
    ("{for k, v in var.accounts : v => k if k != \"dev\"}", {"333333333333": "prod"}),
    ("{for r in var.regions : substr(r, 0, 2) => r...}", {"us": ["us-east-1"], "eu": ["eu-west-1"]}),
    ("[{a = 1}, {a = 2}][*].a", [1, 2]),
    ("var.nothing[*]", []),
    ('"%{ for r in var.regions ~} ${r}, %{~ endfor }"', "us-east-1,eu-west-1,"),
    ('"%{ if var.flag }yes%{ else }no%{ endif }"', "yes"),
    ('jsonencode({b = [1, "x"], a = true})', '{"a":true,"b":[1,"x"]}'),
    ('jsondecode("{\\"a\\": [1, 2]}").a[1]', 2),
    ('format("arn:aws:iam::%s:role/%s", "111111111111", var.name)', "arn:aws:iam::111111111111:role/release"),
    ('format("%d-%05.1f-%q-%%", 3, 2.5, "x")', '3-002.5-"x"-%'),
    ('formatlist("%s:root", ["a", "b"])', ["a:root", "b:root"]),
    ('join(",", var.regions, ["x"])', "us-east-1,eu-west-1,x"),
    ('split("/", "a/b/c")', ["a", "b", "c"]),
    ("concat(var.regions, [\"ap-south-1\"])", ["us-east-1", "eu-west-1", "ap-south-1"]),
    ("merge(var.accounts, {prod = \"4\"}, null)", {"dev": "222222222222", "prod": "4"}),
    ('lookup(var.accounts, "qa", "none")', "none"),
    ('lookup(var.accounts, "dev")', "222222222222"),
    ('try(var.accounts.qa, "fallback")', "fallback"),
    ('can(var.accounts.qa)', False),
    ('coalesce(var.empty, var.nothing, "c")', "c"),
    ('replace("a-b-c", "-", "_")', "a_b_c"),
    ('replace("arn:aws:iam::1:role/x", "/:role/(.*)$/", ":policy/$1")', "arn:aws:iam::1:policy/x"),
    ('lower("AbC")', "abc"),
    ('tolist(toset(["b", "a", "b"]))', ["a", "b"]),
    ("length(var.accounts)", 2),
    ('length("abc")', 3),
    ("element(var.regions, 3)", "eu-west-1"),
    ("keys(var.accounts)", ["dev", "prod"]),
    ("values(var.accounts)", ["222222222222", "333333333333"]),
    ('contains(var.regions, "eu-west-1")', True),
    ("flatten([[1], [2, [3]]])", [1, 2, 3]),
    ("distinct([1, 2, 1])", [1, 2]),
    ('compact(["a", "", null, "b"])', ["a", "b"]),
    ('trimprefix("alias/x", "alias/")', "x"),
    ('zipmap(["a", "b"], [1, 2])', {"a": 1, "b": 2}),
    ("one([\"x\"])", "x"),
    ("range(3)", [0, 1, 2]),
    ('nonsensitive(sensitive("x"))', "x"),
    ('provider::aws::arn_build("aws", "iam", "", "111111111111", "role/deploy")', "arn:aws:iam::111111111111:role/deploy"),
    ('provider::aws::arn_parse("arn:aws:kms:us-east-1:1:key/k").account_id', "1"),
    ('startswith("arn:aws:kms", "arn:")', True),
])
def test_known_values(text, expected):
    assert value(text) == expected


def test_jsonencode_remembers_the_value_it_encodes():
    encoded = value('jsonencode({Statement = [{Effect = "Allow"}]})')
    assert isinstance(encoded, JsonText)
    assert encoded.value["Statement"][0].pos == ("t.tf", 1, 26)


def test_unknown_values_stay_unknown_and_name_themselves():
    reason = "variable account of module folder . has no value"
    for text in ('"arn:aws:iam::${unknown_account}:root"', "upper(unknown_account)", "unknown_account == \"1\"",
                 "[for a in unknown_account : a]", 'join(",", [unknown_account])', "var.flag ? unknown_account : 1"):
        result = value(text)
        assert isinstance(result, Unknown) and result.reason == reason, text
    # the text around the hole is kept: the kind of ARN, and a policy's structure
    arn = value('"arn:aws:iam::${unknown_account}:role/deploy"')
    assert isinstance(arn, UnknownText) and arn.shape == "arn:iam:role"
    policy = value('jsonencode({Principal = {AWS = "arn:aws:iam::${unknown_account}:root"}, Action = "kms:*"})')
    assert isinstance(policy, PartialJson) and policy.value["Action"] == "kms:*"
    assert isinstance(policy.value["Principal"]["AWS"], Unknown)


def test_known_operands_settle_logic_around_unknowns():
    assert value("false && unknown_account") is False
    assert value("unknown_account || true") is True
    assert value('coalesce("a", unknown_account)') == "a"
    assert isinstance(value("try(unknown_account, \"x\")"), Unknown)  # Terraform waits for it, no fallback
    assert isinstance(value("can(unknown_account)"), Unknown)


def test_errors_are_invalid_values_that_say_where():
    for text in ("var.regions[5]", 'var.accounts["qa"]', 'lookup(var.accounts, "qa")', "var.name.x", "1 / 0",
                 'element([], 0)', 'jsondecode("{")', "var.accounts + 1"):
        result = value(text)
        assert isinstance(result, Invalid) and "t.tf" in result.reason, (text, result)


def test_functions_pipelint_does_not_evaluate_are_unknown_not_guessed():
    assert value("timestamp()").reason == "timestamp() at t.tf:1 gives a new value on every run"
    assert value('md5("x")').reason == "function md5() at t.tf:1 is not evaluated by pipelint"


def test_templatefile_and_file_read_through_the_scope():
    files = {"policy.tftpl": '{"Resource": "arn:aws:kms:*:${account}:key/*"%{ if admin }, "Admin": true%{ endif }}',
             "plain.json": '{"a": 1}'}
    read = lambda path: files.get(path, Invalid(f"no file {path}"))  # noqa: E731
    assert value('jsondecode(templatefile("policy.tftpl", {account = "1", admin = true}))', read=read) == {
        "Resource": "arn:aws:kms:*:1:key/*", "Admin": True}
    assert value('jsondecode(file("plain.json")).a', read=read) == 1
    assert isinstance(value('file("missing.json")', read=read), Invalid)


def test_heredocs_are_templates_with_positions():
    hcl = syntax.parse_text('x = <<-EOT\n    {\n      "a": "${var.name}"\n    }\n    EOT\n', "h.tf")
    template = hcl.body.attributes["x"].expr
    assert template.heredoc and template.line == 1
    interpolation = [p for p in template.parts if not isinstance(p, str)][0]
    assert (interpolation.line, interpolation.col) == (3, 15)
    scope = Scope(lambda n: NAMES[n], lambda p: None, "h.tf")
    assert evaluate(template, scope) == '{\n  "a": "release"\n}\n'


@pytest.mark.parametrize("text, line, message", [
    ('resource "aws_s3_bucket" "b" {\n  bucket = "x"\n', 2, "the file ends inside a block"),
    ('resource "aws_s3_bucket" "b" {\n  bucket = = "x"\n}\n', 2, "unexpected"),
    ('locals {\n  a = "${"\n}\n', 3, "the file ends inside a block, string or expression"),
    ('x = <<EOT\n${var.a\nEOT\n', 2, "not closed"),
    ('resource "a" "b" {\n  x = 1\n  x = 2\n}\n', 3, "argument 'x' is set twice (first on line 2)"),
    ('x = "%{ if a }"\n', 1, "not closed"),
])
def test_bad_hcl_is_an_input_error_with_line(text, line, message):
    with pytest.raises(InputError) as caught:
        syntax.parse_text(text, "bad.tf")
    assert caught.value.path == "bad.tf" and caught.value.line == line and message in caught.value.message, \
        str(caught.value)
