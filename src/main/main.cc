// The dangol binary: everything is in RunCli, so that tests can run the command line in-process.
#include <iostream>

#include "main/cli.h"

int main(int argc, char** argv) {
  return crm::cli::RunCli(argc, argv, std::cin, std::cout, std::cerr);
}
