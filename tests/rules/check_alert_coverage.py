#!/usr/bin/env python3
"""Checks the alerts against the conventions of docs/alerts.md and their tests.

For every alert in alerts/*.yml:
  * labels.severity is critical, warning or info;
  * annotations summary (static, ends with a period), description (templated,
    uses printf "%.2f"), runbook_url (an anchor that exists in
    docs/runbook.md) are present;
  * tests/rules/*.test.yml has at least one alert_rule_test where it MUST
    fire (non-empty exp_alerts) and one where it MUST NOT (empty exp_alerts);
  * every numeric threshold the expression compares against is a
    callcenter:threshold:* series defined in rules/ (no bare literals other
    than unit conversions such as 900 s per 15 min, and 0 in `== 0`/`> 0`).
For every rule in rules/*.yml and alerts/*.yml:
  * every metric name it reads is in README.md's catalogue, is recorded in
    rules/, or is Prometheus's `up` (the catalogue
    evolves; a renamed metric must not silently empty a rule);
  * it does not call time(): ages and staleness compare against the
    exporter's clock, callcenter_exporter_time_seconds, because the exporter
    can run on a simulated clock (demo, tests) or on a skewed host.

Usage: check_alert_coverage.py <repository root>
"""
import glob
import os
import re
import sys

import yaml

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "dashboards"))
import lint_dashboards  # noqa: E402  (the PromQL scanner and catalogue reader)

ALLOWED_LITERALS = {"0", "900"}


def github_anchor(heading):
    text = heading.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def main(root):
    errors = []
    alerts = {}
    for path in sorted(glob.glob(os.path.join(root, "alerts", "*.yml"))):
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
        for group in doc.get("groups", []):
            for rule in group.get("rules", []):
                if "alert" in rule:
                    alerts[rule["alert"]] = (path, rule)
    if not alerts:
        errors.append("no alerts found under alerts/")

    thresholds = set()
    for path in glob.glob(os.path.join(root, "rules", "*.yml")):
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
        for group in doc.get("groups", []):
            for rule in group.get("rules", []):
                if rule.get("record", "").startswith("callcenter:threshold:"):
                    thresholds.add(rule["record"])

    anchors = set()
    runbook = os.path.join(root, "docs", "runbook.md")
    if os.path.exists(runbook):
        with open(runbook, encoding="utf-8") as f:
            for line in f:
                m = re.match(r"^#+\s+(.*)$", line)
                if m:
                    anchors.add(github_anchor(m.group(1)))
    else:
        errors.append("docs/runbook.md is missing")

    fires, silent = set(), set()
    for path in glob.glob(os.path.join(root, "tests", "rules", "*.test.yml")):
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
        for test in doc.get("tests", []):
            for case in test.get("alert_rule_test", []) or []:
                (fires if case.get("exp_alerts") else silent).add(case["alertname"])

    for name, (path, rule) in sorted(alerts.items()):
        where = "%s: %s" % (os.path.relpath(path, root), name)
        sev = rule.get("labels", {}).get("severity")
        if sev not in ("critical", "warning", "info"):
            errors.append("%s: severity %r is not critical/warning/info" % (where, sev))
        ann = rule.get("annotations", {})
        summary = ann.get("summary", "")
        if not summary or "{{" in summary or not summary.endswith("."):
            errors.append("%s: summary must be a static sentence ending in a period" % where)
        desc = ann.get("description", "")
        if "{{" not in desc or 'printf "%.2f"' not in desc:
            errors.append('%s: description must be templated and use printf "%%.2f"' % where)
        url = ann.get("runbook_url", "")
        anchor = url.split("#", 1)[1] if "#" in url else ""
        if not anchor or anchor != name.lower() or anchor not in anchors:
            errors.append("%s: runbook_url %r has no matching section in docs/runbook.md" % (where, url))
        if name not in fires:
            errors.append("%s: no test case where it MUST fire" % where)
        if name not in silent:
            errors.append("%s: no test case where it MUST NOT fire" % where)
        expr = rule.get("expr", "")
        for used in re.findall(r"callcenter:threshold:[a-zA-Z0-9_]+", expr):
            if used not in thresholds:
                errors.append("%s: threshold %s is not recorded in rules/" % (where, used))
        bare = re.sub(r"\[[^\]]*\]", "", expr)            # range selectors
        bare = re.sub(r'"[^"]*"', "", bare)                # label values
        bare = re.sub(r"[a-zA-Z_:][a-zA-Z0-9_:]*", "", bare)  # names
        for lit in re.findall(r"(?<![\w.])\d+(?:\.\d+)?", bare):
            if lit not in ALLOWED_LITERALS:
                errors.append("%s: bare literal %s: make it a callcenter:threshold:* rule" % (where, lit))
        if not rule.get("for"):
            errors.append("%s: no for: duration" % where)

    catalogue = lint_dashboards.load_catalogue(os.path.join(root, "README.md"))
    recorded = lint_dashboards.load_recorded(os.path.join(root, "rules"))
    known = catalogue | recorded | lint_dashboards.BUILTIN_METRICS
    for path in sorted(glob.glob(os.path.join(root, "rules", "*.yml")) + glob.glob(os.path.join(root, "alerts", "*.yml"))):
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
        for group in doc.get("groups", []):
            for rule in group.get("rules", []):
                name = rule.get("record") or rule.get("alert")
                a = lint_dashboards.analyse(rule.get("expr", ""))
                for e in a["errors"]:
                    errors.append("%s: %s: %s" % (os.path.relpath(path, root), name, e))
                if "time" in a["functions"]:
                    errors.append("%s: %s calls time(); measure ages against callcenter_exporter_time_seconds "
                                  "(the exporter's clock)" % (os.path.relpath(path, root), name))
                for metric, _ in a["selectors"]:
                    if metric and metric not in known:
                        errors.append("%s: %s reads %s, which is not in README.md's catalogue nor recorded"
                                      % (os.path.relpath(path, root), name, metric))

    for e in errors:
        print("FAIL " + e)
    print("%d alerts checked, %d problems" % (len(alerts), len(errors)))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else
                  os.path.join(os.path.dirname(__file__), "..", "..")))
