# Sources of the model runners (CPU and CUDA), shared by the addon (CMakeLists.txt) and the
# standalone GPU check (gpu_check/CMakeLists.txt). Sets FLEETLAB_RUNNER_SOURCES and, when
# FLEETLAB_HAVE_CUDA, FLEETLAB_RUNNER_CUDA_SOURCES, with the floating-point flags that keep
# every reduction in the order the code writes:
# - CPU files: -ffp-contract=off (no fused multiply-add the code does not ask for);
# - CUDA kernels: -fmad=false (the same for nvcc), so the kernels and their CPU mirror
#   (host_kernel_ops.cpp) compute the same bits.
set(_d ${CMAKE_CURRENT_LIST_DIR})
set(FLEETLAB_RUNNER_SOURCES
  ${_d}/aligned_buffer.cpp ${_d}/device_runtime.cpp ${_d}/kv_pool.cpp ${_d}/cpu_features.cpp
  ${_d}/cpu_probe.cpp ${_d}/thread_pool.cpp ${_d}/rope.cpp ${_d}/paged_attention.cpp ${_d}/forward_batch.cpp
  ${_d}/step_plan.cpp ${_d}/model_runner.cpp ${_d}/host_kernel_ops.cpp ${_d}/cuda_model_runner.cpp
  ${_d}/dot_kernels_scalar.cpp)
# SIMD kernels: one file per instruction set, entered only after a run-time CPU check
# (cpu_features.cpp). GCC 12 flags its own AVX-512 intrinsic headers as uninitialised (false positive).
if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64|amd64")
  list(APPEND FLEETLAB_RUNNER_SOURCES ${_d}/dot_kernels_avx2.cpp ${_d}/dot_kernels_avx512.cpp)
  set_source_files_properties(${_d}/dot_kernels_avx2.cpp PROPERTIES COMPILE_OPTIONS "-mavx2;-mfma;-mf16c")
  set_source_files_properties(${_d}/dot_kernels_avx512.cpp PROPERTIES COMPILE_OPTIONS "-mavx512f;-mavx2;-mfma;-mf16c;-Wno-uninitialized;-Wno-maybe-uninitialized")
endif()
set_source_files_properties(${_d}/cpu_probe.cpp PROPERTIES COMPILE_OPTIONS "-Wno-uninitialized;-Wno-maybe-uninitialized")
set_source_files_properties(${_d}/dot_kernels_scalar.cpp ${_d}/dot_kernels_avx2.cpp ${_d}/dot_kernels_avx512.cpp
  ${_d}/rope.cpp ${_d}/paged_attention.cpp ${_d}/model_runner.cpp ${_d}/cpu_probe.cpp ${_d}/host_kernel_ops.cpp
  ${_d}/cuda_model_runner.cpp ${_d}/step_plan.cpp PROPERTIES COMPILE_FLAGS "-ffp-contract=off")
set(FLEETLAB_RUNNER_CUDA_SOURCES)
if(FLEETLAB_HAVE_CUDA)
  set(FLEETLAB_RUNNER_CUDA_SOURCES ${_d}/kv_kernels.cu ${_d}/cuda_kernel_ops.cu)
  set_source_files_properties(${_d}/cuda_kernel_ops.cu PROPERTIES COMPILE_OPTIONS "-fmad=false")
endif()
