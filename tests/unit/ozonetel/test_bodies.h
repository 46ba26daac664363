// Response bodies shared by the Ozonetel client tests.
#ifndef CALLCENTER_TESTS_UNIT_OZONETEL_TEST_BODIES_H_
#define CALLCENTER_TESTS_UNIT_OZONETEL_TEST_BODIES_H_

#include <string>

namespace callcenter::test {

// The complete example of docs/ozonetel-api.md §4.6, all 47 keys.
inline constexpr const char* kDocumentedCdrExample = R"json({
  "status": "success",
  "message": "",
  "details": [
    {
      "CallID": 31733467784618213, "CallDate": "2026-03-02",
      "StartTime": "12:20:00", "EndTime": "12:20:57", "Duration": "00:00:57",
      "TalkTime": "00:00:53", "HandlingTime": "00:00:58",
      "CallerID": "9800000000", "DialedNumber": "500994", "E164": "+919800000000",
      "DID": "918000000000", "Location": "Bangalore",
      "AgentID": "agent01", "AgentName": "Agent One", "Skill": "General",
      "CampaignName": "Inbound_Main", "CallFlow": "", "Type": "InBound",
      "Status": "Answered", "DialStatus": "answered", "AgentDialStatus": "answered",
      "CustomerDialStatus": "answered", "Disposition": "APPOINTMENT_BOOKED",
      "Comments": "", "HangupBy": "UserHangup", "QueueTime": "00:00:02",
      "HoldDuration": "00:00:00", "WrapupDuration": "00:00:05", "TimeToAnswer": "00:00:04",
      "DialCount": 1, "UCID": 31733467784618213, "UUI": "",
      "CallAudio": "https://s3.ap-southeast-1.amazonaws.com/recordings.kookoo.in/<account>/<file>.mp3",
      "CallerConfAudioFile": "", "ConferenceDuration": "00:00:00",
      "CustomerRingTime": "00:00:00", "DialOutName": "", "DynamicDID": "",
      "Event": "AgentDial", "PickupTime": "12:20:04", "Rating": 0, "RatingComments": "",
      "TransferType": "", "TransferredTo": "", "VideoRecordingURL": "",
      "WrapUpEndTime": "12:21:02", "WrapUpStartTime": "12:20:57"
    }
  ]
})json";

// One compact record with the given CallID (as raw JSON text).
inline std::string CompactRecord(const std::string& call_id_json) {
  return R"({"CallID":)" + call_id_json +
         R"(,"CallDate":"2026-03-02","StartTime":"10:00:00","EndTime":"10:01:00",)"
         R"("Duration":"00:01:00","TalkTime":"00:00:50","HandlingTime":"00:00:55",)"
         R"("AgentID":"agent07","AgentName":"Agent Seven","CampaignName":"Outbound_A",)"
         R"("Type":"Progressive","Status":"Answered","Disposition":"",)"
         R"("QueueTime":"00:00:00","HoldDuration":"00:00:00","WrapupDuration":"00:00:05",)"
         R"("TimeToAnswer":"00:00:10","UCID":)" +
         call_id_json +
         R"(,"PickupTime":"10:00:10","WrapUpEndTime":"10:01:05"})";
}

}  // namespace callcenter::test

#endif  // CALLCENTER_TESTS_UNIT_OZONETEL_TEST_BODIES_H_
