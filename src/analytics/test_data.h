// Test-only helper: reads a file of the analytics test data (tests/data/analytics), whose
// location the build passes as DANGOL_ANALYTICS_DATA_DIR.
#pragma once

#include <fstream>
#include <sstream>
#include <string>

namespace crm::analytics::testing {

// The whole file, or an empty string when it cannot be read (the test then fails on content).
inline std::string ReadTestData(const std::string& relative_path) {
  std::ifstream in(std::string(DANGOL_ANALYTICS_DATA_DIR) + "/" + relative_path,
                   std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace crm::analytics::testing
