#include "nodes/node.h"

#include <chrono>
#include <csignal>

#include "core/errors.h"
#include "models/policies/weights_io.h"

namespace raftsim {

namespace {

using Self = node_actor::stateful_pointer<NodeState>;

caf::error refusal(const std::string& why) {
  return caf::make_error(caf::sec::runtime_error, why);
}

// Stops the run's generators and forgets it.
void end_session(Self self, const std::string& why) {
  auto& st = self->state;
  if (st.session == 0) return;
  st.setup.log("run " + st.run + " ended (" + why + ")");
  for (auto& g : st.generators) self->send_exit(g, caf::exit_reason::user_shutdown);
  st.generators.clear();
  st.idle.clear();
  st.queued.clear();
  st.weights.clear();
  for (auto& [version, waiters] : st.waiting)
    for (auto& w : waiters) w("the run ended");
  st.waiting.clear();
  st.unloaded.reset();
  st.context.reset();
  st.source = nullptr;
  st.session = 0;
}

// Hands a free generator to the oldest queued work.
void pump(Self self) {
  auto& st = self->state;
  while (!st.idle.empty() && !st.queued.empty()) {
    const size_t g = st.idle.front();
    st.idle.pop_front();
    auto work = std::move(st.queued.front());
    st.queued.pop_front();
    work(g);
  }
}

// A generator's request failed: it quit (actors/generator.cc); replace it.
void replace_generator(Self self, size_t g) {
  auto& st = self->state;
  if (g >= st.generators.size()) return;  // the session ended meanwhile
  self->send_exit(st.generators[g], caf::exit_reason::user_shutdown);
  st.generators[g] = self->system().spawn<caf::detached>(generator, st.context);
  st.spawned->push_back(st.generators[g]);
}

// Runs `work` once `version` is here: fetched once from the run, however
// many chunks ask for it meanwhile.
void with_version(Self self, uint64_t version,
                  std::function<void(const std::string&)> work) {
  auto& st = self->state;
  if (st.weights.count(version)) {
    work("");
    return;
  }
  auto& waiters = st.waiting[version];
  waiters.push_back(std::move(work));
  if (waiters.size() > 1) return;
  const uint64_t session = st.session;
  self->request(st.source, caf::infinite, WeightsRequest{version})
      .then(
          [self, version, session](WeightsBlob& blob) {
            auto& s = self->state;
            if (s.session != session) return;
            std::string error;
            try {
              if (blob.version != version || checksum(blob.bytes) != blob.checksum)
                throw std::runtime_error("checksum mismatch");
              s.weights[version] = deserialize_weights(blob.bytes);
            } catch (const std::exception& e) {
              error = "weights of version " + std::to_string(version) +
                      " arrived damaged (" + one_line(e) + ")";
            }
            if (error.empty() && version == 0) {
              // pi_0: the generators' frozen replica; start them now.
              auto pi0 = s.unloaded->initial->clone();
              pi0->load(*s.weights[0]);
              auto ctx = std::make_shared<GeneratorContext>(*s.unloaded);
              ctx->initial = std::shared_ptr<const Policy>(std::move(pi0));
              s.context = ctx;
              for (int32_t i = 0; i < s.setup.generators; ++i) {
                s.generators.push_back(
                    self->system().spawn<caf::detached>(generator, s.context));
                s.spawned->push_back(s.generators.back());
                s.idle.push_back(static_cast<size_t>(i));
              }
            }
            // Keep pi_0 and the newest keep_versions others.
            while (s.weights.size() > static_cast<size_t>(s.keep_versions) + 1) {
              auto oldest = std::next(s.weights.begin());  // begin() is pi_0
              if (oldest->first >= version) break;
              s.weights.erase(oldest);
            }
            auto waiters = std::move(s.waiting[version]);
            s.waiting.erase(version);
            for (auto& w : waiters) w(error);
            pump(self);
          },
          [self, version, session](caf::error& err) {
            auto& s = self->state;
            if (s.session != session) return;
            auto waiters = std::move(s.waiting[version]);
            s.waiting.erase(version);
            for (auto& w : waiters)
              w("fetching the weights of version " + std::to_string(version) +
                " failed: " + to_string(err));
          });
}

// Runs `request` on a free generator once pi_0 and its version are here,
// and delivers the answer (or the error) to `promise`.
template <class Request, class Result>
void run_on_generator(Self self, uint64_t version, Request request,
                      caf::typed_response_promise<Result> promise) {
  const uint64_t session = self->state.session;
  auto start = [self, session, request = std::move(request),
                promise](const std::string& error) mutable {
    if (!error.empty()) {
      promise.deliver(refusal(error));
      return;
    }
    auto& st = self->state;
    if (st.session != session) return;
    request.policy.weights = st.weights.at(request.policy.version);
    st.queued.push_back(
        [self, session, request = std::move(request), promise](size_t g) mutable {
          self->request(self->state.generators[g], caf::infinite, std::move(request))
              .then(
                  [self, g, session, promise](Result& result) mutable {
                    promise.deliver(std::move(result));
                    if (self->state.session != session) return;
                    self->state.idle.push_back(g);
                    pump(self);
                  },
                  [self, g, session, promise](caf::error& err) mutable {
                    promise.deliver(err);
                    if (self->state.session != session) return;
                    replace_generator(self, g);
                    self->state.idle.push_back(g);
                    pump(self);
                  });
        });
    pump(self);
  };
  with_version(
      self, 0,
      [self, version, start = std::move(start)](const std::string& error) mutable {
        if (!error.empty())
          start(error);
        else
          with_version(self, version, std::move(start));
      });
}

std::string wrong_session(const NodeState& st, uint64_t session) {
  if (st.session == session) return "";
  return st.session == 0 ? "the node serves no run (say hello first)"
                         : "the node serves another run (" + st.run + ")";
}

}  // namespace

node_actor::behavior_type node(Self self, NodeSetup setup) {
  self->state.setup = std::move(setup);
  self->attach_functor([spawned = self->state.spawned] {
    for (auto& g : *spawned) caf::anon_send_exit(g, caf::exit_reason::user_shutdown);
  });
  self->set_down_handler([self](const caf::down_msg& msg) {
    auto& st = self->state;
    if (st.session != 0 && msg.source == st.source.address())
      end_session(self, !msg.reason || msg.reason == caf::exit_reason::user_shutdown
                            ? "the run closed it"
                            : "the run's process was lost: " + to_string(msg.reason));
  });
  return {
      [self](NodeHello& hello) -> caf::result<NodeWelcome> {
        auto& st = self->state;
        if (st.session != 0) {
          const std::string why = "busy with run " + st.run;
          st.setup.log("refused run " + hello.run + ": " + why);
          return refusal(why);
        }
        std::string why = hello_refusal(st.setup.identity, st.setup.pinned, hello);
        NodeRun built;
        if (why.empty()) {
          try {
            std::vector<std::pair<std::string, std::string>> settings;
            for (size_t i = 0; i < hello.keys.size(); ++i)
              settings.emplace_back(hello.keys[i], hello.values[i]);
            built = st.setup.factory(settings);
          } catch (const std::exception& e) {
            why = std::string("its configuration is not one this node can run: ") +
                  e.what();
          }
        }
        if (!why.empty()) {
          st.setup.log("refused run " + hello.run + ": " + why);
          return refusal(why);
        }
        st.session = static_cast<uint64_t>(
                         std::chrono::steady_clock::now().time_since_epoch().count()) |
                     1;
        st.source = hello.source;
        st.run = hello.run;
        st.unloaded = built.context;
        st.keep_versions = built.keep_versions;
        self->monitor(st.source);
        char hash[24];
        std::snprintf(hash, sizeof hash, "%016llx",
                      static_cast<unsigned long long>(hello.config_hash));
        st.setup.log("serving run " + st.run + " (experiment " + hash + ", " +
                     std::to_string(st.setup.generators) + " generator" +
                     (st.setup.generators == 1 ? "" : "s") + ")");
        return NodeWelcome{st.setup.name, st.setup.generators, st.session};
      },
      [self](RemoteChunk& chunk) -> caf::result<SampleBatch> {
        auto& st = self->state;
        const std::string wrong = wrong_session(st, chunk.session);
        if (!wrong.empty()) return refusal(wrong);
        if (st.setup.kill_after_chunks >= 0 && ++st.chunks > st.setup.kill_after_chunks)
          std::raise(SIGKILL);
        GenerateChunk req;
        req.iteration = chunk.iteration;
        req.chunk = chunk.chunk;
        req.first_prompt = chunk.first_prompt;
        req.prompts = std::move(chunk.prompts);
        req.k = chunk.k;
        req.policy.version = chunk.version;
        auto promise = self->make_response_promise<SampleBatch>();
        run_on_generator(self, chunk.version, std::move(req), promise);
        return promise;
      },
      [self](RemoteEvaluate& eval) -> caf::result<EvalResult> {
        auto& st = self->state;
        const std::string wrong = wrong_session(st, eval.session);
        if (!wrong.empty()) return refusal(wrong);
        EvaluateRequest req;
        req.iteration = eval.iteration;
        req.policy.version = eval.version;
        auto promise = self->make_response_promise<EvalResult>();
        run_on_generator(self, eval.version, std::move(req), promise);
        return promise;
      },
  };
}

}  // namespace raftsim
