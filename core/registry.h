// Registry: variants of an interface chosen by a string key in the config
// (task.name, policy.model, reward.model, reward.noise, ranker.strategy,
// trainer.algorithm). A new variant is one file plus one line in its
// registry's entry list.
//
// An entry carries everything the rest of the code needs to know about its
// variant, so that no code outside the entry compares variant names:
//   make      builds it;
//   traits    what it is and needs (a struct per registry: a policy's
//             exact log-probabilities, the task shapes it accepts, its
//             parameter count and FLOPs; a trainer's need for whole groups);
//   defaults  values for other keys that the variant needs (a diffusion
//             policy's learning rate): experiment/run_config.h applies them where
//             the user set nothing and records them in the run file.
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

// For registries whose entries need no traits.
struct NoTraits {};

// What both kinds of registry share: entries by name (each with `name`,
// `traits` and `defaults`), in registration order.
template <class EntryT>
class Entries {
 public:
  using Entry = EntryT;
  using Traits = decltype(EntryT::traits);

  Entries(std::string kind, std::vector<Entry> entries)
      : kind_(std::move(kind)), entries_(std::move(entries)) {}

  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& e : entries_) out.push_back(e.name);
    return out;
  }

  // The traits of variant `name`; throws std::invalid_argument for an
  // unknown name (the schema refuses those before anything asks).
  const Traits& traits(const std::string& name) const { return find(name).traits; }

  // The defaults variant `name` brings (none for an unknown name).
  VariantDefaults defaults(const std::string& name) const {
    for (const auto& e : entries_)
      if (e.name == name) return e.defaults;
    return {};
  }

 protected:
  const Entry& find(const std::string& name) const {
    for (const auto& e : entries_)
      if (e.name == name) return e;
    throw std::invalid_argument("unknown " + kind_ + ": '" + name + "'");
  }

 private:
  std::string kind_;
  std::vector<Entry> entries_;
};

template <class Base, class Traits, class... Args>
struct RegistryEntry {
  std::string name;
  std::function<std::unique_ptr<Base>(Args...)> make;
  Traits traits;
  VariantDefaults defaults;
};

// Variants that are classes derived from Base, built from Args.
template <class BaseT, class TraitsT, class... Args>
class Registry : public Entries<RegistryEntry<BaseT, TraitsT, Args...>> {
 public:
  using Base = BaseT;
  using Entry = RegistryEntry<BaseT, TraitsT, Args...>;
  using Entries<Entry>::Entries;

  // An entry whose factory forwards to Derived's constructor.
  template <class Derived>
  static Entry entry(std::string name, TraitsT traits = {},
                     VariantDefaults defaults = {}) {
    return {std::move(name),
            [](Args... args) -> std::unique_ptr<Base> {
              return std::make_unique<Derived>(std::forward<Args>(args)...);
            },
            std::move(traits), std::move(defaults)};
  }

  std::unique_ptr<Base> make(const std::string& name, Args... args) const {
    return this->find(name).make(std::forward<Args>(args)...);
  }
};

template <class Traits>
struct TraitEntry {
  std::string name;
  Traits traits;
  VariantDefaults defaults;
};

// A registry of variants that are not separate classes (trainer.algorithm,
// reward.model): each name with its traits and defaults only; the code that
// acts on a variant reads its traits, never its name.
template <class TraitsT>
class TraitTable : public Entries<TraitEntry<TraitsT>> {
 public:
  using Entries<TraitEntry<TraitsT>>::Entries;
};

}  // namespace raftsim
