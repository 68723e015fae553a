/* flatbert C API: load a .fbm text classifier and classify UTF-8 text. The functions of libflatbert.so. */
#ifndef FLATBERT_FLATBERT_H_
#define FLATBERT_FLATBERT_H_

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define FLATBERT_EXPORT __attribute__((visibility("default")))
#else
#define FLATBERT_EXPORT
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* The ABI this header describes, and libflatbert.so's SONAME (libflatbert.so.1). It grows when a function's
   signature or meaning changes; compare it with flatbert_abi_version(), the ABI of the library actually loaded. */
#define FLATBERT_ABI_VERSION 1
FLATBERT_EXPORT int flatbert_abi_version(void);

typedef struct flatbert_model flatbert_model;

/* Maps and verifies the model. Returns NULL on failure and writes a message into err (err_size bytes, may be 0).
   A model may be used from several threads at once. */
FLATBERT_EXPORT flatbert_model* flatbert_load(const char* path, char* err, size_t err_size);
/* Frees the model (NULL is a no-op). No call on it may still run on another thread, or start after it: the Python
   package counts its calls in flight and frees only when they have returned. */
FLATBERT_EXPORT void flatbert_free(flatbert_model* model);

FLATBERT_EXPORT int flatbert_num_labels(const flatbert_model* model);
/* Label name i (0 <= i < num_labels), owned by the model. */
FLATBERT_EXPORT const char* flatbert_label(const flatbert_model* model, int i);
/* 1 when labels are independent (a sigmoid per label: every label with probability >= 0.5 applies), else 0. */
FLATBERT_EXPORT int flatbert_multi_label(const flatbert_model* model);

/* Classifies text (len bytes of UTF-8). Writes num_labels probabilities into probs (room for probs_len floats;
   NULL with 0 when they are not wanted) and returns the index of the most likely label, or -1 with a message in
   err (invalid UTF-8, empty text, probs_len below num_labels, ...); nothing is written past probs_len. */
FLATBERT_EXPORT int flatbert_classify(const flatbert_model* model, const char* text, size_t len, float* probs,
                                      size_t probs_len, char* err, size_t err_size);

/* Classifies n texts (texts[i], lens[i] bytes) on `threads` threads (0: one per hardware thread; the pool is kept
   with the model for the next call): n >= threads texts go up to 8 per forward pass, one pass per thread; fewer
   share one pass, every thread taking part of each layer (faster for one text). Either way the results are those
   of one thread, bit for bit. Calls on several threads with threads = 1 run side by side; calls that use the
   model's pool take turns on it. For text i: labels[i] is its most likely label, or -1 with the reason in
   errors + i * err_size (errors may be NULL with err_size 0); probs + i * num_labels its probabilities;
   num_tokens[i] its tokens with [CLS] and [SEP] (num_tokens may be NULL). A bad text fails alone. Returns how
   many texts failed, or -1 with the reason in errors[0 .. err_size) when the call itself is wrong (a null
   argument, threads outside [0, 256], threads that cannot start). */
FLATBERT_EXPORT long flatbert_classify_batch(flatbert_model* model, const char* const* texts, const size_t* lens,
                                             size_t n, int threads, int* labels, float* probs, int* num_tokens,
                                             char* errors, size_t err_size);

/* The token ids the model sees for text: writes the first min(count, ids_len) into ids and returns count (call
   again with room for count when it is larger), or -1 with a message in err. */
FLATBERT_EXPORT long flatbert_tokenize(const flatbert_model* model, const char* text, size_t len, int32_t* ids,
                                       size_t ids_len, char* err, size_t err_size);

#ifdef __cplusplus
}
#endif

#endif /* FLATBERT_FLATBERT_H_ */
