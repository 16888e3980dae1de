#include "cli/network_options.h"

namespace po = boost::program_options;

namespace raftsim::cli {

void add_tls_options(po::options_description& opts, TlsFiles& tls) {
  opts.add_options()("tls-cert", po::value(&tls.cert),
                     "this process's certificate (PEM), signed by --tls-ca")(
      "tls-key", po::value(&tls.key), "its private key (PEM)")(
      "tls-ca", po::value(&tls.ca),
      "the CA whose certificates are accepted from peers (PEM); "
      "scripts/fixtures/make-test-ca.sh makes one")(
      "tls-passphrase-file", po::value(&tls.passphrase_file),
      "a file holding the key's passphrase, if the key is encrypted");
}

}  // namespace raftsim::cli
