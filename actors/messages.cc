#include "actors/messages.h"

#include "actors/node_protocol.h"

namespace raftsim {

std::string describe(const caf::error& err) {
  const auto& ctx = err.context();
  if (ctx.size() == 1 && ctx.match_element<std::string>(0))
    return ctx.get_as<std::string>(0);
  return to_string(err);
}

void register_messages(caf::actor_system_config& cfg) {
  cfg.add_message_type<TimeSpan>("raftsim.TimeSpan");
  cfg.add_message_type<Samples>("raftsim.Samples");
  cfg.add_message_type<TrainBatch>("raftsim.TrainBatch");
  cfg.add_message_type<SampleBatch>("raftsim.SampleBatch");
  cfg.add_message_type<ScoredBatch>("raftsim.ScoredBatch");
  cfg.add_message_type<RankRequest>("raftsim.RankRequest");
  cfg.add_message_type<TrainRequest>("raftsim.TrainRequest");
  cfg.add_message_type<Comparisons>("raftsim.Comparisons");
  cfg.add_message_type<RelabelRequest>("raftsim.RelabelRequest");
  cfg.add_message_type<EvalResult>("raftsim.EvalResult");
  register_node_messages(cfg);
}

}  // namespace raftsim
