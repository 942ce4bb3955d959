#!/usr/bin/env python3
"""Convert the shared NCSC CAF YAML files into the caf crate's bundled JSON format.

Usage (from the workspace root):

    python3 caf/tools/convert_ncsc_yaml.py ../shared/frameworks caf/frameworks

Reads ncsc-caf-v3.2.yaml, ncsc-caf-v4.0.yaml and caf-profiles.yaml from the first
directory and writes caf-3.2.json, caf-4.0.json, profiles.json and
crosswalk-3.2-4.0.json into the second. Output is deterministic: the same input
always gives byte-identical files (2-space indent, trailing newline). NCSC text is
copied as-is; the format is documented in docs/framework-format.md.
"""

import json
import os
import re
import sys

import yaml

FORMAT = 1

ATTRIBUTION = (
    "Contains public sector information published by the National Cyber Security Centre: "
    "Cyber Assessment Framework, https://www.ncsc.gov.uk/collection/cyber-assessment-framework, "
    "(c) Crown copyright, reused under the Open Government Licence v3.0 as public sector information."
)

COLUMNS = ("not_achieved", "partially_achieved", "achieved")

LESS_CERTAIN_CAVEAT = (
    "These CAF 4.0 targets come from a single source: a script in the GovAssure WebCAF repository "
    "(co-cddo/domains-webcaf frameworks/v4_min_profile_updater.py, commit 14d8fbf) that says it took "
    "them from the CAF v4.0 spreadsheet published on security.gov.uk. That has not been checked against "
    "the published spreadsheet, so treat them as less certain than the CAF 3.2 profiles."
)

# CAF 4.0 outcome id -> CAF 3.2 predecessor outcome id (None: new in 4.0).
# Every 4.0 outcome not listed here keeps the id it had in 3.2.
CROSSWALK_3_2_TO_4_0 = {
    "A2.b": None,  # Understanding threat: new
    "A2.c": "A2.b",  # Assurance: renumbered
    "A4.b": None,  # Secure software development and support: new
    "C1.f": None,  # Understanding users' and systems' behaviour and threat intelligence: new
}
REMOVED_3_2 = ["C2.b"]  # Proactive attack discovery
# Lineage checks: titles expected on each side, to catch a wrong mapping.
EXPECTED_TITLES = {
    ("4.0", "A2.b"): "Understanding Threat",
    ("4.0", "A2.c"): "Assurance",
    ("3.2", "A2.b"): "Assurance",
    ("4.0", "A4.b"): "Secure Software Development and Support",
    ("3.2", "C2.b"): "Proactive Attack Discovery",
    ("3.2", "C2.a"): "System Abnormalities for Attack Detection",
    ("4.0", "C2.a"): "Threat Hunting",
}


def load(path):
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def put_optional(target, key, value):
    if value is not None:
        target[key] = value


def convert_source(role, raw):
    source = {
        "role": role,
        "repository": raw["repository"],
        "path": raw["path"],
        "commit": raw["commit"],
    }
    for key in ("blob", "added_in_commit", "description", "coverage"):
        put_optional(source, key, raw.get(key))
    return source


def convert_sources(raw):
    sources = []
    for role in ("primary", "cross_check"):
        entries = raw.get(role)
        if entries is None:
            continue
        if isinstance(entries, dict):
            entries = [entries]
        sources.extend(convert_source(role, entry) for entry in entries)
    return sources


def convert_licence(raw):
    return {
        "copyright_holder": raw["copyright_holder"],
        "expected_licence": raw["expected_licence"],
        "verified": bool(raw["licence_verified"]),
        "note": raw["licence_note"],
        "source_attribution": raw["attribution_text"],
    }


def convert_guidance(raw):
    guidance = {
        "text_source": raw["ncsc_text_source"],
        "achieved": raw["achieved"],
        "partially_achieved": raw["partially_achieved"],
        "not_achieved": raw["not_achieved"],
        "expert_judgement": raw["expert_judgement"],
    }
    notes = [value for key, value in raw.items() if key.startswith("note_for_")]
    if notes:
        guidance["note"] = " ".join(notes)
    algorithm = raw["webcaf_algorithm"]
    guidance["suggestion_rule"] = {
        "source": algorithm["source"],
        "steps": list(algorithm["rule"]),
        "note": algorithm["note"],
    }
    return guidance


def convert_indicator(raw):
    indicator = {"id": raw["id"], "text": raw["text"]}
    put_optional(indicator, "text_dehyphenated", raw.get("text_dehyphenated"))
    put_optional(indicator, "webcaf_id", raw.get("webcaf_id"))
    return indicator


def convert_outcome(raw):
    outcome = {"id": raw["id"], "title": raw["title"]}
    put_optional(outcome, "description", raw.get("description"))
    put_optional(outcome, "description_paragraphs", raw.get("description_paragraphs"))
    rules = raw.get("igp_table_rules")
    if rules is not None:
        converted = {"not_achieved": rules["not_achieved"]}
        put_optional(converted, "partially_achieved", rules.get("partially_achieved"))
        converted["achieved"] = rules["achieved"]
        outcome["igp_table_rules"] = converted
    outcome["indicators"] = {
        column: [convert_indicator(item) for item in raw["igps"].get(column) or []]
        for column in COLUMNS
    }
    return outcome


