#!/usr/bin/env python3
"""Lint for the Grafana dashboards (docs: docs/alerts.md, "Dashboards lint").

Re-implements the checks of grafana/dashboard-linter that matter here, plus a
few of our own, with the Python standard library and PyYAML:

  json-valid                  the file parses as JSON, `"id": null`
  dashboard-meta-rule         title, tags, schemaVersion, time, refresh set
  uid-rule                    uid present, 8-40 chars of [A-Za-z0-9_-], unique
  panel-id-rule               panel ids present and unique (rows' nested panels too)
  template-datasource-rule    the first variable is {"type":"datasource","query":"prometheus"}
  template-job-rule           a `job` query variable exists
  template-instance-rule      an `instance` query variable exists
  template-label-promql-rule  variable queries are balanced and name known metrics
  panel-datasource-rule       panels and targets use {"type":"prometheus","uid":"${datasource}"}
  panel-title-description-rule  every panel has a title; non-row panels a description
  panel-units-rule            panels with targets set a known unit
  target-promql-rule          balanced () [] {}, no empty expr, known function names;
                              and, when promtool is available, Prometheus's own parser
                              accepts it (via `promtool check rules` on a generated file,
                              Grafana variables replaced by plain values)
  target-metric-rule          every metric name is in README.md's
                              catalogue or recorded in rules/*.yml
  target-job-rule             every selector carries job=~"$job"
  target-instance-rule        every selector carries instance=~"$instance"
  target-rate-interval-rule   rate/irate/increase use [$__rate_interval]; [$__range]
                              only in instant targets; anything else needs an exclusion
  target-variable-rule        every $var / ${var} / [[var]] is defined or a built-in
  target-clock-rule           no time(): ages compare against the exporter's clock,
                              callcenter_exporter_time_seconds (simulated clocks, skewed hosts)
  state-colour-rule           live-floor agent states have ONE colour each (STATE_COLOURS):
                              every value mapping or per-series override naming a state uses
                              it, names all states, and numeric codes of
                              agent:callcenter_agent_state:code map to the states the
                              recording rule gives them
  provisioning-rule           dashboards/provisioning/*/ files are valid YAML, apiVersion 1

Metric names come from README.md's catalogue (which a unit test keeps equal
to what the exporter declares) and rules/*.yml.

Exclusions live in dashboards/.lint (YAML), kubernetes-mixin style:

  exclusions:
    <rule>:
      entries:
        - dashboard: <uid>          # required
          panel: <panel title>      # optional: whole dashboard if absent
          targetIdx: <0-based>      # optional: whole panel if absent
          reason: <why>             # required
Unused exclusions are errors too, so the file cannot rot.

Usage:
  lint_dashboards.py [--root DIR] [--lint FILE] [--catalogue FILE] [--rules-dir DIR] PATH...
      PATH: dashboard JSON files or directories (searched for *.json).
      Exit status 1 when any violation remains.
  lint_dashboards.py --self-test [--root DIR]
      Lints tests/dashboards/fixtures/*.json, which are deliberately broken,
      and fails unless every rule listed in each fixture's
      "__expected_violations" is reported for it.
"""
import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

RULES = [
    "json-valid", "dashboard-meta-rule", "uid-rule", "panel-id-rule",
    "template-datasource-rule", "template-job-rule", "template-instance-rule",
    "template-label-promql-rule", "panel-datasource-rule",
    "panel-title-description-rule", "panel-units-rule", "target-promql-rule",
    "target-metric-rule", "target-job-rule", "target-instance-rule",
    "target-rate-interval-rule", "target-variable-rule", "target-clock-rule",
    "state-colour-rule", "provisioning-rule",
]

