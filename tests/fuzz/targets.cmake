# The libFuzzer targets: each NAME is tests/fuzz/fuzz_NAME.c with seeds in
# tests/fuzz/corpus/NAME/ and crash regressions in tests/fuzz/regressions/NAME/.
# Adding a target is adding its name here (and those files).
set(FACEFUSE_FUZZ_TARGETS
  image_decode
  video_open
  onnx_initializer
  batch_patterns
  options
)

# Library sources compiled (with coverage) into the fuzz targets, relative to
# the source root. A target that needs more (the option parser, the HTTP
# server) adds its files here.
set(FACEFUSE_FUZZ_SOURCES
  src/core/*.c
  src/media/*.c
  src/infer/onnx_initializer.c
  src/cli/batch.c
)
