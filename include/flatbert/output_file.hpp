#pragma once
// Writing the files flatbert makes (models, exported checkpoints, reports, JSON results).
#include <string>
#include <string_view>
#include <vector>

#include "flatbert/error.hpp"

namespace flatbert {

// Writes `pieces` one after another as the file `path`, or throws Error naming it and the reason (a full disk shows
// at the last write or at close, which an unchecked stream lets pass). A regular file, or a new one, is written
// beside itself and renamed over, so it is whole or as it was; a path through a symlink writes the file the link
// names. /dev/stdout, /dev/stderr and /dev/fd/N are written through the process's own descriptor (after what it has
// printed to stdout); anything else under /dev or /proc, or not a regular file (a FIFO), is written in place.
void WriteOutputFile(const std::string& path, const std::vector<std::string_view>& pieces);
inline void WriteOutputFile(const std::string& path, std::string_view bytes) {
  WriteOutputFile(path, std::vector<std::string_view>{bytes});
}

// Creates the directory `path` and its parents where they are missing; throws Error naming it and the reason.
void CreateOutputDirectory(const std::string& path);

}  // namespace flatbert