# The live floor's agent states (../shared/docs/live-floor.md §1.1) and their
# one colour each, used by every panel that shows a state (docs/alerts.md,
# "Live floor"). Hex, so that no theme maps a name differently.
STATE_COLOURS = {
    "available": "#73BF69",    # green: ready for a call
    "ringing": "#FADE2A",      # yellow: a call is being offered
    "busy": "#5794F2",         # blue: on a call
    "hold": "#1F60C4",         # dark blue: on a call, caller on hold
    "wrapup": "#FF9830",       # orange: after-call work
    "pause": "#F2495C",        # red: on a break, not taking calls
    "outbound": "#B877D9",     # purple: dialling / outbound activity
    "supervising": "#2CA6A4",  # teal: supervisor not taking calls
    "unknown": "#8E8E8E",      # grey: unmapped platform state
}
# Recorded per-agent state code (rules/callcenter.rules.yml); panels that
# read it map each code back to its state with value mappings.
STATE_CODE_RECORD = "agent:callcenter_agent_state:code"

# Grafana's global variables (grafana.com docs, "Global variables").
BUILTIN_VARS = {
    "__interval", "__interval_ms", "__rate_interval", "__rate_interval_ms",
    "__range", "__range_s", "__range_ms", "__from", "__to", "__dashboard",
    "__org", "__user", "__name", "__timeFilter", "timeFilter", "__url_time_range",
    "__value", "__series", "__field", "__data", "__cell", "__all_variables",
}

# Valid Grafana unit ids used in this repository (a subset of Grafana's list).
KNOWN_UNITS = {
    "short", "none", "s", "ms", "m", "h", "d", "dtdurations", "percent",
    "percentunit", "cps", "cpm", "reqps", "reqpm", "ops", "opm", "bytes",
    "decbytes", "bool", "bool_on_off", "dateTimeAsIso", "dateTimeFromNow",
    "dthms", "dtdhms",
}

PROMQL_FUNCTIONS = {
    "abs", "absent", "absent_over_time", "acos", "acosh", "asin", "asinh",
    "atan", "atanh", "avg_over_time", "ceil", "changes", "clamp", "clamp_max",
    "clamp_min", "cos", "cosh", "count_over_time", "day_of_month",
    "day_of_week", "day_of_year", "days_in_month", "deg", "delta", "deriv",
    "exp", "floor", "histogram_count", "histogram_fraction",
    "histogram_quantile", "histogram_sum", "holt_winters", "hour", "idelta",
    "increase", "irate", "label_join", "label_replace", "last_over_time", "ln",
    "log10", "log2", "max_over_time", "min_over_time", "minute", "month",
    "pi", "predict_linear", "present_over_time", "quantile_over_time", "rad",
    "rate", "resets", "round", "scalar", "sgn", "sin", "sinh", "sort",
    "sort_desc", "sqrt", "stddev_over_time", "stdvar_over_time",
    "sum_over_time", "tan", "tanh", "time", "timestamp", "vector", "year",
    # the @ modifier's start() and end()
    "start", "end",
    # aggregations
    "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count",
    "count_values", "bottomk", "topk", "quantile",
    # Grafana templating functions
    "label_values", "label_names", "metrics", "query_result",
}
AGGREGATIONS = {"sum", "min", "max", "avg", "group", "stddev", "stdvar",
                "count", "count_values", "bottomk", "topk", "quantile"}
KEYWORDS = {"and", "or", "unless", "by", "without", "on", "ignoring",
            "group_left", "group_right", "bool", "offset", "atan2", "inf",
            "nan", "Inf", "NaN"}
LABEL_LIST_KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right"}
RATE_FUNCS = {"rate", "irate", "increase"}
# Prometheus's own series, not in the exporter's catalogue.
BUILTIN_METRICS = {"up", "scrape_duration_seconds", "scrape_samples_scraped"}

TOKEN_RE = re.compile(r"""
    (?P<ws>\s+)
  | (?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)
  | (?P<var>\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*|\[\[[^\]]*\]\])
  | (?P<num>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?:ms|s|m|h|d|w|y)?(?:\d+(?:ms|s|m|h|d|w|y))*)
  | (?P<ident>[A-Za-z_:][A-Za-z0-9_:]*)
  | (?P<op>=~|!~|!=|==|>=|<=|[-+*/%^<>=,(){}\[\]:@])
""", re.VERBOSE)


class Violation:
    def __init__(self, rule, dashboard, panel, target, message):
        self.rule, self.dashboard, self.panel = rule, dashboard, panel
        self.target, self.message = target, message

    def __str__(self):
        where = self.dashboard
        if self.panel is not None:
            where += " / panel %r" % self.panel
        if self.target is not None:
            where += " / target %d" % self.target
        return "%s: %s: %s" % (self.rule, where, self.message)


