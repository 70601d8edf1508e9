#include "rope.h"

#include <cmath>

namespace fleetlab {

Rope::Rope(const RopeConfig& c) {
  const int half = c.headDim / 2;
  invFreq_.resize(static_cast<size_t>(half));
  const double kPi = 3.14159265358979323846;
  for (int i = 0; i < half; ++i) {
    double f = 1.0 / std::pow(c.theta, (2.0 * i) / c.headDim);
    if (c.llama3) {
      // Llama 3.1 scaling: long wavelengths are slowed by `factor`, short ones kept, and the
      // band between is interpolated (HF _compute_llama3_parameters).
      const double lowWavelen = c.originalMaxPositions / c.lowFreqFactor;
      const double highWavelen = c.originalMaxPositions / c.highFreqFactor;
      const double wavelen = 2 * kPi / f;
      if (wavelen > lowWavelen) {
        f = f / c.factor;
      } else if (wavelen >= highWavelen) {
        const double smooth = (c.originalMaxPositions / wavelen - c.lowFreqFactor) / (c.highFreqFactor - c.lowFreqFactor);
        f = (1 - smooth) * f / c.factor + smooth * f;
      }
    }
    invFreq_[static_cast<size_t>(i)] = f;
  }
}

void Rope::angles(int position, float* cosOut, float* sinOut) const {
  for (size_t i = 0; i < invFreq_.size(); ++i) {
    const double a = static_cast<double>(position) * invFreq_[i];
    cosOut[i] = static_cast<float>(std::cos(a));
    sinOut[i] = static_cast<float>(std::sin(a));
  }
}

void Rope::apply(float* x, int heads, int headDim, const float* cosv, const float* sinv) {
  const int half = headDim / 2;
  for (int h = 0; h < heads; ++h) {
    float* v = x + static_cast<size_t>(h) * headDim;
    for (int i = 0; i < half; ++i) {
      const float a = v[i], b = v[i + half];
      v[i] = a * cosv[i] - b * sinv[i];
      v[i + half] = b * cosv[i] + a * sinv[i];
    }
  }
}

}  // namespace fleetlab
