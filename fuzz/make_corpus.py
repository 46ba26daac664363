#!/usr/bin/env python3
"""Writes the seed corpora under fuzz/corpus/<target>/ (small valid and
invalid examples from the contract docs, the simulator's bodies and
examples/). Run it after changing a seed; the files are committed.
Regression seeds (inputs that once crashed a target) are named
regression-*; this script never touches them."""
import json
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CORPUS = os.path.join(HERE, "corpus")


def write(target, name, data):
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(folder, name), "wb") as out:
        out.write(data)


# --------------------------------------------------------------- bodies

RECORD = {
    "CallID": 31733467784618213, "CallDate": "2026-03-02",
    "StartTime": "12:20:00", "EndTime": "12:20:57", "Duration": "00:00:57",
    "TalkTime": "00:00:53", "HandlingTime": "00:00:58",
    "CallerID": "9800000000", "AgentID": "agent01", "AgentName": "Agent One",
    "Skill": "General", "CampaignName": "Inbound_Main", "Type": "InBound",
    "Status": "Answered", "Disposition": "APPOINTMENT_BOOKED",
    "QueueTime": "00:00:02", "HoldDuration": "00:00:00",
    "WrapupDuration": "00:00:05", "TimeToAnswer": "00:00:04", "DialCount": 1,
    "UCID": 31733467784618213,
    "CallAudio": "https://s3.ap-southeast-1.amazonaws.com/recordings.kookoo.in/a/b.mp3",
    "WrapUpEndTime": "12:21:02", "WrapUpStartTime": "12:20:57",
}
NOT_ANSWERED = dict(RECORD, CallID="31733467784618214", Status="NotAnswered",
                    TalkTime="", AgentID=None, Disposition="", Type="Progressive",
                    WrapUpEndTime="", Duration="25:00:61", StartTime="23:59:05",
                    EndTime="00:08:29")
CDR_BODIES = {
    "documented": json.dumps({"status": "success", "message": "",
                              "details": [RECORD]}, indent=2),
    "two_records": json.dumps({"status": "success", "message": "",
                               "details": [RECORD, NOT_ANSWERED]}),
    "data_key": json.dumps({"status": "true", "data": [RECORD]}),
    "empty": '{"status":"success","message":"","details":[]}',
    "token_expired": '{"status":"false","message":"Token Expired","data":null}',
    "missing_key": '{"status":"false","message":"Missing userName or apiKey"}',
    "missing_dates": '{"message":"Missing fromDate and toDate","status":"fail"}',
    "rate_limited": '{"status":"error","message":"max limit exceeded"}',
    "bare_405": "405",
    "html": "<html><body>502 Bad Gateway</body></html>",
    "escapes": r'{"status":"success","message":"caf\u00e9 \ud83d\ude00 \ud800 x\n",'
               r'"details":[{"CallID":"\u0033\u0031","AgentID":"a\"b\\c\/d",'
               r'"AgentName":"\uDBFF\uDFFF","Duration":12,"TalkTime":-1,'
               r'"HoldDuration":1.5e3,"CallDate":"2026-02-30","Status":true,'
               r'"Type":null,"Extra":{"deep":[[[{"x":[]}]]]}}]}',
    "truncated": '{"status":"success","details":[{"CallID":317334677846',
    "trailing": '{"status":"success","details":[]} {}',
    "numbers": '{"status":"success","details":[{"CallID":-0,"Duration":0e0,'
               '"TalkTime":1E+2,"HoldDuration":99999999999999999999999,'
               '"QueueTime":1e400}]}',
}


def cdr_header(field_cap=3, depth=0, cuts=(), stop_after=0):
    head = bytes([field_cap | (depth << 2), len(cuts) | (stop_after << 4)])
    for cut in cuts:
        head += struct.pack("<H", cut)
    return head


def cdr_stream():
    for name, body in CDR_BODIES.items():
        write("cdr_stream", name, cdr_header() + body.encode())
    body = CDR_BODIES["two_records"].encode()
    write("cdr_stream", "two_records_cut", cdr_header(1, 0, (7, 100, 101, 400), 0) + body)
    write("cdr_stream", "two_records_stop", cdr_header(0, 3, (50,), 1) + body)
    write("cdr_stream", "escapes_small_cap",
          cdr_header(0, 4, (20, 40, 60), 0) + CDR_BODIES["escapes"].encode())