def tokenize(expr):
    """Returns (kind, text) tokens; None for an unknown character."""
    out, pos = [], 0
    while pos < len(expr):
        m = TOKEN_RE.match(expr, pos)
        if not m:
            return None, "unexpected character %r at %d" % (expr[pos], pos)
        pos = m.end()
        kind = m.lastgroup
        if kind != "ws":
            out.append((kind, m.group(kind)))
    return out, None


def balanced(tokens):
    pairs = {")": "(", "]": "[", "}": "{"}
    stack = []
    for kind, text in tokens:
        if kind != "op":
            continue
        if text in "([{":
            stack.append(text)
        elif text in pairs:
            if not stack or stack[-1] != pairs[text]:
                return False
            stack.pop()
    return not stack


def used_variables(text):
    names = set()
    for m in re.finditer(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:[:.][^}]*)?\}|\$([A-Za-z_][A-Za-z0-9_]*)|\[\[([A-Za-z_][A-Za-z0-9_]*)(?::[^\]]*)?\]\]", text):
        names.add(m.group(1) or m.group(2) or m.group(3))
    return names


def analyse(expr):
    """Parses just enough PromQL: selectors (name + matchers), function calls
    with their range, and problems. Returns a dict."""
    result = {"selectors": [], "rate_ranges": [], "functions": set(), "errors": []}
    tokens, err = tokenize(expr)
    if tokens is None:
        result["errors"].append(err)
        return result
    if not tokens:
        result["errors"].append("empty expression")
        return result
    if not balanced(tokens):
        result["errors"].append("unbalanced (), [] or {}")
        return result
    # Paren stack of the function name each "(" belongs to (None: grouping).
    stack = []
    i, n = 0, len(tokens)
    while i < n:
        kind, text = tokens[i]
        nxt = tokens[i + 1] if i + 1 < n else (None, None)
        if kind == "ident" and text in LABEL_LIST_KEYWORDS:
            if nxt == ("op", "("):
                j = i + 2
                while j < n and tokens[j] != ("op", ")"):
                    j += 1
                i = j + 1
                continue
            i += 1
            continue
        if (kind == "ident" and text in AGGREGATIONS and nxt[0] == "ident"
                and nxt[1] in ("by", "without") and i + 2 < n
                and tokens[i + 2] == ("op", "(")):
            # `sum by (labels) (expr)`: skip the label list, then treat the
            # aggregation like a function call.
            j = i + 3
            while j < n and tokens[j] != ("op", ")"):
                j += 1
            if j + 1 < n and tokens[j + 1] == ("op", "("):
                result["functions"].add(text)
                stack.append(text)
                i = j + 2
                continue
            result["errors"].append("%s by (...) without an expression" % text)
            i = j + 1
            continue
        if kind == "ident" and text in KEYWORDS:
            i += 1
            continue
        if kind == "ident" and nxt == ("op", "("):
            if text not in PROMQL_FUNCTIONS:
                result["errors"].append("unknown function %s()" % text)
            result["functions"].add(text)
            stack.append(text)
            i += 2
            continue
        if kind == "op" and text == "(":
            stack.append(None)
        elif kind == "op" and text == ")":
            stack.pop()
        elif kind == "op" and text == "[":
            j = i + 1
            inner = []
            while tokens[j] != ("op", "]"):
                inner.append(tokens[j][1])
                j += 1
            rng = "".join(inner)
            if stack and stack[-1] in RATE_FUNCS:
                result["rate_ranges"].append((stack[-1], rng))
            i = j + 1
            continue
        elif kind == "op" and text == "{":
            # A selector without a metric name: {__name__=...}
            j, matchers = _matchers(tokens, i)
            result["selectors"].append((None, matchers))
            i = j
            continue
        elif kind == "ident":
            matchers = []
            j = i + 1
            if j < n and tokens[j] == ("op", "{"):
                j, matchers = _matchers(tokens, j)
            result["selectors"].append((text, matchers))
            i = j
            continue
        i += 1
    return result


