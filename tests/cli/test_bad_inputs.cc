// Hostile input, from a corpus (tests/cli/data/bad_inputs.tsv): every line runs
// the raftsim program and checks its exit status and that its message names
// the key (or option) at fault. Bad input is refused with status 2 before
// any work, and the refused runs write nothing.
//
// The program runs in this process (cli::run_program, what main() calls)
// for every refusal, and as a child process for every case that is not a
// refusal and for every kProcessEvery-th refusal, whose status and message
// must then be the same both ways. A child pays LibTorch's start-up (~0.7 s
// of CPU) for each case; in-process the corpus costs a few seconds.
#define BOOST_TEST_MODULE bad_inputs
#include <sys/stat.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/program.h"
#include "tests/support/test_support.h"

using namespace raftsim;
using namespace raftsim::test;
namespace fs = std::filesystem;

namespace {

struct Case {
  int line = 0;
  int exit_code = 0;
  std::string must_contain;
  std::vector<std::string> args;
};

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos;
       at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
  return s;
}

// "\xNN" escapes become the byte NN (non-UTF-8 input).
std::string unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() + 0 && s[i + 1] == 'x') {
      out += static_cast<char>(std::stoi(s.substr(i + 2, 2), nullptr, 16));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::vector<Case> read_corpus(const std::string& dir) {
  std::ifstream in(source_dir() + "/tests/cli/data/bad_inputs.tsv");
  BOOST_TEST_REQUIRE(static_cast<bool>(in));
  std::vector<Case> cases;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    Case c;
    c.line = n;
    std::string code, args;
    std::getline(fields, code, '\t');
    std::getline(fields, c.must_contain, '\t');
    std::getline(fields, args);
    c.exit_code = std::stoi(code);
    args = replace_all(replace_all(args, "{DIR}", dir), "{SRC}", source_dir());
    for (size_t start = 0;;) {
      const size_t bar = args.find(" | ", start);
      c.args.push_back(unescape(args.substr(start, bar - start)));
      if (bar == std::string::npos) break;
      start = bar + 3;
    }
    // A last empty argument ("--out | ") is kept: it is the point of the case.
    cases.push_back(c);
  }
  return cases;
}

// Every kProcessEvery-th refusal also runs as a child process.
constexpr int kProcessEvery = 8;

// cli::run_program with std::cout and std::cerr both captured, as the child's
// log captures both.
ProcessResult run_in_process(const std::vector<std::string>& args) {
  std::ostringstream captured;
  struct Redirect {
    std::ostream& stream;
    std::streambuf* saved;
    Redirect(std::ostream& s, std::streambuf* to) : stream(s), saved(s.rdbuf(to)) {}
    ~Redirect() { stream.rdbuf(saved); }
  } out{std::cout, captured.rdbuf()}, err{std::cerr, captured.rdbuf()};
  ProcessResult r;
  r.exit_code = cli::run_program(args);
  std::cout.flush();
  r.output = captured.str();
  return r;
}

void make_fixtures(const TempDir& dir) {
  std::ofstream(dir.file("ok.ini"))
      << "iterations = 1\n[task]\ncontexts = 2\narms = 4\n"
         "[sampler]\nprompts = 4\nchunk = 4\n";
  std::ofstream(dir.file("empty.ini"));
  std::ofstream(dir.file("dup.ini")) << "[sampler]\nk = 4\nk = 8\n";
  std::ofstream(dir.file("section.ini")) << "[bogus]\nkey = 1\n";
  // Study protocols (summarize --protocol), each wrong in one key.
  const std::string declared = "[protocol]\ncompare = sampler.k=8\ntest = t\n";
  std::ofstream(dir.file("protocol_ok.ini")) << declared;
  std::ofstream(dir.file("protocol_unknown.ini")) << declared << "bogus = 1\n";
  std::ofstream(dir.file("protocol_nocompare.ini")) << "[protocol]\ntest = t\n";
  std::ofstream(dir.file("protocol_notest.ini"))
      << "[protocol]\ncompare = sampler.k=8\n";
  std::ofstream(dir.file("protocol_anova.ini"))
      << "[protocol]\ncompare = sampler.k=8\ntest = anova\n";
  std::ofstream(dir.file("protocol_tune.ini"))
      << declared << "tune = trainer.learning_rate\n";
  std::ofstream(dir.file("protocol_equal.ini")) << declared << "equal = flops\n";
  std::ofstream(dir.file("protocol_primary.ini")) << declared << "primary = auc\n";
  std::ofstream(dir.file("protocol_measure.ini"))
      << declared << "metric = gold_reward_mean\nprimary = final_gold\n";
  // A malformed line holding Boost's own message placeholder once made the
  // parser's error message loop forever (found by scripts/checks/fuzz.sh).
  std::ofstream(dir.file("placeholder.ini")) << "[sampler]\nk = 4\n%invalid_line% x\n";
  std::ofstream(dir.file("nonutf8.ini")) << "[sampler]\nk = \xff\xfe\n";
  {
    std::ofstream bin(dir.file("binary.ini"), std::ios::binary);
    for (int i = 0; i < 512; ++i) bin.put(static_cast<char>((i * 7919 + 13) % 256));
  }
  fs::create_directories(dir.file("sub"));
  std::ofstream(dir.file("exists.h5")) << "an existing file\n";
  fs::create_symlink(dir.file("nowhere/x.h5"), dir.file("dangling.h5"));
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_corpus_has_at_least_sixty_cases) {
  TempDir dir;
  BOOST_TEST(read_corpus(dir.path.string()).size() >= 60u);
}

BOOST_AUTO_TEST_CASE(every_case_exits_as_expected_and_names_the_key) {
  TempDir dir;
  make_fixtures(dir);
  const auto cases = read_corpus(dir.path.string());
  int refused = 0, as_processes = 0;
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT("bad_inputs.tsv line " << c.line) {
      const bool refusal = c.exit_code == 2;
      const bool in_process = refusal;
      const bool as_process = !refusal || refused % kProcessEvery == 0;
      std::vector<ProcessResult> results;
      for (const bool child : {false, true}) {
        if (child ? !as_process : !in_process) continue;
        const auto before =
            std::distance(fs::directory_iterator(dir.path), fs::directory_iterator{});
        TempDir logs;
        const ProcessResult r =
            child ? run_raftsim(c.args, logs) : run_in_process(c.args);
        const std::string how = child ? "as a child process" : "in-process";
        BOOST_TEST_CONTEXT(how) {
          BOOST_TEST(r.exit_code == c.exit_code, r.output);
          if (c.must_contain != "-")
            BOOST_TEST(contains(r.output, c.must_contain), r.output);
          BOOST_TEST(!contains(r.output, "terminate called"));
          if (refusal) {
            // Refused before any work: nothing new in the directory.
            const auto after = std::distance(fs::directory_iterator(dir.path),
                                             fs::directory_iterator{});
            BOOST_TEST(after == before);
            // In one line, whatever failed.
            BOOST_TEST(std::count(r.output.begin(), r.output.end(), '\n') == 1,
                       r.output);
          }
        }
        as_processes += child;
        results.push_back(r);
      }
      // The in-process harness is the program: same status, same words.
      if (results.size() == 2) {
        BOOST_TEST(results[0].exit_code == results[1].exit_code);
        BOOST_TEST(results[0].output == results[1].output);
      }
      refused += refusal;
    }
  }
  BOOST_TEST(refused >= 60);
  BOOST_TEST(as_processes >= refused / kProcessEvery);
}
