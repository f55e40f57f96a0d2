#!/usr/bin/env python3
"""Independent Sigma evaluation for the hunt comparison (tests/sigma_ref).

Reads every input file under the given paths (NDJSON, JSON arrays and
envelopes, Panther rule-test files, gzip, evtx, syslog text), flattens each
record into one SQLite row the way Zircolite does, one table per Sigma
logsource, converts every rule with pySigma's SQLite backend through the
small per-logsource pipeline below, runs the queries and prints one JSON
line per (rule, record) match, in the format of `hunt rules matches`:

    {"rule":"<sigma rule id>","title":"…","source":"<path as given>","record":N}

N is the 1-based ordinal of the record in its file: the line number for
NDJSON and text, the element index for a JSON document (array, `value`,
`records`, `Records` or a Panther file's `tests`), the EventRecordID for evtx.

A summary goes to stderr (or to --summary FILE as JSON): rules read,
converted, not converted with the reason, records and matches per table,
files not read with the reason.

Usage: evaluate.py --rules DIR [--rules DIR …] [--summary FILE] PATH…
"""

import argparse
import collections
import gzip
import json
import os
import re
import sqlite3
import sys
import time

import yaml
from sigma.collection import SigmaCollection
from sigma.correlations import SigmaCorrelationRule
from sigma.exceptions import SigmaError
from sigma.processing.pipeline import ProcessingItem, ProcessingPipeline
from sigma.processing.transformations import FieldMappingTransformation
from sigma.backends.sqlite import sqliteBackend
from sigma.backends.sqlite.runtime import ensure_fields

# ---------------------------------------------------------------------------
# Logsources: the tables, and which tables a rule's logsource runs on.
# ---------------------------------------------------------------------------

# table -> (product, services) it answers to. A rule runs on a table when its
# product matches and its service (if any) is one of the services; a rule
# with a category runs on none (no table holds process or file telemetry).
TABLES = {
    "azure_signinlogs": ("azure", {"signinlogs"}),
    "azure_auditlogs": ("azure", {"auditlogs"}),
    "azure_riskdetection": ("azure", {"riskdetection"}),
    "okta": ("okta", {"okta"}),
    # One table for the unified audit log: Sigma's m365 services
    # (audit, exchange, threat_management, threat_detection) are all records
    # of it, told apart by Workload, which the rules test themselves.
    "m365": ("m365", {"audit", "exchange", "threat_management", "threat_detection"}),
    "aws_cloudtrail": ("aws", {"cloudtrail"}),
    "windows_security": ("windows", {"security"}),
    # Windows events of other channels (OpenSSH/Operational in the corpus):
    # only product-only windows rules run there.
    "windows_other": ("windows", set()),
    # sshd's own syslog lines.
    "linux_sshd": ("linux", {"sshd"}),
    # Every line of an auth/secure log file (sshd, su, sudo, cron, ftpd, …).
    "linux_auth": ("linux", {"auth"}),
}


def tables_for(logsource):
    """The tables a rule with this logsource runs on."""
    if logsource.category:
        return []
    product = (logsource.product or "").lower()
    service = (logsource.service or "").lower() or None
    if product == "microsoft365":
        product = "m365"
    out = []
    for table, (p, services) in TABLES.items():
        if p != product:
            continue
        if service is None or service in services:
            out.append(table)
    if product == "linux" and service is None:
        # A product-only linux rule reads any line once: the auth table holds
        # every line of the file, sshd's included.
        out = ["linux_auth"]
    return out


# ---------------------------------------------------------------------------
# Field mappings (the pipeline). Rules name fields in one dialect; the logs
# come in several. Each mapping turns a rule's field into the alternatives
# that mean it in every shape of that logsource the inputs hold (the backend
# ORs them). Every mapping is listed here, nothing else is renamed.
# ---------------------------------------------------------------------------