def _matchers(tokens, i):
    """tokens[i] is "{"; returns (index after "}", [(label, op, value)])."""
    out = []
    j = i + 1
    while tokens[j] != ("op", "}"):
        if tokens[j][0] == "ident" and j + 2 < len(tokens):
            label, op, val = tokens[j][1], tokens[j + 1][1], tokens[j + 2][1]
            out.append((label, op, val[1:-1] if tokens[j + 2][0] == "str" else val))
            j += 3
        else:
            j += 1
    return j + 1, out


def load_catalogue(path):
    names = set()
    with open(path, encoding="utf-8") as f:
        text = f.read()
    section = text.split("## Metric catalogue", 1)[-1]
    for line in section.splitlines():
        if not line.startswith("| `"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        first, mtype = cells[0], cells[1] if len(cells) > 1 else ""
        for raw in re.findall(r"`([^`]+)`", first):
            for name in expand_braces(raw):
                names.add(name)
                if "histogram" in mtype:
                    names.update({name + "_bucket", name + "_sum", name + "_count"})
    return names


def load_state_codes(rules_dir):
    """{code: state} from the recording rule STATE_CODE_RECORD, whose
    expression has one `(callcenter_agent_state{state="x"} == 1) * N` term
    per state."""
    codes = {}
    for path in glob.glob(os.path.join(rules_dir, "*.yml")):
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f) or {}
        for group in doc.get("groups", []):
            for rule in group.get("rules", []):
                if rule.get("record") == STATE_CODE_RECORD:
                    for state, code in re.findall(
                            r'state\s*=\s*"(\w+)"\s*\}\s*==\s*1\s*\)\s*\*\s*(\d+)', rule["expr"]):
                        codes[code] = state
    return codes


def expand_braces(text):
    m = re.search(r"\{([^}]*)\}", text)
    if not m:
        return [text]
    out = []
    for alt in m.group(1).split(","):
        out.extend(expand_braces(text[:m.start()] + alt + text[m.end():]))
    return out


def load_recorded(rules_dir):
    names = set()
    for path in glob.glob(os.path.join(rules_dir, "*.yml")) + glob.glob(os.path.join(rules_dir, "*.yaml")):
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f) or {}
        for group in doc.get("groups", []):
            for rule in group.get("rules", []):
                if "record" in rule:
                    names.add(rule["record"])
    return names


class Exclusions:
    def __init__(self, path):
        self.entries = []  # [rule, entry, used]
        self.errors = []
        if not path or not os.path.exists(path):
            return
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f) or {}
        for rule, body in (doc.get("exclusions") or {}).items():
            if rule not in RULES:
                self.errors.append("unknown rule %r in %s" % (rule, path))
                continue
            for entry in (body or {}).get("entries", []) or []:
                if not entry.get("reason") or not entry.get("dashboard"):
                    self.errors.append("%s exclusion %r needs a dashboard and a reason" % (rule, entry))
                    continue
                self.entries.append([rule, entry, False])

    def excluded(self, v):
        for item in self.entries:
            rule, e, _ = item
            if rule != v.rule or e["dashboard"] != v.dashboard:
                continue
            if "panel" in e and e["panel"] != v.panel:
                continue
            if "targetIdx" in e and e["targetIdx"] != v.target:
                continue
            item[2] = True
            return True
        return False

    def unused(self, linted_uids):
        return ["%s: exclusion %r was not needed (stale?)" % (r, e)
                for r, e, used in self.entries
                if not used and e["dashboard"] in linted_uids]


def walk_panels(panels):
    for p in panels or []:
        yield p
        if p.get("type") == "row":
            for child in walk_panels(p.get("panels")):
                yield child


def is_ds_variable(ds):
    if isinstance(ds, dict):
        return ds.get("uid") in ("${datasource}", "$datasource") and ds.get("type") in (None, "prometheus")
    return ds in ("${datasource}", "$datasource")


