// One run over generator nodes (`raftsim node`, actors.nodes): real node
// processes on loopback, CAF's middleman, mutual TLS from a throw-away CA
// (scripts/fixtures/make-test-ca.sh, keys encrypted with a passphrase). Shown:
// * a run over two nodes (no local generator), and one over a local
//   generator plus a node, equal the single-process run bit for bit in
//   every /metrics column, with staleness 1 and held-out evaluation;
// * a node SIGKILLed mid-run changes nothing in /metrics: its work goes to
//   the other node, and the file records the loss (nodes_lost, node_events);
// * a client with a certificate from another CA, a client the node's
//   certificate does not satisfy, and a plain-TCP client are refused, each
//   with one line on both sides, exit 2 and no run file;
// * a node started for another experiment (--config) refuses the run and
//   names the keys that differ; another raftsim or compute build is refused
//   (hello_refusal, checked directly: one build is all this test has).
#define BOOST_TEST_MODULE nodes
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "actors/node_protocol.h"
#include "core/subprocess.h"
#include "tests/support/test_support.h"

using namespace raftsim;
using namespace raftsim::test;

namespace {

// Two throw-away CAs: "ca" signs node1, node2 and run (encrypted keys);
// "rogue" signs intruder.
struct Certificates {
  TempDir dir;
  Certificates() {
    const std::string script = source_dir() + "/scripts/fixtures/make-test-ca.sh";
    for (const auto& args : std::vector<std::vector<std::string>>{
             {script, "--passphrase", dir.file("ca"), "node1", "node2", "run"},
             {script, dir.file("rogue"), "intruder"}}) {
      const CommandResult r = run_command("/bin/bash", args);
      if (r.code != 0) throw std::runtime_error("make-test-ca.sh failed: " + r.output);
    }
  }
  // --tls-* options for `name` of CA `ca`, trusting CA `trust`.
  std::vector<std::string> tls(const std::string& ca, const std::string& name,
                               const std::string& trust) const {
    std::vector<std::string> out = {"--tls-cert", dir.file(ca + "/" + name + ".pem"),
                                    "--tls-key",  dir.file(ca + "/" + name + ".key"),
                                    "--tls-ca",   dir.file(trust + "/ca.pem")};
    if (ca == "ca") {
      out.push_back("--tls-passphrase-file");
      out.push_back(dir.file(ca + "/" + name + ".pass"));
    }
    return out;
  }
};

const Certificates& certificates() {
  static Certificates c;
  return c;
}

// A `raftsim node` on 127.0.0.1 and a free port, stopped (SIGTERM) when
// destroyed unless it has ended.
struct Node {
  std::string log;
  pid_t pid = -1;
  uint16_t port = 0;
  int exit_code = -1;

