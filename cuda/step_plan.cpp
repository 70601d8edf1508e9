#include "step_plan.h"

namespace fleetlab {

StepPlan planStep(const ForwardBatch& b, const Rope& rope) {
  StepPlan p;
  const size_t M = static_cast<size_t>(b.numTokens);
  p.numTokens = b.numTokens;
  size_t tableInts = 0;
  for (const ForwardSeq& s : b.seqs) {
    tableInts += static_cast<size_t>(s.slice.numBlocks);
    p.numRows += s.wantLogits ? 1 : 0;
  }
  p.tokens = 0;
  p.positions = M;
  p.tableOffsets = 2 * M;
  p.rows = 3 * M;
  p.tables = 3 * M + static_cast<size_t>(p.numRows);
  p.ints.assign(p.tables + tableInts, 0);
  const size_t half = static_cast<size_t>(rope.half());
  p.cosSin.assign(2 * M * half, 0.0f);

  size_t tableAt = 0;
  int row = 0;
  for (const ForwardSeq& s : b.seqs) {
    const SeqSlice& q = s.slice;
    for (int i = 0; i < q.numBlocks; ++i) p.ints[p.tables + tableAt + static_cast<size_t>(i)] = q.blocks[i];
    for (int t = 0; t < q.numTokens; ++t) {
      const size_t m = static_cast<size_t>(q.tokenOffset + t);
      p.ints[p.tokens + m] = b.tokens[m];
      p.ints[p.positions + m] = q.startPos + t;
      p.ints[p.tableOffsets + m] = static_cast<int32_t>(tableAt);
      rope.angles(q.startPos + t, &p.cosSin[m * half], &p.cosSin[(M + m) * half]);
    }
    if (s.wantLogits) p.ints[p.rows + static_cast<size_t>(row++)] = q.tokenOffset + q.numTokens - 1;
    tableAt += static_cast<size_t>(q.numBlocks);
  }
  return p;
}

}  // namespace fleetlab