def state_colour_violations(p, state_codes):
    """Messages for panel `p` breaking state-colour-rule."""
    out = []
    fc = p.get("fieldConfig") or {}
    reads_codes = any(STATE_CODE_RECORD in (t.get("expr") or "") for t in p.get("targets") or [])
    mapping_lists = [(fc.get("defaults") or {}).get("mappings") or []]
    state_overrides = {}
    for o in fc.get("overrides") or []:
        matcher = o.get("matcher") or {}
        for prop in o.get("properties") or []:
            if prop.get("id") == "mappings":
                mapping_lists.append(prop.get("value") or [])
            if (prop.get("id") == "color" and matcher.get("id") == "byName"
                    and matcher.get("options") in STATE_COLOURS):
                state_overrides[matcher["options"]] = (prop.get("value") or {}).get("fixedColor")
    for mappings in mapping_lists:
        seen = set()
        for m in mappings:
            if m.get("type") != "value":
                continue
            for key, opt in (m.get("options") or {}).items():
                state = opt.get("text") if opt.get("text") in STATE_COLOURS else (
                    key if key in STATE_COLOURS else None)
                if reads_codes and state_codes and key not in STATE_COLOURS:
                    want = state_codes.get(key)
                    if want != opt.get("text"):
                        out.append("code %s maps to %r; %s records it as %r" % (
                            key, opt.get("text"), STATE_CODE_RECORD, want))
                if state is None:
                    continue
                seen.add(state)
                if (opt.get("color") or "").upper() != STATE_COLOURS[state].upper():
                    out.append("state %s has colour %r; the state colour is %s" % (
                        state, opt.get("color"), STATE_COLOURS[state]))
        if seen and seen != set(STATE_COLOURS):
            out.append("value mappings name states %s but not %s" % (
                ", ".join(sorted(seen)), ", ".join(sorted(set(STATE_COLOURS) - seen))))
        if reads_codes and state_codes and mappings and set(state_codes.values()) - seen:
            out.append("codes of %s without a mapping: %s" % (
                STATE_CODE_RECORD, ", ".join(sorted(set(state_codes.values()) - seen))))
    for state, colour in sorted(state_overrides.items()):
        if (colour or "").upper() != STATE_COLOURS[state].upper():
            out.append("override for %s has colour %r; the state colour is %s" % (
                state, colour, STATE_COLOURS[state]))
    if state_overrides and set(state_overrides) != set(STATE_COLOURS):
        out.append("colour overrides name states %s but not %s" % (
            ", ".join(sorted(state_overrides)), ", ".join(sorted(set(STATE_COLOURS) - set(state_overrides)))))
    return out


