// Registry: variants of an interface chosen by a string key in the config
// (task.name, policy.model, reward.noise, ranker.strategy). A new variant is
// one file plus one line in its registry's entry list. An entry may carry
// defaults for other keys that the variant needs (a diffusion policy's
// learning rate): run/run_config.h applies them where the user set nothing
// and records them in the run file.
#pragma once

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace raftsim {

// KEY = VALUE defaults that follow a variant, in order.
using VariantDefaults = std::vector<std::pair<std::string, std::string>>;

template <class Base, class... Args>
class Registry {
 public:
  using Factory = std::function<std::unique_ptr<Base>(Args...)>;
  struct Entry {
    std::string name;
    Factory make;
    VariantDefaults defaults;
  };

  Registry(std::string kind, std::vector<Entry> entries)
      : kind_(std::move(kind)), entries_(std::move(entries)) {}

  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& e : entries_) out.push_back(e.name);
    return out;
  }

  std::unique_ptr<Base> make(const std::string& name, Args... args) const {
    for (const auto& e : entries_)
      if (e.name == name) return e.make(std::forward<Args>(args)...);
    throw std::invalid_argument("unknown " + kind_ + ": '" + name + "'");
  }

  // The defaults variant `name` brings (none for an unknown name).
  VariantDefaults defaults(const std::string& name) const {
    for (const auto& e : entries_)
      if (e.name == name) return e.defaults;
    return {};
  }

 private:
  std::string kind_;
  std::vector<Entry> entries_;
};

// Shorthand for an entry whose factory forwards to a constructor.
template <class Base, class Derived, class... Args>
typename Registry<Base, Args...>::Entry entry(std::string name,
                                              VariantDefaults defaults = {}) {
  return {std::move(name),
          [](Args... args) {
            return std::make_unique<Derived>(std::forward<Args>(args)...);
          },
          std::move(defaults)};
}

}  // namespace raftsim
