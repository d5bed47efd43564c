"""Tests of pipelint.loaders.intrinsics: every intrinsic, conditions, unknowns and errors."""

from __future__ import annotations

import pytest

from pipelint.loaders.documents import parse_document
from pipelint.loaders.intrinsics import (
    Resolver,
    StackContext,
    TemplateError,
    partition_for_region,
    url_suffix_for_partition,
)
from pipelint.values import Unknown

NO_ENV = "parameter Env has no value; pass it in the deployment map (parameters = {...})"

TEMPLATE = """
Parameters:
  Env: {Type: String}
  Stage: {Type: String, Default: dev}
  Count: {Type: Number, Default: 3}
  Subnets: {Type: CommaDelimitedList, Default: "a, b,c"}
  SubnetIds: {Type: "List<AWS::EC2::Subnet::Id>"}
  Ids: {Type: "List<String>", Default: "x"}
  Ami: {Type: "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>", Default: /aws/ami}
  AttrName: {Type: String, Default: Arn}
  Region: {Type: String, Default: us-east-1}
Mappings:
  Accounts:
    us-east-1: {Prod: "111111111111", Dev: "222222222222"}
    eu-west-1: {Prod: "333333333333"}
  Ports:
    "80": {Name: http}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Equals [!Ref Stage, dev]
  IsUsEast: !Equals [us-east-1, !Ref "AWS::Region"]
  ThreeItems: !Equals [!Ref Count, 3]
  DevNotProd: !And [!Condition IsDev, !Not [!Condition IsProd]]
  DevOrProd: !Or [!Condition IsDev, !Condition IsProd]
  NotDev: !Not [!Condition IsDev]
  ProdAndDev: !And [!Condition IsProd, !Condition IsDev]
  ProdOrNotDev: !Or [!Condition IsProd, !Condition NotDev]
  Nested: !And [!Or [!Condition NotDev, !Equals [a, a]], !Not [!Equals [!Ref Stage, prod]]]
  FalseAndUnknown: !And [!Condition NotDev, !Condition IsProd]
  Deep: !Not [!Condition DevNotProd]
Resources:
  Bucket: {Type: AWS::S3::Bucket}
  Role: {Type: AWS::IAM::Role}
  Key: {Type: AWS::KMS::Key}
"""


def make_context(**overrides) -> StackContext:
    values = dict(
        account="123456789012",
        region="us-east-1",
        partition="aws",
        stack_name="app-stack",
        parameters={"SubnetIds": "subnet-1,subnet-2"},
        exports={"shared-key-arn": "arn:aws:kms:us-east-1:999999999999:key/abc"},
        ref=lambda name: f"ref:{name}",
        get_att=lambda name, attribute: f"att:{name}.{attribute}",
    )
    values.update(overrides)
    return StackContext(**values)


def make_resolver(template: str = TEMPLATE, **overrides) -> Resolver:
    return Resolver(parse_document(template, "t.yaml").data, make_context(**overrides))


@pytest.fixture
def resolver() -> Resolver:
    return make_resolver()


def resolve_error(resolver: Resolver, value, path=("Resources", "X", "Properties", "P")):
    with pytest.raises(TemplateError) as caught:
        resolver.resolve(value, path)
    return caught.value


# --------------------------------------------------------------------------------------------------
# Ref


def test_ref_parameters(resolver):
    assert resolver.resolve({"Ref": "Stage"}) == "dev"
    assert resolver.resolve({"Ref": "Count"}) == "3"  # Ref of a Number parameter is a string
    assert resolver.resolve({"Ref": "Env"}) == Unknown(NO_ENV)
    assert resolver.parameter("Env") == Unknown(NO_ENV)


def test_supplied_parameter_beats_default():
    resolver = make_resolver(parameters={"Stage": "prod", "Env": "prod", "Count": 7})
    assert resolver.resolve({"Ref": "Stage"}) == "prod"
    assert resolver.resolve({"Ref": "Env"}) == "prod"
    assert resolver.resolve({"Ref": "Count"}) == "7"


def test_list_parameters_resolve_to_lists(resolver):
    assert resolver.resolve({"Ref": "Subnets"}) == ["a", "b", "c"]  # members are space trimmed
    assert resolver.resolve({"Ref": "SubnetIds"}) == ["subnet-1", "subnet-2"]
    assert resolver.resolve({"Ref": "Ids"}) == ["x"]
    supplied = make_resolver(parameters={"SubnetIds": ["s-1", "s-2"]})
    assert supplied.resolve({"Ref": "SubnetIds"}) == ["s-1", "s-2"]
    assert resolver.resolve({"Fn::Join": [",", {"Ref": "Subnets"}]}) == "a,b,c"
    assert resolver.resolve({"Fn::Select": [1, {"Ref": "SubnetIds"}]}) == "subnet-2"


def test_ssm_typed_parameter_without_a_value_names_the_ssm_parameter(resolver):
    """The parameter's value (here its Default) is the NAME of the SSM parameter CloudFormation reads."""
    assert resolver.resolve({"Ref": "Ami"}) == Unknown(
        'parameter Ami (AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>) is read from SSM at deploy time: '
        '"/aws/ami" (its Default) is the name of the SSM parameter, and the value of that SSM parameter is not '
        'given; add ssm = { "/aws/ami" = "..." } to pipelint.toml'
    )


