// The `dangol` command line: parses the arguments with CLI11, sets up logging and runs one command
// (serve, migrate, demo, token create, user add, business create). This is the only place that
// reads configuration: flags, and DANGOL_DB as the default for --db.
#pragma once

#include <iosfwd>

namespace crm::cli {

// Runs `dangol` with these arguments and returns the exit code: 0 on success and for --help and
// --version, 2 for bad arguments (one line "dangol: <message>" on `err`), 1 when the command fails
// at run time. `in` is read only by --password-stdin.
int RunCli(int argc, const char* const* argv, std::istream& in, std::ostream& out,
           std::ostream& err);

}  // namespace crm::cli
