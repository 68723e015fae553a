/* flatbert C API: load a .fbm text classifier and classify UTF-8 text. */
#ifndef FLATBERT_FLATBERT_H_
#define FLATBERT_FLATBERT_H_

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct flatbert_model flatbert_model;

/* Returns NULL on failure and writes a message into err (err_size bytes, may be 0). */
flatbert_model* flatbert_load(const char* path, char* err, size_t err_size);
void flatbert_free(flatbert_model* model);

int flatbert_num_labels(const flatbert_model* model);
/* Label name i (0 <= i < num_labels), owned by the model. */
const char* flatbert_label(const flatbert_model* model, int i);

/* Classifies text (len bytes of UTF-8). Writes num_labels probabilities into probs and returns the index of the
   most likely label, or -1 with a message in err (invalid UTF-8, empty text, ...). */
int flatbert_classify(const flatbert_model* model, const char* text, size_t len, float* probs, char* err,
                      size_t err_size);

#ifdef __cplusplus
}
#endif

#endif /* FLATBERT_FLATBERT_H_ */
