// Rotary position embedding in HF's rotate-half layout (pairs i and i + head_dim/2), with
// optional `llama3` frequency scaling. Angles are computed in double from the position, so
// a token's rotation depends only on its position, never on the batch it runs in.
#pragma once
#include <vector>

namespace fleetlab {

struct RopeConfig {
  int headDim;
  double theta;
  bool llama3 = false;
  double factor = 1, lowFreqFactor = 1, highFreqFactor = 4, originalMaxPositions = 8192;
};

class Rope {
 public:
  explicit Rope(const RopeConfig& c);
  int half() const { return static_cast<int>(invFreq_.size()); }
  // cos/sin for one position, `half()` values each.
  void angles(int position, float* cosOut, float* sinOut) const;
  // Rotates `heads` consecutive vectors of headDim in place.
  static void apply(float* x, int heads, int headDim, const float* cosv, const float* sinv);

 private:
  std::vector<double> invFreq_;
};

}  // namespace fleetlab