def bodies_header(status_index=0, flags=0):
    return bytes([status_index, flags])


SUMMARY_ROW = {"AgentIncrID": "101", "AgentName": "Agent One",
               "AgentUniqueID": "u-101", "CallDate": "2025-09-23",
               "ModeType": "Inbound", "TotalBusyTime": "00:00:00",
               "TotalDialTime": "00:00:00", "TotalIdleTime": "00:00:05",
               "TotalLoginDuration": "00:00:05", "TotalPauseTime": "00:00:00",
               "TotalWrapupTime": "00:00:00"}
SMALL_BODIES = {
    "summary_object": json.dumps({"status": "success", "message": SUMMARY_ROW}),
    "summary_rows": json.dumps({"status": "success", "message": [
        SUMMARY_ROW, dict(SUMMARY_ROW, ModeType="Progressive",
                          TotalBusyTime="25:00:00", TotalIdleTime="x",
                          TotalDialTime=86400)]}),
    "summary_data": json.dumps({"status": "success", "data": [SUMMARY_ROW]}),
    "summary_no_data": '{"status":"error","message":"No Data Found"}',
    "summary_invalid_agent": '{"status":"error","message":"agentId is Invalid"}',
    "aht_agent": '{"status":"success","message":{"AgentID":"agent01","AgentName":"Agent One","AHT":"00:02:37"}}',
    "aht_campaign": '{"status":"success","message":[{"CampaignID":"7","CampaignName":"Inbound_Main","AHT":"00:01:10"}]}',
    "aht_rate_limited": '{"status":"error","message":"max limit exceeded"}',
    "agentdetails": '{"status":"success","message":{"AgentID":"agent01","AgentName":"Agent One","Status":"Ready"}}',
    "agentdetails_rate": '{"message":"Max limit exceeded","status":"error"}',
    "token": '{"token":"eyJhbGciOiJIUzUxMiJ9.e30.sig","message":""}',
    "token_bare": '{"token":"eyJhbGciOiJIUzUxMiJ9.e30.sig"}',
    "token_user_null": '{"status":"false","message":"UserName is null","data":null}',
    "token_invalid": '{"status":"false","message":"Invalid userName or apiKey","data":null}',
    "token_expired": '{"status":"false","message":"Token Expired","data":null}',
    "status_bool": '{"status":true,"message":""}',
    "only_1_hit": '{"status":"error","message":"only 1 hit will be allowed within a time frame of 5mins"}',
}


def ozonetel_bodies():
    for name, body in SMALL_BODIES.items():
        write("ozonetel_bodies", name, bodies_header() + body.encode())
    # The same bodies behind other HTTP answers.
    write("ozonetel_bodies", "http_401", bodies_header(4) + SMALL_BODIES["token_invalid"].encode())
    write("ozonetel_bodies", "http_429_retry", bodies_header(8, 8) + SMALL_BODIES["aht_rate_limited"].encode())
    write("ozonetel_bodies", "http_503_html", bodies_header(11) + b"<html>Service Unavailable</html>")
    write("ozonetel_bodies", "transport_timeout", bodies_header(12, 3) + b"")
    write("ozonetel_bodies", "bare_405", bodies_header(7) + b"405")
    write("ozonetel_bodies", "cdr_records", bodies_header(0, 32) + CDR_BODIES["two_records"].encode())


def agent_event(agent, action, time, mode="INBOUND", nested=True):
    event = {"action": action, "agentId": agent, "agentUniqeId": "u-" + agent,
             "agentMode": mode, "eventTime": "2026-03-02 " + time}
    if nested:
        return json.dumps({"eventType": "Agent", "data": event})
    return json.dumps(dict(event, eventType="Agent", username="acme"))