SSM_TEMPLATE = """
Parameters:
  OrgId: {Type: "AWS::SSM::Parameter::Value<String>"}
  Prod: {Type: "AWS::SSM::Parameter::Value<String>", Default: /accounts/prod}
  Targets: {Type: "AWS::SSM::Parameter::Value<List<String>>", Default: /accounts/targets}
  Subnets: {Type: "AWS::SSM::Parameter::Value<CommaDelimitedList>", Default: /net/subnets}
  Name: {Type: "AWS::SSM::Parameter::Name", Default: /accounts/prod}
Resources:
  Bucket: {Type: AWS::S3::Bucket}
"""


def test_ssm_typed_parameter_value_from_the_map_is_a_name_not_a_value():
    """A value in the deployment map of an SSM-typed parameter is the SSM parameter's name: the message
    says so, rather than echo the value as if it were a name the user wrote on purpose."""
    resolver = make_resolver(SSM_TEMPLATE, parameters={"OrgId": "o-abc123def4"})
    assert resolver.resolve({"Ref": "OrgId"}) == Unknown(
        'parameter OrgId (AWS::SSM::Parameter::Value<String>) is read from SSM at deploy time: "o-abc123def4" '
        '(its value in the deployment map) is the name of the SSM parameter, and the value of that SSM parameter '
        'is not given; add ssm = { "o-abc123def4" = "..." } to pipelint.toml'
    )
    given = make_resolver(SSM_TEMPLATE, parameters={"OrgId": "/org/id"}, ssm={"/org/id": "o-abc123def4"})
    assert given.resolve({"Ref": "OrgId"}) == "o-abc123def4"


def test_ssm_typed_parameters_read_the_ssm_map():
    resolver = make_resolver(SSM_TEMPLATE, ssm={"/accounts/prod": "222222222222",
                                                "/accounts/targets": "222222222222,333333333333",
                                                "/net/subnets": "subnet-1, subnet-2"})
    assert resolver.resolve({"Ref": "Prod"}) == "222222222222"
    assert resolver.resolve({"Fn::Sub": "arn:aws:iam::${Prod}:role/deploy"}) == "arn:aws:iam::222222222222:role/deploy"
    # StringList values are comma-separated
    assert resolver.resolve({"Ref": "Targets"}) == ["222222222222", "333333333333"]
    assert resolver.resolve({"Fn::Select": [1, {"Ref": "Targets"}]}) == "333333333333"
    assert resolver.resolve({"Ref": "Subnets"}) == ["subnet-1", "subnet-2"]
    # AWS::SSM::Parameter::Name is the name itself
    assert resolver.resolve({"Ref": "Name"}) == "/accounts/prod"


def test_ssm_typed_parameter_with_a_close_name_in_the_map():
    resolver = make_resolver(SSM_TEMPLATE, ssm={"/accounts/prd": "222222222222"})
    assert resolver.resolve({"Ref": "Prod"}).reason.endswith(
        'add ssm = { "/accounts/prod" = "..." } to pipelint.toml (the map gives "/accounts/prd": a typo?)')


def test_unknown_supplied_parameter_passes_through():
    marker = Unknown("supplied by the deployment map as unknown")
    assert make_resolver(parameters={"Env": marker}).resolve({"Ref": "Env"}) == marker


def test_pseudo_parameters(resolver):
    assert resolver.resolve({"Ref": "AWS::AccountId"}) == "123456789012"
    assert resolver.resolve({"Ref": "AWS::Region"}) == "us-east-1"
    assert resolver.resolve({"Ref": "AWS::Partition"}) == "aws"
    assert resolver.resolve({"Ref": "AWS::StackName"}) == "app-stack"
    assert resolver.resolve({"Ref": "AWS::URLSuffix"}) == "amazonaws.com"
    assert resolver.resolve({"Ref": "AWS::StackId"}) == Unknown(
        "AWS::StackId is known only once the stack exists"
    )
    assert resolver.resolve({"Ref": "AWS::NotificationARNs"}) == Unknown(
        "AWS::NotificationARNs is known only at deploy time"
    )


def test_pseudo_parameters_can_be_unknown():
    region = Unknown("the deployment map gives no region")
    resolver = make_resolver(region=region, url_suffix="amazonaws.com.cn")
    assert resolver.resolve({"Ref": "AWS::Region"}) == region
    assert resolver.resolve({"Ref": "AWS::URLSuffix"}) == "amazonaws.com.cn"
    assert resolver.resolve({"Fn::Sub": "s3.${AWS::Region}.${AWS::URLSuffix}"}) == region


def test_ref_resources_use_the_callback(resolver):
    assert resolver.resolve({"Ref": "Bucket"}) == "ref:Bucket"


def test_ref_to_nothing_is_an_error_with_path(resolver):
    err = resolve_error(resolver, {"Ref": "Nope"})
    assert err.message == (
        "Ref to 'Nope', which is neither a parameter, a pseudo parameter nor a resource"
    )
    assert err.path == ("Resources", "X", "Properties", "P", "Ref")


def test_no_value_removes_key_and_item(resolver):
    value = {
        "Keep": 1,
        "Drop": {"Ref": "AWS::NoValue"},
        "List": [1, {"Ref": "AWS::NoValue"}, 2, {"Fn::If": ["IsDev", {"Ref": "AWS::NoValue"}, 3]}],
        "DropIf": {"Fn::If": ["IsDev", {"Ref": "AWS::NoValue"}, "x"]},
        "KeepIf": {"Fn::If": ["NotDev", {"Ref": "AWS::NoValue"}, "y"]},
    }
    assert resolver.resolve(value) == {"Keep": 1, "List": [1, 2], "KeepIf": "y"}
    assert resolver.resolve({"Ref": "AWS::NoValue"}) is None


