// Command-line options for talking to other raftsim processes, shared by
// `raftsim run` (actors.nodes) and `raftsim node`: the TLS files and, for
// runs, the node timeout. Environment, not experiment: never stored in the
// run's configuration.
#pragma once

#include <boost/program_options.hpp>

#include "nodes/network.h"

namespace raftsim::cli {

// Adds --tls-cert, --tls-key, --tls-ca and --tls-passphrase-file.
void add_tls_options(boost::program_options::options_description& opts, TlsFiles& tls);

}  // namespace raftsim::cli
