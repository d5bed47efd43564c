"""Tests of pipelint.loaders.documents: values, positions, short-form tags, errors and limits."""

from __future__ import annotations

import json
import time

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pipelint.errors import InputError
from pipelint.loaders import documents
from pipelint.loaders.documents import (
    MAX_ALIAS_NODES,
    MAX_DEPTH,
    Document,
    load_document,
    parse_document,
)


def yml(text: str) -> Document:
    return parse_document(text, "t.yaml", kind="yaml")


def error_of(text: str, kind: str | None = None) -> InputError:
    with pytest.raises(InputError) as caught:
        parse_document(text, "t.yaml", kind=kind)
    return caught.value


# --------------------------------------------------------------------------------------------------
# YAML short forms


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("!Ref Bucket", {"Ref": "Bucket"}),
        ("!Condition IsProd", {"Condition": "IsProd"}),
        ("!GetAtt Role.Arn", {"Fn::GetAtt": ["Role", "Arn"]}),
        ("!GetAtt Db.Endpoint.Address", {"Fn::GetAtt": ["Db", "Endpoint.Address"]}),
        ("!GetAtt [Role, Arn]", {"Fn::GetAtt": ["Role", "Arn"]}),
        ("!Sub 'arn:${AWS::Partition}:s3:::b'", {"Fn::Sub": "arn:${AWS::Partition}:s3:::b"}),
        ("!Sub ['${A}-x', {A: !Ref P}]", {"Fn::Sub": ["${A}-x", {"A": {"Ref": "P"}}]}),
        ("!Join ['', [a, !Ref B]]", {"Fn::Join": ["", ["a", {"Ref": "B"}]]}),
        ("!Select [1, !Split [',', 'a,b']]", {"Fn::Select": [1, {"Fn::Split": [",", "a,b"]}]}),
        ("!FindInMap [M, !Ref 'AWS::Region', K]",
         {"Fn::FindInMap": ["M", {"Ref": "AWS::Region"}, "K"]}),
        ("!If [C, yes, !Ref 'AWS::NoValue']", {"Fn::If": ["C", True, {"Ref": "AWS::NoValue"}]}),
        ("!Equals [!Ref Env, prod]", {"Fn::Equals": [{"Ref": "Env"}, "prod"]}),
        ("!And [!Condition A, !Not [!Condition B]]",
         {"Fn::And": [{"Condition": "A"}, {"Fn::Not": [{"Condition": "B"}]}]}),
        ("!Or [!Condition A, !Condition B]", {"Fn::Or": [{"Condition": "A"}, {"Condition": "B"}]}),
        ("!Base64 hello", {"Fn::Base64": "hello"}),
        ("!Cidr [10.0.0.0/16, 4, 8]", {"Fn::Cidr": ["10.0.0.0/16", 4, 8]}),
        ("!GetAZs ''", {"Fn::GetAZs": ""}),
        ("!GetAZs", {"Fn::GetAZs": ""}),
        ("!ImportValue shared-bucket", {"Fn::ImportValue": "shared-bucket"}),
        ("!ImportValue {'Fn::Sub': '${Env}-key'}", {"Fn::ImportValue": {"Fn::Sub": "${Env}-key"}}),
        ("!Transform {Name: AWS::Include, Parameters: {Location: s3://b/k}}",
         {"Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": "s3://b/k"}}}),
        ("!Length [a, b]", {"Fn::Length": ["a", "b"]}),
        ("!ToJsonString {a: 1}", {"Fn::ToJsonString": {"a": 1}}),
        ("!ForEach [X, [a], {}]", {"Fn::ForEach": ["X", ["a"], {}]}),
        ("!Contains [[a], b]", {"Fn::Contains": [["a"], "b"]}),
        ("!ValueOf [P, Attr]", {"Fn::ValueOf": ["P", "Attr"]}),
        ("!Fn::Join [',', [a]]", {"Fn::Join": [",", ["a"]]}),
        ("!Ref 123", {"Ref": "123"}),  # a tagged scalar is always a string
        ("!Sub |\n    line ${X}\n", {"Fn::Sub": "line ${X}\n"}),
    ],
)
def test_short_forms_become_long_forms(source, expected):
    assert yml(f"v: {source}\n").data == {"v": expected}


