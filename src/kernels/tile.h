#pragma once
// Row pointers of one microkernel tile, the tile's real rows as a compile-time count, and the blocks of the next
// panel each tile prefetches. Pointers past the end repeat the last real one, so a tile may read them without bounds
// checks. `static`: each ISA's file keeps its own copy, compiled for its own ISA, so the linker never hands one
// ISA's code to another's caller.

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

// Column-panel GEMMs (panels outer, row tiles inner) read a panel from memory on its first row tile and from cache
// on the others, while memory idles. So row tile `pass` of the `passes` over the panel of `panel_blocks` blocks from
// block `panel` fetches blocks pass, pass + passes, ... of the next panel (those of w's `blocks` blocks, block_size
// elements each, that follow it) into cache, one line per depth step: this writes those blocks' starts to `ahead`
// and returns how many; the caller prefetches.
template <typename T>
static inline int NextPanelBlocks(const T* w, long block_size, int blocks, int panel, int panel_blocks, int pass,
                                  int passes, const T** ahead) {
  const int first = panel + panel_blocks, end = first + panel_blocks < blocks ? first + panel_blocks : blocks;
  int count = 0;
  for (int b = first + pass; b < end; b += passes) ahead[count++] = w + b * block_size;
  return count;
}

}  // namespace flatbert
