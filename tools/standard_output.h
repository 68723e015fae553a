#pragma once
// What the commands print goes to stdout, which may be a file on a full disk: a write that fails there must not end
// in exit 0 with rows lost.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <string_view>

#include "flatbert/error.hpp"

namespace flatbert::tools {

// Writes `text` to stdout (std::cout writes through C's stdout) and flushes it; throws Error if this or any earlier
// write to stdout has failed, with the reason where this call saw it.
inline void WriteStandardOutput(std::string_view text = {}) {
  errno = 0;
  std::cout << text;
  std::cout.flush();
  std::fflush(stdout);
  if (!std::ferror(stdout) && std::cout) return;
  const int reason = errno;  // set by the write that failed, when it was one of this call's
  throw Error(std::string("cannot write the output") + (reason ? std::string(": ") + std::strerror(reason) : ""));
}

}  // namespace flatbert::tools