def lint_dashboard(path, catalogue, recorded, seen_uids, parse_jobs=None, state_codes=None):
    out = []
    name = os.path.basename(path)
    try:
        with open(path, encoding="utf-8") as f:
            d = json.load(f)
    except (OSError, ValueError) as e:
        return [Violation("json-valid", name, None, None, "not valid JSON: %s" % e)], None
    uid = d.get("uid")
    dash = uid if isinstance(uid, str) and uid else name

    def v(rule, msg, panel=None, target=None):
        out.append(Violation(rule, dash, panel, target, msg))

    if "id" not in d or d["id"] is not None:
        v("json-valid", '"id" must be null, so that Grafana assigns one')
    if not isinstance(uid, str) or not re.fullmatch(r"[A-Za-z0-9_-]{8,40}", uid or ""):
        v("uid-rule", "uid %r must be 8-40 characters of [A-Za-z0-9_-]" % (uid,))
    elif uid in seen_uids:
        v("uid-rule", "uid %r is also used by %s" % (uid, seen_uids[uid]))
    else:
        seen_uids[uid] = name
    for key in ("title", "tags", "schemaVersion", "time", "refresh"):
        if not d.get(key):
            v("dashboard-meta-rule", "missing %s" % key)

    # Templating.
    variables = (d.get("templating") or {}).get("list") or []
    defined = {x.get("name") for x in variables}
    if not variables or variables[0].get("type") != "datasource" or variables[0].get("query") != "prometheus":
        v("template-datasource-rule", 'the first variable must be {"type":"datasource","query":"prometheus"}')
    if not any(x.get("name") == "datasource" and x.get("type") == "datasource" for x in variables):
        v("template-datasource-rule", "no `datasource` variable")
    for needed, rule in (("job", "template-job-rule"), ("instance", "template-instance-rule")):
        if not any(x.get("name") == needed and x.get("type") == "query" for x in variables):
            v(rule, "no `%s` query variable" % needed)
    for x in variables:
        if x.get("type") != "query":
            continue
        q = x.get("query")
        q = q.get("query") if isinstance(q, dict) else q
        if not q:
            v("template-label-promql-rule", "variable %s has no query" % x.get("name"))
            continue
        if not is_ds_variable(x.get("datasource")):
            v("panel-datasource-rule", "variable %s does not use ${datasource}" % x.get("name"))
        m = re.fullmatch(r"\s*label_values\((.*?)(?:,\s*([A-Za-z_][A-Za-z0-9_]*))?\)\s*", q, re.S)
        if m and m.group(2):
            a = analyse(m.group(1))      # label_values(selector, label)
        elif m:
            a = analyse("vector(0)")     # label_values(label): no selector
        else:
            a = analyse(q)               # query_result(...), metrics(...)
        for e in a["errors"]:
            v("template-label-promql-rule", "variable %s: %s" % (x.get("name"), e))
        for metric, _ in a["selectors"]:
            if metric and metric not in catalogue and metric not in recorded and metric not in BUILTIN_METRICS:
                v("template-label-promql-rule", "variable %s: unknown metric %s" % (x.get("name"), metric))
        for var in used_variables(q):
            if var not in defined and var not in BUILTIN_VARS:
                v("target-variable-rule", "variable %s uses undefined $%s" % (x.get("name"), var))

    # Panels.
    ids = {}
    for p in walk_panels(d.get("panels")):
        title = p.get("title")
        pid = p.get("id")
        if not isinstance(pid, int):
            v("panel-id-rule", "panel without an integer id", title)
        elif pid in ids:
            v("panel-id-rule", "id %d is also used by panel %r" % (pid, ids[pid]), title)
        else:
            ids[pid] = title
        if not title:
            v("panel-title-description-rule", "panel %s has no title" % pid, title)
        if p.get("type") == "row":
            continue
        if not p.get("description"):
            v("panel-title-description-rule", "no description", title)
        for msg in state_colour_violations(p, state_codes or {}):
            v("state-colour-rule", msg, title)
        targets = p.get("targets") or []
        if not targets:
            continue
        if not is_ds_variable(p.get("datasource")):
            v("panel-datasource-rule", "panel datasource must be ${datasource}", title)
        unit = ((p.get("fieldConfig") or {}).get("defaults") or {}).get("unit")
        if not unit:
            v("panel-units-rule", "no unit in fieldConfig.defaults", title)
        elif unit not in KNOWN_UNITS:
            v("panel-units-rule", "unknown unit %r" % unit, title)
        for o in (p.get("fieldConfig") or {}).get("overrides") or []:
            for prop in o.get("properties") or []:
                if prop.get("id") == "unit" and prop.get("value") not in KNOWN_UNITS:
                    v("panel-units-rule", "unknown unit %r in an override" % prop.get("value"), title)
        instant_panel = p.get("type") in ("stat", "gauge", "bargauge", "piechart", "table")
        for idx, t in enumerate(targets):
            if not is_ds_variable(t.get("datasource")):
                v("panel-datasource-rule", "target datasource must be ${datasource}", title, idx)
            expr = t.get("expr")
            if not expr or not expr.strip():
                v("target-promql-rule", "empty expr", title, idx)
                continue
            a = analyse(expr)
            for e in a["errors"]:
                v("target-promql-rule", e, title, idx)
            if "time" in a["functions"]:
                v("target-clock-rule", "time() is the Prometheus server's clock; measure ages against "
                  "callcenter_exporter_time_seconds (the exporter's clock)", title, idx)
            if parse_jobs is not None and not a["errors"]:
                parse_jobs.append((expr, Violation("target-promql-rule", dash, title, idx, "")))
            for metric, matchers in a["selectors"]:
                if metric is None:
                    v("target-metric-rule", "selector without a metric name", title, idx)
                    continue
                if metric not in catalogue and metric not in recorded and metric not in BUILTIN_METRICS:
                    v("target-metric-rule", "unknown metric %s (not in README.md's catalogue nor rules/)" % metric, title, idx)
                m = {(lab, op): val for lab, op, val in matchers}
                if m.get(("job", "=~")) != "$job":
                    v("target-job-rule", '%s has no job=~"$job" matcher' % metric, title, idx)
                if m.get(("instance", "=~")) != "$instance":
                    v("target-instance-rule", '%s has no instance=~"$instance" matcher' % metric, title, idx)
            instant = bool(t.get("instant")) and not t.get("range")
            for func, rng in a["rate_ranges"]:
                if rng == "$__rate_interval":
                    continue
                if rng == "$__range" and (instant or instant_panel):
                    continue
                v("target-rate-interval-rule", "%s() over [%s]; use [$__rate_interval]%s" % (
                    func, rng, " (or [$__range] in an instant target)" if rng == "$__range" else ""), title, idx)
            for var in used_variables(expr) | used_variables(t.get("legendFormat") or ""):
                if var not in defined and var not in BUILTIN_VARS:
                    v("target-variable-rule", "undefined variable $%s" % var, title, idx)
    return out, uid


