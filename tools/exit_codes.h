#pragma once
// flatbert's exit codes, one table for every subcommand (the README lists them).

namespace flatbert::tools {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;    // the command could not run: model, input or output file, conversion
inline constexpr int kExitUsage = 2;      // a bad command line: unknown option, bad value, missing argument
inline constexpr int kExitRowErrors = 3;  // it ran to the end, but some rows could not be used (each is reported)

}  // namespace flatbert::tools
