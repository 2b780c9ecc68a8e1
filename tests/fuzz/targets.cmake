# The libFuzzer targets: each NAME is tests/fuzz/fuzz_NAME.c with seeds in
# tests/fuzz/corpus/NAME/ and crash regressions in tests/fuzz/regressions/NAME/.
# Adding a target is adding its name here (and those files).
set(FACEFUSE_FUZZ_TARGETS
  image_decode
  video_open
  onnx_initializer
  batch_patterns
  options
  http_request
  job_step
)
# Seconds a target runs in the test suite when not the suite's
# FACEFUSE_FUZZ_SECONDS: the HTTP and job step targets are newer and keep
# the suite's fuzzing near a minute and a half in all.
set(FACEFUSE_FUZZ_SECONDS_http_request 8)
set(FACEFUSE_FUZZ_SECONDS_job_step 8)

# Library sources compiled (with coverage) into the fuzz targets, relative to
# the source root. A target that needs more adds its files here. The HTTP
# server and the job steps reach the option tables, so every processor, the
# face analysis and ONNX Runtime (linked, no model is ever loaded): that is
# the whole library but the command line's own files.
set(FACEFUSE_FUZZ_SOURCES
  src/core/*.c
  src/media/*.c
  src/infer/*.c
  src/face/*.c
  src/processors/*.c
  src/pipeline/*.c
  src/pipeline/jobs/*.c
  src/server/*.c
  src/cli/batch.c
)
