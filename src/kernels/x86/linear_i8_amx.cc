// int8 GEMM on AMX tiles (Intel Sapphire Rapids and later). tdpbusd multiplies a tile of x (16 rows x 64 bytes,
// unsigned: q + 128, as QuantizeRowsOffsetAvx512 writes it) by a tile of weights (16 rows of 4 depth bytes x 16
// columns) into 16 x 16 int32 sums. K4N16 (kernels/pack.h) is already that weight operand: 16 consecutive 64-byte
// pieces of a column block are 64 depth bytes of its 16 columns, one tile row per piece, so the weights load
// straight from the mapped file.
// Tile: 2 row tiles x 2 column blocks, 4 accumulator tiles (consecutive tdpbusd into one tile wait for each other),
// with column panels as the outer loop as in the VNNI kernel. At one tweet a time every weight is read once per
// GEMM, from L3 or memory, and a tile load waits for its lines: while the tiles multiply one panel, the next
// panel's weights are prefetched a chunk's share at a time (after the last panel the next GEMM's first,
// PanelPrefetch), and its epilogue lines as the panel starts (PrefetchEpiloguePanel; one MobileBERT tweet in 0.87x
// the time: docs/performance.md). When m is not a multiple of
// 16, the last row tile is rows [m - 16, m): it overlaps the one before, whose rows it recomputes (the same sums) but
// does not store, so no tile reads past x and one tile configuration serves every m >= 16; a smaller m gets tiles of m
// rows. Depths that are not a multiple of 64 go to the VNNI kernel, which sums the same int32 products; both store
// through one epilogue (gemm_i8_epilogue_avx512.h), so every output is bit-identical to the other paths. The process
// has asked Linux for the tile state first (x86::RequestAmx, at dispatch). Compiled with -mamx-tile -mamx-int8 and the
// VNNI kernel's flags; only called when the CPU and the OS allow AMX. No STL here.
#include <immintrin.h>

#include <cstdint>

#include "kernels/tile.h"
#include "kernels/x86/gemm_i8_epilogue_avx512.h"
#include "kernels/x86/x86_kernels.h"

