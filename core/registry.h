// Registry: variants of an interface chosen by a string key in the config
// (task.name, policy.model, reward.noise, ranker.strategy). A new variant is
// one file plus one line in its registry's entry list.
#pragma once

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace raftsim {

template <class Base, class... Args>
class Registry {
 public:
  using Factory = std::function<std::unique_ptr<Base>(Args...)>;

  Registry(std::string kind, std::vector<std::pair<std::string, Factory>> entries)
      : kind_(std::move(kind)), entries_(std::move(entries)) {}

  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& e : entries_) out.push_back(e.first);
    return out;
  }

  std::unique_ptr<Base> make(const std::string& name, Args... args) const {
    for (const auto& e : entries_)
      if (e.first == name) return e.second(std::forward<Args>(args)...);
    throw std::invalid_argument("unknown " + kind_ + ": '" + name + "'");
  }

 private:
  std::string kind_;
  std::vector<std::pair<std::string, Factory>> entries_;
};

// Shorthand for an entry whose factory forwards to a constructor.
template <class Base, class Derived, class... Args>
std::pair<std::string, typename Registry<Base, Args...>::Factory> entry(
    std::string name) {
  return {std::move(name), [](Args... args) {
            return std::make_unique<Derived>(std::forward<Args>(args)...);
          }};
}

}  // namespace raftsim