# --------------------------------------------------------------------------------------------------
# Fn::GetAtt


def test_getatt_forms(resolver):
    assert resolver.resolve({"Fn::GetAtt": ["Role", "Arn"]}) == "att:Role.Arn"
    assert resolver.resolve({"Fn::GetAtt": "Key.Arn"}) == "att:Key.Arn"
    assert resolver.resolve({"Fn::GetAtt": "Bucket.Endpoint.Address"}) == "att:Bucket.Endpoint.Address"
    assert resolver.resolve({"Fn::GetAtt": ["Role", {"Ref": "AttrName"}]}) == "att:Role.Arn"


def test_getatt_attribute_unknown():
    resolver = make_resolver(
        TEMPLATE.replace("AttrName: {Type: String, Default: Arn}", "AttrName: {Type: String}")
    )
    assert resolver.resolve({"Fn::GetAtt": ["Role", {"Ref": "AttrName"}]}) == Unknown(
        "parameter AttrName has no value; pass it in the deployment map (parameters = {...})"
    )


def test_getatt_callback_may_give_unknown():
    unknown = Unknown("the ARN of Role is known only after deployment")
    resolver = make_resolver(get_att=lambda name, attribute: unknown)
    assert resolver.resolve({"Fn::GetAtt": ["Role", "Arn"]}) == unknown


def test_getatt_errors(resolver):
    err = resolve_error(resolver, {"Fn::GetAtt": ["Nope", "Arn"]})
    assert err.message == "Fn::GetAtt refers to 'Nope', which is not a resource"
    assert err.path == ("Resources", "X", "Properties", "P", "Fn::GetAtt")
    err = resolve_error(resolver, {"Fn::GetAtt": ["Role"]})
    assert err.message == "Fn::GetAtt needs a list of 2 items, not 1 items"
    err = resolve_error(resolver, {"Fn::GetAtt": "Role"})
    assert err.message == "Fn::GetAtt needs 'Resource.Attribute', not 'Role'"


# --------------------------------------------------------------------------------------------------
# Fn::Sub


def test_sub_string_form(resolver):
    assert resolver.resolve(
        {"Fn::Sub": "arn:${AWS::Partition}:s3:::${Bucket}/${Stage}/*"}
    ) == "arn:aws:s3:::ref:Bucket/dev/*"
    assert resolver.resolve({"Fn::Sub": "${Role.Arn}"}) == "att:Role.Arn"
    assert resolver.resolve({"Fn::Sub": "${Bucket.Endpoint.Address}"}) == "att:Bucket.Endpoint.Address"
    assert resolver.resolve({"Fn::Sub": "no variables"}) == "no variables"
    assert resolver.resolve({"Fn::Sub": "${!Literal}-${Stage}-${!AWS::Region}"}) == (
        "${Literal}-dev-${AWS::Region}"
    )
    assert resolver.resolve({"Fn::Sub": "${AWS::Region}.${AWS::URLSuffix}"}) == (
        "us-east-1.amazonaws.com"
    )


def test_sub_list_form(resolver):
    value = {
        "Fn::Sub": [
            "arn:aws:iam::${Target}:role/${Name}-${Stage}-${!x}",
            {"Target": {"Fn::FindInMap": ["Accounts", {"Ref": "AWS::Region"}, "Prod"]},
             "Name": "deploy", "Stage": "override"},
        ]
    }
    assert resolver.resolve(value) == "arn:aws:iam::111111111111:role/deploy-override-${x}"


def test_sub_unknown_part_makes_the_string_unknown(resolver):
    assert resolver.resolve({"Fn::Sub": "arn:aws:iam::${Env}:root"}) == Unknown(NO_ENV)
    assert resolver.resolve({"Fn::Sub": ["${A}-${B}", {"A": {"Ref": "Env"}, "B": "b"}]}) == Unknown(
        NO_ENV
    )


def test_sub_errors(resolver):
    err = resolve_error(resolver, {"Fn::Sub": "${Missing}"})
    assert err.message == (
        "Fn::Sub refers to ${Missing}, which is neither a variable, a parameter, a pseudo "
        "parameter nor a resource"
    )
    assert err.path == ("Resources", "X", "Properties", "P", "Fn::Sub")
    err = resolve_error(resolver, {"Fn::Sub": "${Missing.Arn}"})
    assert err.message == "Fn::Sub refers to ${Missing.Arn}, but 'Missing' is not a resource"
    err = resolve_error(resolver, {"Fn::Sub": ["${A}", {"A": "a"}, "extra"]})
    assert err.message == "Fn::Sub needs a list of 2 items, not 3 items"
    err = resolve_error(resolver, {"Fn::Sub": ["${A}", ["A"]]})
    assert err.path == ("Resources", "X", "Properties", "P", "Fn::Sub", 1)
    err = resolve_error(resolver, {"Fn::Sub": "${Subnets}"})
    assert err.message == "${Subnets} in Fn::Sub must be a string, not a list"


# --------------------------------------------------------------------------------------------------
# Fn::Join, Fn::Select, Fn::Split, Fn::Length, Fn::ToJsonString, Fn::Base64, GetAZs, Cidr


def test_join(resolver):
    assert resolver.resolve({"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::b"]]}) == (
        "arn:aws:s3:::b"
    )
    assert resolver.resolve({"Fn::Join": [",", []]}) == ""
    assert resolver.resolve({"Fn::Join": ["-", ["a", 1, True]]}) == "a-1-true"
    assert resolver.resolve({"Fn::Join": ["-", ["a", {"Ref": "AWS::NoValue"}, "b"]]}) == "a-b"
    assert resolver.resolve({"Fn::Join": ["/", {"Fn::Split": [",", "x,y"]}]}) == "x/y"


