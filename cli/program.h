// The raftsim program as a function: the command line (without argv[0]) in,
// the exit status out, its messages on std::cout and std::cerr. main.cc
// calls it; tests/cli/test_bad_inputs.cc calls it in-process to check
// hundreds of refusals without paying LibTorch's start-up for each.
#pragma once

#include <string>
#include <vector>

namespace raftsim::cli {

// Exit status: 0 success, 1 failure while running, 2 bad input,
// 130 interrupted. Never throws.
int run_program(std::vector<std::string> args);

}  // namespace raftsim::cli
