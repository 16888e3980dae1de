// The RAFT loop's control state without actors: synthetic events in any
// order, failures and interrupts, at every staleness 0-3.
#define BOOST_TEST_MODULE schedule
#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <random>
#include <set>
#include <vector>

#include "loop/schedule.h"

using namespace raftsim;

namespace {

ScheduleConfig config(uint64_t iterations, uint64_t staleness, uint32_t chunks,
                      bool evaluate = false, int retries = 1) {
  ScheduleConfig c;
  c.iterations = iterations;
  c.staleness = staleness;
  c.chunks = chunks;
  c.evaluate = evaluate;
  c.chunk_retries = retries;
  return c;
}

// Drives a schedule to its end like the coordinator does, completing
// outstanding work in an order drawn from `order_seed` (generators,
// reward workers, ranker and trainer all racing). Interrupts once
// `interrupt_after` rows are logged. Records what it saw.
struct Trace {
  std::vector<uint64_t> launched, trained, rows;
  std::vector<std::pair<uint64_t, uint64_t>> sampled_from;  // (t, version)
  RunStatus status = RunStatus::kRunning;                   // until finished
  uint64_t launched_at_interrupt = UINT64_MAX;
  uint64_t trained_at_interrupt = 0;
};

Trace drive(Schedule& s, uint64_t order_seed, uint64_t interrupt_after = UINT64_MAX) {
  Trace tr;
  std::mt19937_64 rng(order_seed);
  std::vector<Job> generating;              // jobs handed out
  std::vector<uint64_t> ranking, training;  // requests in flight
  std::vector<uint64_t> writing;
  auto start = [&] {
    for (uint64_t t : s.launch()) {
      tr.launched.push_back(t);
      tr.sampled_from.emplace_back(t, s.version_for(t));
      BOOST_TEST_REQUIRE(s.has_version(s.version_for(t)));
    }
    while (s.has_job()) generating.push_back(s.next_job());
  };
  start();
  for (int step = 0; step < 100000; ++step) {
    if (auto st = s.finished()) {
      tr.status = *st;
      return tr;
    }
    // Pick any outstanding piece of work and complete it.
    std::vector<int> kinds;
    if (!generating.empty()) kinds.push_back(0);
    if (!ranking.empty()) kinds.push_back(1);
    if (!training.empty()) kinds.push_back(2);
    if (!writing.empty()) kinds.push_back(3);
    BOOST_TEST_REQUIRE(!kinds.empty(), "stalled with nothing in flight");
    const int kind = kinds[rng() % kinds.size()];
    if (kind == 0) {
      const size_t i = rng() % generating.size();
      const Job j = generating[i];
      generating.erase(generating.begin() + i);
      if (j.is_evaluation())
        s.evaluated(j.iteration);
      else if (s.chunk_scored(j.iteration))
        ranking.push_back(j.iteration);
    } else if (kind == 1) {
      const size_t i = rng() % ranking.size();
      s.ranked(ranking[i]);
      ranking.erase(ranking.begin() + i);
    } else if (kind == 2) {
      const uint64_t t = training.front();
      training.clear();
      s.trained(t);
      tr.trained.push_back(t);
    } else {
      const uint64_t t = writing.front();
      writing.erase(writing.begin());
      s.row_written(t);
      if (s.logged() >= interrupt_after && !s.stopping()) {
        s.interrupt();
        tr.launched_at_interrupt = s.launched();
        tr.trained_at_interrupt = tr.trained.size();
      }
    }
    if (const auto t = s.next_to_train()) training.push_back(*t);
    while (const auto t = s.next_row()) {
      tr.rows.push_back(*t);
      writing.push_back(*t);
    }
    start();
  }
  BOOST_FAIL("did not finish");
  return tr;
}

std::vector<uint64_t> iota(uint64_t n) {
  std::vector<uint64_t> v(n);
  for (uint64_t i = 0; i < n; ++i) v[i] = i;
  return v;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_staleness_and_event_order_gives_the_same_versions_and_rows) {
  for (uint64_t staleness = 0; staleness <= 3; ++staleness) {
    for (bool evaluate : {false, true}) {
      for (uint64_t order = 0; order < 20; ++order) {
        Schedule s(config(7, staleness, 3, evaluate));
        const Trace tr = drive(s, order);
        BOOST_TEST_INFO("staleness " << staleness << " order " << order);
        BOOST_TEST(tr.status == RunStatus::kComplete);
        BOOST_TEST(tr.launched == iota(7), boost::test_tools::per_element());
        BOOST_TEST(tr.trained == iota(7), boost::test_tools::per_element());
        BOOST_TEST(tr.rows == iota(7), boost::test_tools::per_element());
        for (const auto& [t, v] : tr.sampled_from)
          BOOST_TEST(v == (t >= staleness ? t - staleness : 0));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(an_iteration_starts_only_once_its_version_exists) {
  Schedule s(config(5, 1, 2));
  // Versions 0 exists: iterations 0 (v0) and 1 (v0) start, 2 needs v1.
  BOOST_TEST(s.launch() == (std::vector<uint64_t>{0, 1}),
             boost::test_tools::per_element());
  BOOST_TEST(s.launch().empty());
  while (s.has_job()) {
    const Job j = s.next_job();
    s.chunk_scored(j.iteration);
  }
  BOOST_TEST(!s.next_to_train());  // not ranked yet
  s.ranked(1);
  BOOST_TEST(!s.next_to_train());  // training goes in order: 0 first
  s.ranked(0);
  BOOST_TEST(*s.next_to_train() == 0u);
  BOOST_TEST(!s.next_to_train());  // one at a time
  s.trained(0);
  BOOST_TEST(s.launch() == std::vector<uint64_t>{2}, boost::test_tools::per_element());
  BOOST_TEST(s.oldest_needed_version() == 0u);  // row 0 is not logged yet
  BOOST_TEST(*s.next_row() == 0u);
  BOOST_TEST(!s.next_row());                    // 1 is not trained
  BOOST_TEST(s.oldest_needed_version() == 0u);  // row 1 continues from version 0
}

BOOST_AUTO_TEST_CASE(a_failed_job_is_retried_first_then_fails_the_run) {
  Schedule s(config(2, 0, 3, false, /*retries=*/2));
  s.launch();
  const Job first = s.next_job();
  BOOST_TEST(first.chunk == 0u);
  BOOST_TEST(s.job_failed(first));
  BOOST_TEST((s.next_job() == first));  // re-issued before chunk 1
  BOOST_TEST(s.job_failed(first));
  s.next_job();
  BOOST_TEST(!s.job_failed(first));  // a third failure: give up
  BOOST_TEST(s.failures(first) == 3);
  BOOST_TEST(s.failures(Job{0, 1}) == 0);
}

BOOST_AUTO_TEST_CASE(a_job_lost_with_its_node_is_reissued_first_and_not_counted) {
  Schedule s(config(2, 0, 3, false, /*retries=*/0));
  s.launch();
  const Job first = s.next_job();
  for (int i = 0; i < 5; ++i) {  // lost again and again: never a failure
    s.job_lost(first);
    BOOST_TEST((s.next_job() == first));
  }
  BOOST_TEST(s.failures(first) == 0);
  BOOST_TEST(!s.job_failed(first));  // retries = 0: one real failure ends it
}

BOOST_AUTO_TEST_CASE(interrupt_finishes_what_started_and_starts_nothing_new) {
  for (uint64_t staleness = 0; staleness <= 3; ++staleness) {
    for (uint64_t after = 0; after < 5; ++after) {
      for (uint64_t order = 0; order < 5; ++order) {
        Schedule s(config(10, staleness, 2, true));
        const Trace tr = drive(s, order, after == 0 ? UINT64_MAX : after);
        BOOST_TEST_INFO("staleness " << staleness << " after " << after << " order "
                                     << order);
        if (after == 0) {
          BOOST_TEST(tr.status == RunStatus::kComplete);
          continue;
        }
        // Nothing started after the interrupt; everything started was
        // logged, in order; the file says complete only if that was all.
        BOOST_TEST(tr.launched.size() == tr.launched_at_interrupt);
        BOOST_TEST(tr.rows == iota(tr.launched.size()),
                   boost::test_tools::per_element());
        BOOST_TEST(tr.status == (tr.launched.size() == 10u ? RunStatus::kComplete
                                                           : RunStatus::kInterrupted));
        // Started iterations never ran more than staleness + 1 ahead of training.
        BOOST_TEST(tr.launched_at_interrupt <= tr.trained_at_interrupt + staleness + 1);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(interrupt_before_the_last_launch_still_completes_if_all_started) {
  Schedule s(config(2, 3, 1));
  BOOST_TEST(s.launch().size() == 2u);  // staleness 3: both start on version 0
  s.interrupt();
  BOOST_TEST(!s.finished().has_value());
  for (uint64_t t = 0; t < 2; ++t) {
    s.next_job();
    s.chunk_scored(t);
    s.ranked(t);
  }
  for (uint64_t t = 0; t < 2; ++t) {
    BOOST_TEST(*s.next_to_train() == t);
    s.trained(t);
    BOOST_TEST(*s.next_row() == t);
    s.row_written(t);
  }
  BOOST_TEST(s.finished().value_or(RunStatus::kRunning) == RunStatus::kComplete);
}

BOOST_AUTO_TEST_CASE(misuse_is_reported) {
  Schedule s(config(2, 0, 1));
  BOOST_CHECK_THROW(s.chunk_scored(0), std::logic_error);  // not started
  s.launch();
  BOOST_CHECK_THROW(s.ranked(0), std::logic_error);  // not scored
  BOOST_TEST(s.chunk_scored(0));
  BOOST_CHECK_THROW(s.chunk_scored(0), std::logic_error);  // scored twice
  BOOST_CHECK_THROW(s.trained(0), std::logic_error);       // not handed to the trainer
  BOOST_CHECK_THROW(s.evaluated(0), std::logic_error);     // no evaluation configured
}

BOOST_AUTO_TEST_CASE(a_resumed_schedule_continues_where_the_checkpoint_left_off) {
  for (uint64_t staleness = 0; staleness <= 3; ++staleness) {
    ScheduleConfig c = config(9, staleness, 2);
    c.first_iteration = 4;
    Schedule s(c);
    BOOST_TEST(s.has_version(4));
    const Trace tr = drive(s, staleness);
    BOOST_TEST(tr.status == RunStatus::kComplete);
    BOOST_TEST(tr.rows == (std::vector<uint64_t>{4, 5, 6, 7, 8}),
               boost::test_tools::per_element());
    for (const auto& [t, v] : tr.sampled_from)
      BOOST_TEST(v == (t >= staleness ? t - staleness : 0));
  }
}