def test_join_unknown_part(resolver):
    assert resolver.resolve({"Fn::Join": ["", ["a", {"Ref": "Env"}, {"Ref": "AWS::StackId"}]]}) == (
        Unknown(NO_ENV)
    )


def test_join_errors(resolver):
    err = resolve_error(resolver, {"Fn::Join": ["", ["a"], "extra"]})
    assert err.message == "Fn::Join needs a list of 2 items, not 3 items"
    assert err.path == ("Resources", "X", "Properties", "P", "Fn::Join")
    err = resolve_error(resolver, {"Fn::Join": "abc"})
    assert err.message == "Fn::Join needs a list of 2 items, not the string 'abc'"
    err = resolve_error(resolver, {"Fn::Join": ["", ["a", {"k": "v"}]]})
    assert err.message == "Fn::Join can only join strings, not k"
    assert err.path == ("Resources", "X", "Properties", "P", "Fn::Join", 1, 1)
    err = resolve_error(resolver, {"Fn::Join": ["", "notalist"]})
    assert err.message == "the second item of Fn::Join must be a list, not the string 'notalist'"


def test_select(resolver):
    assert resolver.resolve({"Fn::Select": [0, ["a", "b"]]}) == "a"
    assert resolver.resolve({"Fn::Select": ["1", ["a", "b"]]}) == "b"
    assert resolver.resolve({"Fn::Select": [2, {"Fn::Split": ["/", "a/b/c"]}]}) == "c"
    assert resolver.resolve({"Fn::Select": [1, {"Ref": "Subnets"}]}) == "b"


def test_select_out_of_range_is_unknown(resolver):
    assert resolver.resolve({"Fn::Select": [5, ["a", "b"]]}) == Unknown(
        "Fn::Select index 5 is out of range for a list of 2 items"
    )


def test_select_unknowns(resolver):
    # the unknown element is selected: it is the result; other elements do not matter
    assert resolver.resolve({"Fn::Select": [0, [{"Ref": "Env"}, "b"]]}) == Unknown(NO_ENV)
    assert resolver.resolve({"Fn::Select": [1, [{"Ref": "Env"}, "b"]]}) == "b"
    # an unknown index or list
    assert resolver.resolve({"Fn::Select": [{"Ref": "Env"}, ["a"]]}) == Unknown(NO_ENV)
    assert resolver.resolve({"Fn::Select": [0, {"Fn::GetAZs": ""}]}) == Unknown(
        "the Availability Zones of us-east-1 are not known offline (Fn::GetAZs)"
    )


def test_select_errors(resolver):
    err = resolve_error(resolver, {"Fn::Select": [-1, ["a"]]})
    assert err.message == "the index of Fn::Select must be a whole number from 0, not the number -1"
    assert err.path == ("Resources", "X", "Properties", "P", "Fn::Select", 0)
    err = resolve_error(resolver, {"Fn::Select": [0]})
    assert err.message == "Fn::Select needs a list of 2 items, not 1 items"


def test_split(resolver):
    assert resolver.resolve({"Fn::Split": [",", "a,b,,c"]}) == ["a", "b", "", "c"]
    assert resolver.resolve({"Fn::Split": [":", {"Fn::Sub": "x:${Stage}"}]}) == ["x", "dev"]
    assert resolver.resolve({"Fn::Split": [",", {"Ref": "Env"}]}) == Unknown(NO_ENV)
    err = resolve_error(resolver, {"Fn::Split": ["", "a"]})
    assert err.message == "the delimiter of Fn::Split cannot be empty"


def test_length(resolver):
    assert resolver.resolve({"Fn::Length": ["a", {"Ref": "Env"}, "c"]}) == 3
    assert resolver.resolve({"Fn::Length": [1, {"Ref": "AWS::NoValue"}]}) == 1
    assert resolver.resolve({"Fn::Length": {"Ref": "Subnets"}}) == 3
    assert resolver.resolve({"Fn::Length": {"Fn::GetAZs": ""}}) == Unknown(
        "the Availability Zones of us-east-1 are not known offline (Fn::GetAZs)"
    )
    err = resolve_error(resolver, {"Fn::Length": "abc"})
    assert err.message == "the argument of Fn::Length must be a list, not the string 'abc'"


def test_to_json_string(resolver):
    assert resolver.resolve({"Fn::ToJsonString": {"a": [1, {"Ref": "Stage"}], "é": None}}) == (
        '{"a":[1,"dev"],"é":null}'
    )
    assert resolver.resolve({"Fn::ToJsonString": [{"Ref": "AWS::Region"}]}) == '["us-east-1"]'
    assert resolver.resolve({"Fn::ToJsonString": {"a": {"b": {"Ref": "Env"}}}}) == Unknown(NO_ENV)


def test_base64_gives_the_text(resolver):
    assert resolver.resolve({"Fn::Base64": {"Fn::Sub": "#!/bin/sh\necho ${Stage}"}}) == (
        "#!/bin/sh\necho dev"
    )