def test_short_forms_nested_deeply_and_in_lists():
    doc = yml(
        "Resources:\n"
        "  P:\n"
        "    Properties:\n"
        "      RoleArn: !If\n"
        "        - IsProd\n"
        "        - !GetAtt [ProdRole, Arn]\n"
        "        - !Sub 'arn:aws:iam::${AWS::AccountId}:role/${Name}'\n"
    )
    assert doc.data == {
        "Resources": {
            "P": {
                "Properties": {
                    "RoleArn": {
                        "Fn::If": [
                            "IsProd",
                            {"Fn::GetAtt": ["ProdRole", "Arn"]},
                            {"Fn::Sub": "arn:aws:iam::${AWS::AccountId}:role/${Name}"},
                        ]
                    }
                }
            }
        }
    }
    # the long-form key of a tagged container is located at the tag
    assert doc.positions[("Resources", "P", "Properties", "RoleArn", "Fn::If")] == (4, 16)
    assert doc.positions[("Resources", "P", "Properties", "RoleArn", "Fn::If", 1)] == (6, 11)
    assert doc.positions[("Resources", "P", "Properties", "RoleArn", "Fn::If", 2)] == (7, 11)


def test_plain_scalars_follow_yaml_1_1_but_dates_stay_strings():
    doc = yml(
        "a: yes\nb: Off\nc: 0x1f\nd: 010\ne: 1_000\nf: 1.5\ng: .inf\nh: ~\ni:\n"
        "j: 2010-09-09\nk: '123'\nl: 012345678901\nm: 123456789012\nn: 1e5\no: !!str 5\n"
        "p: !!int '7'\nq: ! 8\nr: =\n"
    )
    assert doc.data == {
        "a": True, "b": False, "c": 31, "d": 8, "e": 1000, "f": 1.5, "g": float("inf"),
        "h": None, "i": None, "j": "2010-09-09", "k": "123", "l": "012345678901",
        "m": 123456789012, "n": "1e5", "o": "5", "p": 7, "q": "8", "r": "=",
    }


def test_keys_are_strings_as_written():
    assert yml("80: a\ntrue: b\n~: c\n1.0: d\n'x': e\n").data == {
        "80": "a", "true": "b", "~": "c", "1.0": "d", "x": "e"
    }


def test_merge_keys():
    doc = yml(
        "base: &b {x: 1, y: 2}\n"
        "other: &o {y: 3, z: 4}\n"
        "one:\n  <<: *b\n  y: 9\n"
        "two:\n  <<: [*o, *b]\n"
    )
    assert doc.data["one"] == {"x": 1, "y": 9}
    assert doc.data["two"] == {"y": 3, "z": 4, "x": 1}


def test_aliases_share_values_and_locate_at_the_alias():
    doc = yml("a: &x\n  k: [1, 2]\nb: *x\nc: [*x]\n")
    assert doc.data == {"a": {"k": [1, 2]}, "b": {"k": [1, 2]}, "c": [{"k": [1, 2]}]}
    assert doc.positions[("c", 0)] == (4, 5)
    assert doc.locate(("b", "k", 1)) == (3, 1)  # nearest recorded ancestor: the key b


# --------------------------------------------------------------------------------------------------
# YAML positions

TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Pipeline:
    Type: AWS::CodePipeline::Pipeline
    Properties:
      Stages:
        - Name: Source
          Actions: []
        - Name: Deploy
          Actions:
            - Name: Prod
              RoleArn: !Sub arn:aws:iam::${Prod}:role/x
            -   Name: Other
      Tags: [a, {k: v}]