def call_event(ucid, action, time, call_type="InBound", skill="General",
               agent="agent01"):
    return json.dumps({"eventType": "Call", "event_time": "2026-03-02 " + time,
                       "username": "acme", "action": action,
                       "call_type": call_type, "ucid": ucid,
                       "monitor_ucid": ucid, "agent_id": agent, "skill": skill,
                       "caller_id": "9800000000", "did": "918000000000"})


def ozonetel_events():
    day = [
        "A" + agent_event("agent01", "login", "09:00:00"),
        "A" + agent_event("agent02", "login", "09:00:05", nested=False),
        "C" + call_event("31733467784618213", "Calling", "09:01:00"),
        "A" + agent_event("agent01", "calling", "09:01:01"),
        "C" + call_event("31733467784618213", "Answered", "09:01:10"),
        "A" + agent_event("agent01", "incall", "09:01:10"),
        "C" + call_event("31733467784618213", "Disconnect", "09:03:00"),
        "A" + agent_event("agent01", "ACW", "09:03:00"),
        "A" + agent_event("agent01", "release", "09:03:30"),
        "C" + call_event("31733467784618214", "Calling", "09:04:00", "Progressive", "Sales", "agent02"),
        "A" + agent_event("agent02", "pause", "09:05:00"),
        "T60",
        "N agent01,agent03",
        "Kready",
        "KLogout",
        "A" + agent_event("agent02", "logout", "09:06:00"),
        "E",
    ]
    write("ozonetel_events", "day", "\n".join(day) + "\n")
    write("ozonetel_events", "limits", "O1 1 1\n" + "\n".join(day[:6]) + "\n" +
          "C" + call_event("9", "Calling", "09:02:00", skill="Other") + "\n")
    write("ozonetel_events", "duplicates_out_of_order", "\n".join(
        [day[0], day[0], "A" + agent_event("agent01", "pause", "08:59:00"),
         day[2], day[2], day[6], day[4]]) + "\n")
    write("ozonetel_events", "expiry", "\n".join(
        [day[0], day[2], "T86400", "T86400", "E", "Kbusy"]) + "\n")
    write("ozonetel_events", "malformed", "\n".join(
        ["A{}", "A[]", 'A{"data":{"agentId":"x","action":"login","eventTime":"2026-03-02 25:00:00"}}',
         'C{"ucid":12,"action":"Calling","event_time":"2026-03-02 09:00:00"}',
         'A{"agentId":"' + "x" * 200 + '","action":"login","eventTime":"2026-03-02 09:00:00"}',
         'A{"agentId":"a\\nb\\"c","action":"login","eventTime":"2026-03-02 09:00:00"}',
         'C{"ucid":"ab","action":"Calling","call_type":"inbound","skill":"q\\u0000","event_time":"2026-03-02 09:00:00"}',
         "A" + agent_event("agent09", "login", "2026-03-03 09:00:00"[11:])]) + "\n")


CRM_PAGE = {"data": {"calls": {"totalCount": 2, "edges": [
    {"node": {"id": "0a1b2c", "disposition": "APPOINTMENT_BOOKED",
              "agentName": "Agent One", "direction": "INBOUND",
              "callStatus": "ANSWERED", "createdAt": "2026-03-02T06:50:00.123Z"}},
    {"node": {"id": 123456789012345678901, "agentName": None,
              "createdAt": "2026-03-02T12:20:00+05:30"}}],
    "pageInfo": {"hasNextPage": True, "endCursor": "Y3Vyc29yMg=="}}}}


def crm_response():
    write("crm_response", "page", json.dumps(CRM_PAGE))
    last = json.loads(json.dumps(CRM_PAGE))
    last["data"]["calls"]["pageInfo"] = {"hasNextPage": False, "endCursor": None}
    write("crm_response", "last_page", json.dumps(last))
    write("crm_response", "errors", '{"errors":[{"message":"Field \\"calls\\" not found"}],"data":null}')
    write("crm_response", "errors_with_data", '{"errors":[{"message":"partial"}],' + json.dumps(CRM_PAGE)[1:])
    write("crm_response", "no_edges", '{"data":{"calls":{"totalCount":0}}}')
    write("crm_response", "edge_without_node", '{"data":{"calls":{"edges":[{"cursor":"x"}]}}}')
    write("crm_response", "next_without_cursor", '{"data":{"calls":{"edges":[],"pageInfo":{"hasNextPage":true}}}}')
    custom = {"result": {"appointments": {"edges": [
        {"node": {"meta": {"uid": "7"}, "owner": {"name": "Agent Two"},
                  "at": "2026-03-02T10:00:00Z"}}]}}}
    write("crm_response", "custom_paths",
          "#result.appointments|meta.uid|owner.name|at\n" + json.dumps(custom))
    write("crm_response", "not_json", "<html>502</html>")


