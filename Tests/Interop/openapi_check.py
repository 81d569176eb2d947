#!/usr/bin/env python3
"""Checks that the relay and openapi/reportrelay.openapi.yaml agree.

  openapi_check.py DOC list
      prints one line per operation: METHOD PATH TAG BUILT(yes|no)
  openapi_check.py DOC check RESPONSES.jsonl
      each line {"method", "path", "status", "content_type", "body"} is a response the relay gave;
      checks that the path and method are documented, the status is documented for them, the
      content type is documented for that status, and the body validates against the documented
      schema (JSON Schema 2020-12, as OpenAPI 3.1 uses). Exit status 0 only if all agree.
"""
import json
import re
import sys

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

METHODS = ("get", "put", "post", "delete", "patch")


def operations(doc):
    for path, item in doc["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def match(doc, method, path):
    for template, item in doc["paths"].items():
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if re.match(pattern, path) and method.lower() in item:
            return template, item[method.lower()]
    return None, None


def rebase(node):
    """A copy of a schema whose local references point into the registered document."""
    if isinstance(node, dict):
        return {key: ("urn:reportrelay:openapi" + value if key == "$ref" and value.startswith("#") else rebase(value))
                for key, value in node.items()}
    if isinstance(node, list):
        return [rebase(value) for value in node]
    return node


def main() -> int:
    doc = yaml.safe_load(open(sys.argv[1]))
    if sys.argv[2] == "list":
        for path, method, op in operations(doc):
            tag = (op.get("tags") or ["any"])[0]
            built = "no" if op.get("x-reportrelay-built") is False else "yes"
            print(method.upper(), path, tag, built)
        return 0
    # The document is one resource; a response schema's "#/components/..." refers into it.
    registry = Registry().with_resource("urn:reportrelay:openapi", Resource.opaque(doc))
    failures = []
    checked = 0
    for line in open(sys.argv[3]):
        record = json.loads(line)
        template, op = match(doc, record["method"], record["path"])
        where = f'{record["method"]} {record["path"]} {record["status"]}'
        if op is None:
            failures.append(f"{where}: not in the document")
            continue
        responses = op.get("responses", {})
        response = responses.get(str(record["status"])) or responses.get("default")
        if response is None:
            failures.append(f"{where}: status not documented for {template}")
            continue
        if "$ref" in response:
            name = response["$ref"].split("/")[-1]
            response = doc["components"]["responses"][name]
        content = response.get("content", {})
        content_type = (record.get("content_type") or "").split(";")[0].strip()
        if not content:
            checked += 1
            continue
        media = content.get(content_type)
        if media is None:
            failures.append(f"{where}: content type {content_type!r} not documented (documented: {list(content)})")
            continue
        schema = media.get("schema")
        if schema is not None and content_type.endswith("json"):
            wrapped = rebase(schema)
            wrapped["$schema"] = "https://json-schema.org/draft/2020-12/schema"
            validator = Draft202012Validator(wrapped, registry=registry)
            errors = sorted(validator.iter_errors(record["body"]), key=lambda e: list(e.path))
            for error in errors[:3]:
                failures.append(f"{where}: body does not match the schema at {list(error.path)}: {error.message[:200]}")
        checked += 1
    for failure in failures:
        print("DISAGREE", failure)
    print(f"{checked} responses checked, {len(failures)} disagreements")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
