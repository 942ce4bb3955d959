#!/usr/bin/env python3
"""Map every CAF 4.0 IGP statement to the CAF 3.2 statements it comes from.

Usage (from anywhere; paths are found from this file's place in caf/tools):

    python3 caf/tools/map_statements.py            # write caf/frameworks/statements-3.2-4.0.json
    python3 caf/tools/map_statements.py --check    # exit 1 if the committed file differs
    python3 caf/tools/map_statements.py --review   # print every link that is not `same`
    python3 caf/tools/map_statements.py --near     # print new statements' nearest candidates

Reads caf-3.2.json, caf-4.0.json and crosswalk-3.2-4.0.json from caf/frameworks (standard
library only). The output holds statement ids, never NCSC wording, and is deterministic: the same
inputs always give byte-identical JSON (2-space indent, trailing newline). The method is in
NOTES below and in docs/framework-format.md; decisions made by reading the pairs are OVERRIDES.
"""

import difflib
import json
import os
import re
import sys

FORMAT = 1
HERE = os.path.dirname(os.path.abspath(__file__))
FRAMEWORKS = os.path.normpath(os.path.join(HERE, "..", "frameworks"))
OUTPUT = "statements-3.2-4.0.json"
COLUMNS = ("not_achieved", "partially_achieved", "achieved")

# Word-sequence similarity (difflib ratio over word tokens) at or above which a reworded
# statement in the predecessor outcome counts as the same statement. Tuned by reading every pair
# scoring 0.35 to 0.75 (--review and --near): the lowest genuine pair scores 0.60 (B4.b.PA7 from
# B4.b.A6); the genuine pairs below it are OVERRIDES, and the rest are different statements.
SIMILAR = 0.6
# Share of one statement's words found, in order, in a longer statement, at or above which the
# shorter is a part of the longer (a 3.2 statement split into several 4.0 ones, or merged).
PART = 0.8
# Shortest statement, in words, that may be matched as part of another.
PART_MIN_WORDS = 6

NOTES = (
    "Each CAF 4.0 statement with the CAF 3.2 statements it comes from. Wording is compared "
    "ignoring case, white space, apostrophe style and hyphenation. same: equal wording, same "
    "column; moved: equal wording, another column; changed: reworded, split or merged, found by "
    "word-sequence similarity within the predecessor outcome and reviewed by hand (overrides in "
    "caf/tools/map_statements.py); new: no source, as is every statement of an outcome new in 4.0. "
    "dropped: 3.2 statements that are the source of none, including all of a removed outcome."
)

