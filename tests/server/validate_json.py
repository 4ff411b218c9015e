"""Validates JSON documents against the schemas of docs/schema (draft 2020-12), for the server tests.

Usage: validate_json.py SCHEMA_DIR SCHEMA_FILE DOCUMENT_FILE...
Every schema of SCHEMA_DIR is known by its $id, so that one may refer to another (the verification
request refers to the evidence document's). Exits 1 naming the first violation.
"""
import json
import pathlib
import sys

import jsonschema


def main():
    folder = pathlib.Path(sys.argv[1])
    store = {}
    for path in folder.glob("*.schema.json"):
        schema = json.loads(path.read_text())
        jsonschema.Draft202012Validator.check_schema(schema)
        store[schema["$id"]] = schema
    schema = json.loads((folder / sys.argv[2]).read_text())
    resolver = jsonschema.RefResolver.from_schema(schema, store=store)
    validator = jsonschema.Draft202012Validator(schema, resolver=resolver)
    for name in sys.argv[3:]:
        document = json.loads(pathlib.Path(name).read_text())
        errors = list(validator.iter_errors(document))
        if errors:
            error = errors[0]
            print(f"{name}: {list(error.absolute_path)}: {error.message[:300]}")
            sys.exit(1)
    print(f"{len(sys.argv) - 3} documents valid against {sys.argv[2]}")


if __name__ == "__main__":
    main()