  Node(const TempDir& dir, const std::string& name, std::vector<std::string> extra) {
    log = dir.file(name + ".log");
    std::vector<std::string> args = {"node", "--listen", "127.0.0.1:0"};
    args.insert(args.end(), extra.begin(), extra.end());
    pid = spawn_raftsim(args, log);
    const std::string key = "listening on 127.0.0.1:";
    for (int i = 0; i < 300 && port == 0; ++i) {
      const std::string text = read_text(log);
      const auto at = text.find(key);
      if (at != std::string::npos)
        port = static_cast<uint16_t>(std::stoi(text.substr(at + key.size())));
      else
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (port == 0) throw std::runtime_error("node did not start: " + read_text(log));
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(port); }
  std::string output() const { return read_text(log); }
  int wait() {
    if (exit_code < 0) exit_code = wait_exit(pid);
    return exit_code;
  }
  ~Node() {
    if (exit_code >= 0) return;
    kill(pid, SIGTERM);
    wait();
  }
};

// A transformer on the reverse task, small enough for seconds per run:
// staleness 1 (two versions in flight) and held-out evaluation.
Settings workload() {
  return {{"seed", "3"},
          {"iterations", "6"},
          {"task.name", "sequence"},
          {"task.objective", "reverse"},
          {"task.vocab", "8"},
          {"task.prompt_length", "6"},
          {"task.response_length", "6"},
          {"task.eval_prompts", "32"},
          {"policy.model", "transformer"},
          {"policy.d_model", "32"},
          {"policy.layers", "2"},
          {"policy.heads", "4"},
          {"policy.ff", "64"},
          {"sampler.prompts", "128"},
          {"sampler.k", "4"},
          {"sampler.chunk", "16"},
          {"actors.max_staleness", "1"},
          {"trainer.learning_rate", "0.003"},
          {"log.checkpoint_every", "0"}};
}

// `raftsim run` of `settings` plus `more` into `out`, with `tls` options.
ProcessResult run_over_nodes(const Settings& settings, const Settings& more,
                             const std::string& out,
                             const std::vector<std::string>& tls, const TempDir& dir) {
  std::vector<std::string> args = {"run", "--quiet", "--out", out};
  for (const auto& [k, v] : joined(settings, more)) {
    args.push_back("--set");
    args.push_back(k + "=" + v);
  }
  args.insert(args.end(), tls.begin(), tls.end());
  return run_raftsim(args, dir);
}

// The single-process reference of workload(), made once.
const std::string& reference() {
  static TempDir dir;
  static const std::string path = [] {
    const std::string p = dir.file("reference.h5");
    if (run(joined(workload(), {{"actors.generators", "2"}}), p).status !=
        RunStatus::kComplete)
      throw std::runtime_error("the reference run did not complete");
    return p;
  }();
  return path;
}

}  // namespace

BOOST_AUTO_TEST_CASE(runs_over_nodes_equal_the_single_process_run_bitwise) {
  TempDir dir;
  const auto& certs = certificates();
  Node a(dir, "a", certs.tls("ca", "node1", "ca")),
      b(dir, "b", certs.tls("ca", "node2", "ca"));
  const std::string two = dir.file("two_nodes.h5"), mixed = dir.file("mixed.h5");
  ProcessResult r = run_over_nodes(
      workload(),
      {{"actors.nodes", a.address() + "," + b.address()}, {"actors.generators", "0"}},
      two, certs.tls("ca", "run", "ca"), dir);
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.output);
  BOOST_TEST(contains(r.output, "0 lost"), r.output);
  BOOST_TEST(bitwise_differences(reference(), two).empty(),
             joined_names(bitwise_differences(reference(), two)));
  // Each node served the run and closed its session when the run ended.
  for (const Node* n : {&a, &b}) {
    BOOST_TEST(contains(n->output(), "serving run"), n->output());
    BOOST_TEST(contains(n->output(), "ended (the run closed it)"), n->output());
  }
  // The same nodes serve the next run: one local generator beside node b.
  r = run_over_nodes(workload(),
                     {{"actors.nodes", b.address()}, {"actors.generators", "1"}}, mixed,
                     certs.tls("ca", "run", "ca"), dir);
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.output);
  BOOST_TEST(bitwise_differences(reference(), mixed).empty(),
             joined_names(bitwise_differences(reference(), mixed)));
  // The nodes are environment: /config and the stored INI do not name them.
  const H5File f = H5File::open_read(two);
  BOOST_TEST(!contains(f.string_attribute("config"), "nodes"));
  BOOST_TEST(contains(f.string_attribute("environment"), "nodes: " + a.address()));
}