def cccp_document():
    with open(os.path.join(ROOT, "tests/unit/cccp/testdata/contract_example.json")) as f:
        example = f.read()
    write("cccp_document", "contract_example", example)
    doc = json.loads(example)
    doc["agents"].append(dict(doc["agents"][0], login="agent043", state="pause",
                              logged_in=True, state_since=None, type="supervisor"))
    doc["agents"].append(dict(doc["agents"][0], login="agent044", logged_in=False))
    doc["agents"].append(dict(doc["agents"][0], login="agent045", state="mystery"))
    doc["queues"].append(dict(doc["queues"][0], name="ventes", display_name=None,
                              waiting_calls=0, oldest_waiting_since=None))
    write("cccp_document", "several", json.dumps(doc))
    write("cccp_document", "no_agent_data", json.dumps(dict(doc, agents=None)))
    write("cccp_document", "duplicate_login", json.dumps(dict(doc, agents=[doc["agents"][0]] * 2)))
    write("cccp_document", "wrong_schema", json.dumps(dict(doc, schema="cccp-snapshot/v2")))
    write("cccp_document", "bad_count", json.dumps(dict(doc, calls={"active_inbound": -1, "active_outbound": 1.5, "waiting": 2147483648})))
    write("cccp_document", "minimal", '{"schema":"cccp-snapshot/v1","generated_at":"2026-01-12T10:15:02Z","agents":[],"queues":[],"calls":{}}')
    write("cccp_document", "truncated", example[:200])


def config():
    for name in ("config.yml", "config.demo.yml"):
        with open(os.path.join(ROOT, "examples", name)) as f:
            text = f.read()
        # The target skips inputs naming files to read.
        text = "\n".join(line for line in text.splitlines() if "_file" not in line)
        write("config", name.replace(".yml", ""), text + "\n")
    write("config", "events", """ozonetel:
  url: https://in1-ccaas-api.ozonetel.com
  user_name: acme
  events:
    path_prefix: /ozonetel/events
    max_queues: 20
    actions:
      incall: busy
      aux: {logout: true}
live:
  max_agents: 100
""")
    write("config", "cccp", """cccp:
  source: file:/var/lib/cccp/snapshot.json
  interval: 10s
  max_queues: 50
  states:
    busy: busy
    pause: pause
""")
    write("config", "cccp_cmd", "cccp:\n  source: 'cmd:/usr/bin/cccp-dump --json \"a b\"'\n")
    write("config", "crm", """crm:
  url: https://crm.example/graphql
  result_path: data.appointments
  id_field: id
  page_size: 100
  requests_per_minute: 6
agents: [agent01, {id: agent02, name: "Priya"}]
agent_name_map: {"Agent Three": agent03}
per_agent_metrics: false
""")
    write("config", "errors", "ozonetel:\n  url: 42\n  limits: {cdr_per_minute: 0, margin: 5x}\nunknown: 1\nagents: {a: b}\n")
    write("config", "web", """tls_server_config:
  cert: |
    -----BEGIN CERTIFICATE-----
    MIIB
    -----END CERTIFICATE-----
  key: |
    -----BEGIN PRIVATE KEY-----
    MIIB
    -----END PRIVATE KEY-----
  client_auth_type: RequireAndVerifyClientCert
  min_version: TLS12
http_server_config:
  headers:
    X-Frame-Options: deny
basic_auth_users:
  alice: $2y$10$e4gEaQ5N1KQHMyHkBo5Y8OFyYgdNRHrIVPbUz7xJHzzp6Jk3O8Xa6
""")
    write("config", "yaml_anchors", "a: &x [1, 2]\nb: *x\nozonetel: {url: \"https://x\", user_name: !!str 5}\n")