"""


def test_yaml_positions_of_keys_and_items():
    doc = yml(TEMPLATE)
    pos = doc.positions
    assert pos[()] == (1, 1)
    assert pos[("AWSTemplateFormatVersion",)] == (1, 1)
    assert pos[("Resources",)] == (2, 1)
    assert pos[("Resources", "Pipeline")] == (3, 3)
    assert pos[("Resources", "Pipeline", "Type")] == (4, 5)
    assert pos[("Resources", "Pipeline", "Properties", "Stages")] == (6, 7)
    stages = ("Resources", "Pipeline", "Properties", "Stages")
    assert pos[stages + (0,)] == (7, 11)
    assert pos[stages + (0, "Name")] == (7, 11)
    assert pos[stages + (0, "Actions")] == (8, 11)
    assert pos[stages + (1,)] == (9, 11)
    assert pos[stages + (1, "Actions", 0)] == (11, 15)
    assert pos[stages + (1, "Actions", 0, "RoleArn")] == (12, 15)
    assert pos[stages + (1, "Actions", 1)] == (13, 17)
    assert pos[("Resources", "Pipeline", "Properties", "Tags", 0)] == (14, 14)
    assert pos[("Resources", "Pipeline", "Properties", "Tags", 1)] == (14, 17)
    assert pos[("Resources", "Pipeline", "Properties", "Tags", 1, "k")] == (14, 18)
    assert doc.locate(list(stages + (1, "Actions", 0, "RoleArn", "Fn::Sub"))) == (12, 15)
    assert doc.locate(("Nope", "deeper")) == (1, 1)
    assert doc.locate(()) == (1, 1)


def test_yaml_columns_count_characters_not_bytes():
    doc = yml("é😀: [ä, b]\n")
    assert doc.positions[("é😀", 1)] == (1, 9)


def test_yaml_crlf_line_endings():
    doc = yml("a: 1\r\nb:\r\n  - x\r\n")
    assert doc.data == {"a": 1, "b": ["x"]}
    assert doc.positions[("b", 0)] == (3, 5)


# --------------------------------------------------------------------------------------------------
# YAML errors


def test_unknown_tag_has_line_and_column():
    err = error_of("a: 1\nb:\n  c: !Foo x\n")
    assert (err.line, err.column) == (3, 6)
    assert err.message == "unknown YAML tag '!Foo'"
    assert str(err) == "t.yaml:3:6: unknown YAML tag '!Foo'"


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("a: !!python/object:os.system x\n", "!!python/object:os.system"),
        ("a: !!binary aGVsbG8=\n", "!!binary"),
        ("a: !!set {x}\n", "!!set"),
        ("a: !Foo [1]\n", "!Foo"),
        ("a: !Foo {b: 1}\n", "!Foo"),
        ("a: !<tag:example.com:x> 1\n", "tag:example.com:x"),
    ],
)
def test_other_tags_are_refused(text, tag):
    err = error_of(text)
    assert err.message == f"unknown YAML tag '{tag}'"
    assert err.line == 1


def test_duplicate_yaml_keys_name_both_lines():
    err = error_of("Resources:\n  A: 1\n  B: 2\n  A: 3\n")
    assert err.message == "duplicate key 'A' (first on line 2, again on line 4)"
    assert (err.line, err.column) == (4, 3)


def test_duplicate_keys_in_flow_mapping():
    err = error_of("x: {a: 1, a: 2}\n")
    assert err.message == "duplicate key 'a' (first on line 1, again on line 1)"


def test_same_key_in_different_mappings_is_fine():
    assert yml("a: {k: 1}\nb: {k: 2}\n").data == {"a": {"k": 1}, "b": {"k": 2}}


def test_yaml_syntax_error_has_line_and_a_sentence():
    err = error_of("a: [1, 2\nb: 3\n")
    assert err.line == 2
    assert err.message.startswith("YAML syntax error: did not find expected ',' or ']'")
    assert "line 1" in err.message
    err = error_of("a: b: c\n")
    assert (err.line, err.column) == (1, 5)
    assert err.message == "YAML syntax error: mapping values are not allowed in this context"


def test_multiple_documents_refused():
    err = error_of("a: 1\n---\nb: 2\n")
    assert err.line == 2
    assert "more than one YAML document" in err.message


def test_single_document_with_markers_is_fine():
    assert yml("---\na: 1\n...\n").data == {"a": 1}


@pytest.mark.parametrize("text", ["", "   \n\n", "\ufeff"])
def test_empty_file(text):
    assert error_of(text).message == "file is empty"


def test_comment_only_file():
    assert error_of("# nothing\n").message.startswith("file is empty")


def test_undefined_and_recursive_aliases():
    err = error_of("a: *x\n")
    assert err.message == "alias *x refers to no anchor defined before it"
    err = error_of("a: &x [1, *x]\n")
    assert err.message == "alias *x refers to the node that contains it"


def test_complex_keys_refused():
    assert "mapping key must be a string" in error_of("? [a]\n: 1\n").message
    assert "cannot carry the tag '!Ref'" in error_of("!Ref a: 1\n").message


def test_getatt_without_attribute_refused():
    err = error_of("a: !GetAtt Role\n")
    assert err.message == "!GetAtt needs 'Resource.Attribute', got 'Role'"
    assert (err.line, err.column) == (1, 4)


def test_scalar_tag_on_a_container_refused():
    err = error_of("a: !!str {b: 1}\n")
    assert err.message == "the tag '!!str' does not fit this node"
    assert error_of("a: !!map [1]\n").message == "the tag '!!map' does not fit this node"
    assert yml("a: !!map {b: 1}\nc: !!seq [1]\n").data == {"a": {"b": 1}, "c": [1]}


def test_invalid_explicit_scalar():
    assert error_of("a: !!int nope\n").message == "'nope' is not a valid int"


def test_control_character_refused_with_position():
    err = error_of("a: 1\nb: x\x01\n")
    assert (err.line, err.column) == (2, 5)
    assert "U+0001" in err.message


def test_alias_bomb_refused_quickly():
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for i in range(1, 10):
        refs = ", ".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}: &a{i} [{refs}]")
    start = time.perf_counter()
    err = error_of("\n".join(lines) + "\n")
    assert time.perf_counter() - start < 2
    assert f"more than {MAX_ALIAS_NODES:,} nodes" in err.message
    assert err.line is not None


def test_moderate_aliasing_is_fine():
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for i in range(1, 3):
        refs = ", ".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}: &a{i} [{refs}]")
    doc = yml("\n".join(lines) + "\n")
    assert len(doc.data["a2"]) == 10 and doc.data["a2"][0][0] == ["x"] * 10
    assert doc.data["a2"][9][9] is doc.data["a0"]


@pytest.mark.parametrize(
    "text",
    [
        "[" * 5000 + "]" * 5000,
        "[" * 2_000_000,  # unterminated too: refused before the parser crawls through it
        "{a: " * 100_000,
        "".join("  " * i + "k:\n" for i in range(1200)),
        "".join("  " * i + "-\n" for i in range(1200)),
    ],
)
def test_deep_nesting_refused_without_recursion_error(text):
    start = time.perf_counter()
    err = error_of(text, kind="yaml")
    assert err.message == f"YAML is nested more than {MAX_DEPTH} levels deep"
    assert time.perf_counter() - start < 2


def test_nesting_at_the_limit_is_fine():
    n = MAX_DEPTH
    assert yml("[" * n + "]" * n).data is not None


# --------------------------------------------------------------------------------------------------
# JSON

JSON_TEXT = """{
  "Resources": {
    "Pipeline": {
      "Type": "AWS::CodePipeline::Pipeline",
      "Properties": {"Stages": [
        {"Name": "Source", "Actions": []},
\t\t{"Name": "Deploy",
         "Actions": [ {"RoleArn": {"Fn::GetAtt": ["Role", "Arn"]}} ]}
      ]}
    }
  },
  "k\\u00e9y\\"": [1, "two", null]
}
"""


def test_json_data_and_positions():
    doc = parse_document(JSON_TEXT, "t.json")
    assert doc.data == json.loads(JSON_TEXT)
    pos = doc.positions
    stages = ("Resources", "Pipeline", "Properties", "Stages")
    assert pos[()] == (1, 1)
    assert pos[("Resources",)] == (2, 3)
    assert pos[("Resources", "Pipeline")] == (3, 5)
    assert pos[("Resources", "Pipeline", "Type")] == (4, 7)
    assert pos[stages] == (5, 22)
    assert pos[stages + (0,)] == (6, 9)
    assert pos[stages + (0, "Actions")] == (6, 28)
    assert pos[stages + (1,)] == (7, 3)  # two tab characters count as two columns
    assert pos[stages + (1, "Actions")] == (8, 10)
    assert pos[stages + (1, "Actions", 0)] == (8, 23)
    assert pos[stages + (1, "Actions", 0, "RoleArn")] == (8, 24)
    assert pos[stages + (1, "Actions", 0, "RoleArn", "Fn::GetAtt", 1)] == (8, 59)
    assert pos[('kéy"',)] == (12, 3)
    assert pos[('kéy"', 2)] == (12, 28)
    assert doc.locate(stages + (1, "Actions", 0, "RoleArn", "Fn::GetAtt")) == (8, 36)


def test_json_positions_are_a_dict_computed_on_demand():
    doc = parse_document('{"a": [1]}', "t.json")
    assert isinstance(doc.positions, dict)
    assert len(doc.positions) == 3
    assert doc.positions == {(): (1, 1), ("a",): (1, 2), ("a", 0): (1, 8)}
    assert dict(doc.positions) == {(): (1, 1), ("a",): (1, 2), ("a", 0): (1, 8)}
    assert sorted(doc.positions, key=len) == [(), ("a",), ("a", 0)]
    assert ("a", 0) in parse_document('{"a": [1]}', "t.json").positions


def test_json_key_and_colon_on_different_lines():
    text = '{\n"a"\n:\n[\n1\n,\n2\n]\n}'
    doc = parse_document(text, "t.json")
    assert doc.data == {"a": [1, 2]}
    assert doc.positions == {(): (1, 1), ("a",): (2, 1), ("a", 0): (5, 1), ("a", 1): (7, 1)}


def test_json_duplicate_keys_name_both_lines():
    err = error_of('{"a": {"x": 1,\n  "y": 2,\n  "x": 3}}')
    assert err.message == "duplicate key 'x' (first on line 1, again on line 3)"
    assert (err.line, err.column) == (3, 3)


def test_json_duplicate_keys_spelled_differently():
    err = error_of('{"é": 1, "\\u00e9": 2}')
    assert err.message == "duplicate key 'é' (first on line 1, again on line 1)"


def test_json_syntax_error_has_line_and_column():
    err = error_of('{\n  "a": 1,\n  "b": \n}')
    assert (err.line, err.column) == (4, 1)
    assert err.message == "invalid JSON: Expecting value"
    err = error_of('{"a": 1} x')
    assert err.message == "invalid JSON: Extra data"


def test_json_deep_nesting_refused():
    err = error_of("[" * 100_000 + "]" * 100_000)
    assert "nested too deeply" in err.message


def test_json_huge_integer_refused():
    err = error_of("[" + "9" * 5000 + "]")
    assert err.message.startswith("invalid JSON: Exceeds the limit")


def test_kind_selection():
    assert parse_document(' \n [1, 2]', "x").data == [1, 2]
    assert parse_document("a: 1", "x").data == {"a": 1}
    assert parse_document('{"a": 1e5}', "x", kind="yaml").data == {"a": "1e5"}  # YAML 1.1
    assert parse_document('{"a": 1e5}', "x").data == {"a": 100000.0}
    assert parse_document("5", "x", kind="json").data == 5
    with pytest.raises(ValueError):
        parse_document("a", "x", kind="toml")


# hypothesis: data == json.loads(text) for random JSON, and every position points at its token

_json_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=12)
_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | _json_text,
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(_json_text, children, max_size=5),
    max_leaves=30,
)


def _offset(text: str, line: int, column: int) -> int:
    lines = text.split("\n")
    return sum(len(item) + 1 for item in lines[: line - 1]) + column - 1


def _walk(value, path=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield path + (key,), key, item
            yield from _walk(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield path + (index,), None, item
            yield from _walk(item, path + (index,))


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    value=_json_values,
    ensure_ascii=st.booleans(),
    indent=st.sampled_from([None, 0, 2, "\t", " \r"]),
    compact=st.booleans(),
    escape_slash=st.booleans(),
)
@example(value={"a/b": ["/", "😀", "\ud800"], "": {}, "n": [-0.0, 1e5, 1.0, 10**25, []]},
         ensure_ascii=True, indent=None, compact=False, escape_slash=True)
def test_json_data_equals_json_loads(value, ensure_ascii, indent, compact, escape_slash):
    separators = (",", ":") if compact else None
    text = json.dumps(value, ensure_ascii=ensure_ascii, indent=indent, separators=separators)
    if escape_slash:
        text = text.replace("/", "\\/")  # "/" occurs only inside strings in JSON output
    doc = parse_document(text, "r.json", kind="json")
    assert doc.data == json.loads(text)
    assert json.dumps(doc.data) == json.dumps(json.loads(text))  # same types and key order
    decoder = json.JSONDecoder()
    positions = doc.positions
    assert positions[()] == (1, 1) or text[0] in " \r\n\t"
    for path, key, item in _walk(doc.data):
        line, column = positions[path]
        found, _ = decoder.raw_decode(text, _offset(text, line, column))
        assert found == (key if key is not None else item)


@pytest.mark.parametrize(
    "text",
    [
        '{"a": -0, "b": 1e5, "c": 1.0, "d": 1E-2, "e": 123456789012345678901234567890}',
        '{"s": "\\ud83d\\ude00 \\u00e9 \\/ \\\\ \\" \\b\\f\\n\\r\\t", "l": "\\udc00"}',
        '{"": [], "x": {}, "y": [[], [{}]], "z": [true, false, null]}',
        '  [ 1 ,\t2 ]  ',
        '{"a": NaN, "b": Infinity, "c": -Infinity}',
        '{"\u2028": "\u0085\u007f\ufeff\ufffe"}',
    ],
)
def test_json_edge_cases_equal_json_loads(text):
    doc = parse_document(text, "e.json", kind="json")
    assert json.dumps(doc.data) == json.dumps(json.loads(text))
    assert len(doc.positions) >= 1


# hypothesis: YAML written by PyYAML reads back as yaml.safe_load reads it

_yaml_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=10)
_yaml_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=False)
    | _yaml_text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_yaml_text, children, max_size=4),
    max_leaves=25,
)


@settings(max_examples=200, deadline=None)
@given(value=_yaml_values, flow=st.sampled_from([None, True, False]))
def test_yaml_data_equals_safe_load(value, flow):
    text = yaml.safe_dump({"root": value}, default_flow_style=flow, allow_unicode=True)
    doc = yml(text)
    assert doc.data == yaml.safe_load(text)
    for path, _, _ in _walk(doc.data):
        assert path in doc.positions


# --------------------------------------------------------------------------------------------------
# Files


def test_load_yaml_and_json_files(tmp_path):
    (tmp_path / "t.yaml").write_text("a: !Ref B\n", encoding="utf-8")
    (tmp_path / "t.json").write_text('{"a": {"Ref": "B"}}', encoding="utf-8")
    (tmp_path / "t.template").write_text('{"a": {"Ref": "B"}}', encoding="utf-8")
    for name in ("t.yaml", "t.json", "t.template"):
        doc = load_document(tmp_path / name)
        assert doc.data == {"a": {"Ref": "B"}}
        assert doc.path == str(tmp_path / name)
    assert load_document(tmp_path / "t.json", display="x.json").path == "x.json"


def test_dot_json_is_always_parsed_as_json(tmp_path):
    (tmp_path / "t.json").write_text("a: 1\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_document(tmp_path / "t.json")
    assert caught.value.message.startswith("invalid JSON")


def test_bom_accepted(tmp_path):
    (tmp_path / "t.yaml").write_bytes(b"\xef\xbb\xbfa: 1\nb: [x]\n")
    doc = load_document(tmp_path / "t.yaml")
    assert doc.data == {"a": 1, "b": ["x"]}
    assert doc.positions[("b", 0)] == (2, 5)
    (tmp_path / "t.json").write_bytes(b'\xef\xbb\xbf{"a": [1]}')
    doc = load_document(tmp_path / "t.json")
    assert doc.data == {"a": [1]}
    assert doc.positions[("a", 0)] == (1, 8)
    assert parse_document("\ufeff{}", "x").data == {}


def test_non_utf8_refused(tmp_path):
    (tmp_path / "t.yaml").write_bytes(b"a: 1\nb: caf\xe9\n")
    with pytest.raises(InputError) as caught:
        load_document(tmp_path / "t.yaml", display="t.yaml")
    err = caught.value
    assert err.message == "file is not UTF-8 text (byte 0xe9 at offset 11)"
    assert (err.line, err.column) == (2, 7)
    assert str(err) == "t.yaml:2:7: file is not UTF-8 text (byte 0xe9 at offset 11)"


def test_empty_file_on_disk(tmp_path):
    (tmp_path / "t.yaml").write_bytes(b"")
    with pytest.raises(InputError, match="file is empty"):
        load_document(tmp_path / "t.yaml")


def test_directory_missing_and_unreadable(tmp_path):
    with pytest.raises(InputError) as caught:
        load_document(tmp_path)
    assert caught.value.message == "is a directory, not a file"
    with pytest.raises(InputError) as caught:
        load_document(tmp_path / "missing.yaml")
    assert caught.value.message == "file not found"


def test_too_big_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(documents, "MAX_BYTES", 10)
    (tmp_path / "t.yaml").write_text("a: 12345678901\n", encoding="utf-8")
    with pytest.raises(InputError, match="larger than"):
        load_document(tmp_path / "t.yaml")


def test_max_bytes_is_20_mib():
    assert documents.MAX_BYTES == 20 * 1024 * 1024


def test_one_megabyte_json_loads_fast():
    resource = {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "Policies": [{"PolicyDocument": {"Statement": [
                {"Effect": "Allow", "Action": ["s3:GetObject", "kms:Decrypt"],
                 "Resource": [{"Fn::GetAtt": ["Bucket", "Arn"]}]}]}}],
            "Tags": [{"Key": "k", "Value": "v"}],
        },
    }
    template = {"Resources": {f"R{i}": resource for i in range(2500)}}
    text = json.dumps(template, indent=2)
    assert len(text) > 1_000_000
    best = min(_timed(lambda: parse_document(text, "big.json")) for _ in range(3))
    assert best < 0.1  # about 0.01 s measured; positions are computed later, on demand
    doc = parse_document(text, "big.json")
    assert doc.locate(("Resources", "R2499", "Properties", "Tags", 0, "Key")) is not None


def _timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


# -- large JSON files: positions from the file read again ------------------------------------------

def test_large_json_keeps_no_text_and_finds_positions_by_reading_again(tmp_path, monkeypatch):
    monkeypatch.setattr(documents, "REREAD_BYTES", 0)  # every JSON file counts as large
    text = '{\n  "roles": [\n    {"arn": "a"},\n    {"arn": "b"}\n  ]\n}\n'
    path = tmp_path / "snapshot.json"
    path.write_text(text)
    document = load_document(path, display="snapshot.json")
    assert document.data == json.loads(text)
    assert isinstance(document.positions, documents._LazyPositions)
    assert not any(isinstance(c.cell_contents, str) and c.cell_contents == text
                   for c in document.positions._fill.__closure__ or ())
    assert document.locate(("roles", 1, "arn")) == (4, 6)
    assert document.positions == parse_document(text, "snapshot.json").positions


def test_large_json_changed_since_read_gives_no_positions_rather_than_wrong_ones(tmp_path, monkeypatch):
    monkeypatch.setattr(documents, "REREAD_BYTES", 0)
    path = tmp_path / "snapshot.json"
    path.write_text('{"roles": [{"arn": "a"}, {"arn": "b"}]}')
    document = load_document(path, display="snapshot.json")
    path.write_text('{"roles": [{"arn": "b"}, {"arn": "a"}]}')  # same size, other content
    assert document.locate(("roles", 1, "arn")) is None


def test_machine_written_files_above_max_bytes_are_read(tmp_path, monkeypatch):
    """``audit --save`` of an account with thousands of pipelines, and the plan JSON of a large Terraform
    configuration, are files above MAX_BYTES; pipelint reads them, known by how they start, up to
    MACHINE_MAX_BYTES. Any other file that size stays refused, and one above its own limit is refused by
    its size."""
    import shutil

    from pipelint import runner
    from conftest import FIXTURES

    snapshot = tmp_path / "snapshot"
    shutil.copytree(FIXTURES / "rules" / "PL502" / "pass" / "everything-exists-snapshot", snapshot)
    (snapshot / "expected.json").unlink()
    region_file = snapshot / "111111111111-us-east-1.json"
    monkeypatch.setattr(documents, "MAX_BYTES", 3000)
    assert region_file.stat().st_size > 3000
    outcome = runner.check([snapshot], runner.find_config(None, [snapshot]), select=["PL5"], baseline=False)
    assert [(f.rule_id, f.source.file) for f in outcome.findings] == []
    assert [p.name for p in outcome.world.pipelines] == ["app"]  # read, not skipped

    plan = tmp_path / "plan.json"  # as `terraform show -json` writes it: compact, these keys first
    plan.write_text(json.dumps({"format_version": "1.2", "terraform_version": "1.11.4", "padding": "x" * 4000}))
    assert documents.load_document(plan).data["terraform_version"] == "1.11.4"

    other = tmp_path / "other.json"
    other.write_text(json.dumps({"padding": "x" * 4000, "pipelint-snapshot": 1}))  # not how a snapshot starts
    with pytest.raises(InputError, match="file is larger than 0 MiB, the most pipelint reads$"):
        documents.load_document(other)

    monkeypatch.setattr(documents, "MACHINE_MAX_BYTES", 4000)
    with pytest.raises(InputError, match="snapshot file is larger than 0 MiB, the most pipelint reads of a snapshot file"):
        documents.load_document(region_file)
    with pytest.raises(InputError, match="Terraform plan file is larger than 0 MiB"):
        documents.load_document(plan)
