#!/usr/bin/env python3
"""Compares hunt's Sigma matches with the independent evaluation's.

Usage: compare.py HUNT.jsonl REF.jsonl KNOWN_DIFFERENCES.txt [REF_SUMMARY.json]

Both inputs are JSON lines {"rule","title","source","record"} (from
`hunt rules matches` and tests/sigma_ref/evaluate.py). The (rule, source,
record) sets are compared; per rule the matches of each engine are printed.
Every difference must be listed in KNOWN_DIFFERENCES.txt, one a line:

    only-in-hunt|only-in-ref  <rule id>  <source>  <record>  # reason

Exits 1 on a difference not listed, on a listed one that no longer occurs,
on a listed line without a reason, and when either side matched nothing
(a run that compares nothing proves nothing).
"""

import collections
import json
import sys


def load_matches(path):
    out = set()
    titles = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                d = json.loads(line)
                key = (str(d["rule"]), str(d["source"]), int(d["record"]))
            except (ValueError, KeyError, TypeError) as e:
                sys.exit(f"sigma_ref: {path}:{n}: not a match line ({e})")
            out.add(key)
            titles[key[0]] = d.get("title", "")
    return out, titles


def load_known(path):
    known = {}
    problems = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            text = line.strip()
            if not text or text.startswith("#"):
                continue
            body, sep, reason = text.partition("#")
            parts = body.split("\t") if "\t" in body else body.split()
            parts = [p.strip() for p in parts if p.strip()]
            if len(parts) != 4 or parts[0] not in ("only-in-hunt", "only-in-ref"):
                problems.append(f"{path}:{n}: want `side rule source record  # reason`: {text}")
                continue
            if not sep or not reason.strip():
                problems.append(f"{path}:{n}: no reason given: {text}")
                continue
            try:
                record = int(parts[3])
            except ValueError:
                problems.append(f"{path}:{n}: record is not a number: {text}")
                continue
            known[(parts[0], parts[1], parts[2], record)] = reason.strip()
    return known, problems


def main(argv):
    if len(argv) not in (4, 5):
        sys.exit(__doc__)
    hunt, hunt_titles = load_matches(argv[1])
    ref, ref_titles = load_matches(argv[2])
    known, problems = load_known(argv[3])
    summary = None
    if len(argv) == 5:
        with open(argv[4], encoding="utf-8") as f:
            summary = json.load(f)
    titles = {**ref_titles, **hunt_titles}
    # Each rule's author, as the Detection Rule License asks of output
    # showing matches (from the reference's summary, which read the rules).
    authors = (summary or {}).get("authors", {})

    per_rule = collections.defaultdict(lambda: [0, 0, 0])  # hunt, ref, both
    for k in hunt:
        per_rule[k[0]][0] += 1
    for k in ref:
        per_rule[k[0]][1] += 1
    for k in hunt & ref:
        per_rule[k[0]][2] += 1
    print("sigma_ref: matches per rule (hunt / reference / both; rule id, title, author)")
    for rule in sorted(per_rule, key=lambda r: (titles.get(r, ""), r)):
        h, r, b = per_rule[rule]
        mark = "" if h == r == b else "  <- differs"
        by = f" (by {authors[rule]})" if authors.get(rule) else ""
        print(f"  {h:6} {r:6} {b:6}  {rule}  {titles.get(rule, '')}{by}{mark}")

    diffs = [("only-in-hunt",) + k for k in sorted(hunt - ref)]
    diffs += [("only-in-ref",) + k for k in sorted(ref - hunt)]
    unexplained = []
    explained = collections.Counter()
    for d in diffs:
        if d in known:
            explained[known[d]] += 1
        else:
            unexplained.append(d)
    stale = [k for k in known if k not in set(diffs)]

    rules_h = {k[0] for k in hunt}
    rules_r = {k[0] for k in ref}
    print(f"sigma_ref: hunt fires {len(rules_h)} rules on {len({k[1:] for k in hunt})} records, "
          f"{len(hunt)} matches")
    print(f"sigma_ref: reference fires {len(rules_r)} rules on {len({k[1:] for k in ref})} records, "
          f"{len(ref)} matches")
    if summary:
        tables = summary.get("records", {})
        # An sshd line is a row of linux_sshd and of linux_auth: count it once.
        records = sum(n for t, n in tables.items() if t != "linux_sshd")
        print(f"sigma_ref: reference read {summary.get('rules_read')} rules, converted "
              f"{summary.get('rules_converted')}, evaluated {records} records")
    print(f"sigma_ref: {len(hunt & ref)} matches in both, {len(diffs)} differences, "
          f"{len(diffs) - len(unexplained)} explained")
    for reason, n in explained.most_common():
        print(f"  explained ({n}): {reason}")
    ok = True
    for p in problems:
        print(f"sigma_ref: FAIL: {p}")
        ok = False
    for side, rule, source, record in unexplained:
        print(f"sigma_ref: FAIL: unexplained difference: {side}\t{rule}\t{source}\t{record}"
              f"  # {titles.get(rule, '')}")
        ok = False
    for side, rule, source, record in stale:
        print(f"sigma_ref: FAIL: listed difference no longer occurs: {side}\t{rule}\t{source}\t{record}")
        ok = False
    if not hunt or not ref:
        print("sigma_ref: FAIL: one side matched nothing")
        ok = False
    print("sigma_ref: OK" if ok else "sigma_ref: FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