GRAFANA_DURATIONS = {"__rate_interval": "5m", "__interval": "1h", "__range": "1d"}


def to_plain_promql(expr):
    """Replaces Grafana variables so that Prometheus can parse the query."""
    def dur(m):
        return GRAFANA_DURATIONS.get(m.group(1) or m.group(2), "5m")
    out = re.sub(r"\$\{(__rate_interval|__interval|__range)\}|\$(__rate_interval|__interval|__range)\b", dur, expr)
    return re.sub(r"\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*|\[\[[^\]]*\]\]", ".+", out)


def promtool_parse(promtool, exprs):
    """Parses each expression with Prometheus's own parser, through
    `promtool check rules` on a generated file with one recording rule per
    expression (promtool 2.42 has no parse command). Returns {index: error}."""
    if not exprs:
        return {}
    rules = [{"record": "lint:expr_%d" % i, "expr": to_plain_promql(e)} for i, e in enumerate(exprs)]
    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as f:
        yaml.safe_dump({"groups": [{"name": "dashboard_lint", "rules": rules}]}, f)
        path = f.name
    try:
        proc = subprocess.run([promtool, "check", "rules", path], capture_output=True, text=True)
    finally:
        os.unlink(path)
    errors = {}
    if proc.returncode == 0:
        return errors
    text = proc.stdout + proc.stderr
    for m in re.finditer(r'rule (\d+), "lint:expr_(\d+)": (.*)', text):
        errors[int(m.group(2))] = m.group(3).strip()
    if not errors:
        errors[-1] = "promtool check rules failed: " + text.strip()[:500]
    return errors


def lint_provisioning(root):
    out = []
    for path in sorted(glob.glob(os.path.join(root, "dashboards", "provisioning", "*", "*.y*ml"))):
        rel = os.path.relpath(path, root)
        try:
            with open(path, encoding="utf-8") as f:
                doc = yaml.safe_load(f)
        except (OSError, yaml.YAMLError) as e:
            out.append(Violation("provisioning-rule", rel, None, None, "invalid YAML: %s" % e))
            continue
        if not isinstance(doc, dict) or doc.get("apiVersion") != 1:
            out.append(Violation("provisioning-rule", rel, None, None, "apiVersion must be 1"))
            continue
        for ds in doc.get("datasources", []) or []:
            if not ds.get("uid"):
                out.append(Violation("provisioning-rule", rel, None, None, "datasource %s has no fixed uid" % ds.get("name")))
            if not (ds.get("jsonData") or {}).get("timeInterval"):
                out.append(Violation("provisioning-rule", rel, None, None, "datasource %s has no jsonData.timeInterval" % ds.get("name")))
        for prov in doc.get("providers", []) or []:
            if not (prov.get("options") or {}).get("path"):
                out.append(Violation("provisioning-rule", rel, None, None, "provider %s has no options.path" % prov.get("name")))
    return out


def collect(paths):
    files = []
    for p in paths:
        if os.path.isdir(p):
            files.extend(sorted(glob.glob(os.path.join(p, "*.json"))))
        else:
            files.append(p)
    return files


