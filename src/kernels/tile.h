#pragma once
// Row pointers of one microkernel tile, the tile's real rows as a compile-time count, and what each tile prefetches.
// Pointers past the end repeat the last real one, so a tile may read them without bounds checks. `static` (and the
// class in an unnamed namespace): each ISA's file keeps its own copy, compiled for its own ISA, so the linker never
// hands one ISA's code to another's caller.

#include "kernels/kernels.h"
#include "kernels/pack.h"

namespace flatbert {

// Fills rows[0..tile) with base + row * stride for the rows of [start, start + tile); returns how many are real.
template <typename T>
static inline int TileRows(const T* base, int start, int total, int tile, int stride, const T** rows) {
  const int count = total - start < tile ? total - start : tile;
  for (int r = 0; r < tile; ++r) rows[r] = base + static_cast<long>(start + (r < count ? r : count - 1)) * stride;
  return count;
}

// Runs tile.template operator()<R>() with R = rows, the real rows of a tile of at most kTile: the last row tile
// multiplies only the rows it stores (a 25-token tweet on 4-row tiles would otherwise multiply 28 rows).
template <int kTile, typename Tile>
static inline void WithRealRows(int rows, Tile&& tile) {
  if constexpr (kTile > 1) {
    if (rows < kTile) return WithRealRows<kTile - 1>(rows, tile);
  }
  tile.template operator()<kTile>();
}

// For a column-panel GEMM (panels outer, row tiles inner): tile.template operator()<R>(pass, first) for each row
// tile `pass` of the ceil(rows / kTile) over [0, rows), holding the R rows from `first`. The rows are shared evenly
// (R = rows / tiles, rounded up or down), so no tile is left with a row or two: a one-row tile has a quarter of the
// accumulator chains, too few to keep two multiply-adds per cycle in flight at 4-5 cycles latency: on 4-row VNNI
// tiles a 25th row as a tile of its own added 6% to the time of 24 rows. Row-outer kernels (AVX2, NEON) stream the
// matrix once per tile whatever its rows, and measured no gain from it (docs/performance.md). The AVX-512 attention
// groups its queries the same way.
template <int kTile>
static inline int RowTiles(int rows) {
  return (rows + kTile - 1) / kTile;
}
template <int kTile, typename Tile>
static inline void ForEachRowTile(int rows, Tile&& tile) {
  const int passes = RowTiles<kTile>(rows);
  for (int pass = 0; pass < passes; ++pass) {
    const int first = static_cast<int>(static_cast<long>(rows) * pass / passes);
    const int end = static_cast<int>(static_cast<long>(rows) * (pass + 1) / passes);
    WithRealRows<kTile>(end - first, [&]<int kReal>() { tile.template operator()<kReal>(pass, first); });
  }
}

// Bytes in memory: weights a GEMM will read.
struct Bytes {
  const void* begin = nullptr;
  long size = 0;
};

// What a column-panel GEMM (panels outer, row tiles inner) over `blocks` column blocks of block_bytes each reads
// after its panel of panel_blocks blocks from block `panel`: the next panel, or after the last one `next_first`, the
// next Linear's first panel.
static inline Bytes AfterPanel(const void* w, long block_bytes, int blocks, int panel, int panel_blocks,
                               Bytes next_first) {
  const int first = panel + panel_blocks;
  if (first >= blocks) return next_first;
  const int end = first + panel_blocks < blocks ? first + panel_blocks : blocks;
  return {static_cast<const char*>(w) + first * block_bytes, (end - first) * block_bytes};
}

// The first panel_blocks column blocks of the next GEMM's K4N16 weights (none without them).
static inline Bytes FirstPanel(NextWeights next, int panel_blocks) {
  if (!next.w) return {};
  const int blocks = static_cast<int>(PackedColumns(next.n) / kPackColumns);
  return {next.w,
          static_cast<long>((blocks < panel_blocks ? blocks : panel_blocks) * kPackColumns * PackedDepth(next.k))};
}

// A column-panel GEMM reads a panel from L3 or memory on its first row tile and from cache on the others, while
// memory idles. So the `passes` row tiles over a panel bring what comes after it (AfterPanel) into cache meanwhile,
// row tile `pass` an even share of its lines, spread over its `steps` depth steps. After the last panel that is
// the next Linear's first panel, which otherwise starts cold: one MobileBERT tweet streams 20 MB of int8 weights
// through 360 GEMMs, and half of a 128 x 512 GEMM's weights are its first panel.
namespace {
struct PanelPrefetch {
  PanelPrefetch(Bytes after, int pass, int passes, int steps) {
    const long lines = after.size / kLine, first = lines * pass / passes, last = lines * (pass + 1) / passes;
    line = static_cast<const char*>(after.begin) + first * kLine;
    end = static_cast<const char*>(after.begin) + last * kLine;
    per_step = static_cast<int>((last - first + steps - 1) / steps);
  }
  // One depth step's lines; kLocality as __builtin_prefetch takes it (2: L2, 3: L1).
  template <int kLocality>
  void Step() {
    for (int i = 0; i < per_step && line < end; ++i, line += kLine) __builtin_prefetch(line, 0, kLocality);
  }

  static constexpr long kLine = 64;
  const char* line;  // the next line to fetch, up to end
  const char* end;
  int per_step;
};
}  // namespace

}  // namespace flatbert
