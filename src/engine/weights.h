#pragma once
// The units a forward pass is made of, each bound to its tensors in the mapped model file (format/arch.h names
// them; the verifier checked their types, layouts and quantization parameters) and applying itself.
#include <cstdint>
#include <string>
#include <vector>

#include "format/dtype.h"
#include "format/model_file.h"
#include "kernels/kernels.h"

namespace flatbert {

// x quantized for the int8 GEMM at one input scale.
struct Int8Input {
  float scale = 0.f;  // the Linears' input scale (0: per row at run time)
  AlignedVector<int8_t> q;
  AlignedVector<float> row_scales;
};

// y = act(x W^T + b), W [out, in] in its stored type.
struct Linear {
  static Linear Bind(const ModelFile& file, const std::string& name);  // name.weight and name.bias
  // int8 Linears read x as `x_int8` holds it (SharedInt8Input), the others x itself.
  void Apply(const Kernels& k, const float* x, const Int8Input* x_int8, float* y, int rows, Activation act) const;

  const char* name = "";  // the weight tensor's name, in the model file
  fb::DType dtype = fb::DType::F32;
  const void* weight = nullptr;       // in the type's Linear layout (DTypeTraits::linear_layout)
  const float* scales = nullptr;      // I8: one per output row; I4: one per group
  const int32_t* row_sums = nullptr;  // I8: sum of each row
  float input_scale = 0.f;            // I8: calibrated input scale (int8-static); 0: per row at run time
  int group = 0;                      // I4: values per scale
  const float* bias = nullptr;        // [out]
  int in = 0, out = 0;
  NextWeights next;  // the int8 weights of the Linear a forward pass applies after this one, for its GEMM to prefetch
};

// One x quantized for the int8 Linears that read it, once per distinct input scale: int8-dynamic Linears share
// one quantization (int8-static ones each have their calibrated scale). Reset before the Linears of another x.
class SharedInt8Input {
 public:
  static constexpr int kMaxScales = 4;  // the most Linears that read one x (MobileBERT: 4)
  void Reset() { count_ = 0; }
  // x [rows, l.in] as l reads it: quantized at l's input scale unless it already is; nullptr for a non-int8 l.
  const Int8Input* For(const Kernels& k, const Linear& l, const float* x, int rows);

 private:
  int count_ = 0;
  Int8Input inputs_[kMaxScales];
};

// A table read one row at a time, never multiplied (word and position embeddings): row-major, any stored type.
struct LookupTable {
  static LookupTable Bind(const ModelFile& file, const std::string& name);
  void Row(int32_t id, float* out) const { type->widen_row(data, scales, group, id, width, out); }

  const DTypeTraits* type = nullptr;
  const void* data = nullptr;     // [rows, width]
  const float* scales = nullptr;  // I8: one per row; I4: one per group
  int group = 0;                  // I4: values per scale
  int width = 0;
};

struct Norm {
  static Norm Bind(const ModelFile& file, const std::string& name, float eps);  // name.weight and name.bias
  // x = norm(x + residual) (residual [rows][cols], or null for none): LayerNorm, or MobileBERT's NoNorm
  // (x * gamma + beta), which adds the residual in the same pass.
  void Apply(const Kernels& k, fb::NormType type, float* x, const float* residual, int rows, int cols) const;

  const float* gamma = nullptr;
  const float* beta = nullptr;
  float eps = 0.f;  // LayerNorm only (format/arch.h: not the same for every norm of a MobileBERT)
};

void Activate(const Kernels& k, float* x, size_t n, Activation act);

}  // namespace flatbert
