#pragma once
// The scalar pieces every SIMD attention kernel shares: the per-head key transpose and the tails shorter than a
// vector. `static`, as kernels/tile.h explains: each ISA's file keeps its own copy.

namespace flatbert {

// keys_t[d][j] = k[j][col + d] for one head: scores then read a row of keys per query value.
static inline void TransposeHeadKeys(const float* k, int stride, int col, int seq, int head_dim, float* keys_t) {
  for (int j = 0; j < seq; ++j)
    for (int d = 0; d < head_dim; ++d) keys_t[static_cast<long>(d) * seq + j] = k[static_cast<long>(j) * stride + col + d];
}

// q . k_j from the transposed keys.
static inline float ScoreOf(const float* qi, const float* keys_t, int seq, int j, int head_dim) {
  float dot = 0.f;
  for (int d = 0; d < head_dim; ++d) dot += qi[d] * keys_t[static_cast<long>(d) * seq + j];
  return dot;
}

// sum_j scores[j] v[j][column].
static inline float WeightedValue(const float* scores, const float* v, int stride, int column, int seq) {
  float acc = 0.f;
  for (int j = 0; j < seq; ++j) acc += scores[j] * v[static_cast<long>(j) * stride + column];
  return acc;
}

}  // namespace flatbert