BOOST_AUTO_TEST_CASE(a_node_killed_mid_run_changes_nothing_in_metrics) {
  // Over plain TCP and over mutual TLS, in the README's layout (two nodes,
  // no local generator): a kill over TLS once failed the whole run.
  for (const bool tls : {false, true}) {
    BOOST_TEST_CONTEXT((tls ? "mutual TLS" : "plain TCP")) {
      TempDir dir;
      const auto& certs = certificates();
      const auto node_tls = [&](const char* name) {
        return tls ? certs.tls("ca", name, "ca") : std::vector<std::string>{};
      };
      // Node a SIGKILLs itself when its 6th chunk arrives (of ~48 in the
      // run), with work of its own in flight.
      auto a_args = node_tls("node1");
      a_args.insert(a_args.end(), {"--kill-after-chunks", "5"});
      Node a(dir, "a", a_args), b(dir, "b", node_tls("node2"));
      const std::string out = dir.file("killed.h5");
      const ProcessResult r = run_over_nodes(
          workload(),
          {{"actors.nodes", a.address() + "," + b.address()},
           {"actors.generators", "0"}},
          out, tls ? certs.tls("ca", "run", "ca") : std::vector<std::string>{}, dir);
      BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.output);
      BOOST_TEST(a.wait() == 128 + SIGKILL);
      BOOST_TEST(contains(r.output, "node " + a.address() + " lost"), r.output);
      BOOST_TEST(!contains(r.output, "node " + b.address() + " lost"), r.output);
      BOOST_TEST(bitwise_differences(reference(), out).empty(),
                 joined_names(bitwise_differences(reference(), out)));
      const H5File f = H5File::open_read(out);
      BOOST_TEST(f.string_attribute("status") == "complete");
      BOOST_TEST(f.int_attribute("nodes_lost") == 1);
      BOOST_TEST(contains(f.string_attribute("node_events"), a.address() + " lost"));
      // A clean TLS session leaves no refusal line on the surviving node.
      BOOST_TEST(!contains(b.output(), "refused"), b.output());
    }
  }
}

BOOST_AUTO_TEST_CASE(
    a_header_announcing_a_huge_message_is_dropped_and_the_node_serves_on) {
  // 32 bytes: a BASP header whose payload_len says 4 GiB. CAF 0.17 would
  // allocate it before any handshake (std::bad_alloc ended the node).
  TempDir dir;
  Node n(dir, "n", {});
  for (int attempt = 0; attempt < 3; ++attempt) {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in at{};
    at.sin_family = AF_INET;
    at.sin_port = htons(n.port);
    at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    BOOST_REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&at), sizeof at) == 0);
    uint8_t header[32] = {1, 0, 0, 0, 0xff, 0xff, 0xff, 0xf0};
    BOOST_REQUIRE(send(fd, header, sizeof header, MSG_NOSIGNAL) == 32);
    // The node closes the connection: the read ends (after any handshake
    // bytes it had sent).
    char buf[4096];
    while (read(fd, buf, sizeof buf) > 0) {
    }
    close(fd);
  }
  const std::string out = dir.file("after.h5");
  const ProcessResult r = run_over_nodes(
      workload(), {{"actors.nodes", n.address()}, {"actors.generators", "0"}}, out, {},
      dir);
  BOOST_TEST(r.exit_code == 0, r.output);
  BOOST_TEST(bitwise_differences(reference(), out).empty());
  const std::string log = n.output();
  std::istringstream lines(log);
  int dropped = 0;
  for (std::string line; std::getline(lines, line);)
    dropped += contains(line, "announced a message of 4294967280 bytes");
  BOOST_TEST(dropped == 3, log);
}