def test_getazs_and_cidr_are_unknown(resolver):
    assert resolver.resolve({"Fn::GetAZs": ""}) == Unknown(
        "the Availability Zones of us-east-1 are not known offline (Fn::GetAZs)"
    )
    assert resolver.resolve({"Fn::GetAZs": "eu-west-1"}) == Unknown(
        "the Availability Zones of eu-west-1 are not known offline (Fn::GetAZs)"
    )
    assert resolver.resolve({"Fn::Cidr": ["10.0.0.0/16", 4, 8]}) == Unknown(
        "Fn::Cidr is not computed offline"
    )


def test_transform_and_unsupported_functions_are_unknown(resolver):
    assert resolver.resolve({"Fn::Transform": {"Name": "AWS::Include", "Parameters": {}}}) == (
        Unknown("the macro AWS::Include of Fn::Transform runs only at deploy time")
    )
    assert resolver.resolve({"Fn::Contains": [["a"], "a"]}) == Unknown(
        "Fn::Contains is not evaluated offline"
    )


# --------------------------------------------------------------------------------------------------
# Fn::FindInMap


def test_find_in_map(resolver):
    assert resolver.resolve({"Fn::FindInMap": ["Accounts", {"Ref": "AWS::Region"}, "Prod"]}) == (
        "111111111111"
    )
    assert resolver.resolve({"Fn::FindInMap": ["Accounts", "eu-west-1", "Prod"]}) == "333333333333"
    assert resolver.resolve({"Fn::FindInMap": ["Ports", 80, "Name"]}) == "http"


def test_find_in_map_default_value(resolver):
    default = {"DefaultValue": {"Ref": "AWS::AccountId"}}
    assert resolver.resolve({"Fn::FindInMap": ["Accounts", "eu-west-1", "Dev", default]}) == (
        "123456789012"
    )
    assert resolver.resolve({"Fn::FindInMap": ["Accounts", "ap-south-1", "Dev", default]}) == (
        "123456789012"
    )
    assert resolver.resolve({"Fn::FindInMap": ["Accounts", "us-east-1", "Dev", default]}) == (
        "222222222222"
    )


def test_find_in_map_unknown_key(resolver):
    assert resolver.resolve({"Fn::FindInMap": ["Accounts", {"Ref": "Env"}, "Prod"]}) == Unknown(
        NO_ENV
    )
    unknown_region = make_resolver(region=Unknown("no region"))
    assert unknown_region.resolve(
        {"Fn::FindInMap": ["Accounts", {"Ref": "AWS::Region"}, "Prod"]}
    ) == Unknown("no region")


def test_find_in_map_errors(resolver):
    err = resolve_error(resolver, {"Fn::FindInMap": ["Nope", "a", "b"]})
    assert err.message == "Fn::FindInMap refers to 'Nope', which is not a mapping"
    assert err.path == ("Resources", "X", "Properties", "P", "Fn::FindInMap")
    err = resolve_error(resolver, {"Fn::FindInMap": ["Accounts", "ap-south-1", "Prod"]})
    assert err.message == "mapping Accounts has no key 'ap-south-1'"
    err = resolve_error(resolver, {"Fn::FindInMap": ["Accounts", "eu-west-1", "Dev"]})
    assert err.message == "mapping Accounts has no key 'Dev' under 'eu-west-1'"
    err = resolve_error(resolver, {"Fn::FindInMap": ["Accounts", "eu-west-1"]})
    assert err.message == "Fn::FindInMap needs a list of 3 or 4 items, not 2 items"
    err = resolve_error(resolver, {"Fn::FindInMap": ["Accounts", "a", "b", {"Default": 1}]})
    assert err.path == ("Resources", "X", "Properties", "P", "Fn::FindInMap", 3)


# --------------------------------------------------------------------------------------------------
# Fn::ImportValue


def test_import_value(resolver):
    assert resolver.resolve({"Fn::ImportValue": "shared-key-arn"}) == (
        "arn:aws:kms:us-east-1:999999999999:key/abc"
    )
    assert resolver.resolve({"Fn::ImportValue": {"Fn::Sub": "shared-${Env}"}}) == Unknown(NO_ENV)
    absent = resolver.resolve({"Fn::ImportValue": "absent"})
    assert isinstance(absent, Unknown) and absent.reason.startswith("no input stack exports 'absent': add the stack")
    assert 'imports = { "absent" = "..." }' in absent.reason


# --------------------------------------------------------------------------------------------------
# Conditions


def test_conditions_known(resolver):
    assert resolver.condition("IsDev") is True
    assert resolver.condition("IsUsEast") is True
    assert resolver.condition("ThreeItems") is True
    assert resolver.condition("NotDev") is False
    assert resolver.condition("DevOrProd") is True  # True OR unknown
    assert resolver.condition("FalseAndUnknown") is False  # False AND unknown
    assert resolver.condition("Nested") is True


def test_conditions_unknown(resolver):
    assert resolver.condition("IsProd") == Unknown(f"condition IsProd cannot be decided: {NO_ENV}")
    assert resolver.condition("DevNotProd") == Unknown(
        f"condition DevNotProd cannot be decided: {NO_ENV}"
    )
    assert resolver.condition("ProdAndDev") == Unknown(
        f"condition ProdAndDev cannot be decided: {NO_ENV}"
    )
    assert resolver.condition("ProdOrNotDev") == Unknown(
        f"condition ProdOrNotDev cannot be decided: {NO_ENV}"
    )
    assert resolver.condition("Deep") == Unknown(f"condition Deep cannot be decided: {NO_ENV}")


