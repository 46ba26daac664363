// Validation of `cccp-snapshot/v1` documents (cccp-snapshot.md §2): what
// is accepted, what is a schema failure, what is invalid JSON, and that no
// input can crash the parser.
#include "cccp/document.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "test_support.h"

namespace callcenter::cccp {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using Status = ParsedSnapshot::Status;
using testing::OneAgentDocument;

const char kAgentBase[] = R"("login":"a1","state":"busy")";

ParsedSnapshot ParseAgent(const std::string& extra) {
  return ParseSnapshot(OneAgentDocument(std::string(kAgentBase) + extra));
}

TEST(DocumentTest, ContractExampleParses) {
  const auto parsed = ParseSnapshot(
      testing::ReadText(std::string(CCCP_TESTDATA) + "/contract_example.json"));
  ASSERT_EQ(parsed.status, Status::kOk) << parsed.problem;
  const Snapshot& s = parsed.snapshot;
  EXPECT_EQ(s.generated_at, *ParseRfc3339("2026-01-12T09:15:02Z"));
  EXPECT_TRUE(s.has_agent_data);
  ASSERT_EQ(s.agents.size(), 1u);
  const SnapshotAgent& agent = s.agents[0];
  EXPECT_EQ(agent.login, "agent042");
  EXPECT_EQ(agent.name, "Agent 42");
  EXPECT_EQ(agent.role, "agent");
  EXPECT_EQ(agent.profile, "Profile_Test");
  EXPECT_EQ(agent.state, CccpState::kBusy);
  EXPECT_TRUE(agent.logged_in);
  EXPECT_EQ(agent.state_since, ParseRfc3339("2026-01-12T09:13:40Z"));
  EXPECT_EQ(agent.login_at, ParseRfc3339("2026-01-12T07:01:12Z"));
  EXPECT_EQ(agent.today.pause_seconds, 900);
  EXPECT_EQ(agent.today.outbound_seconds, 0);
  EXPECT_EQ(agent.today.inbound_total, 31);
  EXPECT_EQ(agent.today.inbound_managed, 29);
  EXPECT_EQ(agent.today.inbound_lost, 2);
  ASSERT_EQ(s.queues.size(), 1u);
  const SnapshotQueue& queue = s.queues[0];
  EXPECT_EQ(queue.name, "sav");
  EXPECT_EQ(queue.display_name, "SAV");
  EXPECT_EQ(queue.waiting_calls, 3);
  EXPECT_EQ(queue.running_calls, 12);
  EXPECT_EQ(queue.oldest_waiting_since, ParseRfc3339("2026-01-12T09:14:10Z"));
  EXPECT_EQ(queue.agents.size(), 6u);
  EXPECT_EQ(queue.agents.at("working"), 12);
  EXPECT_EQ(queue.today.managed, 812);
  EXPECT_EQ(queue.today.failed, 17);
  EXPECT_EQ(queue.today.waiting_max_seconds, 95);
  EXPECT_EQ(s.calls.active_inbound, 12);
  EXPECT_EQ(s.calls.active_outbound, 4);
  EXPECT_EQ(s.calls.waiting, 3);
}

TEST(DocumentTest, GeneratedFloorOf420AgentsParses) {
  const auto specs = testing::GeneratedAgents(420);
  const auto parsed = ParseSnapshot(testing::Document(testing::T0(), specs));
  ASSERT_EQ(parsed.status, Status::kOk) << parsed.problem;
  ASSERT_EQ(parsed.snapshot.agents.size(), specs.size());
  for (size_t i = 0; i < specs.size(); ++i) {
    const SnapshotAgent& agent = parsed.snapshot.agents[i];
    SCOPED_TRACE(specs[i].login + " " + specs[i].state);
    EXPECT_EQ(agent.login, specs[i].login);
    EXPECT_EQ(agent.logged_in, specs[i].logged_in);
    EXPECT_EQ(agent.role, specs[i].supervisor ? "supervisor" : "agent");
    const auto known = ParseCccpState(specs[i].state);
    EXPECT_EQ(agent.state, known.value_or(CccpState::kUnknown));
    EXPECT_EQ(agent.unmapped_state, known ? "" : specs[i].state);
    EXPECT_EQ(agent.state_since.has_value(), specs[i].send_state_since);
    EXPECT_EQ(agent.today.inbound_total.has_value(), specs[i].send_today);
  }
  EXPECT_EQ(parsed.snapshot.queues.size(),
            static_cast<size_t>(testing::kGeneratedQueues));
}

TEST(DocumentTest, NullsAndOmissionsMeanAbsent) {
  const auto parsed = ParseAgent(
      R"(,"name":null,"type":null,"profile":null,"logged_in":null,)"
      R"("raw_state":null,"state_since":null,"login_at":null,"mode":null,)"
      R"("session_id":null,"phone":null,"today":null)");
  ASSERT_EQ(parsed.status, Status::kOk) << parsed.problem;
  const SnapshotAgent& agent = parsed.snapshot.agents.at(0);
  EXPECT_EQ(agent.name, "");
  EXPECT_EQ(agent.role, "agent");
  EXPECT_TRUE(agent.logged_in);
  EXPECT_FALSE(agent.state_since);
  EXPECT_FALSE(agent.today.pause_seconds);

  const auto bare = ParseSnapshot(
      R"({"schema":"cccp-snapshot/v1","generated_at":"2026-01-12T10:15:02Z",)"
      R"("source":null,"queues":null,"calls":null,"agents":null})");
  ASSERT_EQ(bare.status, Status::kOk) << bare.problem;
  EXPECT_FALSE(bare.snapshot.has_agent_data);
}

TEST(DocumentTest, MissingAgentsIsNoAgentDataNotZeroAgents) {
  const auto missing = ParseSnapshot(
      R"({"schema":"cccp-snapshot/v1","generated_at":"2026-01-12T10:15:02Z"})");
  ASSERT_EQ(missing.status, Status::kOk) << missing.problem;
  EXPECT_FALSE(missing.snapshot.has_agent_data);
  const auto empty = ParseSnapshot(
      R"({"schema":"cccp-snapshot/v1","generated_at":"2026-01-12T10:15:02Z",)"
      R"("agents":[]})");
  ASSERT_EQ(empty.status, Status::kOk) << empty.problem;
  EXPECT_TRUE(empty.snapshot.has_agent_data);
}

TEST(DocumentTest, EverySentinelInEveryStringFieldIsASchemaFailure) {
  for (const char* sentinel :
       {"None", "none", "undefined", "UNDEFINED", "", "  ", "null", "NULL"}) {
    for (const char* field :
         {"name", "type", "profile", "raw_state", "state_since", "login_at",
          "mode", "session_id", "phone"}) {
      const auto parsed =
          ParseAgent(std::string(",\"") + field + "\":\"" + sentinel + "\"");
      EXPECT_EQ(parsed.status, Status::kSchema) << field << "=" << sentinel;
      EXPECT_THAT(parsed.problem,
                  StartsWith(std::string("agents[0].") + field + ": "));
    }
    const auto login = ParseSnapshot(OneAgentDocument(
        std::string(R"("state":"busy","login":")") + sentinel + "\""));
    EXPECT_EQ(login.status, Status::kSchema) << sentinel;
    EXPECT_THAT(login.problem, HasSubstr("sentinel"));
    const auto state = ParseSnapshot(OneAgentDocument(
        std::string(R"("login":"a1","state":")") + sentinel + "\""));
    EXPECT_EQ(state.status, Status::kSchema) << sentinel;
  }
  const auto queue = ParseSnapshot(
      R"({"schema":"cccp-snapshot/v1","generated_at":"2026-01-12T10:15:02Z",)"
      R"("queues":[{"name":"q","display_name":"undefined"}]})");
  EXPECT_EQ(queue.status, Status::kSchema);
  EXPECT_THAT(queue.problem, StartsWith("queues[0].display_name: "));
}

TEST(DocumentTest, NumbersAndBooleansSentAsStringsAreSchemaFailures) {
  for (const char* extra :
       {R"(,"today":{"pause_seconds":"900"})",
        R"(,"today":{"inbound_total":"3"})", R"(,"logged_in":"True")",
        R"(,"logged_in":"false")", R"(,"logged_in":1)"}) {
    const auto parsed = ParseAgent(extra);
    EXPECT_EQ(parsed.status, Status::kSchema) << extra;
  }
  const auto queue = ParseSnapshot(
      R"({"schema":"cccp-snapshot/v1","generated_at":"2026-01-12T10:15:02Z",)"
      R"("queues":[{"name":"q","waiting_calls":"3"}]})");
  EXPECT_EQ(queue.status, Status::kSchema);
  EXPECT_EQ(queue.problem,
            "queues[0].waiting_calls: must be a number, got a string");
}

TEST(DocumentTest, WrongTypesAreSchemaFailures) {
  const std::string head =
      R"({"schema":"cccp-snapshot/v1","generated_at":"2026-01-12T10:15:02Z")";
  for (
      const std::string& rest : {
          std::string(R"(,"agents":{}})"),
          std::string(R"(,"agents":[1]})"),
          std::string(R"(,"agents":[{"login":7,"state":"busy"}]})"),
          std::string(R"(,"agents":[{"login":["a"],"state":"busy"}]})"),
          std::string(R"(,"agents":[{"login":"a","state":3}]})"),
          std::string(
              R"(,"agents":[{"login":"a","state":"busy","today":[]}]})"),
          std::string(
              R"(,"agents":[{"login":"a","state":"busy","type":"robot"}]})"),
          std::string(
              R"(,"agents":[{"login":"a","state":"busy","today":{"inbound_lost":1.5}}]})"),
          std::string(
              R"(,"agents":[{"login":"a","state":"busy","today":{"inbound_lost":-1}}]})"),
          std::string(
              R"(,"agents":[{"login":"a","state":"busy","today":{"pause_seconds":-0.5}}]})"),
          std::string(
              R"(,"agents":[{"login":"a","state":"busy","state_since":1736673302}]})"),
          std::string(
              R"(,"agents":[{"login":"a","state":"busy","state_since":"10:15:02 le 12/01/2026"}]})"),
          std::string(
              R"(,"agents":[{"login":"a","state":"busy","state_since":"2026-01-12T10:15:02"}]})"),
          std::string(R"(,"queues":"sav"})"),
          std::string(R"(,"queues":[{"display_name":"no name"}]})"),
          std::string(R"(,"queues":[{"name":"q","agents":[]}]})"),
          std::string(
              R"(,"queues":[{"name":"q","running_calls":3000000000}]})"),
          std::string(
              R"(,"queues":[{"name":"q","waiting_calls":18446744073709551615}]})"),
          std::string(R"(,"calls":[]})"),
          std::string(R"(,"calls":{"active_inbound":true}})"),
          std::string(R"(,"source":"PROJECT_A"})"),
          std::string(R"(,"source":{"project":42}})"),
      }) {
    const auto parsed = ParseSnapshot(head + rest);
    EXPECT_EQ(parsed.status, Status::kSchema) << rest;
    EXPECT_FALSE(parsed.problem.empty());
  }
  for (const char* root : {"[]", "\"x\"", "42", "null", "true"}) {
    const auto parsed = ParseSnapshot(root);
    EXPECT_EQ(parsed.status, Status::kSchema) << root;
    EXPECT_THAT(parsed.problem, StartsWith("document: must be an object"));
  }
}

TEST(DocumentTest, WholeNumbersWrittenWithAFractionAreAccepted) {
  const auto parsed = ParseAgent(R"(,"today":{"inbound_total":3.0})");
  ASSERT_EQ(parsed.status, Status::kOk) << parsed.problem;
  EXPECT_EQ(parsed.snapshot.agents[0].today.inbound_total, 3);
}

TEST(DocumentTest, SchemaAndGeneratedAtAreRequired) {
  EXPECT_EQ(ParseSnapshot(R"({"generated_at":"2026-01-12T10:15:02Z"})").problem,
            "schema: is required");
  EXPECT_EQ(
      ParseSnapshot(R"({"schema":"cccp-snapshot/v2","agents":7})").problem,
      "schema: must be \"cccp-snapshot/v1\", got \"cccp-snapshot/v2\"");
  EXPECT_EQ(ParseSnapshot(R"({"schema":"CCCP-snapshot/v1"})").status,
            Status::kSchema);
  EXPECT_EQ(ParseSnapshot(R"({"schema":"cccp-snapshot/v1"})").problem,
            "generated_at: is required");
  EXPECT_EQ(ParseSnapshot(R"({"schema":"cccp-snapshot/v1",)"
                          R"("generated_at":"2026-01-12 10:15:02"})")
                .status,
            Status::kSchema);
  EXPECT_EQ(ParseSnapshot(R"({"schema":"cccp-snapshot/v1",)"
                          R"("generated_at":"1970-01-01T00:00:00Z"})")
                .status,
            Status::kSchema);
}

TEST(DocumentTest, LoginAndStateAreRequired) {
  EXPECT_EQ(ParseSnapshot(OneAgentDocument(R"("state":"busy")")).problem,
            "agents[0].login: is required");
  EXPECT_EQ(
      ParseSnapshot(OneAgentDocument(R"("login":"a","state":null)")).problem,
      "agents[0].state: is required");
}

TEST(DocumentTest, DuplicateLoginsAndQueueNamesAreSchemaFailures) {
  const auto agents = ParseSnapshot(
      R"({"schema":"cccp-snapshot/v1","generated_at":"2026-01-12T10:15:02Z",)"
      R"("agents":[{"login":"a","state":"busy"},{"login":"b","state":"busy"},)"
      R"({"login":"a","state":"pause"}]})");
  EXPECT_EQ(agents.status, Status::kSchema);
  EXPECT_EQ(agents.problem,
            "agents[2].login: duplicate \"a\" (also agents[0])");
  const auto queues = ParseSnapshot(
      R"({"schema":"cccp-snapshot/v1","generated_at":"2026-01-12T10:15:02Z",)"
      R"("queues":[{"name":"sav"},{"name":"sav"}]})");
  EXPECT_EQ(queues.status, Status::kSchema);
  EXPECT_EQ(queues.problem,
            "queues[1].name: duplicate \"sav\" (also queues[0])");
}

TEST(DocumentTest, LoginsThatBecomeTheSameLabelAreDuplicates) {
  // Control characters become spaces in a label: "a\tb" and "a\nb" would be
  // two agents with one series.
  const auto parsed = ParseSnapshot(
      R"({"schema":"cccp-snapshot/v1","generated_at":"2026-01-12T10:15:02Z",)"
      R"("agents":[{"login":"a\tb","state":"busy"},{"login":"a\nb","state":"busy"}]})");
  EXPECT_EQ(parsed.status, Status::kSchema);
  EXPECT_THAT(parsed.problem, HasSubstr("duplicate"));
  const std::string long_a(200, 'a');
  const auto long_logins = ParseSnapshot(
      R"({"schema":"cccp-snapshot/v1","generated_at":"2026-01-12T10:15:02Z",)"
      R"("agents":[{"login":")" +
      long_a + R"(b","state":"busy"},{"login":")" + long_a +
      R"(c","state":"busy"}]})");
  EXPECT_EQ(long_logins.status, Status::kSchema);
}