BOOST_AUTO_TEST_CASE(bad_tls_material_is_refused_at_start_naming_the_option) {
  // Each of these once hung the run or crashed the node at its first
  // connection; OpenSSL now loads them before any work.
  TempDir dir;
  const auto& certs = certificates();
  const auto file = [&](const std::string& name) { return certs.dir.file(name); };
  std::ofstream(dir.file("garbage.pem")) << "-----BEGIN CERTIFICATE-----\nnot base64\n";
  std::ofstream(dir.file("wrong.pass")) << "not the passphrase\n";
  std::filesystem::create_directory(dir.file("a_directory"));
  // A certificate of the same CA that expired yesterday.
  const CommandResult made = run_command(
      "/bin/sh",
      {"-c",
       "cd \"$0\" && openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
       "-nodes -keyout old.key -subj /CN=old -out old.csr 2>/dev/null && "
       "openssl x509 -req -in old.csr -CA \"$1/ca.pem\" -CAkey \"$1/ca.key\" "
       "-CAcreateserial -days -1 -out old.pem 2>/dev/null",
       dir.path.string(), file("ca")});
  BOOST_REQUIRE_MESSAGE(made.code == 0, made.output);
  struct Case {
    std::string name, option, says;
    std::vector<std::string> tls;
  };
  const std::string pass = file("ca/node1.pass");
  const std::vector<Case> cases = {
      {"mismatched key",
       "--tls-key",
       "do not match",
       {"--tls-cert", file("ca/node1.pem"), "--tls-key", file("ca/node2.key"),
        "--tls-passphrase-file", file("ca/node2.pass"), "--tls-ca", file("ca/ca.pem")}},
      {"garbage certificate",
       "--tls-cert",
       "a PEM certificate",
       {"--tls-cert", dir.file("garbage.pem"), "--tls-key", file("ca/node1.key"),
        "--tls-passphrase-file", pass, "--tls-ca", file("ca/ca.pem")}},
      {"a directory",
       "--tls-cert",
       "not a regular file",
       {"--tls-cert", dir.file("a_directory"), "--tls-key", file("ca/node1.key"),
        "--tls-passphrase-file", pass, "--tls-ca", file("ca/ca.pem")}},
      {"encrypted key, no passphrase",
       "--tls-key",
       "give --tls-passphrase-file",
       {"--tls-cert", file("ca/node1.pem"), "--tls-key", file("ca/node1.key"),
        "--tls-ca", file("ca/ca.pem")}},
      {"wrong passphrase",
       "--tls-passphrase-file",
       "the passphrase of --tls-key",
       {"--tls-cert", file("ca/node1.pem"), "--tls-key", file("ca/node1.key"),
        "--tls-passphrase-file", dir.file("wrong.pass"), "--tls-ca",
        file("ca/ca.pem")}},
      {"expired certificate",
       "--tls-cert",
       "it has expired",
       {"--tls-cert", dir.file("old.pem"), "--tls-key", dir.file("old.key"), "--tls-ca",
        file("ca/ca.pem")}},
      {"garbage CA",
       "--tls-ca",
       "a PEM CA certificate",
       {"--tls-cert", file("ca/node1.pem"), "--tls-key", file("ca/node1.key"),
        "--tls-passphrase-file", pass, "--tls-ca", dir.file("garbage.pem")}},
  };
  for (const auto& c : cases) {
    std::vector<std::string> node = {"node", "--listen", "127.0.0.1:0"};
    node.insert(node.end(), c.tls.begin(), c.tls.end());
    std::vector<std::string> run = {"run", "--set", "actors.nodes=127.0.0.1:9", "--out",
                                    dir.file("never.h5")};
    run.insert(run.end(), c.tls.begin(), c.tls.end());
    for (const auto& args : {node, run}) {
      const ProcessResult r = run_raftsim(args, dir);
      BOOST_TEST(r.exit_code == 2, c.name << ": " << r.output);
      BOOST_TEST(contains(r.output, c.option + " = '"), c.name << ": " << r.output);
      BOOST_TEST(contains(r.output, c.says), c.name << ": " << r.output);
      BOOST_TEST(std::count(r.output.begin(), r.output.end(), '\n') == 1, r.output);
    }
    BOOST_TEST(!std::filesystem::exists(dir.file("never.h5")));
  }
}