def test_conditions_with_supplied_parameters():
    resolver = make_resolver(parameters={"Env": "prod", "Stage": "prod"})
    assert resolver.condition("IsProd") is True
    assert resolver.condition("IsDev") is False
    assert resolver.condition("DevNotProd") is False
    assert resolver.condition("ProdAndDev") is False
    assert resolver.condition("ProdOrNotDev") is True
    assert resolver.condition("Nested") is False


def test_conditions_are_cached():
    calls = []
    resolver = make_resolver(region="eu-west-1")
    original = resolver._boolean

    def counting(expression, path):
        calls.append(path)
        return original(expression, path)

    resolver._boolean = counting
    assert resolver.condition("IsUsEast") is False
    assert resolver.condition("IsUsEast") is False
    assert resolver.resolve({"Fn::If": ["IsUsEast", "a", "b"]}) == "b"
    assert calls.count(("Conditions", "IsUsEast")) == 1


def test_if(resolver):
    assert resolver.resolve({"Fn::If": ["IsDev", "dev-value", "other"]}) == "dev-value"
    assert resolver.resolve({"Fn::If": ["NotDev", "dev-value", {"Ref": "Stage"}]}) == "dev"
    assert resolver.resolve({"Fn::If": ["IsProd", "a", "b"]}) == Unknown(
        f"condition IsProd cannot be decided: {NO_ENV}"
    )
    # only the chosen branch is resolved
    assert resolver.resolve({"Fn::If": ["IsDev", "ok", {"Ref": "Env"}]}) == "ok"


def test_condition_reference_outside_condition_functions(resolver):
    assert resolver.resolve({"Condition": "IsDev"}) is True
    assert resolver.resolve({"Condition": "IsProd"}) == Unknown(
        f"condition IsProd cannot be decided: {NO_ENV}"
    )
    statement = {"Condition": {"StringEquals": {"aws:PrincipalAccount": "1"}}}
    assert resolver.resolve(statement) == statement
    assert resolver.resolve({"Condition": "NotACondition"}) == {"Condition": "NotACondition"}


def test_equals_and_logic_directly(resolver):
    assert resolver.resolve({"Fn::Equals": [{"Ref": "Stage"}, "dev"]}) is True
    assert resolver.resolve({"Fn::Equals": [{"Ref": "Env"}, "dev"]}) == Unknown(NO_ENV)
    assert resolver.resolve({"Fn::Equals": [1, "1"]}) is True
    assert resolver.resolve({"Fn::Not": [{"Fn::Equals": ["a", "b"]}]}) is True
    assert resolver.resolve({"Fn::Or": [{"Fn::Equals": ["a", "b"]}, False]}) is False


def test_condition_errors():
    resolver = make_resolver()
    err = resolve_error(resolver, {"Fn::If": ["Undefined", 1, 2]})
    assert err.message == "condition Undefined is not defined in Conditions"
    assert err.path == ("Resources", "X", "Properties", "P", "Fn::If", 0)
    err = resolve_error(resolver, {"Fn::If": ["IsDev", 1]})
    assert err.message == "Fn::If needs a list of 3 items, not 2 items"
    with pytest.raises(TemplateError) as caught:
        resolver.condition("Undefined")
    assert caught.value.path == ()
    with pytest.raises(TemplateError) as caught:
        resolver.condition("Undefined", ("Resources", "Role", "Condition"))
    assert caught.value.message == "condition Undefined is not defined in Conditions"
    assert caught.value.path == ("Resources", "Role", "Condition")
    with pytest.raises(TemplateError) as caught:
        resolver.condition(["IsDev"], ("Resources", "Role", "Condition"))
    assert caught.value.message == "a condition name must be a string, not a list"


def test_condition_cycle():
    template = {
        "Conditions": {
            "A": {"Fn::Not": [{"Condition": "B"}]},
            "B": {"Fn::And": [{"Condition": "C"}, {"Fn::Equals": ["x", "x"]}]},
            "C": {"Condition": "A"},
            "Self": {"Fn::Not": [{"Condition": "Self"}]},
        }
    }
    resolver = Resolver(template, make_context())
    with pytest.raises(TemplateError) as caught:
        resolver.condition("A")
    assert caught.value.message == "conditions refer to each other in a cycle: A -> B -> C -> A"
    assert caught.value.path == ("Conditions", "A")
    with pytest.raises(TemplateError) as caught:
        resolver.condition("Self")
    assert caught.value.message == "conditions refer to each other in a cycle: Self -> Self"
    # the resolver is still usable afterwards
    with pytest.raises(TemplateError):
        resolver.condition("B")


def test_malformed_condition_errors():
    template = {
        "Conditions": {
            "TooFew": {"Fn::And": [{"Fn::Equals": ["a", "a"]}]},
            "NotCondition": {"Fn::Or": ["a", {"Fn::Equals": ["a", "a"]}]},
            "BadEquals": {"Fn::Equals": ["a"]},
        }
    }
    resolver = Resolver(template, make_context())
    with pytest.raises(TemplateError) as caught:
        resolver.condition("TooFew")
    assert caught.value.message == "Fn::And needs a list of 2 to 10 conditions, not 1 items"
    assert caught.value.path == ("Conditions", "TooFew", "Fn::And")
    with pytest.raises(TemplateError) as caught:
        resolver.condition("NotCondition")
    assert caught.value.path == ("Conditions", "NotCondition", "Fn::Or", 0)
    assert caught.value.message.startswith("a condition must be Fn::Equals")
    with pytest.raises(TemplateError) as caught:
        resolver.condition("BadEquals")
    assert caught.value.message == "Fn::Equals needs a list of 2 items, not 1 items"


