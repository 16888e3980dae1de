// libFuzzer target over what arrives from another process or a file a
// peer could have written: every message type of the node protocol as
// CAF 0.17's binary deserializer decodes it off the wire, the BASP header
// check of the node's frame guard, and the weight blobs that checkpoints
// and nodes decode (LibTorch's serialisation). scripts/checks/fuzz.sh builds and
// runs it beside fuzz_config.
//
// Input: one selector byte, then the bytes to decode. The contract: a
// decoder returns a value or an error (an exception of std::exception's
// kind for the weights); a crash, a hang, or an allocation beyond
// libFuzzer's -rss_limit_mb (a size field believed before the bytes behind
// it are there) is a finding.
#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "actors/messages.h"
#include "actors/node_protocol.h"
#include "models/policies/weights_io.h"
#include "nodes/frame_guard.h"

namespace {

using namespace raftsim;

caf::actor_system& system() {
  static caf::actor_system_config cfg = [] {
    caf::actor_system_config c;
    register_messages(c);
    c.load<caf::io::middleman>();
    c.set("logger.verbosity", caf::atom("quiet"));
    return c;
  }();
  // Never destroyed: its destructor at exit would run after CAF's own
  // statics are gone (a crash of the harness, not of the code under test).
  static auto* sys = new caf::actor_system{cfg};
  return *sys;
}

template <class T>
void decode(const uint8_t* data, size_t size) {
  T value;
  caf::binary_deserializer source{system(), reinterpret_cast<const char*>(data), size};
  static_cast<void>(source(value));
}

// One seed per selector: a well-formed encoding of each message.
template <class T>
void write_seed(const std::string& dir, uint8_t selector, T value) {
  std::vector<char> buf;
  caf::binary_serializer sink{system(), buf};
  static_cast<void>(sink(value));
  std::ofstream out(dir + "/seed-" + std::to_string(selector), std::ios::binary);
  out.put(static_cast<char>(selector));
  out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // RAFTSIM_FUZZ_SEEDS=DIR: write the seeds there and exit.
  const char* dir = std::getenv("RAFTSIM_FUZZ_SEEDS");
  if (!dir) return 0;
  RemoteChunk chunk;
  chunk.session = 1;
  chunk.prompts = {1, 2, 3};
  chunk.k = 4;
  WeightsBlob blob;
  blob.bytes = {1, 2, 3};
  NodeHello hello;
  hello.keys = {"sampler.k"};
  hello.values = {"8"};
  SampleBatch batch;
  write_seed(dir, 1, WeightsRequest{3});
  write_seed(dir, 2, blob);
  write_seed(dir, 3, NodeIdentity{"0.4.0", "libtorch"});
  write_seed(dir, 4, hello);
  write_seed(dir, 5, NodeWelcome{"host", 2, 7});
  write_seed(dir, 6, chunk);
  write_seed(dir, 7, RemoteEvaluate{1, 2, 3});
  write_seed(dir, 8, batch);
  write_seed(dir, 9, EvalResult{});
  std::exit(0);
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t* body = data + 1;
  const size_t n = size - 1;
  switch (data[0] % 11) {
    case 0:
      if (n >= FrameGuard::kHeaderSize)
        static_cast<void>(FrameGuard::announced_payload(body));
      break;
    case 1:
      decode<WeightsRequest>(body, n);
      break;
    case 2:
      decode<WeightsBlob>(body, n);
      break;
    case 3:
      decode<NodeIdentity>(body, n);
      break;
    case 4:
      decode<NodeHello>(body, n);
      break;
    case 5:
      decode<NodeWelcome>(body, n);
      break;
    case 6:
      decode<RemoteChunk>(body, n);
      break;
    case 7:
      decode<RemoteEvaluate>(body, n);
      break;
    case 8:
      decode<SampleBatch>(body, n);
      break;
    case 9:
      decode<EvalResult>(body, n);
      break;
    case 10:
      try {
        deserialize_weights(Bytes(body, body + n));
      } catch (const std::exception&) {
      }
      break;
  }
  return 0;
}