TEST(DocumentTest, AKnownKeyGivenTwiceIsASchemaFailure) {
  const auto parsed = ParseSnapshot(
      OneAgentDocument(R"("login":"a","state":"busy","state":"pause")"));
  EXPECT_EQ(parsed.status, Status::kSchema);
  EXPECT_EQ(parsed.problem, "agents[0].state: given twice");
}

TEST(DocumentTest, UnknownFieldsAreIgnored) {
  const auto parsed = ParseSnapshot(
      R"({"schema":"cccp-snapshot/v1","generated_at":"2026-01-12T10:15:02Z",)"
      R"("future":{"x":[1,2,"3"]},"agents":[{"login":"a","state":"busy",)"
      R"("skills":["x"],"today":{"transferred":"3"}}],)"
      R"("queues":[{"name":"q","virtual":"None","agents":{"robots":"7"}}]})");
  ASSERT_EQ(parsed.status, Status::kOk) << parsed.problem;
  EXPECT_TRUE(parsed.snapshot.queues[0].agents.empty());
}

TEST(DocumentTest, StatesMatchCaseBlindAndUnknownOnesBecomeUnknown) {
  const auto upper =
      ParseSnapshot(OneAgentDocument(R"("login":"a","state":"WRAPUP")"));
  ASSERT_EQ(upper.status, Status::kOk) << upper.problem;
  EXPECT_EQ(upper.snapshot.agents[0].state, CccpState::kWrapup);
  const auto other = ParseSnapshot(
      OneAgentDocument(R"("login":"a","state":"coffee_machine")"));
  ASSERT_EQ(other.status, Status::kOk) << other.problem;
  EXPECT_EQ(other.snapshot.agents[0].state, CccpState::kUnknown);
  EXPECT_EQ(other.snapshot.agents[0].unmapped_state, "coffee_machine");
}

