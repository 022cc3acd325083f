#ifndef UNIFEED_CFUZZERDRIVER_H
#define UNIFEED_CFUZZERDRIVER_H
#include <stddef.h>
#include <stdint.h>
// libFuzzer's driver (libclang_rt.fuzzer_no_main), called from unifeed-fuzz's own main when it is
// built for fuzzing (UNIFEED_FUZZ=1); declared here because Swift cannot declare a C function itself.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
#endif
