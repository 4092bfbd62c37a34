// boxwarden: harden the Internet box. Everything lives in boxwarden_core; see cli/run.
#include "cli/run.hpp"

int main(int argc, char** argv) {
  return bw::cli::run(argc, argv);
}