def time_parsers():
    samples = {
        "duration": "00:00:57", "long_duration": "123456:59:59",
        "date": "2026-03-02", "leap": "2028-02-29", "bad_date": "2026-02-30",
        "time": "23:59:59", "offset": "+05:30", "offset_compact": "-0400",
        "utc": "UTC", "local": "2026-03-02 12:20:00",
        "rfc3339": "2026-03-02T06:50:00Z", "rfc3339_fraction": "2026-03-02T06:50:00.123+05:30",
        "rfc3339_edge": "2000-01-01T00:00:00+05:00", "go_duration": "1h30m",
        "go_ms": "250ms", "go_days": "2d", "go_bare": "300",
        "place": "2026-03-02|12:20:00|12:20:57|2026-03-02|+05:30|2026-03-02 13:00:00",
        "place_midnight": "2026-03-03|23:59:05|00:08:29|2026-03-02|+05:30|2026-03-03 01:00:00",
        "place_duration": "|10:00:00|00:05:00|2026-03-02||",
        "place_future": "2026-03-02|23:00:00||2026-03-02|Z|2026-03-02 10:00:00",
    }
    for name, text in samples.items():
        write("time_parsers", name, text)


def flags():
    samples = {
        "serve": ["--config.file=/etc/callcenter_exporter.yml",
                  "--storage.path", "/var/lib/callcenter_exporter",
                  "--web.listen-address=:10469", "--web.listen-address=[::1]:9100",
                  "--log.level=debug", "--web.max-requests=8"],
        "clock": ["--clock.origin=1772431200", "--clock.epoch=1772431200.5",
                  "--clock.speed=10", "--check-config"],
        "backfill": ["backfill", "--days=7", "--step=5m", "--label=instance=host:10469",
                     "--label=job=cc", "--output=/tmp/out.om"],
        "subscribe": ["subscribe", "--set", "--agent-url=https://x/agent",
                      "--call-url=https://x/call"],
        "errors": ["--days", "--web.max-requests=0", "--nope", "positional",
                   "--version=maybe", "--config.file=a", "--config.file=b"],
    }
    for name, args in samples.items():
        write("flags", name, "\0".join(args))


def state_files():
    """Seeds made by the real owners: the state_files target writes them
    when CALLCENTER_FUZZ_STATE_SEEDS names a folder (needs the fuzz build,
    e.g. FUZZ_BUILD=/tmp/build-fuzz)."""
    build = os.environ.get("FUZZ_BUILD", os.path.join(ROOT, "build", "fuzz-build"))
    binary = os.path.join(build, "fuzz", "state_files_fuzzer")
    folder = os.path.join(CORPUS, "state_files")
    os.makedirs(folder, exist_ok=True)
    import subprocess
    subprocess.run([binary], check=True, stderr=subprocess.DEVNULL,
                   env=dict(os.environ, CALLCENTER_FUZZ_STATE_SEEDS=folder))
    with open(os.path.join(folder, "cdr_journal"), "rb") as f:
        journal = f.read()
    write("state_files", "cdr_journal_torn", journal + b"\n@@tail\n\x10\x00\x00\x00\xde\xad")
    write("state_files", "cdr_journal_stale", b"@@stale\n" + journal)
    write("state_files", "ledger", '[{"date":"2026-03-02","ids":[[31733467784618213,1],[9223372036854775809,2]]},{"date":"2026-03-01","ids":[]}]')
    write("state_files", "not_json", "{\"version\":1,")


TARGETS = ["cdr_stream", "ozonetel_bodies", "ozonetel_events", "crm_response",
           "cccp_document", "config", "time_parsers", "flags"]


def main():
    # state_files needs the fuzz build: ask for it by name.
    for name in sys.argv[1:] or TARGETS:
        globals()[name]()


if __name__ == "__main__":
    main()