TEST(DocumentTest, LoggedOutAgentsAreMarked) {
  const auto flag = ParseAgent(R"(,"logged_in":false)");
  ASSERT_EQ(flag.status, Status::kOk) << flag.problem;
  EXPECT_FALSE(flag.snapshot.agents[0].logged_in);
  const auto state = ParseSnapshot(
      OneAgentDocument(R"("login":"a","state":"logged_out","logged_in":true)"));
  ASSERT_EQ(state.status, Status::kOk) << state.problem;
  EXPECT_FALSE(state.snapshot.agents[0].logged_in);
}

TEST(DocumentTest, RoleFollowsTypeElseTheSupervisorStates) {
  const auto typed = ParseSnapshot(
      OneAgentDocument(R"("login":"a","state":"busy","type":"Supervisor")"));
  EXPECT_EQ(typed.snapshot.agents.at(0).role, "supervisor");
  const auto derived = ParseSnapshot(
      OneAgentDocument(R"("login":"a","state":"supervisor_interface")"));
  EXPECT_EQ(derived.snapshot.agents.at(0).role, "supervisor");
}

TEST(DocumentTest, LabelValuesAreSanitised) {
  const auto parsed = ParseSnapshot(
      OneAgentDocument("\"login\":\"a\\u0000b\\u001b\",\"profile\":\"p\\\"x\","
                       "\"state\":\"busy\""));
  ASSERT_EQ(parsed.status, Status::kOk) << parsed.problem;
  EXPECT_EQ(parsed.snapshot.agents[0].login, "a b ");
  EXPECT_EQ(parsed.snapshot.agents[0].profile, "p\"x");
  const auto invalid_utf8 =
      ParseSnapshot(OneAgentDocument("\"login\":\"a\xff\",\"state\":\"busy\""));
  ASSERT_EQ(invalid_utf8.status, Status::kOk) << invalid_utf8.problem;
  EXPECT_EQ(invalid_utf8.snapshot.agents[0].login, "a\xEF\xBF\xBD");
}