# Decisions made by reading the pairs (--review): 4.0 statement id -> the 3.2 statement ids it
# comes from. Each replaces the automatic match for that statement. A source may sit in another
# linked outcome where CAF 4.0 moved the statement; sources never cross between the not achieved
# column and the other two, and never come from a removed outcome.
OVERRIDES = {
    # A 3.2 statement split in two: the second part scores below SIMILAR against the whole.
    "A4.a.A2": ["A4.a.A1"],  # "You consider factors such as ... supplier's ... nationality ..."
    "B5.b.PA2": ["B5.b.PA1"],  # "Internet services ... are not accessible ..."
    "B5.b.A2": ["B5.b.A1"],  # the same sentence, split from the achieved statement
    # C1.a Monitoring coverage reworded beyond SIMILAR; each keeps its point.
    "C1.a.A1": ["C1.a.A1"],  # "Monitoring is based on a (thorough) understanding of ..."
    "C1.a.A2": ["C1.a.A2"],  # "Your monitoring data provides enough detail to ... detect ..."
    "C1.a.A3": ["C1.a.A4"],  # "Extensive monitoring of user (and system) activity ..." (0.59)
    "C1.a.A4": ["C1.a.A5"],  # host-based and network monitoring
    # CAF 4.0 gathered log sources and tools into C1.a from 3.2 C1.b, C1.c and C1.e.
    "C1.a.NA4": ["C1.b.NA5"],  # log data not synchronised to an accurate common time source
    "C1.a.NA5": ["C1.c.NA2"],  # logs not readily available ("no easy way to access them")
    "C1.a.NA6": ["C1.e.NA6"],  # monitoring tools cannot use new log streams
    "C1.a.NA7": ["C1.e.NA5"],  # monitoring tools use only a fraction of the log data
    "C1.a.PA4": ["C1.c.PA2"],  # some but not all log data can be queried with search tools
    "C1.a.PA6": ["C1.e.PA4"],  # tools use logging that captures common ("unsophisticated") attacks
    "C1.a.A6": ["C1.b.A4"],  # log datasets synchronised so they can be correlated
    "C1.a.A7": ["C1.c.A1"],  # log data enriched with other network and systems data
    "C1.a.A8": ["C1.e.A5"],  # tools make use of log data to pinpoint activity
    # C1.b Securing logs. "Only authorised users and systems can access log data" merges "Only
    # authorised staff can view log data" with "Authorised users and systems can appropriately
    # access log data"; the automatic match took the second only.
    "C1.b.NA4": ["C1.b.NA4"],  # "no policy for accessing log data" / "no policies covering access"
    "C1.b.PA1": ["C1.b.PA1", "C1.b.PA2"],
    # CAF 4.0 moved the indicators of compromise and signature updates into C1.c Generating alerts.
    "C1.c.NA4": ["C1.a.NA2"],  # do not confidently detect the presence of IoCs
    "C1.c.PA1": ["C1.a.PA2"],  # easily detect the presence of IoCs
    "C1.c.A1": ["C1.a.A3"],  # easily detect IoCs, now also abnormalities
    "C1.c.NA1": ["C1.d.NA2"],  # do not apply updates in a timely way
    "C1.c.PA2": ["C1.d.PA3"],  # apply some updates, signatures and IoCs in a timely way
    "C1.c.A2": ["C1.d.A2"],  # apply all new signatures and IoCs promptly (3.2: risk-based time)
    # Resolving alerts to network assets became enriching alerts, column for column.
    "C1.c.NA3": ["C1.c.NA3"],
    "C1.c.PA4": ["C1.c.PA3"],
    "C1.c.A4": ["C1.c.A3"],  # both "performed in almost real time"
    # Investigating alerts from security software became triage in C1.d.
    "C1.d.NA1": ["C1.c.NA1"],  # alerts from security software (e.g. AV) not investigated / triaged
    "C1.d.PA1": ["C1.c.PA1"],  # alerts investigated and action taken ("from some security tools")
    # Root cause analysis became post incident analysis; the comprehensive-analysis statement
    # lists more factors.
    "D2.a.A2": ["D2.a.A2"],
}
# Read and left new on purpose (each scored near a 3.2 statement but says something 3.2 did not):
# A1.c.NA4, A2.a.A9, A4.a.PA3, A4.a.A4, B4.a.A6, B4.b.NA6 (the opposite of 3.2 B4.b.A6, which
# now sources B4.b.PA7), C1.d.A1 ("all security tools", stronger than any 3.2 statement),
# C1.e.A7 ("all of the required workflows"; 3.2 C1.e.PA3 said "most" and sources C1.e.PA3),
# D1.a.PA5, D1.a.PA6. Statements of 4.0 C2.a Threat hunting are new: 3.2 C2.a's system
# abnormalities went to the new C1.f, and 3.2 C2.b was removed.

# Hyphen, non-breaking hyphen, figure dash, en dash, em dash and soft hyphen: all read as a space,
# so "up-to-date", "up to date" and "up\u00adto\u2013date" compare equal. caf::normalise_statement
# in caf/src/statement_map.rs does the same.
HYPHENS = "-\u2010\u2011\u2012\u2013\u2014\u00ad"