# Azure sign-in, audit and risk records come as Sentinel tables (PascalCase
# at the top: `ResultType`), Azure Monitor diagnostic exports (camelCase under
# `properties.`: `properties.resultType`) and Graph API objects (camelCase at
# the top: `resultType` is not there, `status.errorCode` is). SQLite column
# names are case-insensitive, so `ResultType` already finds `resultType`; the
# pipeline adds `properties.<field>` for every field and these dialect pairs:
AZURE_ALIASES = {
    # Sentinel name: Graph/diagnostic spellings of the same value
    "ResultType": ["status.errorCode", "properties.status.errorCode"],
    "ResultDescription": ["status.failureReason", "properties.status.failureReason"],
    "IPAddress": ["ipAddress", "callerIpAddress"],
    "Location": ["location.countryOrRegion", "properties.location.countryOrRegion"],
    "UserPrincipalName": ["userPrincipalName"],
    "Username": ["userPrincipalName", "properties.userPrincipalName"],
}

# Windows: the flattener already gives evtx, Winlogbeat and Sentinel shapes
# the bare names rules use (see flatten_windows), so no mapping is needed.
# Okta, CloudTrail, M365: rules use the raw names of the records (dotted
# paths for nested objects), which are the flattened column names.
# sshd/auth lines: rules are keyword rules, matched on the line (fulltext).


class AliasMapping(FieldMappingTransformation):
    """Maps each field to itself plus its aliases (a function of the name)."""

    def __init__(self, aliases_of):
        super().__init__({})
        self.aliases_of = aliases_of

    def apply_field_name(self, field):
        # pySigma 2.x asks apply_field_name (None for a keyword).
        if field is None:
            return None
        alts = self.aliases_of(field)
        if not alts:
            return None
        return [field] + [a for a in alts if a.lower() != field.lower()]


def azure_aliases(field):
    alts = []
    if not field.lower().startswith("properties."):
        alts.append("properties." + field)
    for a in AZURE_ALIASES.get(field, []):
        if a not in alts:
            alts.append(a)
    return alts


def pipeline_for(table):
    if table.startswith("azure_"):
        return ProcessingPipeline(
            name="hunt sigma_ref azure",
            priority=20,
            items=[ProcessingItem(identifier="azure_dialects",
                                  transformation=AliasMapping(azure_aliases))],
        )
    return ProcessingPipeline(name="hunt sigma_ref none", priority=20, items=[])


# ---------------------------------------------------------------------------
# Flattening (Zircolite's layout: one row per record, TEXT COLLATE NOCASE
# columns, nested keys joined with dots; evtx System/EventData leaves under
# bare names with Zircolite's System mappings).
# ---------------------------------------------------------------------------

# Zircolite's config/fieldMappings.json for the System part of an evtx event
# (its EventData mappings are all `Event.EventData.X` -> `X`, which the
# last-component rule below gives as well).
EVTX_MAPPINGS = {
    "Event.System.Provider.#attributes.Guid": "Guid",
    "Event.System.Provider.#attributes.Name": "Provider_Name",
    "Event.System.Provider.#attributes.EventSourceName": "EventSourceName",
    "Event.System.Execution.#attributes.ProcessID": "ProcessID",
    "Event.System.Execution.#attributes.ThreadID": "ThreadID",
    "Event.System.EventID": "EventID",
    "Event.System.EventID.#text": "EventID",
    "Event.System.EventID.#attributes.Qualifiers": "Qualifiers",
    "Event.System.Correlation.#attributes.ActivityID": "ActivityID",
    "Event.System.Security.#attributes.UserID": "UserID",
    "Event.System.TimeCreated.#attributes.SystemTime": "SystemTime",
    "Event.EventData.Data.#text": "Message",
    "Event.EventData.SamAccountName": "SAMAccountName",
    "Event.EventData.TargetFilename": "TargetFileName",
}

# Winlogbeat (`winlog.*`) and ECS names of the same System values.
WINLOGBEAT_MAPPINGS = {
    "winlog.event_id": "EventID",
    "winlog.channel": "Channel",
    "winlog.computer_name": "Computer",
    "winlog.provider_name": "Provider_Name",
    "winlog.provider_guid": "Guid",
    "winlog.record_id": "EventRecordID",
    "winlog.task": "Task",
    "winlog.opcode": "Opcode",
    "winlog.keywords": "Keywords",
    "winlog.process.pid": "ProcessID",
    "winlog.process.thread.id": "ThreadID",
}


