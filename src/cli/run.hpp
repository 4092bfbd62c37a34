// Entry point of the command line: parses, dispatches, and turns every Error into a
// one-line message and the documented exit code. The only catch-all of the program.
#pragma once

namespace bw::cli {

int run(int argc, char** argv);

}  // namespace bw::cli