BOOST_AUTO_TEST_CASE(rogue_certificates_and_plain_connections_are_refused) {
  TempDir dir;
  const auto& certs = certificates();
  Node node(dir, "node", certs.tls("ca", "node1", "ca"));
  const Settings at = {{"actors.nodes", node.address()}, {"actors.generators", "0"}};
  struct Case {
    std::string name;
    std::vector<std::string> tls;
    std::string run_line, node_line;
  };
  const std::vector<Case> cases = {
      // Trusts the node's CA, but its own certificate is from another: the
      // node refuses it. (Under TLS 1.3 the client may or may not read the
      // node's alert before the connection closes; its message says so.)
      {"intruder", certs.tls("rogue", "intruder", "ca"), "during the TLS handshake",
       "refused the peer's certificate"},
      // Trusts only its own CA: it refuses the node's certificate.
      {"stranger", certs.tls("rogue", "intruder", "rogue"),
       "refused the peer's certificate", "TLS: refused a connection from 127.0.0.1:"},
      // No TLS at all.
      {"plain", {}, "does the node require TLS", "wrong version number"},
  };
  for (const auto& c : cases) {
    const size_t seen = node.output().size();
    const std::string out = dir.file(c.name + ".h5");
    const ProcessResult r = run_over_nodes(workload(), at, out, c.tls, dir);
    BOOST_TEST(r.exit_code == 2, c.name << ": " << r.output);
    BOOST_TEST(contains(r.output, "actors.nodes = '" + node.address() + "'"), r.output);
    BOOST_TEST(contains(r.output, c.run_line), c.name << ": " << r.output);
    BOOST_TEST(!std::filesystem::exists(out), c.name);
    // The node's line may come a moment after the run has exited.
    std::string logged;
    for (int i = 0; i < 50 && !contains(logged, c.node_line); ++i) {
      logged = node.output().substr(seen);
      if (!contains(logged, c.node_line))
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    BOOST_TEST(contains(logged, "TLS: refused a connection from 127.0.0.1:"),
               c.name << ": " << logged);
    BOOST_TEST(contains(logged, c.node_line), c.name << ": " << logged);
  }
  // The node still serves a run that presents the right certificate.
  const ProcessResult ok =
      run_over_nodes(workload(), joined(at, {{"iterations", "1"}}), dir.file("ok.h5"),
                     certs.tls("ca", "run", "ca"), dir);
  BOOST_TEST(ok.exit_code == 0, ok.output);
}

BOOST_AUTO_TEST_CASE(a_node_refuses_another_experiment_or_build) {
  TempDir dir;
  const std::string ini = dir.file("pinned.ini");
  {
    std::ofstream f(ini);
    for (const auto& [k, v] : workload()) f << k << " = " << v << "\n";
  }
  Node node(dir, "node", {"--config", ini});
  // Another seed: refused, naming the key; no file.
  const std::string out = dir.file("other.h5");
  ProcessResult r = run_over_nodes(
      workload(), {{"seed", "4"}, {"actors.nodes", node.address()}}, out, {}, dir);
  BOOST_TEST(r.exit_code == 2, r.output);
  BOOST_TEST(contains(r.output, "another experiment"), r.output);
  BOOST_TEST(contains(r.output, "seed: node 3, run 4"), r.output);
  BOOST_TEST(contains(node.output(), "refused run"), node.output());
  BOOST_TEST(!std::filesystem::exists(out));
  // What does not change results (generators, iterations) is no other experiment.
  r = run_over_nodes(workload(),
                     {{"iterations", "2"}, {"actors.nodes", node.address()}},
                     dir.file("same.h5"), {}, dir);
  BOOST_TEST(r.exit_code == 0, r.output);

  // Another build: checked on the hello as the node receives it.
  const NodeIdentity here{"0.3.0", "libtorch 1.13.0, aten AVX2, openblas Haswell"};
  NodeHello hello;
  hello.identity = here;
  BOOST_TEST(hello_refusal(here, {}, hello).empty());
  hello.identity.version = "0.2.9";
  BOOST_TEST(
      contains(hello_refusal(here, {}, hello), "raftsim 0.3.0, the run raftsim 0.2.9"));
  hello.identity = here;
  hello.identity.compute = "libtorch 1.13.0, aten AVX512, openblas SkylakeX";
  BOOST_TEST(contains(hello_refusal(here, {}, hello), "ATEN_CPU_CAPABILITY"));
}