def sql_value(v):
    """A JSON leaf as SQLite stores it: text, integer, 'true'/'false', JSON text."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        return json.dumps(v)
    if isinstance(v, (list, dict)):
        # Arrays and objects as their JSON text (compact, as the log writes it).
        return json.dumps(v, separators=(",", ":"), ensure_ascii=False)
    return v


def flatten_json(rec):
    """Dotted-path leaves of a JSON record; arrays (and empty objects) as JSON text."""
    out = {}

    def walk(obj, path):
        if isinstance(obj, dict) and obj:
            for k, v in obj.items():
                walk(v, path + (str(k),))
        elif path:
            if obj is None:
                return  # a null leaf is an absent field (SQL NULL)
            out[".".join(path)] = sql_value(obj)

    walk(rec, ())
    return out


def alnum(s):
    return "".join(c for c in s if c.isalnum())


def flatten_evtx(rec):
    """Zircolite's evtx flattening: mapped System names, else the last path
    component with non-alphanumerics removed; `xmlns` excluded."""
    out = {}

    def walk(obj, path):
        if isinstance(obj, dict) and obj:
            for k, v in obj.items():
                walk(v, path + (str(k),))
            return
        raw = ".".join(path)
        if "xmlns" in raw or obj is None:
            return
        key = EVTX_MAPPINGS.get(raw)
        if key is None:
            key = alnum(path[-1]) if path else ""
            if key == "text" and len(path) >= 2:  # `X.#text` is the value of X
                key = alnum(path[-2])
        if key:
            for k in [k for k in out if k.lower() == key.lower()]:
                del out[k]  # EventData.ProcessId over System ProcessID: the later leaf wins
            out[key] = sql_value(obj)

    walk(rec, ())
    return out


def flatten_windows_json(rec):
    """A Windows event in JSON (Winlogbeat, Sentinel SecurityEvent, NXLog):
    its dotted leaves, plus the bare names rules use: Winlogbeat System
    values by WINLOGBEAT_MAPPINGS, `winlog.event_data.X`, `winlog.user_data.X`,
    `EventData.X` and `event_data.X` as `X` (the Zircolite name)."""
    out = flatten_json(rec)
    bare = {}
    for k, v in out.items():
        if k in WINLOGBEAT_MAPPINGS:
            bare[WINLOGBEAT_MAPPINGS[k]] = v
            continue
        for prefix in ("winlog.event_data.", "winlog.user_data.", "EventData.", "event_data."):
            if k.startswith(prefix) and "." not in k[len(prefix):]:
                bare[k[len(prefix):]] = v
    for k, v in bare.items():
        if not any(x.lower() == k.lower() for x in out):
            out[k] = v
    if "EventID" not in out and "EventId" not in out:
        code = out.get("event.code")
        if code is not None:
            out["EventID"] = code
    return out


# ---------------------------------------------------------------------------
# Which logsource a record is (by its own keys, never by file name).
# ---------------------------------------------------------------------------

ENTRA_SIGNIN_CATEGORIES = {
    "signinlogs", "noninteractiveusersigninlogs", "serviceprincipalsigninlogs",
    "managedidentitysigninlogs", "adfssigninlogs", "microsoftserviceprincipalsigninlogs",
}
SENTINEL_SIGNIN_TYPES = {
    "signinlogs", "aadnoninteractiveusersigninlogs", "aadserviceprincipalsigninlogs",
    "aadmanagedidentitysigninlogs", "adfssigninlogs",
}


def classify_json(rec, declared=None):
    """The table of a JSON record, or None (not a logsource we evaluate).
    Key names compare case-insensitively (Panther stores them lowercased).
    `declared` is a Panther test's single log type, for a Log without
    p_log_type."""
    if not isinstance(rec, dict):
        return None
    low = {str(k).lower(): v for k, v in rec.items()}
    has = lambda *ks: all(k in low for k in ks)
    ptype = str(low.get("p_log_type") or declared or "")
    typ = str(low.get("type") or "").lower()
    cat = str(low.get("category") or "").lower()
    # Windows: an evtx-as-JSON Event, Winlogbeat, or a flat SecurityEvent/NXLog record.
    if isinstance(low.get("event"), dict) and "System" in low["event"]:
        return "windows"
    if isinstance(low.get("winlog"), dict):
        return "windows"
    if "eventid" in low and ("channel" in low or typ in ("securityevent", "windowsevent")
                             or "sourcename" in low or "computer" in low):
        return "windows"
    # CloudTrail
    if ptype == "AWS.CloudTrail" or (has("eventsource", "eventname") and (
            "eventversion" in low or "awsregion" in low or "useridentity" in low)):
        return "aws_cloudtrail"
    # Okta System Log
    if ptype == "Okta.SystemLog" or (has("eventtype", "actor") and (
            "published" in low or "uuid" in low)):
        return "okta"
    # Entra sign-ins, audit, risk detections
    if typ in SENTINEL_SIGNIN_TYPES or cat in ENTRA_SIGNIN_CATEGORIES:
        return "azure_signinlogs"
    if typ == "auditlogs" or cat == "auditlogs":
        return "azure_auditlogs"
    if typ in ("aaduserriskevents", "aadriskyusers") or cat in (
            "userriskevents", "riskyusers", "serviceprincipalriskevents"):
        return "azure_riskdetection"
    if has("riskeventtype", "detecteddatetime"):
        return "azure_riskdetection"
    if has("createddatetime", "userprincipalname") and ("status" in low or "ipaddress" in low):
        return "azure_signinlogs"  # Graph signIns object
    if has("activitydisplayname", "loggedbyservice"):
        return "azure_auditlogs"  # Graph directoryAudit object
    if has("operationname", "initiatedby", "targetresources"):
        return "azure_auditlogs"  # Sentinel AuditLogs without Type
    # Microsoft 365 unified audit log (Management API, OfficeActivity, Panther)
    if ptype.startswith("Microsoft365.") or ("operation" in low and (
            "workload" in low or "recordtype" in low or "officeworkload" in low)):
        return "m365"
    return None


# ---------------------------------------------------------------------------
# Reading files.
# ---------------------------------------------------------------------------

# A BSD syslog line: stamp (`Mmm d hh:mm:ss`, one or two spaces before a
# one-digit day, or ISO 8601), an optional host, then the program tag
# (`prog:`, `prog[pid]:`, `[prog]:` or `[prog]`). The host is absent when
# the first word is already a tag (ends with `:`, or is in brackets).
SYSLOG_STAMP_RE = re.compile(
    r"^(?:[A-Z][a-z]{2} +\d{1,2} \d\d:\d\d:\d\d|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\S*)(?: |$)")
TAG_RE = re.compile(r"^\[?([^\s\[\]:]*)")
# RFC 5424: `<PRI>1 TIMESTAMP HOST APP PROCID MSGID …`.
SYSLOG5424_RE = re.compile(r"^<\d+>1 \S+ \S+ (\S+) ")


def syslog_program(line):
    """The program of a syslog line ('' when its stamp is followed by no
    tag), or None when the line is no syslog line (a comment)."""
    m = SYSLOG5424_RE.match(line)
    if m:
        return m.group(1)
    m = SYSLOG_STAMP_RE.match(line)
    if not m:
        return None
    words = line[m.end():].split()
    if not words:
        return ""
    first = words[0]
    hostless = first.endswith(":") or (first.startswith("[") and first.endswith("]"))
    tag = first if hostless else (words[1] if len(words) > 1 else "")
    return TAG_RE.match(tag).group(1)


def strip_boms(data):
    while data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data


class Reader:
    """Collects rows per table from input files."""

    def __init__(self):
        self.rows = collections.defaultdict(list)  # table -> [(source, record, fields, fulltext)]
        self.skipped_files = []  # (path, reason)
        self.files = 0
        self.unclassified = collections.Counter()  # path -> records of no logsource
        self.bad = collections.Counter()  # path -> unparsable records

    def add(self, table, source, n, fields, fulltext):
        self.rows[table].append((source, n, fields, fulltext))

    def add_json(self, source, n, rec, declared=None):
        kind = classify_json(rec, declared)
        if kind is None:
            self.unclassified[source] += 1
            return
        if kind == "windows":
            fields = flatten_evtx(rec) if isinstance(rec.get("Event"), dict) \
                else flatten_windows_json(rec)
            channel = str(fields.get("Channel") or "Security")
            kind = "windows_security" if channel.lower() == "security" else "windows_other"
        else:
            fields = flatten_json(rec)
        fulltext = "\n".join(str(v) for v in fields.values())
        self.add(kind, source, n, fields, fulltext)

    def read_path(self, arg):
        if os.path.isdir(arg):
            for root, dirs, files in os.walk(arg):
                dirs.sort()
                for f in sorted(files):
                    self.read_file(os.path.join(root, f))
        else:
            self.read_file(arg)

    def read_file(self, path):
        with open(path, "rb") as f:
            data = f.read()
        if data.startswith(b"\x1f\x8b"):
            try:
                data = gzip.decompress(data)
            except (OSError, EOFError) as e:
                self.skipped_files.append((path, f"damaged gzip: {e}"))
                return
        if data.startswith(b"ElfFile\0"):
            self.read_evtx(path)
            return
        if data.startswith(b"PK\x03\x04"):
            self.skipped_files.append((path, "zip archive"))
            return
        if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
            self.skipped_files.append((path, "UTF-16 text"))
            return
        data = strip_boms(data)
        text = data.decode("utf-8", errors="replace")
        body = text.lstrip()
        if not body:
            self.skipped_files.append((path, "empty"))
            return
        if body[0] in "{[":
            self.read_json(path, text)
            return
        lines = text.splitlines()
        if any(syslog_program(l) for l in lines[:20]):
            self.read_syslog(path, lines)
            return
        self.skipped_files.append((path, "not a log format (text, CSV or Markdown)"))

    def read_json(self, path, text):
        self.files += 1
        first = text.lstrip().split("\n", 1)[0]
        try:
            head = json.loads(first)
        except ValueError:
            head = None
        container_keys = {"value", "records", "Records", "tests", "expected"}
        if isinstance(head, dict) and not (container_keys & set(head)):
            # NDJSON: one record per line, N = line number.
            for n, line in enumerate(text.split("\n"), 1):
                line = line.strip()
                if not line:
                    continue
                try:
                    rec = json.loads(line)
                except ValueError:
                    self.bad[path] += 1
                    continue
                self.add_json(path, n, rec)
            return
        try:
            doc = json.loads(text)
        except ValueError:
            self.bad[path] += 1
            return
        if isinstance(doc, list):
            records = doc
        elif isinstance(doc, dict):
            for key in ("value", "records", "Records", "tests", "expected"):
                if isinstance(doc.get(key), list):
                    records = doc[key]
                    break
            else:
                records = [doc]
            if "tests" in doc and records is doc.get("tests"):
                # Panther rule tests: each test's Log is the record; a test
                # naming one log type declares the Log's type.
                for n, t in enumerate(records, 1):
                    if not isinstance(t, dict):
                        self.unclassified[path] += 1
                        continue
                    types = t.get("LogTypes", t.get("log_types")) or []
                    declared = types[0] if isinstance(types, list) and len(types) == 1 else None
                    self.add_json(path, n, t.get("Log", t.get("log")), declared)
                return
            if "expected" in doc and records is doc.get("expected"):
                self.unclassified[path] += len(records)  # ECS documents: no logsource
                return
        else:
            records = []
        for n, rec in enumerate(records, 1):
            self.add_json(path, n, rec)

    def read_syslog(self, path, lines):
        self.files += 1
        for n, line in enumerate(lines, 1):
            prog = syslog_program(line)
            if prog is None:
                continue  # comments and continuation lines are no log records
            fields = {"Message": line}
            self.add("linux_auth", path, n, fields, line)
            if prog == "sshd" or prog.startswith("sshd(") or prog.startswith("sshd-"):
                self.add("linux_sshd", path, n, dict(fields), line)

    def read_evtx(self, path):
        from evtx import PyEvtxParser
        self.files += 1
        try:
            parser = PyEvtxParser(path)
            records = list(parser.records_json())
        except (OSError, RuntimeError) as e:
            self.skipped_files.append((path, f"evtx: {e}"))
            return
        for r in records:
            try:
                rec = json.loads(r["data"])
            except ValueError:
                self.bad[path] += 1
                continue
            self.add_json(path, int(r["event_record_id"]), rec)


# ---------------------------------------------------------------------------
# SQLite.
# ---------------------------------------------------------------------------

FULLTEXT = "_fulltext"


def regexp(pattern, value):
    if value is None:
        return False
    try:
        return re.search(pattern, str(value)) is not None
    except re.error:
        return False


def build_db(reader):
    db = sqlite3.connect(":memory:")
    db.create_function("regexp", 2, regexp, deterministic=True)
    collisions = collections.Counter()
    for table in TABLES:
        rows = reader.rows.get(table, [])
        cols = {}  # lower -> spelling
        ints = set()
        for _, _, fields, _ in rows:
            for k, v in fields.items():
                lk = k.lower()
                cols.setdefault(lk, k)
                if isinstance(v, int):
                    ints.add(lk)
        for fixed in ("_source", "_record", FULLTEXT):
            cols.pop(fixed, None)
        names = ["_source", "_record", FULLTEXT] + list(cols.values())
        decl = ["`_source` TEXT", "`_record` INTEGER", f"`{FULLTEXT}` TEXT COLLATE NOCASE"]
        for lk, k in cols.items():
            typ = "INTEGER" if lk in ints else "TEXT"
            decl.append("`" + k.replace("`", "``") + f"` {typ} COLLATE NOCASE")
        db.execute(f"CREATE TABLE {table} ({', '.join(decl)})")
        index = {n.lower(): i for i, n in enumerate(names)}
        batch = []
        for source, n, fields, fulltext in rows:
            row = [None] * len(names)
            row[0], row[1], row[2] = source, n, fulltext
            seen = set()
            for k, v in fields.items():
                lk = k.lower()
                if lk in seen:
                    collisions[(table, lk)] += 1
                    continue  # two keys differing only in case: the first is kept
                seen.add(lk)
                if lk in ("_source", "_record", FULLTEXT):
                    continue
                row[index[lk]] = v
            batch.append(row)
        if batch:
            db.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(names))})", batch)
    return db, collisions


# ---------------------------------------------------------------------------
# Rules.
# ---------------------------------------------------------------------------

def rule_files(dirs):
    out = []
    for d in dirs:
        if os.path.isfile(d):
            out.append(d)
            continue
        for root, subdirs, files in os.walk(d):
            subdirs.sort()
            for f in sorted(files):
                if f.endswith((".yml", ".yaml")):
                    out.append(os.path.join(root, f))
    return out


def load_rules(paths):
    """[(file, SigmaRule or None, yaml-text-of-its-document, error)]."""
    out = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        try:
            coll = SigmaCollection.from_yaml(text, collect_errors=True)
        except (SigmaError, yaml.YAMLError) as e:
            out.append((path, None, f"does not load: {e}"))
            continue
        for rule in coll.rules:
            errors = getattr(rule, "errors", [])
            if errors:
                out.append((path, rule, f"does not load: {errors[0]}"))
            else:
                out.append((path, rule, None))
    return out


def rule_key(rule):
    return str(rule.id) if rule.id else (rule.name or rule.title)


def convert(rule_yaml_doc, table):
    """SQL for one rule on one table, and the fields it needs."""
    backend = sqliteBackend(processing_pipeline=pipeline_for(table), table=table,
                            fulltext_field=FULLTEXT)
    coll = SigmaCollection.from_dicts([rule_yaml_doc])
    rule = coll.rules[0]
    queries = backend.convert_rule(rule)
    fields = backend.required_fields(rule)
    return queries, fields


def evaluate(rules_dirs, reader, summary):
    db, collisions = build_db(reader)
    summary["records"] = {t: len(reader.rows.get(t, [])) for t in TABLES}
    summary["case_collisions"] = {f"{t}.{k}": n for (t, k), n in collisions.items()}
    loaded = load_rules(rule_files(rules_dirs))
    not_converted = []
    converted = 0
    no_table = []
    correlations = []
    matches = set()
    per_table = collections.Counter()
    rules_firing = collections.defaultdict(set)
    titles = {}
    # The Detection Rule License asks that output showing matches name each
    # rule's author: compare.py prints them beside each rule's counts.
    authors = {}
    for path, rule, err in loaded:
        if rule is None:
            not_converted.append({"file": path, "rule": None, "reason": err})
            continue
        key = rule_key(rule)
        titles[key] = rule.title
        authors[key] = rule.author or ""
        if err:
            not_converted.append({"file": path, "rule": key, "reason": err})
            continue
        if isinstance(rule, SigmaCorrelationRule):
            correlations.append({"file": path, "rule": key})
            continue
        tables = tables_for(rule.logsource)
        if not tables:
            no_table.append({"file": path, "rule": key, "logsource": str(rule.logsource)})
            continue
        doc = rule.to_dict()
        ok = True
        for table in tables:
            try:
                queries, fields = convert(doc, table)
            except (SigmaError, NotImplementedError, ValueError, TypeError, KeyError) as e:
                not_converted.append({"file": path, "rule": key, "table": table,
                                      "reason": f"{type(e).__name__}: {e}"})
                ok = False
                break
            ensure_fields(db, {table: fields})
            for q in queries:
                sql = q.replace(f"SELECT * FROM {table}", f"SELECT _source, _record FROM {table}", 1)
                try:
                    for source, n in db.execute(sql):
                        matches.add((key, source, n))
                        per_table[table] += 1
                        rules_firing[table].add(key)
                except sqlite3.Error as e:
                    not_converted.append({"file": path, "rule": key, "table": table,
                                          "reason": f"query fails in SQLite: {e}"})
                    ok = False
        if ok:
            converted += 1
    summary["rules_read"] = len(loaded)
    summary["rules_converted"] = converted
    summary["not_converted"] = not_converted
    summary["no_table"] = no_table
    summary["correlations_not_evaluated"] = correlations
    summary["matches"] = {t: per_table[t] for t in TABLES}
    summary["rules_firing"] = {t: len(rules_firing[t]) for t in TABLES}
    summary["authors"] = authors
    return sorted(matches, key=lambda m: (m[1], m[2], m[0])), titles


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rules", action="append", required=True, help="rule file or folder")
    ap.add_argument("--summary", help="write the summary as JSON here")
    ap.add_argument("-o", "--output", help="write the matches here (default stdout)")
    ap.add_argument("paths", nargs="+")
    args = ap.parse_args(argv)
    t0 = time.time()
    reader = Reader()
    for p in args.paths:
        reader.read_path(p)
    summary = {"inputs": args.paths, "files_read": reader.files,
               "files_not_read": [{"file": p, "reason": r} for p, r in reader.skipped_files],
               "records_of_no_logsource": dict(reader.unclassified),
               "unparsable_records": dict(reader.bad)}
    matches, titles = evaluate(args.rules, reader, summary)
    out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout
    for rule, source, n in matches:
        out.write(json.dumps({"rule": rule, "title": titles.get(rule, ""), "source": source,
                              "record": n}, ensure_ascii=False) + "\n")
    if args.output:
        out.close()
    summary["seconds"] = round(time.time() - t0, 1)
    if args.summary:
        with open(args.summary, "w", encoding="utf-8") as f:
            json.dump(summary, f, indent=1)
    print_summary(summary, sys.stderr)
    return 0


def print_summary(s, f):
    p = lambda *a: print(*a, file=f)
    p(f"sigma_ref: {s['files_read']} files read, {len(s['files_not_read'])} not read")
    for x in s["files_not_read"]:
        p(f"  not read: {x['file']}: {x['reason']}")
    p(f"sigma_ref: {s['rules_read']} rules read, {s['rules_converted']} converted and run, "
      f"{len(s['not_converted'])} not converted, {len(s['no_table'])} for no table here, "
      f"{len(s['correlations_not_evaluated'])} correlations not evaluated")
    for x in s["not_converted"]:
        p(f"  not converted: {x['file']} {x['rule']}: {x['reason']}")
    for x in s["no_table"]:
        p(f"  no table: {x['file']} {x['rule']}: {x['logsource']}")
    p("sigma_ref: table                records  matches  rules-firing")
    for t in TABLES:
        p(f"  {t:22} {s['records'][t]:8} {s['matches'][t]:8} {s['rules_firing'][t]:6}")
    if s["case_collisions"]:
        p(f"  field names differing only in case (first kept): {s['case_collisions']}")


if __name__ == "__main__":
    sys.exit(main())
