#pragma once
// The scalar pieces every SIMD attention kernel shares: the per-head key transpose and the tails shorter than a
// vector. `static`, as kernels/tile.h explains: each ISA's file keeps its own copy.
#include <math.h>

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

// The scores of keys [first, seq), scaled, written to scores; returns the larger of max and theirs.
static inline float ScoresFrom(int first, const float* qi, const float* keys_t, int seq, int head_dim, float scale,
                               float* scores, float max) {
  for (int j = first; j < seq; ++j) {
    scores[j] = ScoreOf(qi, keys_t, seq, j, head_dim) * scale;
    max = scores[j] > max ? scores[j] : max;
  }
  return max;
}

// scores[j] = e^(scores[j] - max) for j in [first, seq); returns sum plus theirs.
static inline float ExponentiateFrom(int first, int seq, float max, float* scores, float sum) {
  for (int j = first; j < seq; ++j) {
    scores[j] = expf(scores[j] - max);
    sum += scores[j];
  }
  return sum;
}

// sum_j scores[j] v[j][column].
static inline float WeightedValue(const float* scores, const float* v, int stride, int column, int seq) {
  float acc = 0.f;
  for (int j = 0; j < seq; ++j) acc += scores[j] * v[static_cast<long>(j) * stride + column];
  return acc;
}

}  // namespace flatbert
