// String helpers shared by the exporter and the simulator.
#ifndef CALLCENTER_COMMON_STRINGS_H_
#define CALLCENTER_COMMON_STRINGS_H_

#include <string>
#include <string_view>

namespace callcenter {

// Without leading and trailing ASCII white space.
std::string_view Trim(std::string_view text);
std::string ToLower(std::string_view text);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
bool ContainsIgnoreCase(std::string_view text, std::string_view needle);
bool StartsWith(std::string_view text, std::string_view prefix);

// A label value fit for the exposition: valid UTF-8 (invalid bytes become
// U+FFFD), control characters as spaces, at most `max_bytes` (cut on a
// character boundary). Upstream text (agent names, dispositions, campaign
// names) passes through here before it becomes a label.
std::string SanitizeLabelValue(std::string_view text, size_t max_bytes = 128);

// Escapes &, <, >, " and ' for HTML text and attribute values.
std::string HtmlEscape(std::string_view text);

// Compares in time independent of where the strings differ (secrets).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace callcenter

#endif  // CALLCENTER_COMMON_STRINGS_H_
