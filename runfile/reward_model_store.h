// RewardModelStore: the learned reward model in the run file, so that a
// reader can re-score any response (docs/hdf5-layout.md):
//
//   /reward_model                     attributes: members, parameters (all
//                                     members), heldout_accuracy and pairs
//                                     of version 0, versions (stored)
//   /reward_model/v<j>                attributes: version, heldout_accuracy
//                                     (against gold, held-out pi_0 pairs),
//                                     pairs (trained on), train_seconds
//   /reward_model/v<j>/normalisation  [members, 2]: mean, std subtracted and
//                                     divided from each member's raw score
//   /reward_model/v<j>/member<m>/<tensor>  the member's parameters, named as
//                                     in the LibTorch module (mlp.0.weight,
//                                     embed.weight, gru.weight_ih_l0, head.*)
#pragma once

#include "core/h5_file.h"
#include "loop/reward_snapshot.h"

namespace raftsim {

// Writes version s.version (replacing a stored one of the same number).
void write_reward_model(H5File& file, const RewardSnapshot& s);
bool has_reward_model(const H5File& file, uint64_t version);

}  // namespace raftsim
