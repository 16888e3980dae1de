#include "actors/remote_generator.h"

#include "models/policies/weights_io.h"

namespace raftsim {

caf::error node_lost(const std::string& what) {
  return caf::make_error(caf::sec::socket_disconnected, what);
}

bool is_node_lost(const caf::error& err) {
  return err.category() == caf::atom("system") &&
         err.code() == static_cast<uint8_t>(caf::sec::socket_disconnected);
}

namespace {

using Self = remote_generator_actor::stateful_pointer<RemoteGeneratorState>;

// The payload size of a message as CAF serialises it.
template <class T>
uint64_t wire_size(Self self, T& x) {
  std::vector<char> buf;
  caf::binary_serializer sink{self->system(), buf};
  if (auto err = sink(x)) return 0;
  return buf.size();
}

// From now on every request fails with node_lost(why).
void lose_node(Self self, const std::string& why) {
  auto& st = self->state;
  if (st.lost) return;
  st.lost = true;
  st.lost_why = "node " + st.setup.address + " lost: " + why;
  for (auto& [id, p] : st.chunks) p.deliver(node_lost(st.lost_why));
  for (auto& [id, p] : st.evals) p.deliver(node_lost(st.lost_why));
  st.chunks.clear();
  st.evals.clear();
  st.snapshots.clear();
  st.in_use.clear();
}

// The node fetches a version's weights while work of that version is in
// flight: a snapshot is held from the first such request to the last answer.
void hold(Self self, const PolicySnapshot& snapshot) {
  auto& st = self->state;
  st.snapshots[snapshot.version] = snapshot;
  ++st.in_use[snapshot.version];
}
void release(Self self, uint64_t version) {
  auto& st = self->state;
  auto found = st.in_use.find(version);
  if (found == st.in_use.end() || --found->second > 0) return;
  st.in_use.erase(found);
  st.snapshots.erase(version);
}

// The error of a request to the node: a timeout or a lost link loses the
// node; an error the node sent (a generator failed) is the chunk's.
caf::error classify(Self self, const caf::error& err) {
  auto& st = self->state;
  if (err == caf::sec::request_timeout) {
    const auto seconds =
        std::chrono::duration_cast<std::chrono::seconds>(st.setup.timeout).count();
    lose_node(self, "no answer within " + std::to_string(seconds) + " s");
    return node_lost(st.lost_why);
  }
  if (err == caf::sec::request_receiver_down ||
      err == caf::exit_reason::remote_link_unreachable) {
    lose_node(self, to_string(err));
    return node_lost(st.lost_why);
  }
  if (st.lost) return node_lost(st.lost_why);
  return err;
}

// Work done on the node is stamped on this run's clock: it ended when the
// answer arrived and took as long as the node measured.
void restamp(TimeSpan& interval, double now) {
  const double seconds = interval.seconds();
  interval.end = now;
  interval.start = now - seconds;
}

// Sends `message` (work of policy `version`) to the node. The answer, after
// `arrived` has stamped it, or the error goes to the returned promise, kept
// in `pending` meanwhile; if the node is declared lost first, lose_node has
// already answered it and the late reply is dropped.
template <class Result, class Message, class Arrived>
caf::typed_response_promise<Result> forward(
    Self self,
    std::map<uint64_t, caf::typed_response_promise<Result>> RemoteGeneratorState::*
        pending,
    uint64_t version, Message message, Arrived arrived) {
  auto& st = self->state;
  const uint64_t id = st.next_id++;
  auto promise = self->make_response_promise<Result>();
  (st.*pending).emplace(id, promise);
  self->request(st.setup.node, st.setup.timeout, std::move(message))
      .then(
          [self, pending, id, version, arrived](Result& result) {
            auto& waiting = self->state.*pending;
            auto found = waiting.find(id);
            if (found == waiting.end()) return;  // delivered as lost
            release(self, version);
            arrived(result);
            auto p = found->second;
            waiting.erase(found);
            p.deliver(std::move(result));
          },
          [self, pending, id, version](caf::error& err) {
            auto& waiting = self->state.*pending;
            auto found = waiting.find(id);
            if (found == waiting.end()) return;
            release(self, version);
            auto p = found->second;
            waiting.erase(found);
            p.deliver(classify(self, err));
          });
  return promise;
}

}  // namespace

remote_generator_actor::behavior_type remote_generator(
    Self self, RemoteGeneratorSetup setup, std::shared_ptr<NodeTraffic> traffic) {
  self->state.setup = std::move(setup);
  self->state.traffic = std::move(traffic);
  self->monitor(self->state.setup.node);
  self->set_down_handler([self](const caf::down_msg& msg) {
    lose_node(self, "its connection went down (" + to_string(msg.reason) + ")");
  });
  return {
      [self](NodeHello& hello) -> caf::result<NodeWelcome> {
        auto promise = self->make_response_promise<NodeWelcome>();
        hello.source = caf::actor_cast<weights_source_actor>(self);
        self->request(self->state.setup.node, self->state.setup.timeout,
                      std::move(hello))
            .then(
                [self, promise](NodeWelcome& welcome) mutable {
                  self->state.session = welcome.session;
                  promise.deliver(std::move(welcome));
                },
                [promise](caf::error& err) mutable { promise.deliver(err); });
        return promise;
      },
      [self](AttachInitial& attach) {
        self->state.initial = std::move(attach.initial);
      },
      [self](const WeightsRequest& req) -> caf::result<WeightsBlob> {
        auto& st = self->state;
        std::shared_ptr<const PolicyWeights> weights;
        if (req.version == 0 && st.initial) {
          weights = st.initial->weights();
        } else {
          auto found = st.snapshots.find(req.version);
          if (found == st.snapshots.end())
            return caf::make_error(caf::sec::runtime_error,
                                   "no work of policy version " +
                                       std::to_string(req.version) + " was sent");
          weights = found->second.weights;
        }
        WeightsBlob blob;
        blob.version = req.version;
        blob.bytes = serialize_weights(*weights);
        blob.checksum = checksum(blob.bytes);
        st.traffic->weights_bytes += blob.bytes.size();
        ++st.traffic->weights_sent;
        return blob;
      },
      [self](GenerateChunk& req) -> caf::result<SampleBatch> {
        auto& st = self->state;
        if (st.lost) return node_lost(st.lost_why);
        hold(self, req.policy);
        RemoteChunk chunk{st.session,        req.iteration, req.chunk,
                          req.first_prompt,  req.prompts,   req.k,
                          req.policy.version};
        st.traffic->chunk_bytes += wire_size(self, chunk);
        ++st.traffic->chunks;
        return forward<SampleBatch>(self, &RemoteGeneratorState::chunks,
                                    req.policy.version, std::move(chunk),
                                    [self](SampleBatch& batch) {
                                      auto& s = self->state;
                                      s.traffic->chunk_bytes += wire_size(self, batch);
                                      restamp(batch.generate, s.setup.clock.now());
                                    });
      },
      [self](const EvaluateRequest& req) -> caf::result<EvalResult> {
        auto& st = self->state;
        if (st.lost) return node_lost(st.lost_why);
        hold(self, req.policy);
        return forward<EvalResult>(
            self, &RemoteGeneratorState::evals, req.policy.version,
            RemoteEvaluate{st.session, req.iteration, req.policy.version},
            [self](EvalResult& result) {
              restamp(result.evaluate, self->state.setup.clock.now());
            });
      },
  };
}

}  // namespace raftsim