def run(files, root, lint_file, catalogue_path, rules_dir, provisioning, promtool=None):
    catalogue = load_catalogue(catalogue_path)
    recorded = load_recorded(rules_dir)
    state_codes = load_state_codes(rules_dir)
    excl = Exclusions(lint_file)
    violations, seen_uids, linted, parse_jobs = [], {}, set(), []
    for path in files:
        vs, uid = lint_dashboard(path, catalogue, recorded, seen_uids, parse_jobs, state_codes)
        linted.add(uid)
        violations.extend(vs)
    if promtool:
        errors = promtool_parse(promtool, [e for e, _ in parse_jobs])
        for i, msg in errors.items():
            if i < 0:
                violations.append(Violation("target-promql-rule", "(promtool)", None, None, msg))
                continue
            tmpl = parse_jobs[i][1]
            violations.append(Violation("target-promql-rule", tmpl.dashboard, tmpl.panel, tmpl.target,
                                        "promtool: " + msg))
    if provisioning:
        violations.extend(lint_provisioning(root))
    kept = [x for x in violations if not excl.excluded(x)]
    problems = excl.errors + excl.unused(linted)
    return kept, problems, len(violations) - len(kept)


def self_test(args):
    fixtures = sorted(glob.glob(os.path.join(args.root, "tests", "dashboards", "fixtures", "*.json")))
    if not fixtures:
        print("self-test: no fixtures under tests/dashboards/fixtures/")
        return 1
    failed = 0
    for path in fixtures:
        requires = None
        with open(path, encoding="utf-8") as f:
            try:
                doc = json.load(f)
                expected = set(doc.get("__expected_violations", []))
                requires = doc.get("__requires")
            except ValueError:
                expected = {"json-valid"}
        name = os.path.relpath(path, args.root)
        if requires == "promtool" and not args.promtool:
            print("self-test skip %s: needs promtool" % name)
            continue
        kept, _, _ = run([path], args.root, None, args.catalogue, args.rules_dir, False, args.promtool)
        got = {x.rule for x in kept}
        missing = expected - got
        if not kept:
            print("self-test FAIL %s: the linter accepted a broken dashboard" % name)
            failed += 1
        elif missing:
            print("self-test FAIL %s: rules not reported: %s" % (name, ", ".join(sorted(missing))))
            for x in kept:
                print("  reported: %s" % x)
            failed += 1
        else:
            print("self-test ok   %s: rejected with %d violations (%s)" % (name, len(kept), ", ".join(sorted(got))))
    return 1 if failed else 0


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", default=os.path.normpath(os.path.join(here, "..", "..")))
    ap.add_argument("--lint", help="exclusions file (default ROOT/dashboards/.lint)")
    ap.add_argument("--catalogue", help="default ROOT/README.md")
    ap.add_argument("--rules-dir", help="default ROOT/rules")
    ap.add_argument("--self-test", action="store_true")
    ap.add_argument("--promtool", default=shutil.which("promtool"),
                    help="parse every query with Prometheus's parser through this promtool "
                         "(default: promtool on PATH; 'none' to skip)")
    ap.add_argument("paths", nargs="*")
    args = ap.parse_args()
    args.lint = args.lint or os.path.join(args.root, "dashboards", ".lint")
    args.catalogue = args.catalogue or os.path.join(args.root, "README.md")
    args.rules_dir = args.rules_dir or os.path.join(args.root, "rules")
    if args.promtool in ("", "none"):
        args.promtool = None
    if args.self_test:
        return self_test(args)
    paths = args.paths or [os.path.join(args.root, "dashboards")]
    files = collect(paths)
    if not files:
        print("no dashboards found in %s" % ", ".join(paths))
        return 1
    kept, problems, excluded = run(files, args.root, args.lint, args.catalogue, args.rules_dir,
                                   not args.paths, args.promtool)
    if not args.promtool:
        print("note: promtool not found; queries were checked for balance and names only")
    for x in kept:
        print("FAIL " + str(x))
    for p in problems:
        print("FAIL .lint: " + p)
    print("%d dashboards linted, %d violations, %d excluded by %s" % (
        len(files), len(kept) + len(problems), excluded, os.path.relpath(args.lint, args.root)))
    return 1 if kept or problems else 0


if __name__ == "__main__":
    sys.exit(main())
