/* A program built against an installed flatbert (pkg-config flatbert, or find_package(flatbert)): classifies its
   arguments with the model given first and prints label and probability. */
#include <stdio.h>
#include <string.h>

#include "flatbert/flatbert.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: consumer MODEL TEXT...\n");
    return 2;
  }
  if (flatbert_abi_version() != FLATBERT_ABI_VERSION) {
    fprintf(stderr, "library ABI %d, header ABI %d\n", flatbert_abi_version(), FLATBERT_ABI_VERSION);
    return 1;
  }
  char err[256];
  flatbert_model* model = flatbert_load(argv[1], err, sizeof err);
  if (!model) {
    fprintf(stderr, "%s\n", err);
    return 1;
  }
  float probs[16];
  for (int i = 2; i < argc; ++i) {
    const int label = flatbert_classify(model, argv[i], strlen(argv[i]), probs, 16, err, sizeof err);
    if (label < 0) {
      printf("error: %s\n", err);
    } else {
      printf("%s %.3f\n", flatbert_label(model, label), probs[label]);
    }
  }
  flatbert_free(model);
  return 0;
}