def convert_framework(raw):
    framework = {
        "format": FORMAT,
        "version": str(raw["version"]),
        "title": raw["framework"],
        "published": str(raw["publication_date"]),
        "published_source": raw["publication_date_source"],
    }
    put_optional(framework, "ncsc_document", raw.get("ncsc_source_document"))
    framework["attribution"] = ATTRIBUTION
    framework["licence"] = convert_licence(raw["licence"])
    framework["sources"] = convert_sources(raw["sources"])
    framework["id_scheme"] = raw["id_scheme"]
    framework["guidance"] = convert_guidance(raw["status_rules"])
    framework["notes"] = list(raw["verification"].get("issues") or [])
    framework["objectives"] = [
        {
            "id": objective["id"],
            "title": objective["title"],
            "description": objective["description"],
            "principles": [
                {
                    "id": principle["id"],
                    "title": principle["title"],
                    "description": principle["description"],
                    "outcomes": [
                        convert_outcome(outcome) for outcome in principle["contributing_outcomes"]
                    ],
                }
                for principle in objective["principles"]
            ],
        }
        for objective in raw["objectives"]
    ]
    check_counts(framework, raw["counts"])
    return framework


def all_outcomes(framework):
    for objective in framework["objectives"]:
        for principle in objective["principles"]:
            yield from principle["outcomes"]


def check_counts(framework, counts):
    outcomes = list(all_outcomes(framework))
    assert len(framework["objectives"]) == counts["objectives"]
    assert sum(len(o["principles"]) for o in framework["objectives"]) == counts["principles"]
    assert len(outcomes) == counts["contributing_outcomes"]
    for column in COLUMNS:
        found = sum(len(o["indicators"][column]) for o in outcomes)
        assert found == counts["igps_by_level"][column], (column, found)


def split_path(path):
    """Split 'file (selector)' into ('file', '(selector)')."""
    match = re.fullmatch(r"(.*?)\s*(\([^()]*\))?", path)
    return match.group(1), match.group(2) or ""


def describe_source(raw, previous):
    """Turn a profile's source into one sentence.

    `raw` is either a mapping (repository, path, commit, agrees_with) or a string; a string
    starting 'as above' reuses the previous mapping, with its own '(selector)' if it gives one.
    Returns the sentence and the mapping later profiles may refer to.
    """
    if isinstance(raw, dict):
        mapping = raw
        rest = ""
    elif raw.startswith("as above") and previous is not None:
        mapping = dict(previous)
        rest = raw[len("as above"):].strip()
        selector = re.match(r"\([^()]*\)", rest)
        if selector:
            stem, _ = split_path(mapping["path"])
            mapping["path"] = f"{stem} {selector.group(0)}"
            rest = rest[selector.end():].lstrip("; ").strip()
    else:
        return raw, previous
    text = f"{mapping['repository']} {mapping['path']} at commit {mapping['commit']}"
    agrees = mapping.get("agrees_with")
    if agrees:
        text += "; agrees with " + "; ".join(agrees)
    if rest:
        text += f"; {rest}"
    return text, mapping


def convert_profiles(raw):
    profiles = []
    previous = None
    owner = None
    for entry in raw["profiles"]:
        version = str(entry["caf_version"])
        inherits = isinstance(entry["source"], str) and entry["source"].startswith("as above")
        owner = entry.get("owner") or (owner if inherits else None)
        source_text, previous = describe_source(entry["source"], previous)
        if owner:
            source_text = f"{owner}: {source_text}"
        profile = {
            "id": entry["id"],
            "name": entry["name"],
            "framework_version": version,
            "certainty": "published" if version == "3.2" else "less_certain",
            "source": source_text,
        }
        if version != "3.2":
            upstream = (previous or {}).get("caveat")
            profile["caveat"] = LESS_CERTAIN_CAVEAT + (f" Source note: {upstream}" if upstream else "")
        profile["targets"] = dict(sorted(entry["targets"].items()))
        profiles.append(profile)
    return {"format": FORMAT, "description": raw["description"], "profiles": profiles}


def outcome_titles(framework):
    return {o["id"]: o["title"] for o in all_outcomes(framework)}


def build_crosswalk(old, new):
    old_titles, new_titles = outcome_titles(old), outcome_titles(new)
    for (version, outcome_id), title in EXPECTED_TITLES.items():
        titles = old_titles if version == old["version"] else new_titles
        assert titles[outcome_id] == title, (version, outcome_id, titles[outcome_id])
    links = []
    for outcome_id in new_titles:
        source = CROSSWALK_3_2_TO_4_0.get(outcome_id, outcome_id)
        assert source is None or source in old_titles, outcome_id
        links.append({"to": outcome_id, "from": source})
    linked = {link["from"] for link in links}
    for outcome_id in REMOVED_3_2:
        assert outcome_id in old_titles and outcome_id not in linked
    assert set(old_titles) == linked - {None} | set(REMOVED_3_2)
    return {
        "format": FORMAT,
        "from_version": old["version"],
        "to_version": new["version"],
        "outcomes": links,
        "removed": list(REMOVED_3_2),
    }


def write_json(path, value):
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        json.dump(value, handle, indent=2, ensure_ascii=False)
        handle.write("\n")


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    shared, out = argv[1], argv[2]
    v32 = convert_framework(load(os.path.join(shared, "ncsc-caf-v3.2.yaml")))
    v40 = convert_framework(load(os.path.join(shared, "ncsc-caf-v4.0.yaml")))
    profiles = convert_profiles(load(os.path.join(shared, "caf-profiles.yaml")))
    write_json(os.path.join(out, "caf-3.2.json"), v32)
    write_json(os.path.join(out, "caf-4.0.json"), v40)
    write_json(os.path.join(out, "profiles.json"), profiles)
    write_json(os.path.join(out, "crosswalk-3.2-4.0.json"), build_crosswalk(v32, v40))


if __name__ == "__main__":
    main(sys.argv)
