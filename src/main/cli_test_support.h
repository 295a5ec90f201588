// For the command-line tests: runs `dangol ARGS...` in-process through RunCli and keeps its exit
// code, standard output and standard error. Test code only.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "main/cli.h"

namespace crm::cli {

struct CliResult {
  int code;
  std::string out;
  std::string err;
};

// `input` is what the command reads on standard input (a password prompt, say).
inline CliResult RunDangol(const std::vector<std::string>& args, const std::string& input = "") {
  std::vector<const char*> argv{"dangol"};
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  std::istringstream in(input);
  std::ostringstream out, err;
  const int code = RunCli(static_cast<int>(argv.size()), argv.data(), in, out, err);
  return {code, out.str(), err.str()};
}

}  // namespace crm::cli