# --------------------------------------------------------------------------------------------------
# Dynamic references, containers, non-intrinsics


def missing_ssm(name: str) -> Unknown:
    return Unknown(f'SSM parameter "{name}" is read at deploy time and its value is not given; '
                   f'add ssm = {{ "{name}" = "..." }} to pipelint.toml')


def test_dynamic_references_without_values_name_the_ssm_parameter(resolver):
    assert resolver.resolve("{{resolve:ssm:/x}}") == missing_ssm("/x")
    assert resolver.resolve("arn:aws:iam::{{resolve:ssm:/accounts/dev:1}}:role/r") == missing_ssm("/accounts/dev")
    assert resolver.resolve({"Fn::Sub": "{{resolve:ssm:/${Stage}/account}}"}) == missing_ssm("/dev/account")
    assert resolver.resolve({"Fn::Join": ["", ["{{resolve:ssm:", "/a}}"]]}) == missing_ssm("/a")
    supplied = make_resolver(parameters={"Env": "{{resolve:ssm:/env}}"})
    assert supplied.resolve({"Ref": "Env"}) == missing_ssm("/env")
    assert resolver.resolve("{{not a reference}}") == "{{not a reference}}"


def test_secrets_stay_unknown_and_nothing_offline_settles_them():
    resolver = make_resolver(ssm={"/p": "not used"})
    assert resolver.resolve("pre-{{resolve:secretsmanager:arn:secret:key::}}-post") == Unknown(
        "{{resolve:secretsmanager:arn:secret:key::}} is a Secrets Manager secret CloudFormation reads at deploy "
        "time: nothing offline settles it (pipelint takes no secret values)"
    )
    assert resolver.resolve("{{resolve:ssm-secure:/p:1}}") == Unknown(
        "{{resolve:ssm-secure:/p:1}} is an SSM SecureString CloudFormation reads at deploy time: nothing offline "
        "settles it (pipelint takes no secret values)"
    )


def test_dynamic_references_read_the_ssm_map():
    resolver = make_resolver(ssm={"/accounts/dev": "222222222222", "/accounts/prod": "333333333333",
                                  "/accounts/prod:2": "444444444444", "/dev/account": "555555555555",
                                  "/targets": "1,2"})
    assert resolver.resolve("{{resolve:ssm:/accounts/dev}}") == "222222222222"
    # with a version: "NAME:VERSION" gives that version, else "NAME" gives every version
    assert resolver.resolve("arn:aws:iam::{{resolve:ssm:/accounts/dev:1}}:role/r") == "arn:aws:iam::222222222222:role/r"
    assert resolver.resolve("{{resolve:ssm:/accounts/prod:2}}") == "444444444444"
    assert resolver.resolve("{{resolve:ssm:/accounts/prod:3}}") == "333333333333"
    # several in one string, and inside what Fn::Sub and Fn::Join produce
    assert resolver.resolve("{{resolve:ssm:/accounts/dev}}-{{resolve:ssm:/accounts/prod}}") == "222222222222-333333333333"
    assert resolver.resolve({"Fn::Sub": "arn:aws:iam::{{resolve:ssm:/${Stage}/account}}:root"}) == \
        "arn:aws:iam::555555555555:root"
    assert resolver.resolve({"Fn::Join": ["", ["{{resolve:ssm:", "/accounts/dev}}"]]}) == "222222222222"
    # a parameter's value is read when the parameter is taken, so conditions see it
    param = make_resolver("Parameters:\n  Env: {Type: String, Default: '{{resolve:ssm:/env:1}}'}\n"
                          "Conditions:\n  IsProd: !Equals [!Ref Env, prod]\nResources: {}\n", ssm={"/env": "prod"})
    assert param.condition("IsProd") is True
    # one missing value leaves the whole string unknown
    assert resolver.resolve("{{resolve:ssm:/accounts/dev}}:{{resolve:ssm:/accounts/test}}") == Unknown(
        'SSM parameter "/accounts/test" is read at deploy time and its value is not given; add ssm = { '
        '"/accounts/test" = "..." } to pipelint.toml (the map gives "/accounts/dev": a typo?)')


def test_dynamic_references_inside_functions_that_read_the_text_stay_unknown():
    """Conditions, Fn::Split, mapping keys and import names read a string's content; whether CloudFormation
    sees the reference there or its value is not documented, so pipelint does not decide."""
    resolver = make_resolver("Conditions:\n  IsProd: !Equals ['{{resolve:ssm:/env}}', prod]\nResources: {}\n",
                             ssm={"/env": "prod", "/targets": "1,2"})
    assert resolver.condition("IsProd") == Unknown(
        "condition IsProd cannot be decided: {{resolve:ssm:/env}} is used inside Fn::Equals, where pipelint does "
        "not know whether CloudFormation reads the reference or its value: nothing offline settles it")
    assert resolver.resolve({"Fn::Split": [",", "{{resolve:ssm:/targets}}"]}) == Unknown(
        "{{resolve:ssm:/targets}} is used inside Fn::Split, where pipelint does not know whether CloudFormation "
        "reads the reference or its value: nothing offline settles it")
    assert resolver.resolve({"Fn::Select": [0, ["{{resolve:ssm:/targets}}"]]}) == "1,2"


def test_containers_keep_their_shape_with_unknown_elements(resolver):
    value = {
        "Statement": [
            {"Effect": "Allow", "Resource": [{"Fn::GetAtt": ["Bucket", "Arn"]}, {"Ref": "Env"}]},
        ],
        "Other": {"Ref": "Env"},
    }
    assert resolver.resolve(value) == {
        "Statement": [{"Effect": "Allow", "Resource": ["att:Bucket.Arn", Unknown(NO_ENV)]}],
        "Other": Unknown(NO_ENV),
    }