TEST(DocumentTest, MalformedJsonIsInvalidJson) {
  for (const char* text :
       {"", "{", "{\"schema\":", "not json", "{\"a\":1,}", "{'a':1}",
        "{\"schema\":\"cccp-snapshot/v1\"} trailing", "[1,2", "\xff\xfe",
        "{\"x\":NaN}", "{\"x\":1e999}"}) {
    const auto parsed = ParseSnapshot(text);
    EXPECT_EQ(parsed.status, Status::kInvalidJson) << text;
    EXPECT_FALSE(parsed.problem.empty());
  }
}

TEST(DocumentTest, AMillionDeepNestingIsRefusedWithoutRecursion) {
  const std::string open(1000000, '[');
  const std::string close(1000000, ']');
  const auto balanced = ParseSnapshot(open + close);
  EXPECT_EQ(balanced.status, Status::kInvalidJson);
  EXPECT_THAT(balanced.problem, HasSubstr("nested deeper than"));
  const auto in_a_field = ParseSnapshot(
      R"({"schema":"cccp-snapshot/v1","generated_at":"2026-01-12T10:15:02Z","x":)" +
      std::string(1000000, '{'));
  EXPECT_EQ(in_a_field.status, Status::kInvalidJson);
}

TEST(DocumentTest, ADocumentOverTheSizeLimitIsRefused) {
  const std::string doc = testing::GeneratedDocument(testing::T0(), 20);
  ParseLimits limits;
  limits.max_bytes = doc.size() - 1;
  EXPECT_EQ(ParseSnapshot(doc, limits).status, Status::kInvalidJson);
  limits.max_bytes = doc.size();
  EXPECT_EQ(ParseSnapshot(doc, limits).status, Status::kOk);
}

TEST(DocumentTest, EveryPrefixAndRandomCorruptionFailsCleanly) {
  const std::string doc = testing::GeneratedDocument(testing::T0(), 6);
  for (size_t n = 0; n < doc.size(); ++n) {
    const auto parsed = ParseSnapshot(std::string_view(doc).substr(0, n));
    EXPECT_NE(parsed.status, Status::kOk) << n;
  }
  std::mt19937 random(20260112);
  std::uniform_int_distribution<size_t> position(0, doc.size() - 1);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int round = 0; round < 3000; ++round) {
    std::string mutated = doc;
    for (int k = 0; k < 1 + round % 4; ++k) {
      mutated[position(random)] = static_cast<char>(byte(random));
    }
    const auto parsed = ParseSnapshot(mutated);
    if (parsed.status != Status::kOk) {
      EXPECT_FALSE(parsed.problem.empty());
    }
  }
}

}  // namespace
}  // namespace callcenter::cccp
