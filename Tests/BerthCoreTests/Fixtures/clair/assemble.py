#!/usr/bin/env python3
"""Assembles a Clair v4 VulnerabilityReport from one of claircore's matcher test archives.

claircore's matcher tests keep the report they expect (the `Want` file of a txtar archive) with its
objects split out into files of the same archive and named by `{"$ref": "file:NAME"}`. This resolves
every reference, as claircore's own test harness does, and prints the report as Clair serves it.

    git -C claircore show COMMIT:ruby/testdata/matcher/BullseyeRuby.txtar | ./assemble.py > clair-bullseye-ruby.json
"""
import json
import sys


def parse_txtar(text):
    files, name, lines = {}, None, []
    for line in text.splitlines(keepends=True):
        if line.startswith("-- ") and line.rstrip().endswith(" --"):
            if name is not None:
                files[name] = "".join(lines)
            name, lines = line.strip()[3:-3], []
        elif name is not None:
            lines.append(line)
    if name is not None:
        files[name] = "".join(lines)
    return files


def resolve(value, files):
    if isinstance(value, dict):
        if set(value) == {"$ref"} and value["$ref"].startswith("file:"):
            return resolve(json.loads(files[value["$ref"][5:]]), files)
        return {key: resolve(item, files) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve(item, files) for item in value]
    return value


files = parse_txtar(sys.stdin.read())
json.dump(resolve(json.loads(files["Want"]), files), sys.stdout, indent=2)
sys.stdout.write("\n")
