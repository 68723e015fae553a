/* flatbert C API: load a .fbm text classifier and classify UTF-8 text. */
#ifndef FLATBERT_FLATBERT_H_
#define FLATBERT_FLATBERT_H_

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The ABI this header describes. It grows when a function's signature or meaning changes; compare it with
   flatbert_abi_version(), the ABI of the library actually loaded. */
#define FLATBERT_ABI_VERSION 1
int flatbert_abi_version(void);

typedef struct flatbert_model flatbert_model;

/* Returns NULL on failure and writes a message into err (err_size bytes, may be 0). */
flatbert_model* flatbert_load(const char* path, char* err, size_t err_size);
void flatbert_free(flatbert_model* model);

int flatbert_num_labels(const flatbert_model* model);
/* Label name i (0 <= i < num_labels), owned by the model. */
const char* flatbert_label(const flatbert_model* model, int i);

/* Classifies text (len bytes of UTF-8). Writes num_labels probabilities into probs (room for probs_len floats;
   NULL with 0 when they are not wanted) and returns the index of the most likely label, or -1 with a message in
   err (invalid UTF-8, empty text, probs_len below num_labels, ...); nothing is written past probs_len. */
int flatbert_classify(const flatbert_model* model, const char* text, size_t len, float* probs, size_t probs_len,
                      char* err, size_t err_size);

#ifdef __cplusplus
}
#endif

#endif /* FLATBERT_FLATBERT_H_ */
