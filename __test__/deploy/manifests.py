"""Prints the YAML documents of the files given (or of stdin with `-`) as one JSON list, so the
Node tests read Kubernetes manifests with a real YAML parser (PyYAML, installed with the validator)."""
import json
import sys

import yaml

docs = []
for name in sys.argv[1:]:
    text = sys.stdin.read() if name == "-" else open(name, encoding="utf-8").read()
    for doc in yaml.safe_load_all(text):
        if doc is not None:
            docs.append({"file": name, "doc": doc})
json.dump(docs, sys.stdout)
