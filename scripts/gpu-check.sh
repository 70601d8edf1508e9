#!/usr/bin/env bash
# The one GPU check a session runs on a machine with an NVIDIA GPU (no Node.js needed):
# builds the standalone runner check (cuda/gpu_check), runs it on small random HF models
# (or the folders given with --model DIR), compares the CUDA runner with HF transformers in
# float32, with its CPU mirror and with the CPU runner, checks batch invariance, prints a
# table and exits non-zero when a check fails. About 1-3 minutes on a 16-core machine.
#
#   scripts/gpu-check.sh [gpu-check.py options, e.g. --model DIR --kv-dtype bf16]
#   scripts/gpu-check.sh --build-only     # build here (needs nvcc), e.g. to carry the binary
#
# Environment: FLEETLAB_GPU_CHECK_BIN=path uses a prebuilt binary (then nothing is built);
# FLEETLAB_GPU_CHECK_BUILD=dir sets the build folder (default cuda/build-gpu-check);
# JOBS=n build parallelism (default: all cores); FLEETLAB_GPU_CHECK_NO_CMAKE=1 builds with
# plain g++/nvcc as when cmake is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${FLEETLAB_GPU_CHECK_BUILD:-cuda/build-gpu-check}
BIN=${FLEETLAB_GPU_CHECK_BIN:-$BUILD/fleetlab-gpu-check}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 4)}

# Compile for this machine's GPU only when one is visible (half the nvcc time of sm_80 + sm_90).
ARCH=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -1 | tr -d ' .' || true)
case "$ARCH" in ''|*[!0-9]*) ARCH="" ;; esac

build() {
  if command -v cmake >/dev/null 2>&1 && [ -z "${FLEETLAB_GPU_CHECK_NO_CMAKE:-}" ]; then
    if cmake -S cuda/gpu_check -B "$BUILD" -DCMAKE_BUILD_TYPE=Release ${ARCH:+-DCMAKE_CUDA_ARCHITECTURES=$ARCH} >/dev/null; then
      cmake --build "$BUILD" -j "$JOBS"
      return
    fi
    echo "gpu-check: cmake configure failed (too old?); building with g++/nvcc directly" >&2
  fi
  # No (usable) cmake: the same sources and flags by hand (cuda/runner_sources.cmake is the reference).
  local nvcc
  nvcc=$(command -v nvcc || ls /usr/local/cuda/bin/nvcc 2>/dev/null || true)
  [ -n "$nvcc" ] || { echo "gpu-check: neither cmake nor nvcc found; build elsewhere and set FLEETLAB_GPU_CHECK_BIN" >&2; exit 2; }
  mkdir -p "$BUILD/obj"
  local inc=""
  for d in "$(dirname "$(readlink -f "$nvcc")")/../include" "${CUDA_HOME:-/usr/local/cuda}/include" /usr/local/cuda/include; do
    if [ -f "$d/cuda_runtime.h" ]; then inc=$d; break; fi
  done
  [ -n "$inc" ] || { echo "gpu-check: cuda_runtime.h not found next to $nvcc; set CUDA_HOME" >&2; exit 2; }
  local cxx="g++ -std=c++17 -O2 -fPIC -DFLEETLAB_WITH_CUDA=1 -Icuda -I$inc"
  local objs=()
  for f in cuda/gpu_check/main.cpp cuda/gpu_check/hf_model.cpp cuda/gpu_check/json.cpp cuda/gpu_check/throughput.cpp cuda/aligned_buffer.cpp \
           cuda/device_runtime.cpp cuda/kv_pool.cpp cuda/cpu_features.cpp cuda/thread_pool.cpp cuda/forward_batch.cpp; do
    $cxx -c "$f" -o "$BUILD/obj/$(basename "$f").o" & objs+=("$BUILD/obj/$(basename "$f").o")
  done
  for f in cuda/cpu_probe.cpp cuda/rope.cpp cuda/paged_attention.cpp cuda/step_plan.cpp cuda/model_runner.cpp \
           cuda/host_kernel_ops.cpp cuda/cuda_model_runner.cpp cuda/dot_kernels_scalar.cpp; do
    $cxx -ffp-contract=off -c "$f" -o "$BUILD/obj/$(basename "$f").o" & objs+=("$BUILD/obj/$(basename "$f").o")
  done
  $cxx -ffp-contract=off -mavx2 -mfma -mf16c -c cuda/dot_kernels_avx2.cpp -o "$BUILD/obj/avx2.o" & objs+=("$BUILD/obj/avx2.o")
  $cxx -ffp-contract=off -mavx512f -mavx2 -mfma -mf16c -c cuda/dot_kernels_avx512.cpp -o "$BUILD/obj/avx512.o" & objs+=("$BUILD/obj/avx512.o")
  local gencode="-gencode arch=compute_90,code=sm_90 -gencode arch=compute_80,code=sm_80"
  [ -n "$ARCH" ] && gencode="-gencode arch=compute_$ARCH,code=sm_$ARCH"
  "$nvcc" -std=c++17 -O2 -Icuda $gencode -fmad=false \
    -c cuda/cuda_kernel_ops.cu -o "$BUILD/obj/cuda_kernel_ops.o" & objs+=("$BUILD/obj/cuda_kernel_ops.o")
  "$nvcc" -std=c++17 -O2 -Icuda $gencode \
    -c cuda/kv_kernels.cu -o "$BUILD/obj/kv_kernels.o" & objs+=("$BUILD/obj/kv_kernels.o")
  local pid failed=0
  for pid in $(jobs -p); do wait "$pid" || failed=1; done
  [ "$failed" = 0 ] || { echo "gpu-check: build failed" >&2; exit 2; }
  "$nvcc" -o "$BIN" "${objs[@]}" -cudart static -lpthread
}

if [ "${1:-}" = "--build-only" ]; then
  build
  echo "built $BIN"
  exit 0
fi
if [ -z "${FLEETLAB_GPU_CHECK_BIN:-}" ]; then
  build
fi
[ -x "$BIN" ] || { echo "gpu-check: $BIN is not an executable" >&2; exit 2; }
command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
python3 scripts/gpu-check.py --bin "$BIN" "$@"