namespace flatbert::x86 {
namespace {

constexpr int kTileRows = 16, kTileBytes = 64, kLanes = 16;
constexpr int kChunkBytes = kTileRows * kTileBytes;  // one weight tile: 64 depth bytes of a column block

struct TileConfig {  // palette 1, as ldtilecfg reads it
  uint8_t palette = 1, start_row = 0, reserved[14] = {};
  uint16_t bytes_per_row[16] = {};
  uint8_t rows[16] = {};
};

// Tiles of x and sums hold `rows` rows (16, or all of a smaller m), weight tiles 16. The configuration is per
// thread; each keeps the one it loaded last, so ldtilecfg runs only when m < 16 changes it.
void ConfigureTiles(int rows) {
  thread_local int configured_rows = 0;
  if (configured_rows == rows) return;
  TileConfig config;
  for (int t = 0; t < 8; ++t) {
    config.bytes_per_row[t] = kTileBytes;
    config.rows[t] = static_cast<uint8_t>(t < 6 ? rows : kTileRows);
  }
  _tile_loadconfig(&config);
  configured_rows = rows;
}

// Sums of kRowTiles x kBlocks tiles into sums[row tile][block][16][16]: row tile 0 is the 16 rows from x0, row
// tile 1 those from x1. Tiles 0-3 accumulate (row tile r, block b in tile 2r + b), 4-5 hold x, 6-7 weights. x rows
// have x_stride bytes; a block's weights take w_block_bytes. Each chunk also takes its step of `prefetch`.
template <int kRowTiles, int kBlocks>
void MultiplyTiles(const int8_t* x0, const int8_t* x1, long x_stride, const int8_t* w, long w_block_bytes, int chunks,
                   PanelPrefetch& prefetch, int32_t* sums) {
  _tile_zero(0);
  if constexpr (kBlocks > 1) _tile_zero(1);
  if constexpr (kRowTiles > 1) _tile_zero(2);
  if constexpr (kRowTiles > 1 && kBlocks > 1) _tile_zero(3);
  for (int c = 0; c < chunks; ++c) {
    const long depth = static_cast<long>(c) * kTileBytes;
    const int8_t* wc = w + static_cast<long>(c) * kChunkBytes;
    prefetch.Step<3>();
    _tile_loadd(4, x0 + depth, x_stride);
    _tile_loadd(6, wc, kTileBytes);
    if constexpr (kBlocks > 1) _tile_loadd(7, wc + w_block_bytes, kTileBytes);
    if constexpr (kRowTiles > 1) _tile_loadd(5, x1 + depth, x_stride);
    _tile_dpbusd(0, 4, 6);
    if constexpr (kBlocks > 1) _tile_dpbusd(1, 4, 7);
    if constexpr (kRowTiles > 1) _tile_dpbusd(2, 5, 6);
    if constexpr (kRowTiles > 1 && kBlocks > 1) _tile_dpbusd(3, 5, 7);
  }
  constexpr int kTileInts = kTileRows * kLanes;
  _tile_stored(0, sums, kTileBytes);
  if constexpr (kBlocks > 1) _tile_stored(1, sums + kTileInts, kTileBytes);
  if constexpr (kRowTiles > 1) _tile_stored(2, sums + kBlocks * kTileInts, kTileBytes);
  if constexpr (kRowTiles > 1 && kBlocks > 1) _tile_stored(3, sums + 3 * kTileInts, kTileBytes);
}

}  // namespace

void GemmI8Amx(const int8_t* xq, const float* x_scales, const int8_t* w, const float* w_scales,
               const int32_t* w_row_sums, const float* bias, float* y, int m, int n, int k, Activation act,
               NextWeights next) {
  if (k % kTileBytes != 0) {
    GemmI8Avx512Vnni(xq, x_scales, w, w_scales, w_row_sums, bias, y, m, n, k, act, next);
    return;
  }
  const int tile_rows = m < kTileRows ? m : kTileRows;
  ConfigureTiles(tile_rows);
  const int blocks = (n + kLanes - 1) / kLanes, chunks = k / kTileBytes;
  const int row_tiles = (m + kTileRows - 1) / kTileRows;
  const long block_bytes = static_cast<long>(kLanes) * k;
  // Row tile t covers rows [first, first + tile_rows) and stores those from `stored`: all of them, except in an
  // overlapping last tile.
  auto first_row = [&](int t) { return t + 1 < row_tiles ? t * kTileRows : m - tile_rows; };
  const Bytes next_first = FirstPanel(next, 2);
  alignas(64) int32_t sums[4 * kTileRows * kLanes];
  PrefetchEpiloguePanel(w_scales, w_row_sums, bias, 0, 2, blocks);
  for (int b = 0; b < blocks; b += 2) {
    const int panel_blocks = blocks - b >= 2 ? 2 : 1;
    PrefetchEpiloguePanel(w_scales, w_row_sums, bias, b + 2, 2, blocks);
    const int8_t* wb = w + b * block_bytes;
    const Bytes after = AfterPanel(w, block_bytes, blocks, b, 2, next_first);
    for (int t0 = 0; t0 < row_tiles; t0 += 2) {
      const int pair = row_tiles - t0 >= 2 ? 2 : 1;
      const int8_t* x0 = xq + static_cast<long>(first_row(t0)) * k;
      const int8_t* x1 = xq + static_cast<long>(first_row(t0 + pair - 1)) * k;
      PanelPrefetch prefetch(after, t0 / 2, (row_tiles + 1) / 2, chunks);
      if (pair == 2 && panel_blocks == 2) MultiplyTiles<2, 2>(x0, x1, k, wb, block_bytes, chunks, prefetch, sums);
      if (pair == 2 && panel_blocks == 1) MultiplyTiles<2, 1>(x0, x1, k, wb, block_bytes, chunks, prefetch, sums);
      if (pair == 1 && panel_blocks == 2) MultiplyTiles<1, 2>(x0, x1, k, wb, block_bytes, chunks, prefetch, sums);
      if (pair == 1 && panel_blocks == 1) MultiplyTiles<1, 1>(x0, x1, k, wb, block_bytes, chunks, prefetch, sums);
      for (int bb = 0; bb < panel_blocks; ++bb) {
        const int column = (b + bb) * kLanes;
        const EpilogueBlock e = LoadEpilogueBlock(w_scales, w_row_sums, bias, n, column);
        for (int p = 0; p < pair; ++p) {
          const int t = t0 + p, first = first_row(t);
          const int stored = t * kTileRows;  // rows before it belong to the tile before
          const int32_t* tile = sums + (p * panel_blocks + bb) * kTileRows * kLanes;
          for (int r = stored > first ? stored - first : 0; r < tile_rows; ++r) {
            const int row = first + r;
            StoreEpilogueRow(e, _mm512_load_si512(tile + r * kLanes), x_scales[row], y + static_cast<long>(row) * n,
                             column, act);
          }
        }
      }
    }
  }
}

}  // namespace flatbert::x86