def normalise(text):
    """Lowercase, one apostrophe, hyphens and dashes read as spaces, single spaces."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    for hyphen in HYPHENS:
        text = text.replace(hyphen, " ")
    return " ".join(text.split())


class Statement:
    """One IGP statement with what the matching needs: outcome, column, position and words."""

    def __init__(self, outcome, column, position, raw):
        self.id = raw["id"]
        self.outcome = outcome
        self.column = column
        self.position = position
        self.text = raw.get("text_dehyphenated", raw["text"])
        self.normal = normalise(self.text)
        self.words = re.findall(r"[a-z0-9']+", self.normal)

    def negative(self):
        """Whether the statement is in the not achieved column (true: the outcome falls short)."""
        return self.column == "not_achieved"


def statements_by_outcome(framework):
    """Outcome id -> its statements in table order, in framework order."""
    result, position = {}, 0
    for objective in framework["objectives"]:
        for principle in objective["principles"]:
            for outcome in principle["outcomes"]:
                group = []
                for column in COLUMNS:
                    for raw in outcome["indicators"].get(column, []):
                        group.append(Statement(outcome["id"], column, position, raw))
                        position += 1
                result[outcome["id"]] = group
    return result


def similarity(a, b):
    return difflib.SequenceMatcher(None, a.words, b.words, autojunk=False).ratio()


def part_of(short, long):
    """Share of `short`'s words found, in order, in the longer `long` (0 if it is not shorter)."""
    if len(short.words) < PART_MIN_WORDS or len(short.words) >= len(long.words):
        return 0.0
    matcher = difflib.SequenceMatcher(None, short.words, long.words, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / len(short.words)


def equal_text(statement, candidates, used):
    """The candidate with equal text: same column first, then one not yet used, then order."""
    equal = [c for c in candidates if c.normal == statement.normal]
    equal.sort(key=lambda c: (c.column != statement.column, c.id in used, c.position))
    return equal[0] if equal else None


def match_reworded(new, old, links, used):
    """Reworded statements one to one by similarity, then parts of split statements, then merges."""
    pairs = []
    for statement in new:
        for candidate in old:
            if statement.negative() != candidate.negative():
                continue
            score = similarity(statement, candidate)
            if score >= SIMILAR:
                other_column = statement.column != candidate.column
                key = (-score, other_column, statement.position, candidate.position)
                pairs.append((key, statement, candidate))
    pairs.sort(key=lambda pair: pair[0])
    for _, statement, candidate in pairs:
        if statement.id not in links and candidate.id not in used:
            links[statement.id] = [candidate]
            used.add(candidate.id)
    for statement in new:
        if statement.id in links:
            continue
        scored = [
            (part_of(statement, c), -c.position, c)
            for c in old
            if c.negative() == statement.negative()
        ]
        best = max(scored, key=lambda item: item[:2], default=None)
        if best is not None and best[0] >= PART:
            links[statement.id] = [best[2]]
            used.add(best[2].id)
    for candidate in old:
        if candidate.id in used:
            continue
        scored = [
            (part_of(candidate, s), -s.position, s)
            for s in new
            if s.negative() == candidate.negative()
            and s.id in links
            and links[s.id][0].normal != s.normal
        ]
        best = max(scored, key=lambda item: item[:2], default=None)
        if best is not None and best[0] >= PART:
            links[best[2].id].append(candidate)
            used.add(candidate.id)


def check_overrides(old, new, predecessor, removed):
    known_old = {s.id: s for group in old.values() for s in group}
    known_new = {s.id: s for group in new.values() for s in group}
    for to, sources in OVERRIDES.items():
        assert to in known_new, f"override for unknown 4.0 statement {to}"
        assert predecessor[known_new[to].outcome] is not None, f"override {to}: a new outcome"
        for source in sources:
            assert source in known_old, f"override {to} names unknown 3.2 statement {source}"
            assert known_old[source].outcome not in removed, f"override {to}: {source} removed"
            same_side = known_old[source].negative() == known_new[to].negative()
            assert same_side, f"override {to}: {source} is on the other side of not achieved"
    return known_old, known_new


def change(statement, sources):
    if not sources:
        return "new"
    if len(sources) == 1 and sources[0].normal == statement.normal:
        return "same" if sources[0].column == statement.column else "moved"
    return "changed"


def build():
    """The map as a JSON-ready value, with the statements by id and the crosswalk for review."""
    v32, v40 = load("caf-3.2.json"), load("caf-4.0.json")
    crosswalk = load("crosswalk-3.2-4.0.json")
    old, new = statements_by_outcome(v32), statements_by_outcome(v40)
    predecessor = {link["to"]: link["from"] for link in crosswalk["outcomes"]}
    assert list(predecessor) == list(new), "the crosswalk must list every 4.0 outcome in order"
    removed = set(crosswalk["removed"])
    known_old, known_new = check_overrides(old, new, predecessor, removed)

    links = {to: [known_old[s] for s in sources] for to, sources in OVERRIDES.items()}
    used = {s for sources in OVERRIDES.values() for s in sources}
    linked = {to: new[to] for to, source in predecessor.items() if source is not None}
    elsewhere = [s for outcome, group in old.items() if outcome not in removed for s in group]
    # Equal text in the predecessor outcome, then in another linked outcome.
    for scope in ("predecessor", "elsewhere"):
        for outcome, group in linked.items():
            source_outcome = predecessor[outcome]
            if scope == "predecessor":
                candidates = old[source_outcome]
            else:
                candidates = [c for c in elsewhere if c.outcome != source_outcome]
            for statement in group:
                if statement.id in links:
                    continue
                source = equal_text(statement, candidates, used)
                if source is not None:
                    links[statement.id] = [source]
                    used.add(source.id)
    # Reworded, split and merged statements, within the predecessor outcome only.
    for outcome, group in linked.items():
        pending = [s for s in group if s.id not in links]
        match_reworded(pending, old[predecessor[outcome]], links, used)

    entries = []
    for group in new.values():
        for statement in group:
            sources = sorted(links.get(statement.id, []), key=lambda s: s.position)
            entries.append(
                {
                    "to": statement.id,
                    "from": [s.id for s in sources],
                    "change": change(statement, sources),
                }
            )
    sourced = {s for entry in entries for s in entry["from"]}
    value = {
        "format": FORMAT,
        "from_version": v32["version"],
        "to_version": v40["version"],
        "notes": NOTES,
        "statements": entries,
        "dropped": [s.id for group in old.values() for s in group if s.id not in sourced],
    }
    return value, known_old, known_new, predecessor


def load(name):
    with open(os.path.join(FRAMEWORKS, name), encoding="utf-8") as handle:
        return json.load(handle)


def render(value):
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def review(value, old, new):
    """Print every link that is not `same`, with its texts and similarity, then the dropped."""
    for entry in value["statements"]:
        if entry["change"] == "same":
            continue
        statement = new[entry["to"]]
        marker = " (override)" if entry["to"] in OVERRIDES else ""
        print(f"{entry['to']} [{entry['change']}{marker}] {statement.column}: {statement.text}")
        for source_id in entry["from"]:
            source = old[source_id]
            score = similarity(statement, source)
            print(f"    {source_id} {score:.2f} {source.column}: {source.text}")
    print("dropped:")
    for source_id in value["dropped"]:
        print(f"  {source_id} {old[source_id].column}: {old[source_id].text}")


def near(value, old, new, predecessor):
    """Print each new statement of a linked outcome with its nearest in the predecessor outcome."""
    for entry in value["statements"]:
        statement = new[entry["to"]]
        source_outcome = predecessor[statement.outcome]
        if entry["change"] != "new" or source_outcome is None:
            continue
        scored = []
        for candidate in old.values():
            if candidate.outcome == source_outcome and candidate.negative() == statement.negative():
                part = max(part_of(statement, candidate), part_of(candidate, statement))
                score = similarity(statement, candidate)
                scored.append((-score, -part, candidate.position, candidate))
        scored = [item for item in sorted(scored) if -item[0] >= 0.35 or -item[1] >= 0.5][:3]
        if scored:
            print(f"{statement.id} {statement.column}: {statement.text}")
        for score, part, _, candidate in scored:
            print(f"    {-score:.2f} part {-part:.2f} {candidate.id} {candidate.column}: ", end="")
            print(candidate.text)


def main(argv):
    value, old, new, predecessor = build()
    text = render(value)
    path = os.path.join(FRAMEWORKS, OUTPUT)
    if argv[1:] == ["--check"]:
        with open(path, encoding="utf-8") as handle:
            if handle.read() != text:
                sys.exit(f"{path} is out of date; run {argv[0]} without --check to regenerate it")
    elif argv[1:] == ["--review"]:
        review(value, old, new)
    elif argv[1:] == ["--near"]:
        near(value, old, new, predecessor)
    elif not argv[1:]:
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
