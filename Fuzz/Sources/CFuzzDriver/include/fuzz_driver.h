#ifndef FUZZ_DRIVER_H
#define FUZZ_DRIVER_H
#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver entry (compiler-rt FuzzerInterface.h): runs the fuzzer with the command
/// line and the given test callback. Lets a Swift `@main` own `main`, which SwiftPM requires
/// of executable targets, while libFuzzer does the rest.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