def test_non_intrinsic_dicts_pass_through_recursing(resolver):
    value = {"Ref": "Stage", "Other": {"Ref": "Stage"}}
    assert resolver.resolve(value) == {"Ref": "Stage", "Other": "dev"}
    assert resolver.resolve({"Fn::Join": ["-", ["a"]], "x": 1}) == {"Fn::Join": ["-", ["a"]], "x": 1}
    plain = {"a": [1, 2.5, None, True, {"b": "c"}]}
    assert resolver.resolve(plain) == plain


def test_resolve_returns_new_values(resolver):
    value = {"a": [{"Ref": "Stage"}]}
    result = resolver.resolve(value)
    assert result == {"a": ["dev"]}
    assert value == {"a": [{"Ref": "Stage"}]}


def test_error_paths_follow_the_value(resolver):
    value = {"Policies": [{"PolicyDocument": {"Statement": [{"Resource": {"Ref": "Nope"}}]}}]}
    err = resolve_error(resolver, value, path=("Resources", "Role", "Properties"))
    assert err.path == (
        "Resources", "Role", "Properties", "Policies", 0, "PolicyDocument", "Statement", 0,
        "Resource", "Ref",
    )
    assert str(err).startswith("Resources/Role/Properties/Policies/0/")


def test_error_path_maps_to_a_line():
    text = (
        "Resources:\n"
        "  Role:\n"
        "    Type: AWS::IAM::Role\n"
        "    Properties:\n"
        "      RoleName: !Join\n"
        "        - ''\n"
        "        - [a, !Ref Nope]\n"
    )
    doc = parse_document(text, "t.yaml")
    resolver = Resolver(doc.data, make_context())
    with pytest.raises(TemplateError) as caught:
        resolver.resolve(
            doc.data["Resources"]["Role"]["Properties"], ("Resources", "Role", "Properties")
        )
    assert doc.locate(caught.value.path) == (7, 15)  # the !Ref tag


def test_deeply_nested_value_raises_template_error(resolver):
    value: object = "x"
    for _ in range(5000):
        value = {"Fn::Join": ["", [value]]}
    err = resolve_error(resolver, value, path=())
    assert err.message == "the value is nested too deeply to resolve"


# --------------------------------------------------------------------------------------------------
# Partitions


@pytest.mark.parametrize(
    ("region", "partition", "suffix"),
    [
        ("us-east-1", "aws", "amazonaws.com"),
        ("eu-central-2", "aws", "amazonaws.com"),
        ("ap-southeast-5", "aws", "amazonaws.com"),
        ("cn-north-1", "aws-cn", "amazonaws.com.cn"),
        ("cn-northwest-1", "aws-cn", "amazonaws.com.cn"),
        ("us-gov-west-1", "aws-us-gov", "amazonaws.com"),
        ("us-iso-east-1", "aws-iso", "c2s.ic.gov"),
        ("us-isob-east-1", "aws-iso-b", "sc2s.sgov.gov"),
    ],
)
def test_partition_for_region(region, partition, suffix):
    assert partition_for_region(region) == partition
    assert url_suffix_for_partition(partition) == suffix


def test_partition_unknown():
    unknown = Unknown("no region")
    assert partition_for_region(unknown) is unknown
    assert partition_for_region("mars-1") == Unknown("the partition of region 'mars-1' is not known")
    assert partition_for_region("${AWS::Region}") == Unknown(
        "the partition of region '${AWS::Region}' is not known"
    )
    assert isinstance(url_suffix_for_partition("aws-xx"), Unknown)


def test_statements_a_condition_removed_keep_their_written_positions():
    """A policy statement after one that Fn::If removed is found where it is written."""
    from pipelint.loaders.intrinsics import ResolvedList, raw_path

    template = {"Parameters": {"Strict": {"Type": "String", "Default": "no"}},
                "Conditions": {"IsStrict": {"Fn::Equals": [{"Ref": "Strict"}, "yes"]}},
                "Resources": {}}
    document = {"Statement": [
        {"Fn::If": ["IsStrict", {"Sid": "Deny", "Effect": "Deny"}, {"Ref": "AWS::NoValue"}]},
        {"Sid": "Allow", "Effect": "Allow", "Principal": {"AWS": [
            {"Fn::If": ["IsStrict", "arn:aws:iam::111111111111:root", {"Ref": "AWS::NoValue"}]},
            {"Fn::If": ["IsStrict", "x", "arn:aws:iam::222222222222:root"]}]}}]}
    resolved = Resolver(template, make_context()).resolve(document, ("Doc",))
    assert isinstance(resolved["Statement"], ResolvedList)
    assert resolved["Statement"][0]["Sid"] == "Allow"
    assert raw_path(resolved, ("Statement", 0), ("Doc",)) == ("Doc", "Statement", 1)
    assert raw_path(resolved, ("Statement", 0, "Principal", "AWS", 0), ("Doc",)) == (
        "Doc", "Statement", 1, "Principal", "AWS", 1, "Fn::If", 2)
    removed = resolved["Statement"].removed
    assert [(path, why) for path, why, _ in removed] == [
        (("Doc", "Statement", 0), "condition IsStrict is false with Strict = 'no'")]
    assert removed[0][2] == {"Sid": "Deny", "Effect": "Deny"}  # what the item would have been
