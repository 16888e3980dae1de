// adam_step: torch::optim::Adam's step, with the parameters dealt out over
// a ShardPool's threads (parameter i to thread i mod n).
//
// Why: the trainer's minibatch step is a few milliseconds, and Adam's ~8
// ATen ops per parameter on a 2-layer transformer's 30 parameters were
// about a tenth of it, run on one thread while the other core idled (issue
// 28). Each parameter's update is the same ATen ops, in the same order, on
// the same state as LibTorch 1.13's Adam::step (torch/csrc/api/src/optim/
// adam.cpp), so the weights and moments are bitwise those of
// optimizer.step(), and save()/load() are untouched;
// tests/models/test_trainer.cc checks both against Adam::step.
#pragma once

#include <torch/torch.h>

#include <functional>

#include "models/training/shard_pool.h"

namespace raftsim {

// One step of `optimizer`. before(i) runs on parameter i's thread just
// before its update (the trainer sums the shards' gradients there); after(i)
// just after (the trainer's finiteness check); i counts the parameters
// over the optimizer's groups in order. Any other optimizer, and Adam
// options this does not cover (amsgrad, weight decay, several groups),
// take optimizer.step() on this thread, between every before() and every
// after().
void adam_step(torch::optim::Optimizer& optimizer, ShardPool& pool, int threads,
               const std::function<void(size_t)>& before,
               const std::function<void(size_t)>& after);

}  // namespace raftsim
